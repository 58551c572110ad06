// The checks registry: analyzers register their checks here, `--checks` selects among them
// (by id, alias such as KSV011 or C-0034, group such as pss-baseline, or `all`), and a scan runs
// every analyzer with the selected ids. RBAC and NetworkPolicy analyses plug in with
// registerAnalyzer(); nothing else needs to change.
import type { CheckMeta } from '../../misconfig/types.ts';
import type { K8sObject } from '../manifest/types.ts';
import type { K8sAnalyzer, K8sFinding, K8sScanOptions } from './types.ts';

const analyzers: K8sAnalyzer[] = [];

export function registerAnalyzer(a: K8sAnalyzer): void {
  const i = analyzers.findIndex((x) => x.name === a.name);
  if (i >= 0) analyzers[i] = a;
  else analyzers.push(a);
}

export function registeredAnalyzers(): readonly K8sAnalyzer[] {
  return analyzers;
}

export function allCheckMeta(): CheckMeta[] {
  return analyzers.flatMap((a) => a.checks);
}

export function checkGroups(): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const a of analyzers) {
    for (const [name, ids] of Object.entries(a.groups ?? {})) m.set(name, [...(m.get(name) ?? []), ...ids]);
    m.set(a.name, [...(m.get(a.name) ?? []), ...a.checks.map((c) => c.id)]);
  }
  return m;
}

/** Resolves `--checks all|pss-baseline|KSV011,C-0034,...` to check ids; unknown names are returned, not ignored. */
export function selectChecks(spec: string | undefined): { ids: Set<string>; unknown: string[] } {
  const all = allCheckMeta();
  const ids = new Set<string>();
  const unknown: string[] = [];
  const groups = checkGroups();
  const byName = new Map<string, string[]>();
  const add = (name: string, id: string) => {
    const k = name.toLowerCase();
    byName.set(k, [...(byName.get(k) ?? []), id]);
  };
  for (const m of all) {
    add(m.id, m.id);
    for (const a of m.aliases ?? []) add(a, m.id);
  }
  for (const raw of (spec ?? 'all').split(',')) {
    const name = raw.trim();
    if (!name) continue;
    if (name.toLowerCase() === 'all') {
      for (const m of all) ids.add(m.id);
      continue;
    }
    const group = groups.get(name.toLowerCase());
    const hits = group ?? byName.get(name.toLowerCase());
    if (hits?.length) for (const id of hits) ids.add(id);
    else unknown.push(name);
  }
  return { ids, unknown };
}

export interface K8sScanResult {
  findings: K8sFinding[];
  /** Objects no analyzer reads, counted by kind (reported, not silently dropped). */
  unchecked: Map<string, number>;
  /** Objects read by at least one analyzer. */
  checked: number;
}

export function runChecks(objects: K8sObject[], selected: ReadonlySet<string>, options: K8sScanOptions = {}): K8sScanResult {
  const findings: K8sFinding[] = [];
  for (const a of analyzers) {
    if (!a.checks.some((c) => selected.has(c.id))) continue;
    findings.push(...a.run({ objects, selected, options }));
  }
  const known = new Set(analyzers.flatMap((a) => a.kinds));
  const unchecked = new Map<string, number>();
  let checked = 0;
  for (const o of objects) {
    if (known.has(o.kind)) checked++;
    else unchecked.set(o.kind, (unchecked.get(o.kind) ?? 0) + 1);
  }
  return { findings: findings.filter((f) => selected.has(f.checkId)), unchecked, checked };
}
