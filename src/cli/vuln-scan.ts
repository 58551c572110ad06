// The vulnerability side of `triad image` and `triad sbom scan`: flags (Trivy's names), the
// database, the policy, the report and its rendering, the exit code.

import { Command, Option } from 'commander';
import { resolve } from 'node:path';
import type { Severity } from '../model/advisory.ts';
import { SEVERITIES } from '../model/advisory.ts';
import type { ScanReport } from '../model/finding.ts';
import type { Inventory } from '../model/types.ts';
import { IgnoreFileError, readIgnoreFile } from '../match/ignorefile.ts';
import type { Policy } from '../match/policy.ts';
import { addVulnerabilities, emptyReport, hasFindings, type Scanner } from '../match/report.ts';
import { SbomInputError } from '../match/sbom-input.ts';
import { readVex, VexError } from '../match/vex.ts';
import { defaultDBPath, ensureDatabase } from '../vulndb/location.ts';
import { VulnDBError } from '../vulndb/schema.ts';
import { openVulnDB } from '../vulndb/store.ts';
import { renderFallback } from './vuln-render.ts';
import { renderLayerTable, renderPackageTable } from '../sbom/table.ts';

export const REPORT_FORMATS = ['table', 'json', 'sarif', 'cyclonedx', 'junit'] as const;

export interface VulnFlags {
  format: string;
  severity?: string;
  ignoreUnfixed?: boolean;
  exitCode?: string;
  ignorefile?: string;
  vex?: string[];
  db?: string;
  scanners?: string;
  includeInformational?: boolean;
}

/** Problems with what the user gave (flags, ignore file, VEX, database, SBOM): exit 2. */
export class UsageError extends Error {}

export function addVulnOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('-f, --format <format>', 'report format').choices([...REPORT_FORMATS]).default('table'))
    .option('--severity <list>', `severities to report, comma-separated (${SEVERITIES.join(',')})`)
    .option('--ignore-unfixed', 'report only vulnerabilities with a fixed version')
    .option('--exit-code <n>', 'exit with this code when findings remain after filtering and suppression', '0')
    .option('--ignorefile <path>', 'ignore file: lines "ID [exp:YYYY-MM-DD]" or the YAML form (default: .triadignore in the working directory)')
    .option('--vex <file>', 'OpenVEX or CycloneDX VEX document; not_affected/fixed statements suppress findings (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--db <path>', 'vulnerability database (default: $TRIAD_DB, else the user cache, seeded from the bundled snapshot)')
    .option('--scanners <list>', 'what to look for: vuln,secret,misconfig (default: all that apply to the target)')
    .option('--include-informational', 'also report informational advisories (RustSec unmaintained/unsound notices)');
}

export function parseSeverities(s: string | undefined): Severity[] | undefined {
  if (!s) return undefined;
  const out: Severity[] = [];
  for (const raw of s.split(',').map((x) => x.trim().toUpperCase()).filter(Boolean)) {
    if (!(SEVERITIES as readonly string[]).includes(raw)) throw new UsageError(`--severity: unknown severity ${JSON.stringify(raw)} (one of ${SEVERITIES.join(', ')})`);
    out.push(raw as Severity);
  }
  return out;
}

export function parseScanners(s: string): Scanner[] {
  const out: Scanner[] = [];
  for (const x of s.split(',').map((v) => v.trim()).filter(Boolean)) {
    if (x !== 'vuln' && x !== 'secret' && x !== 'misconfig') throw new UsageError(`--scanners: unknown scanner ${JSON.stringify(x)} (vuln, secret, misconfig)`);
    out.push(x);
  }
  return out;
}

export function exitCodeOf(flags: VulnFlags): number {
  const n = Number(flags.exitCode ?? '0');
  if (!Number.isInteger(n) || n < 0 || n > 255) throw new UsageError(`--exit-code: ${JSON.stringify(flags.exitCode)} is not a number from 0 to 255`);
  return n;
}

export function policyOf(flags: VulnFlags): Policy {
  const explicit = flags.ignorefile !== undefined;
  const ignore = readIgnoreFile(resolve(flags.ignorefile ?? '.triadignore'), explicit);
  const vex = (flags.vex ?? []).flatMap((f) => readVex(f));
  const severities = parseSeverities(flags.severity);
  return { ...(severities ? { severities } : {}), ...(flags.ignoreUnfixed ? { ignoreUnfixed: true } : {}), ignore, vex };
}

/** Validates everything that can be wrong with the flags before any scanning work starts. */
export function checkFlags(flags: VulnFlags, defaultScanners = 'vuln'): { scanners: Scanner[]; policy: Policy; exitCode: number } {
  return { scanners: parseScanners(flags.scanners ?? defaultScanners), policy: policyOf(flags), exitCode: exitCodeOf(flags) };
}

/**
 * Builds the report for an inventory. Each scanner is one call; secret and misconfig engines exist
 * (src/secret, src/misconfig/image) and are wired by their owners: until then they add a warning.
 */
export async function buildReport(target: string, inv: Inventory, flags: VulnFlags, checked: ReturnType<typeof checkFlags>): Promise<ScanReport> {
  const report = emptyReport(target, inv);
  report.scanners = [...new Set(checked.scanners)];
  if (checked.scanners.includes('vuln')) {
    const path = flags.db || defaultDBPath();
    if (!flags.db && !process.env.TRIAD_DB) await ensureDatabase(path);
    const db = openVulnDB(path);
    try {
      addVulnerabilities(report, inv, db, checked.policy, { ...(flags.includeInformational ? { includeInformational: true } : {}) });
    } finally {
      db.close();
    }
  }
  for (const s of checked.scanners) if (s !== 'vuln') report.warnings.push(`scanner "${s}" is not available for this target yet`);
  return report;
}

interface ReportWriters {
  renderTable?: (r: ScanReport) => string;
  renderJSON?: (r: ScanReport) => string;
  renderSARIF?: (r: ScanReport) => string;
  renderVDR?: (r: ScanReport) => string;
  renderJUnit?: (r: ScanReport) => string;
}

/** The report writers of src/report when present (they are being written), else a minimal rendering. */
async function writers(): Promise<ReportWriters> {
  const url = new URL('../report/index.ts', import.meta.url).href;
  try {
    return (await import(url)) as ReportWriters;
  } catch {
    return {};
  }
}

export async function renderReport(report: ScanReport, format: string, opts: { layers?: boolean; listPackages?: boolean } = {}): Promise<string> {
  const w = await writers();
  const fn = { table: w.renderTable, json: w.renderJSON, sarif: w.renderSARIF, cyclonedx: w.renderVDR, junit: w.renderJUnit }[format as (typeof REPORT_FORMATS)[number]];
  if (fn) {
    const out = fn(report);
    const text = typeof out === 'string' ? out : JSON.stringify(out, null, 2) + '\n';
    // The image's own tables (layers, packages) follow the findings in the table format.
    const inv = report.inventory;
    if (format !== 'table' || !inv) return text;
    const parts = [text];
    if (opts.layers && inv.layers.length) parts.push(renderLayerTable(inv));
    if (opts.listPackages) parts.push(renderPackageTable(inv));
    return parts.join('\n');
  }
  return renderFallback(report, format, opts);
}

/** Exit code 2 for the user's input (flags, files, database), else undefined. */
export function isUsageError(e: unknown): boolean {
  return e instanceof UsageError || e instanceof IgnoreFileError || e instanceof VexError || e instanceof VulnDBError || e instanceof SbomInputError;
}

export { hasFindings };
