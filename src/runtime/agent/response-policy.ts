// Which action an alert triggers: a YAML file mapping rule names, tags or priorities to actions,
// plus the action for baseline deviations in protect mode. First matching entry wins; no match
// means alert only. Example:
//
//   responses:
//     - rule: Terminal shell in container      # exact Falco rule name
//       action: kill
//     - tag: T1611                             # any of the rule's tags
//       action: pause
//     - priority: CRITICAL                     # this priority or more severe
//       action: stop
//   baseline:
//     protect: kill                            # deviation of a baseline in protect mode
//     monitor: alert                           # (default: what the baseline itself says)
//   host: false                                # never act on host processes (default)
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { Alert, ResponseAction } from '../event.ts';

export const PRIORITIES = ['EMERGENCY', 'ALERT', 'CRITICAL', 'ERROR', 'WARNING', 'NOTICE', 'INFORMATIONAL', 'DEBUG'] as const;
const ACTIONS: readonly ResponseAction[] = ['alert', 'kill', 'pause', 'stop'];

export interface ResponseEntry {
  rule?: string;
  tag?: string;
  priority?: string;
  action: ResponseAction;
}

export interface ResponsePolicy {
  entries: ResponseEntry[];
  /** Overrides of the baseline's own suggestion, per mode. */
  baseline: { protect?: ResponseAction; monitor?: ResponseAction };
  /** Act on host processes too (off by default: killing host daemons from a rule is dangerous). */
  host: boolean;
}

export const ALERT_ONLY: ResponsePolicy = Object.freeze({ entries: [], baseline: {}, host: false }) as ResponsePolicy;

/** Severity rank: 0 = EMERGENCY ... 7 = DEBUG; unknown priorities rank as DEBUG. Falco accepts INFO too. */
export function priorityRank(p: string | undefined): number {
  const u = (p ?? '').toUpperCase();
  const i = PRIORITIES.indexOf((u === 'INFO' ? 'INFORMATIONAL' : u) as (typeof PRIORITIES)[number]);
  return i < 0 ? PRIORITIES.length - 1 : i;
}

function action(v: unknown, where: string): ResponseAction {
  if (typeof v === 'string' && (ACTIONS as string[]).includes(v)) return v as ResponseAction;
  throw new Error(`${where}: action must be one of ${ACTIONS.join(', ')} (got ${JSON.stringify(v)})`);
}

export function parseResponsePolicy(text: string, file = 'response policy'): ResponsePolicy {
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 100 });
  } catch (e) {
    throw new Error(`${file}: not YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (doc == null) return { entries: [], baseline: {}, host: false };
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`${file}: expected a mapping with responses/baseline/host`);
  const d = doc as Record<string, unknown>;
  for (const k of Object.keys(d)) if (!['responses', 'baseline', 'host'].includes(k)) throw new Error(`${file}: unknown key ${k}`);
  const entries: ResponseEntry[] = [];
  if (d.responses !== undefined) {
    if (!Array.isArray(d.responses)) throw new Error(`${file}: responses must be a list`);
    d.responses.forEach((raw, i) => {
      const where = `${file}: responses[${i}]`;
      if (!raw || typeof raw !== 'object') throw new Error(`${where}: expected a mapping`);
      const r = raw as Record<string, unknown>;
      const e: ResponseEntry = { action: action(r.action, where) };
      for (const k of ['rule', 'tag', 'priority'] as const) {
        if (r[k] === undefined) continue;
        if (typeof r[k] !== 'string' || !r[k]) throw new Error(`${where}: ${k} must be a non-empty string`);
        e[k] = r[k] as string;
      }
      if (e.priority && !(PRIORITIES as readonly string[]).includes(e.priority.toUpperCase()) && e.priority.toUpperCase() !== 'INFO') throw new Error(`${where}: unknown priority ${e.priority}`);
      if (!e.rule && !e.tag && !e.priority) throw new Error(`${where}: needs rule, tag or priority`);
      entries.push(e);
    });
  }
  const base: ResponsePolicy['baseline'] = {};
  if (d.baseline !== undefined) {
    if (!d.baseline || typeof d.baseline !== 'object') throw new Error(`${file}: baseline must be a mapping`);
    for (const [k, v] of Object.entries(d.baseline)) {
      if (k !== 'protect' && k !== 'monitor') throw new Error(`${file}: baseline.${k}: expected protect or monitor (learning never acts)`);
      base[k] = action(v, `${file}: baseline.${k}`);
    }
  }
  if (d.host !== undefined && typeof d.host !== 'boolean') throw new Error(`${file}: host must be true or false`);
  return { entries, baseline: base, host: d.host === true };
}

export function loadResponsePolicy(path: string): ResponsePolicy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseResponsePolicy(text, path);
}

/**
 * The action for an alert. A baseline alert takes the policy's action for its baseline's mode when
 * the policy sets one, else the action the baseline suggests (alert in monitor, the baseline
 * manager's protect action); a rule alert the first matching entry. Host processes only get
 * "alert" unless the policy allows host actions.
 */
export function decideAction(policy: ResponsePolicy, alert: Alert, deviation?: { mode: 'monitor' | 'protect'; action: ResponseAction }): ResponseAction {
  let a: ResponseAction = 'alert';
  if (alert.source === 'baseline' && deviation) a = policy.baseline[deviation.mode] ?? deviation.action;
  else if (alert.source === 'rules') {
    const rank = priorityRank(alert.priority);
    const hit = policy.entries.find((e) => (e.rule === undefined || e.rule === alert.rule) && (e.tag === undefined || (alert.tags ?? []).includes(e.tag)) && (e.priority === undefined || rank <= priorityRank(e.priority)));
    if (hit) a = hit.action;
  }
  if (a !== 'alert' && alert.container.id === 'host' && !policy.host) return 'alert';
  return a;
}
