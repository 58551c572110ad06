// Pod Security Standards (baseline, restricted), every control, versioned like upstream.
export { PSS_CHECKS, policyChecks, evaluatePod, forbiddenMessage, podView, type PssResult, type SelectedCheck } from './evaluate.ts';
export { LATEST_VERSION, parseVersion, formatVersion, compareVersions } from './version.ts';
export type { PssCheck, PssLevel, PssVersion, PssViolation, PodView } from './types.ts';
