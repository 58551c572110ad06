// The human report, laid out as Trivy users expect: one section per target (the OS packages, then
// each lockfile, binary or language group) with a heading, a `Total: N (...)` summary line and a
// table of findings; then secrets and misconfigurations. Everything that came from the image or an
// advisory is stripped of control characters and escape sequences before it reaches a terminal.
import type { Severity } from '../model/advisory.ts';
import type { ScanReport, VulnFinding } from '../model/finding.ts';
import { layerLabel, misconfigGroups, oneLine, severityOf, shorten, sortedSecrets, summaryLine, vulnGroups } from './common.ts';
import { drawTable, paint, type Cell, type Column } from './text.ts';

export interface TableOptions {
  /** Maximum line width; default: the terminal's columns when stdout is a TTY, else unlimited. */
  width?: number;
  /** ANSI colour; default: stdout is a TTY and NO_COLOR is unset (or empty). */
  color?: boolean;
  /** Plain ASCII borders. */
  ascii?: boolean;
  /** Also list targets without findings (with their `Total: 0` line). Default true. */
  showClean?: boolean;
}

const SEVERITY_SGR: Record<Severity, string | undefined> = { CRITICAL: '1;31', HIGH: '31', MEDIUM: '33', LOW: '34', UNKNOWN: undefined };

function severityCell(s: string): Cell {
  const sev = severityOf(s);
  return { text: sev, sgr: SEVERITY_SGR[sev] };
}

function heading(title: string, color: boolean): string {
  const t = oneLine(title);
  return `${paint(t, '1', color)}\n${'='.repeat(Math.max(1, Math.min([...t].length, 200)))}`;
}

/** "CVE-2021-44228 [KEV] [EPSS 97.5%]": the id with the exploitation signals users triage by. */
function vulnCell(f: VulnFinding): Cell {
  let t = f.id;
  if (f.kev) t += ' [KEV]';
  if (f.epss && Number.isFinite(f.epss.score)) t += ` [EPSS ${(f.epss.score * 100).toFixed(f.epss.score >= 0.1 ? 0 : 1)}%]`;
  return f.kev ? { text: t, sgr: '1' } : t;
}

const VULN_COLUMNS: Column[] = [
  { title: 'Library', min: 10 },
  { title: 'Vulnerability', min: 14 },
  { title: 'Severity' },
  { title: 'Status', min: 6 },
  { title: 'Installed Version', min: 8 },
  { title: 'Fixed Version', min: 8 },
  { title: 'Title', min: 10 },
  { title: 'Layer', min: 6 },
];

function vulnRow(f: VulnFinding): Cell[] {
  return [
    f.packageName,
    vulnCell(f),
    severityCell(f.severity),
    f.status,
    f.installedVersion,
    f.fixedVersions.join(', '),
    shorten(oneLine(f.title ?? f.description ?? ''), 120),
    layerLabel(f.layer, 30),
  ];
}

export function renderTable(report: ScanReport, opts: TableOptions = {}): string {
  const tty = process.stdout.isTTY === true;
  const width = opts.width ?? (tty && process.stdout.columns ? process.stdout.columns : Infinity);
  const color = opts.color ?? (tty && !process.env.NO_COLOR);
  const draw = { width, color, ascii: opts.ascii };
  const out: string[] = [];

  for (const g of vulnGroups(report)) {
    if (!g.findings.length && opts.showClean === false) continue;
    const parts = [heading(g.target.class === 'os' ? g.target.name : `${g.target.name} (${g.target.type})`, color), summaryLine(g.findings)];
    if (g.findings.length) parts.push(drawTable(VULN_COLUMNS, g.findings.map(vulnRow), draw));
    out.push(parts.join('\n'));
  }

  if (report.secrets.length) {
    const cols: Column[] = [
      { title: 'Rule', min: 10 },
      { title: 'Severity' },
      { title: 'Location', min: 12 },
      { title: 'Layer', min: 6 },
      { title: 'Status', min: 8 },
      { title: 'Match', min: 8 },
    ];
    const rows = sortedSecrets(report).map((s): Cell[] => [
      s.ruleId,
      severityCell(s.severity),
      `${s.path}:${s.startLine}`,
      layerLabel(s.layer, 30),
      s.deletedInLayer !== undefined ? `deleted in layer ${s.deletedInLayer}` : '',
      s.match,
    ]);
    out.push([heading('Secrets', color), summaryLine(report.secrets), drawTable(cols, rows, draw)].join('\n'));
  } else if (report.scanners?.includes('secret') && opts.showClean !== false) {
    out.push([heading('Secrets', color), summaryLine([])].join('\n'));
  }

  for (const g of misconfigGroups(report)) {
    const cols: Column[] = [
      { title: 'Check', min: 8 },
      { title: 'Severity' },
      { title: 'Title', min: 12 },
      { title: 'Details', min: 12 },
      { title: 'Where', min: 8 },
    ];
    const rows = g.findings.map((m): Cell[] => [
      m.checkId,
      severityCell(m.severity),
      m.title,
      m.message,
      m.region ? `line ${m.region.startLine}${m.region.endLine !== m.region.startLine ? `-${m.region.endLine}` : ''}` : [m.path, m.layer ? `layer ${layerLabel(m.layer, 24)}` : ''].filter(Boolean).join(', ') || 'image config',
    ]);
    out.push([heading(`${g.target} (misconfigurations)`, color), summaryLine(g.findings), drawTable(cols, rows, draw)].join('\n'));
  }

  if (opts.showClean !== false) {
    const failing = new Set(report.misconfigurations.map((m) => m.target));
    for (const t of [...new Set(report.misconfigTargets ?? [])].filter((x) => !failing.has(x)).sort()) out.push([heading(`${t} (misconfigurations)`, color), summaryLine([])].join('\n'));
  }

  if (report.suppressed.length) out.push(`Suppressed: ${report.suppressed.length} finding(s) (${[...new Set(report.suppressed.map((s) => oneLine(s.by)))].sort().join(', ')})`);
  if (report.warnings.length) {
    out.push([`Warnings (${report.warnings.length}):`, ...report.warnings.slice(0, 50).map((w) => `  - ${shorten(oneLine(w), 300)}`), ...(report.warnings.length > 50 ? [`  ... and ${report.warnings.length - 50} more`] : [])].join('\n'));
  }
  if (!out.length) out.push(`${oneLine(report.target)}: nothing to report`);
  return `${out.join('\n\n')}\n`;
}
