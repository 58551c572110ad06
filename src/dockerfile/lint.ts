// Runs the Dockerfile checks and turns their hits into findings with source regions.
import { sortFindings, type MisconfigFinding } from '../misconfig/types.ts';
import type { DockerfileCheck } from './checks/check.ts';
import { COPY_CHECKS } from './checks/copy-checks.ts';
import { IMAGE_CHECKS } from './checks/image-checks.ts';
import { PACKAGE_CHECKS } from './checks/package-checks.ts';
import { RUN_CHECKS } from './checks/run-checks.ts';
import type { Dockerfile } from './types.ts';

export const DOCKERFILE_CHECKS: readonly DockerfileCheck[] = [...IMAGE_CHECKS, ...COPY_CHECKS, ...RUN_CHECKS, ...PACKAGE_CHECKS];

export interface LintResult {
  target: string;
  findings: MisconfigFinding[];
  /** Ids of the checks that ran (passed ones included), for "N passed" summaries. */
  checked: string[];
  /** Parser warnings (unterminated heredoc, unknown instruction ...). */
  warnings: Array<{ line: number; message: string }>;
}

export function lintDockerfile(df: Dockerfile, checks: readonly DockerfileCheck[] = DOCKERFILE_CHECKS): LintResult {
  const findings: MisconfigFinding[] = [];
  for (const c of checks) {
    let hits;
    try {
      hits = c.check(df);
    } catch (e) {
      // A check bug on odd input must not hide the other checks' results.
      df.warnings.push({ line: 0, message: `check ${c.id} failed: ${(e as Error).message}` });
      continue;
    }
    for (const h of hits) {
      const f: MisconfigFinding = { checkId: c.id, title: c.title, severity: c.severity, message: h.message, target: df.source };
      if (h.at) f.region = { startLine: h.at.start.line, startColumn: h.at.start.column, endLine: h.at.end.line, endColumn: h.at.end.column };
      findings.push(f);
    }
  }
  return { target: df.source, findings: sortFindings(findings), checked: checks.map((c) => c.id), warnings: df.warnings };
}
