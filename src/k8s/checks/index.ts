// Kubernetes posture checks: the registry, and Triad's built-in analyzers registered into it.
import { registerAnalyzer } from './registry.ts';
import { pssAnalyzer } from './pss-analyzer.ts';
import { workloadAnalyzer } from './workload-analyzer.ts';
import { netpolAnalyzer, rbacAnalyzer } from './rbac-netpol.ts';

registerAnalyzer(pssAnalyzer);
registerAnalyzer(workloadAnalyzer);
registerAnalyzer(rbacAnalyzer);
registerAnalyzer(netpolAnalyzer);

export { registerAnalyzer, registeredAnalyzers, allCheckMeta, checkGroups, selectChecks, runChecks, type K8sScanResult } from './registry.ts';
export { formatResource, makeFinding, resourceRef } from './finding.ts';
export { parseImageRef, registryAllowed, type ImageRef } from './image-ref.ts';
export { WORKLOAD_CHECKS } from './workload-checks.ts';
export { pssAnalyzer, pssCheckId } from './pss-analyzer.ts';
export { workloadAnalyzer } from './workload-analyzer.ts';
export { rbacAnalyzer, netpolAnalyzer } from './rbac-netpol.ts';
export type * from './types.ts';
