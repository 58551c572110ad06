// Kubernetes posture checks: the registry, and Triad's built-in analyzers registered into it.
import { registerAnalyzer } from './registry.ts';
import { pssAnalyzer } from './pss-analyzer.ts';
import { workloadAnalyzer } from './workload-analyzer.ts';

registerAnalyzer(pssAnalyzer);
registerAnalyzer(workloadAnalyzer);

export { registerAnalyzer, registeredAnalyzers, allCheckMeta, checkGroups, selectChecks, runChecks, type K8sScanResult } from './registry.ts';
export { formatResource, makeFinding, resourceRef } from './finding.ts';
export { parseImageRef, registryAllowed, type ImageRef } from './image-ref.ts';
export { WORKLOAD_CHECKS } from './workload-checks.ts';
export { pssAnalyzer, pssCheckId } from './pss-analyzer.ts';
export { workloadAnalyzer } from './workload-analyzer.ts';
export type * from './types.ts';
