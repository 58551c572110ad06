// Triad's JSON report: the ScanReport model with a summary, every list in one documented order and
// every object's keys in a fixed order, so that two runs over the same input give the same bytes
// (diffable in CI). Schema: docs/report-schema.md and src/report/schemas/triad-report.schema.json.
import type { ScanReport } from '../model/finding.ts';
import type { Inventory } from '../model/types.ts';
import { sortedPackages } from '../sbom/common.ts';
import { cmp, countSeverities, misconfigGroups, sortedSecrets, sortedVulns } from './common.ts';

/** The `$id` of the report's JSON Schema. */
export const REPORT_SCHEMA_ID = 'urn:triad:schema:report:1';

const VULN_KEYS = [
  'id', 'aliases', 'target', 'packageId', 'packageName', 'ecosystem', 'purl', 'installedVersion', 'fixedVersions', 'status',
  'severity', 'severitySource', 'cvss', 'title', 'description', 'references', 'published', 'modified', 'kev', 'epss',
  'sources', 'locations', 'layer', 'inBaseImage', 'ownedBy',
];
const SECRET_KEYS = ['ruleId', 'title', 'severity', 'path', 'startLine', 'startColumn', 'endLine', 'endColumn', 'match', 'layer', 'deletedInLayer'];
const MISCONFIG_KEYS = ['checkId', 'title', 'severity', 'message', 'target', 'region', 'path', 'layer'];

/** Known keys first in the given order, then any others sorted; nested objects keys sorted. */
function ordered(o: object, keys: readonly string[] = []): Record<string, unknown> {
  const src = o as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const rest = Object.keys(src).filter((k) => !keys.includes(k)).sort(cmp);
  for (const k of [...keys, ...rest]) {
    if (!(k in src) || src[k] === undefined) continue;
    out[k] = canonical(src[k]);
  }
  return out;
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') return ordered(v);
  return v;
}

function inventoryOut(inv: Inventory): Record<string, unknown> {
  return ordered(
    { ...inv, layers: [...inv.layers].sort((a, b) => a.index - b.index), packages: sortedPackages(inv) },
    ['schemaVersion', 'image', 'os', 'layers', 'packages', 'warnings', 'scanner', 'createdAt'],
  );
}

/** The report as a JSON value (what `renderJSON` serialises). */
export function toReportJSON(report: ScanReport): Record<string, unknown> {
  const vulns = sortedVulns(report);
  const secrets = sortedSecrets(report);
  const misconfigs = misconfigGroups(report).flatMap((g) => g.findings);
  const out: Record<string, unknown> = {
    schemaVersion: report.schemaVersion,
    target: report.target,
    createdAt: report.createdAt,
  };
  if (report.scanners) out.scanners = [...report.scanners];
  if (report.misconfigTargets) out.misconfigTargets = [...report.misconfigTargets].sort(cmp);
  if (report.db) out.db = ordered({ ...report.db, sources: [...report.db.sources].sort(cmp) }, ['path', 'builtAt', 'sources']);
  out.summary = {
    vulnerabilities: { total: vulns.length, ...countSeverities(report.vulnerabilities) },
    secrets: { total: secrets.length, ...countSeverities(secrets) },
    misconfigurations: { total: misconfigs.length, ...countSeverities(misconfigs) },
    suppressed: report.suppressed.length,
    warnings: report.warnings.length,
  };
  out.vulnerabilities = vulns.map(({ target, finding }) => ordered({ ...finding, target: target.name }, VULN_KEYS));
  out.fixes = [...report.fixes].sort((a, b) => cmp(a.packageId, b.packageId)).map((f) => ordered(f, ['packageId', 'lowestFixAll']));
  out.secrets = secrets.map((s) => ordered(s, SECRET_KEYS));
  out.misconfigurations = misconfigs.map((m) => ordered(m, MISCONFIG_KEYS));
  out.suppressed = [...report.suppressed]
    .sort((a, b) => cmp(a.packageId, b.packageId) || cmp(a.findingId, b.findingId) || cmp(a.by, b.by) || cmp(a.reason, b.reason))
    .map((s) => ordered(s, ['findingId', 'packageId', 'by', 'reason']));
  out.warnings = [...report.warnings];
  if (report.inventory) out.inventory = inventoryOut(report.inventory);
  return out;
}

export function renderJSON(report: ScanReport): string {
  return `${JSON.stringify(toReportJSON(report), null, 2)}\n`;
}
