// What the user asked not to see: --severity, --ignore-unfixed, ignore-file entries and VEX
// statements. Suppressed findings are kept in the report (ScanReport.suppressed) with the reason,
// for audit; exit codes look only at what remains.

import type { Severity } from '../model/advisory.ts';
import type { Suppressed, VulnFinding } from '../model/finding.ts';
import type { IgnoreEntry } from './ignorefile.ts';
import { purlMatches } from './purl-match.ts';
import type { VexStatement } from './vex.ts';

export interface Policy {
  /** Keep only these severities (all when absent or empty). */
  severities?: Severity[];
  ignoreUnfixed?: boolean;
  ignore?: IgnoreEntry[];
  vex?: VexStatement[];
  /** For ignore-file expiry (default: now). */
  now?: Date;
}

export interface PolicyResult {
  vulnerabilities: VulnFinding[];
  suppressed: Suppressed[];
}

function idsOf(f: VulnFinding): Set<string> {
  return new Set([f.id, ...f.aliases].map((x) => x.toUpperCase()));
}

function ignoreHit(f: VulnFinding, entries: IgnoreEntry[], now: Date): IgnoreEntry | undefined {
  const ids = idsOf(f);
  return entries.find((e) => {
    if (!ids.has(e.id.toUpperCase())) return false;
    if (e.expires && e.expires.getTime() <= now.getTime()) return false;
    if (e.purls?.length && !e.purls.some((p) => purlMatches(p, f.purl))) return false;
    if (e.paths?.length && !e.paths.some((p) => f.locations.some((l) => l === p || l.replace(/^\//, '') === p.replace(/^\//, '')))) return false;
    return true;
  });
}

function vexHit(f: VulnFinding, statements: VexStatement[]): VexStatement | undefined {
  const ids = idsOf(f);
  return statements.find((s) => {
    if (!s.vulnerabilities.some((v) => ids.has(v.toUpperCase()))) return false;
    if (s.allProducts) return true;
    return s.products.some((p) => purlMatches(p, f.purl) || p === f.packageId);
  });
}

export function applyPolicy(findings: VulnFinding[], policy: Policy): PolicyResult {
  const now = policy.now ?? new Date();
  const severities = policy.severities?.length ? new Set(policy.severities) : undefined;
  const kept: VulnFinding[] = [];
  const suppressed: Suppressed[] = [];
  const drop = (f: VulnFinding, by: string, reason: string) => suppressed.push({ findingId: f.id, packageId: f.packageId, by, reason });
  for (const f of findings) {
    const v = policy.vex?.length ? vexHit(f, policy.vex) : undefined;
    if (v) {
      drop(f, 'vex', `${v.status}${v.justification ? ` (${v.justification})` : ''} in ${v.document}`);
      continue;
    }
    const i = policy.ignore?.length ? ignoreHit(f, policy.ignore, now) : undefined;
    if (i) {
      drop(f, 'ignorefile', `${i.file}:${i.line}${i.statement ? `: ${i.statement}` : ''}`);
      continue;
    }
    if (policy.ignoreUnfixed && f.status !== 'fixed') {
      drop(f, 'unfixed', `no fixed version (${f.status})`);
      continue;
    }
    if (severities && !severities.has(f.severity)) {
      drop(f, 'severity', `severity ${f.severity} not selected`);
      continue;
    }
    kept.push(f);
  }
  return { vulnerabilities: kept, suppressed };
}
