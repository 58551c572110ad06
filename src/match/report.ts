// Assembling the ScanReport of `triad image`, `triad sbom scan` (and later `triad fs`): the
// inventory, the vulnerability findings after the user's policy, and — one call each, when their
// engines are wired — secrets and misconfigurations. Report writers read only the ScanReport.

import type { LintResult } from '../dockerfile/lint.ts';
import type { Severity } from '../model/advisory.ts';
import type { ScanReport } from '../model/finding.ts';
import type { Inventory } from '../model/types.ts';
import type { VulnDB } from '../vulndb/store.ts';
import { matchInventory, type MatchOptions } from './matcher.ts';
import type { Policy } from './policy.ts';

export type Scanner = 'vuln' | 'secret' | 'misconfig';

/** A report with nothing found yet; the scanners add their parts. */
export function emptyReport(target: string, inventory?: Inventory): ScanReport {
  return {
    schemaVersion: 1,
    target,
    ...(inventory ? { inventory } : {}),
    vulnerabilities: [],
    fixes: [],
    secrets: [],
    misconfigurations: [],
    suppressed: [],
    warnings: [],
    createdAt: new Date().toISOString(),
  };
}

/** The vulnerability part: match with the policy applied, fixes of what remains. */
export function addVulnerabilities(report: ScanReport, inv: Inventory, db: VulnDB, policy: Policy, opts: Omit<MatchOptions, 'policy'> = {}): ScanReport {
  const m = matchInventory(inv, db, { ...opts, policy });
  report.vulnerabilities.push(...m.vulnerabilities);
  report.suppressed.push(...m.suppressed);
  report.fixes.push(...m.fixes);
  report.warnings.push(...m.warnings);
  const sources = db.status().sources;
  const builtAt = newest(sources.map((s) => s.importedAt));
  report.db = { path: db.path, sources: sources.map((s) => s.name), ...(builtAt ? { builtAt } : {}) };
  return report;
}

function newest(dates: string[]): string | undefined {
  return dates.sort().at(-1);
}

/** A Dockerfile's lint result as the misconfiguration part, under `target` (the path users see). */
export function addDockerfileLint(report: ScanReport, lint: LintResult, target: string, keep: (s: Severity) => boolean = () => true): ScanReport {
  report.misconfigTargets = [...(report.misconfigTargets ?? []), target];
  report.misconfigurations.push(...lint.findings.filter((m) => keep(m.severity)).map((m) => ({ ...m, target })));
  report.warnings.push(...lint.warnings.map((w) => `${target}:${w.line}: ${w.message}`));
  return report;
}

/** Whether `--exit-code` applies: findings remain after suppression. */
export function hasFindings(report: ScanReport): boolean {
  return report.vulnerabilities.length + report.secrets.length + report.misconfigurations.length > 0;
}
