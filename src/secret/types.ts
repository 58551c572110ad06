// Secret detection: the rule model (as written in rule files) and the findings it produces. Plain
// data, JSON-serialisable; shared by the engine, `triad fs`, and the image integration.

export type SecretSeverity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW';
export const SECRET_SEVERITIES: readonly SecretSeverity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'];

/** What an allowlist regex is tested against: the secret (capture group), the whole match, or the match's line(s). */
export type AllowTarget = 'secret' | 'match' | 'line';

/** An allowlist as written in a rule file; regexes use Go RE2 syntax. */
export interface AllowlistSpec {
  description?: string;
  /** OR (default): any listed criterion suppresses. AND: every listed kind of criterion must hold. */
  condition?: 'or' | 'and';
  target?: AllowTarget;
  paths?: string[];
  regexes?: string[];
  /** Case-insensitive substrings of the secret. */
  stopwords?: string[];
}

/** A rule as written in a rule file (YAML); regexes use Go RE2 syntax, translated at load. */
export interface RuleSpec {
  id: string;
  title?: string;
  description?: string;
  severity?: SecretSeverity;
  /** The pattern; absent for path-only rules (a file whose path alone is the finding, e.g. *.p12). */
  regex?: string;
  /** Only files whose path matches this (RE2) are scanned by the rule. */
  path?: string;
  /** Lower-case strings, one of which must occur in the file for the regex to run (the pre-filter). */
  keywords?: string[];
  /** Capture group holding the secret; default: the first non-empty group, else the whole match. */
  secretGroup?: number;
  /** Minimum Shannon entropy (bits per character) of the secret. */
  entropy?: number;
  /** The secret must contain a digit (generic assignment rules: words are not secrets). */
  requireDigit?: boolean;
  /** Reported only when no other rule found the same secret (generic assignment rules). */
  fallback?: boolean;
  allowlists?: AllowlistSpec[];
  enabled?: boolean;
}

/** A rule file: rules, a global allowlist, and ids of rules to disable (from any file loaded before). */
export interface RuleFile {
  rules?: RuleSpec[];
  allowlist?: AllowlistSpec;
  allowlists?: AllowlistSpec[];
  disable?: string[];
}

export interface SecretFinding {
  ruleId: string;
  title: string;
  severity: SecretSeverity;
  /** Path as given to the scanner (no leading '/' for image paths). */
  path: string;
  /** 1-based line and columns (columns count UTF-16 units of the decoded line, end exclusive). */
  startLine: number;
  endLine: number;
  startColumn: number;
  endColumn: number;
  /** The secret redacted: its first 4 characters, then asterisks. The secret itself is never printed. */
  match: string;
  /** Layer that holds the file (filled in by image scans). */
  layer?: { index: number; diffID?: string; digest?: string; createdBy?: string };
  /** Set when a later layer deleted the file (the secret is still in the image). */
  deletedInLayer?: number;
}

/** Why a file was not (completely) scanned. */
export type SkipReason = 'binary' | 'too-large' | 'time-budget' | 'long-line';

export interface ScanResult {
  findings: SecretFinding[];
  /** Set when the file was skipped or only partly scanned; counted, never fatal. */
  skipped?: SkipReason;
  /** Human-readable detail for the skip (one line). */
  warning?: string;
}
