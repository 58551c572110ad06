// NetworkPolicy coverage and exposure of pods through Services and Ingresses.
export { analyzeNetworkPolicies, type NetpolAnalysis, type NetpolFinding, type PodCoverage } from './analysis.ts';
export { readPolicies, isDefaultDeny, policySelects, type NetPolicy } from './policies.ts';
export { podTemplates, type PodTemplate } from './workloads.ts';
export { NETPOL_CHECKS, ALL_NETPOL_CHECK_META } from './catalog.ts';
