// The concrete parts behind `triad agent run`: the Falco ruleset (bundled rules + --rules), the
// container resolver, the responder, and the sensor (replay, or the live bpftrace sensor with its
// process table).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RuntimeEvent, Sensor } from '../event.ts';
import { convert, type IngestFormat } from '../ingest/json-sensor.ts';
import { Responder } from '../response/responder.ts';
import { BpftraceSensor, bpftraceUnavailable } from '../sensor/bpftrace.ts';
import { ProcessTable } from '../sensor/process-table.ts';
import { DEFAULT_RULE_FILES, EXTRA_RULE_FILES, loadFalcoRules, type LoadResult } from '../rules/index.ts';
import type { AgentConfig, AgentParts } from './build.ts';
import { containerAttributor, replaySensor } from './build.ts';
import type { ProcessEnricher } from './components.ts';
import { fillTty } from './tty.ts';

/** A Falco or Tetragon JSON object as an event, or undefined when the converter skips it. */
function fromIngest(format: IngestFormat, o: unknown): RuntimeEvent | undefined {
  if (!o || typeof o !== 'object' || Array.isArray(o)) return undefined;
  const r = convert(format, o as Record<string, unknown>);
  return 'skip' in r ? undefined : r;
}


export type RuleSet = 'stable' | 'incubating' | 'sandbox';
export const RULE_SETS: readonly RuleSet[] = ['stable', 'incubating', 'sandbox'];

/**
 * The bundled Falco rule files (data/runtime/falco, from falcosecurity/rules) for the chosen
 * maturity levels. All three by default: the issue asks for every rule Triad's events can feed, and
 * the incubating and sandbox sets hold most of the container-drift and privilege rules.
 */
export function defaultRuleFiles(sets: readonly RuleSet[] = RULE_SETS): string[] {
  const files: string[] = [];
  // The stable file defines the macros and lists the other two build on: always first.
  if (sets.length) files.push(...DEFAULT_RULE_FILES);
  if (sets.includes('incubating')) files.push(EXTRA_RULE_FILES.incubating);
  if (sets.includes('sandbox')) files.push(EXTRA_RULE_FILES.sandbox);
  return files.filter((f) => existsSync(f));
}

/** --rule-sets stable,incubating,sandbox */
export function parseRuleSets(list: string): RuleSet[] {
  const sets = list.split(',').map((x) => x.trim()).filter(Boolean);
  for (const s of sets) if (!(RULE_SETS as readonly string[]).includes(s)) throw new Error(`--rule-sets: unknown set ${s} (stable, incubating, sandbox)`);
  return sets as RuleSet[];
}

/** --rules PATH: a file, or every *.yaml / *.yml in a directory (sorted). */
export function expandRulePaths(paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new Error(`--rules ${p}: no such file or directory`);
    }
    if (st.isDirectory()) out.push(...readdirSync(p).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(p, f)));
    else out.push(p);
  }
  return out;
}

export function loadRules(cfg: Pick<AgentConfig, 'rules' | 'defaultRules' | 'ruleSets'>): LoadResult {
  const files = [...(cfg.defaultRules ? defaultRuleFiles(cfg.ruleSets) : []), ...expandRulePaths(cfg.rules)];
  // Every matching rule alerts (Falco's rule_matching "all"): one exec can be both a shell in a
  // container and a drop-and-execute, and both are worth knowing.
  return loadFalcoRules(files, { ruleMatching: 'all' });
}

/** Reports malformed rules (file, rule, reason) and a one-line summary; the valid rules keep running. */
export function reportRuleLoad(r: LoadResult, log: (m: string) => void): void {
  for (const e of r.errors) log(`rules: ${e.file}${e.line ? `:${e.line}` : ''}${e.name ? ` ${e.kind ?? 'rule'} "${e.name}"` : ''}: ${e.message}`);
  const enabled = r.ruleset.rules.filter((x) => x.enabled).length;
  log(`rules: ${enabled} enabled rules loaded, ${r.unsupported.length} unsupported (triad agent rules lists them), ${r.errors.length} rejected`);
}

/** The live bpftrace sensor and a process table primed from /proc (processes older than the agent). */
function liveSensor(cfg: AgentConfig): { sensor: Sensor; processes: ProcessEnricher } {
  const why = bpftraceUnavailable();
  if (why) throw new Error(`live sensing: ${why} (or use --replay FILE)`);
  const table = new ProcessTable({ followChdir: true });
  table.loadFromProc();
  const mode = cfg.moduleAttempts ?? 'auto';
  const sensor = new BpftraceSensor({ ...(mode === 'auto' ? {} : { moduleAttempts: mode }), log: cfg.log, onStderr: (line) => cfg.log(`bpftrace: ${line}`) });
  return {
    sensor,
    processes: {
      enrich: (e) => {
        table.handle(e);
        fillTty(e);
      },
    },
  };
}

export async function makeParts(cfg: AgentConfig): Promise<AgentParts> {
  const r = loadRules(cfg);
  reportRuleLoad(r, cfg.log);
  const attributor = containerAttributor(cfg);
  const responder = new Responder({ resolver: attributor, ...(cfg.dockerHost ? { dockerHost: cfg.dockerHost } : {}) });
  if (cfg.replay) {
    // A recording already carries what the process table would add when it was made; replays of
    // Falco/Tetragon output carry their own process data. /proc of this host means nothing for them.
    const table = new ProcessTable({ useProc: false });
    const ingest = { falco: (o: unknown) => fromIngest('falco', o), tetragon: (o: unknown) => fromIngest('tetragon', o) };
    return { sensor: replaySensor(cfg, ingest), processes: { enrich: (e) => table.handle(e) }, attributor, rules: r.ruleset, responder };
  }
  const live = liveSensor(cfg);
  return { ...live, attributor, rules: r.ruleset, responder };
}
