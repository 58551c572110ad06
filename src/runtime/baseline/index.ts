// Learned baselines per image: learning → monitor → protect, deviations, YAML export/import, persistence.
export { BaselineManager, baselineKeyOf, deviationAlert, type BaselineOptions, type Deviation } from './manager.ts';
export { Baseline, DEFAULT_LIMITS, BASELINE_MODES, type BaselineMode, type BaselineLimits, type ImageIdentity } from './profile.ts';
export { extractBehaviour, type Behaviour, type BehaviourKind } from './behaviour.ts';
export { canonicalPath, PathSet } from './paths.ts';
export { exportBaselineYaml, importBaselineYaml, BaselineFormatError, BASELINE_KIND, BASELINE_VERSION } from './yaml.ts';
export { saveBaselines, loadBaselines, readBaselineDir, baselineFileName } from './store.ts';
