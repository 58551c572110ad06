// A compiled Falco ruleset: rules indexed by the event types their conditions can match, one
// extraction cache shared by all rules, evaluation in Falco's load order.

import { hostname } from 'node:os';
import type { RuntimeEvent } from '../event.ts';
import { EvalState, type FieldRegistry, type Predicate } from './condition/compile.ts';
import type { TypeSet } from './condition/evttypes.ts';
import type { FieldContext } from './fields.ts';
import { renderOutput, type OutputTemplate } from './output.ts';
import { priorityRank, type Priority } from './priority.ts';
import { ProcRootIdResolver, type IdResolver } from './users.ts';

export interface RuleMatch {
  rule: string;
  priority: Priority;
  output: string;
  tags: string[];
  outputFields: Record<string, string | number | boolean | null>;
  source: string;
}

export interface CompiledRule {
  name: string;
  priority: Priority;
  tags: string[];
  source: string;
  desc: string;
  enabled: boolean;
  index: number;
  eventTypes: TypeSet;
  predicate: Predicate;
  output: OutputTemplate;
  file: string;
  line?: number;
}

export interface RulesetOptions {
  /** Falco's rule_matching: 'first' (Falco's default) stops at the first matching rule per event. */
  ruleMatching?: 'first' | 'all';
  /** Rules below this priority are not evaluated (Falco's `priority` setting). */
  minPriority?: Priority;
  /** uid/gid → names; default reads /etc/passwd and /etc/group through /proc/<pid>/root. */
  ids?: IdResolver;
  /** IP → DNS name for fd.sip.name (e.g. the Kubernetes API service IP). */
  hostNames?: ReadonlyMap<string, string>;
}

/** The Kubernetes API service, as every pod sees it, when the agent runs in a pod. */
function defaultHostNames(): Map<string, string> {
  const m = new Map<string, string>();
  const ip = process.env.KUBERNETES_SERVICE_HOST;
  if (ip) m.set(ip, 'kubernetes.default.svc.cluster.local');
  return m;
}

export class FalcoRuleset {
  readonly rules: readonly CompiledRule[];
  private readonly state: EvalState;
  private readonly ctx: FieldContext;
  private readonly matching: 'first' | 'all';
  private minRank: number;
  private readonly perType = new Map<string, CompiledRule[]>();
  private evtNum = 0;

  constructor(rules: CompiledRule[], registry: FieldRegistry, options: RulesetOptions = {}) {
    this.rules = [...rules].sort((a, b) => a.index - b.index);
    this.matching = options.ruleMatching ?? 'first';
    this.minRank = options.minPriority ? priorityRank(options.minPriority) : 7;
    this.ctx = {
      event: undefined as unknown as RuntimeEvent,
      evtNum: 0,
      ids: options.ids ?? new ProcRootIdResolver(),
      hostNames: options.hostNames ?? defaultHostNames(),
      hostname: hostname(),
    };
    this.state = new EvalState(this.ctx, registry.extractors, registry.truthSlots);
  }

  /** Switches a rule on or off at runtime; returns false when no such rule is loaded. */
  setEnabled(name: string, enabled: boolean): boolean {
    const r = this.rules.find((x) => x.name === name);
    if (!r) return false;
    r.enabled = enabled;
    this.perType.clear();
    return true;
  }

  setMinPriority(p: Priority): void {
    this.minRank = priorityRank(p);
    this.perType.clear();
  }

  /** Enabled rules that can match this event type, in load order (computed once per type). */
  rulesFor(type: string): CompiledRule[] {
    let list = this.perType.get(type);
    if (!list) {
      list = this.rules.filter((r) => r.enabled && priorityRank(r.priority) <= this.minRank && (r.eventTypes.all ? !r.eventTypes.except.has(type) : r.eventTypes.only.has(type)));
      if (this.perType.size > 4096) this.perType.clear(); // hostile streams of made-up types
      this.perType.set(type, list);
    }
    return list;
  }

  evaluate(event: RuntimeEvent): RuleMatch[] {
    const candidates = this.rulesFor(event.type);
    if (candidates.length === 0) return [];
    this.ctx.event = event;
    this.ctx.evtNum = ++this.evtNum;
    this.state.next();
    let out: RuleMatch[] | undefined;
    for (let i = 0; i < candidates.length; i++) {
      const r = candidates[i]!;
      let hit: boolean;
      try {
        hit = r.predicate(this.state) === 1;
      } catch {
        hit = false; // malformed event data (wrong types from a foreign source) never stops the agent
      }
      if (!hit) continue;
      const rendered = renderOutput(r.output, this.state);
      (out ??= []).push({ rule: r.name, priority: r.priority, output: rendered.output, tags: r.tags, outputFields: rendered.fields, source: r.source });
      if (this.matching === 'first') break;
    }
    return out ?? [];
  }
}
