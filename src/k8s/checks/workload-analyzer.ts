// Runs the workload hardening checks over every workload's pod spec.
import { podSpecOf, WORKLOAD_KINDS } from '../manifest/workloads.ts';
import type { K8sObject } from '../manifest/types.ts';
import { makeFinding } from './finding.ts';
import type { K8sAnalyzer, K8sFinding, WorkloadContext } from './types.ts';
import { WORKLOAD_CHECKS } from './workload-checks.ts';

function serviceAccounts(objects: K8sObject[]): Map<string, K8sObject> {
  const m = new Map<string, K8sObject>();
  for (const o of objects) {
    if (o.kind !== 'ServiceAccount' || typeof o.metadata.name !== 'string') continue;
    const ns = typeof o.metadata.namespace === 'string' && o.metadata.namespace ? o.metadata.namespace : 'default';
    m.set(`${ns}/${o.metadata.name}`, o);
  }
  return m;
}

export const workloadAnalyzer: K8sAnalyzer = {
  name: 'workload',
  checks: WORKLOAD_CHECKS.map((c) => c.meta),
  kinds: [...WORKLOAD_KINDS, 'ServiceAccount'],
  run({ objects, selected, options }) {
    const checks = WORKLOAD_CHECKS.filter((c) => selected.has(c.meta.id));
    if (checks.length === 0) return [];
    const ctx: WorkloadContext = { options, serviceAccounts: serviceAccounts(objects) };
    const out: K8sFinding[] = [];
    for (const o of objects) {
      const pod = podSpecOf(o);
      if (!pod) continue;
      for (const check of checks) {
        if (check.kinds && !check.kinds.includes(o.kind)) continue;
        const hits = check.check(pod, ctx);
        if (hits.length === 0) continue;
        out.push(makeFinding(check.meta, o, hits.map((h) => h.message).join('; '), hits.flatMap((h) => h.paths)));
      }
    }
    return out;
  },
};
