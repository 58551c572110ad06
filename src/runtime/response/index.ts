// Responses to alerts (kill, pause, stop) and the per-node report of which ones are enforceable.
export { Responder, type ResponderOptions, type ResponseResult } from './responder.ts';
export { probeEnforceability, type EnforceabilityReport, type Capability, type EngineProbe } from './enforceability.ts';
