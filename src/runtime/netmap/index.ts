// The network map: flows between workloads, NetworkPolicy / CiliumNetworkPolicy generation, dry-run.
export { FlowMap, describeFlow, type Flow, type FlowEndpoint, type FlowMapOptions } from './flows.ts';
export { flowsToJson, flowsFromJson, FlowsFormatError, FLOWS_KIND, FLOWS_VERSION } from './flows-io.ts';
export { generateNetworkPolicies, generateCiliumPolicies, policiesToYaml, type GenerateOptions, type GeneratedPolicies } from './generate.ts';
export { dryRun, compilePolicies, type DryRunOptions, type DryRunResult, type FlowVerdict, type Verdict } from './dryrun.ts';
export { workloadOf, peerKey, stableLabels, type WorkloadIdentity } from './identity.ts';
export { parseIp, parseCidr, cidrOf, isLoopback, type ParsedIp } from './ip.ts';
