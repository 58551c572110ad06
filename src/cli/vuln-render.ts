// Minimal rendering of a ScanReport, used until the report writers (src/report) are present:
// JSON (the ScanReport as is) and a plain table grouped by target with a summary line.
import type { ScanReport } from '../model/finding.ts';
import { SEVERITIES } from '../model/advisory.ts';
import { renderLayerTable, renderPackageTable } from '../sbom/table.ts';

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}

export function renderFallback(report: ScanReport, format: string, opts: { layers?: boolean; listPackages?: boolean } = {}): string {
  if (format === 'json') return JSON.stringify(report, null, 2) + '\n';
  if (format !== 'table') throw new Error(`--format ${format}: the report writers (src/report) are not available in this build`);
  const inv = report.inventory;
  const os = inv?.os ? ` (${inv.os.family} ${inv.os.version})` : '';
  const head = `${report.target}${os}`;
  const parts = [`${head}\n${'='.repeat(Math.min(80, head.length))}\n`];
  const counts = SEVERITIES.map((s) => [s, report.vulnerabilities.filter((v) => v.severity === s).length] as const);
  parts.push(`Total: ${report.vulnerabilities.length} (${[...counts].reverse().map(([s, n]) => `${s}: ${n}`).join(', ')})${report.suppressed.length ? `, ${report.suppressed.length} suppressed` : ''}\n`);
  if (inv && opts.layers && inv.layers.length) parts.push(renderLayerTable(inv));
  if (inv && opts.listPackages) parts.push(renderPackageTable(inv));
  if (report.vulnerabilities.length) {
    const rows = [['LIBRARY', 'VULNERABILITY', 'SEVERITY', 'STATUS', 'INSTALLED', 'FIXED', 'TITLE']];
    const sorted = [...report.vulnerabilities].sort((a, b) => a.packageName.localeCompare(b.packageName) || SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity) || a.id.localeCompare(b.id));
    for (const v of sorted) rows.push([v.packageName, v.id, v.severity, v.status, v.installedVersion, v.fixedVersions.join(', '), (v.title ?? '').slice(0, 60)]);
    parts.push(table(rows));
  }
  if (report.warnings.length) parts.push(`${report.warnings.length} warnings:\n${report.warnings.slice(0, 20).map((w) => `  ${w}`).join('\n')}\n`);
  return parts.join('\n');
}
