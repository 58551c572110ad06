// `triad fs <dir>`: scan a directory tree (a checkout, an extracted root filesystem) for secrets and
// lint the Dockerfiles in it. One listing of the tree feeds both scanners; the result is the same
// ScanReport `triad image` produces, so every report format and `--exit-code` work the same way.
import { promises as fs } from 'node:fs';
import { basename } from 'node:path';
import { Command, Option } from 'commander';
import { readDockerfile } from '../dockerfile/dockerfile.ts';
import { DOCKERFILE_CHECKS, lintDockerfile } from '../dockerfile/lint.ts';
import { addDockerfileLint, emptyReport, hasFindings } from '../match/report.ts';
import { SEVERITIES, type Severity } from '../model/advisory.ts';
import type { ScanReport } from '../model/finding.ts';
import { renderReport } from '../report/index.ts';
import { DEFAULT_MAX_FILE_SIZE, loadRules, SecretScanner } from '../secret/index.ts';
import { listFiles, scanDirectory } from '../secret/walk-dir.ts';
import { writeOutput } from './image-commands.ts';
import { parseSeverities, UsageError } from './vuln-scan.ts';

const FS_SCANNERS = ['secret', 'misconfig'] as const;
type FsScanner = (typeof FS_SCANNERS)[number];
const FS_FORMATS = ['table', 'json', 'sarif', 'junit'] as const;

interface FsFlags {
  scanners: string;
  format: string;
  output?: string;
  exitCode: string;
  severity?: string;
  secretConfig?: string[];
  skipCheck: string[];
  maxFileSize: string;
  timeBudget: string;
}

/** Dockerfile names as Docker, BuildKit and Trivy recognise them: Dockerfile, Dockerfile.*, *.Dockerfile, Containerfile(.*). */
export function isDockerfileName(name: string): boolean {
  const n = basename(name).toLowerCase();
  return n === 'dockerfile' || n === 'containerfile' || n.startsWith('dockerfile.') || n.startsWith('containerfile.') || n.endsWith('.dockerfile');
}

function positiveInt(name: string, v: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new UsageError(`${name}: expected an integer from 0 to ${max}, got ${JSON.stringify(v)}`);
  return n;
}

function parseList<T extends string>(flag: string, s: string, known: readonly T[]): T[] {
  const out: T[] = [];
  for (const raw of s.split(',').map((x) => x.trim()).filter(Boolean)) {
    const x = raw as T;
    if (!known.includes(x)) throw new UsageError(`${flag}: unknown value ${JSON.stringify(raw)} (one of ${known.join(', ')})`);
    if (!out.includes(x)) out.push(x);
  }
  return out;
}

interface FsScanOptions {
  scanners: FsScanner[];
  severities?: Severity[];
  secretConfig?: string[];
  skipChecks?: string[];
  maxFileSize: number;
  timeBudgetMs: number;
}

/** Scans a directory: secrets in every file, misconfiguration checks on every Dockerfile. */
export async function scanFs(dir: string, opts: FsScanOptions): Promise<ScanReport> {
  const report = emptyReport(dir);
  report.scanners = [...opts.scanners];
  const keep = (s: Severity) => !opts.severities?.length || opts.severities.includes(s);
  let unreadable = 0;
  const files = await listFiles(dir, (d, e) => {
    unreadable++;
    report.warnings.push(`${d}: ${e.message}`);
  });
  if (opts.scanners.includes('secret')) {
    let rules;
    try {
      rules = loadRules(opts.secretConfig ?? []);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    report.warnings.push(...rules.errors.map((e) => `secret rules: ${e}`));
    const scanner = new SecretScanner(rules, { maxFileSize: opts.maxFileSize, timeBudgetMs: opts.timeBudgetMs });
    const res = await scanDirectory(dir, scanner, { maxFileSize: opts.maxFileSize }, files);
    report.secrets.push(...res.findings.filter((f) => keep(f.severity)));
    const skipped = Object.entries({ ...res.skipped, ...(unreadable ? { unreadable: (res.skipped.unreadable ?? 0) + unreadable } : {}) }).map(([k, n]) => `${n} ${k}`);
    report.warnings.push(`secret scan: ${res.filesScanned} files scanned${skipped.length ? `, skipped: ${skipped.join(', ')}` : ''}`);
    report.warnings.push(...res.warnings);
  }
  if (opts.scanners.includes('misconfig')) {
    const skip = new Set((opts.skipChecks ?? []).map((s) => s.toUpperCase()));
    const checks = DOCKERFILE_CHECKS.filter((c) => !skip.has(c.id) && !(c.aliases ?? []).some((a) => skip.has(a)));
    report.misconfigTargets = [];
    for (const f of files.filter((x) => isDockerfileName(x.rel)).sort((a, b) => (a.rel < b.rel ? -1 : 1))) {
      try {
        const df = await readDockerfile(f.abs);
        addDockerfileLint(report, lintDockerfile(df, checks), f.rel, keep);
      } catch (e) {
        // One unreadable or oversized Dockerfile must not hide the rest of the tree's results.
        report.warnings.push(`${f.rel}: ${(e as Error).message.replace(f.abs, f.rel)}`);
      }
    }
  }
  return report;
}

export function registerFsCommands(program: Command): void {
  program
    .command('fs')
    .description('scan a directory tree: secrets in every file, misconfiguration checks on every Dockerfile; symlinks are not followed')
    .argument('<dir>', 'directory to scan')
    .option('--scanners <list>', `comma-separated scanners: ${FS_SCANNERS.join(', ')}`, FS_SCANNERS.join(','))
    .addOption(new Option('-f, --format <format>', 'output format').choices([...FS_FORMATS]).default('table'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--severity <list>', `severities to report, comma-separated (${SEVERITIES.join(',')})`)
    .option('--exit-code <n>', 'exit with this code when anything is found (after --severity)', '0')
    .option('--secret-config <file...>', 'extra rule files (YAML, or a gitleaks .toml): add rules, replace or disable them by id')
    .option('--skip-check <id>', 'do not run this Dockerfile check (repeatable)', (v: string, a: string[]) => [...a, v], [] as string[])
    .option('--max-file-size <bytes>', 'skip files larger than this (secrets)', String(DEFAULT_MAX_FILE_SIZE))
    .option('--time-budget <ms>', 'per-file secret scan time budget in milliseconds', '2000')
    .action(async (dir: string, flags: FsFlags) => {
      try {
        const scanners = parseList('--scanners', flags.scanners, FS_SCANNERS);
        const severities = parseSeverities(flags.severity);
        const exitCode = positiveInt('--exit-code', flags.exitCode, 255);
        const st = await fs.stat(dir).catch(() => undefined);
        if (!st?.isDirectory()) throw new UsageError(`${dir}: not a directory`);
        const report = await scanFs(dir, {
          scanners,
          ...(severities ? { severities } : {}),
          ...(flags.secretConfig ? { secretConfig: flags.secretConfig } : {}),
          skipChecks: flags.skipCheck,
          maxFileSize: positiveInt('--max-file-size', flags.maxFileSize),
          timeBudgetMs: positiveInt('--time-budget', flags.timeBudget),
        });
        await writeOutput(renderReport(report, flags.format as (typeof FS_FORMATS)[number]), flags.output);
        if (hasFindings(report)) process.exitCode = exitCode;
      } catch (e) {
        process.stderr.write(`triad: ${(e as Error).message.split('\n')[0]}\n`);
        process.exit(e instanceof UsageError ? 2 : 1);
      }
    });
}
