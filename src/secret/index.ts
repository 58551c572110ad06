// Secret detection: rules as data (rules.ts, default in rules/default.yaml), the per-file scanner,
// and a directory walker for `triad fs`. Image integration feeds the scanner layer files.
export { DEFAULT_RULES_PATH, compileRuleFiles, loadRules, readRuleFile, type CompiledRule, type RuleSet } from './rules.ts';
export { DEFAULT_MAX_FILE_SIZE, SecretScanner, looksBinary, redact, secretOf, shannonEntropy, type SecretScanOptions } from './scanner.ts';
export type { AllowlistSpec, RuleFile, RuleSpec, ScanResult, SecretFinding, SecretSeverity, SkipReason } from './types.ts';
