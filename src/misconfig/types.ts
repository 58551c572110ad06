// Misconfiguration checks and their findings, shared by Dockerfile lint and image checks so that
// every report (table, JSON, SARIF, JUnit) renders both the same way.
import type { Severity } from '../model/advisory.ts';

export type { Severity };

/** What a check is; every check carries enough text to stand alone in a report. */
export interface CheckMeta {
  /** Stable id: Trivy's DS id where the same check exists (`DS-0002`), else `TRIAD-...`. */
  id: string;
  /** Other names of the same check (Trivy's `DS002`, `AVD-DS-0002`). */
  aliases?: string[];
  title: string;
  severity: Severity;
  /** Why it matters. */
  rationale: string;
  /** What to do about it. */
  remediation: string;
  references?: string[];
}

export interface SourceRegion {
  startLine: number;
  startColumn?: number;
  endLine: number;
  /** Exclusive, as in SARIF. */
  endColumn?: number;
}

export interface MisconfigFinding {
  checkId: string;
  title: string;
  severity: Severity;
  /** What was found, specific to this occurrence. */
  message: string;
  /** The Dockerfile path or the image reference. */
  target: string;
  /** Dockerfile findings: the lines of the offending instruction(s). */
  region?: SourceRegion;
  /** Image findings: a path in the image, when the finding is about a file. */
  path?: string;
  /** Image findings: the layer that introduced what was found. */
  layer?: { index: number; diffID: string; createdBy?: string };
}

export const SEVERITY_RANK: Record<Severity, number> = { UNKNOWN: 0, LOW: 1, MEDIUM: 2, HIGH: 3, CRITICAL: 4 };

/** Most severe first, then by position, then by id: stable output. */
export function sortFindings(fs: MisconfigFinding[]): MisconfigFinding[] {
  return fs.sort(
    (a, b) =>
      SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
      (a.region?.startLine ?? 0) - (b.region?.startLine ?? 0) ||
      (a.checkId < b.checkId ? -1 : a.checkId > b.checkId ? 1 : 0) ||
      (a.path ?? '').localeCompare(b.path ?? ''),
  );
}
