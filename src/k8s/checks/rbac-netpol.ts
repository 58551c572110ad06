// The RBAC and NetworkPolicy analyses (src/k8s/rbac, src/k8s/netpol) as analyzers of the checks
// registry: they take plain objects and a locator, and report MisconfigFindings with the object.
import type { MisconfigFinding } from '../../misconfig/types.ts';
import { rawObjects } from '../manifest/load.ts';
import { WORKLOAD_KINDS } from '../manifest/workloads.ts';
import { ALL_NETPOL_CHECK_META, analyzeNetworkPolicies } from '../netpol/index.ts';
import { ALL_RBAC_CHECK_META, buildRbacGraph, rbacFindings } from '../rbac/index.ts';
import type { ObjectRef } from '../rbac/types.ts';
import type { K8sAnalyzer, K8sFinding } from './types.ts';

function adopt(f: MisconfigFinding & { object: ObjectRef }): K8sFinding {
  const { object, ...rest } = f;
  const out: K8sFinding = { ...rest, resource: { apiVersion: '', kind: object.kind, name: object.name, ...(object.namespace ? { namespace: object.namespace } : {}) } };
  return out;
}

export const rbacAnalyzer: K8sAnalyzer = {
  name: 'rbac',
  checks: ALL_RBAC_CHECK_META,
  kinds: ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'],
  run({ objects, selected }) {
    if (!objects.some((o) => this.kinds.includes(o.kind))) return [];
    const { raws, locate } = rawObjects(objects);
    return rbacFindings(buildRbacGraph(raws, locate), { checks: selected }).map(adopt);
  },
};

export const netpolAnalyzer: K8sAnalyzer = {
  name: 'netpol',
  checks: ALL_NETPOL_CHECK_META,
  kinds: ['NetworkPolicy', 'CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy', 'Service', 'Ingress', 'Namespace', ...WORKLOAD_KINDS],
  run({ objects }) {
    const { raws, locate } = rawObjects(objects);
    return analyzeNetworkPolicies(raws, locate).findings.map(adopt);
  },
};
