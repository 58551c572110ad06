// `triad fs <dir>`: scan a directory tree (a checkout, an extracted root filesystem). Today the
// secret scanner; other scanners plug in through --scanners.
import { promises as fs } from 'node:fs';
import { Command, Option } from 'commander';
import { DEFAULT_MAX_FILE_SIZE, loadRules, SecretScanner, type SecretFinding } from '../secret/index.ts';
import { scanDirectory, type DirScanResult } from '../secret/walk-dir.ts';
import { writeOutput } from './image-commands.ts';

const FS_SCANNERS = ['secret'] as const;

interface FsFlags {
  scanners: string;
  format: string;
  output?: string;
  exitCode: string;
  secretConfig?: string[];
  maxFileSize: string;
  timeBudget: string;
}

function cell(s: string, w: number): string {
  const chars = [...s];
  return chars.length > w ? chars.slice(0, w - 1).join('') + '…' : s + ' '.repeat(w - chars.length);
}

export function renderSecretTable(root: string, res: DirScanResult): string {
  const out = [`${root} (secrets)`, '='.repeat(Math.min(80, root.length + 10))];
  const bySev = new Map<string, number>();
  for (const f of res.findings) bySev.set(f.severity, (bySev.get(f.severity) ?? 0) + 1);
  const sev = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'].map((s) => `${s}: ${bySev.get(s) ?? 0}`).join(', ');
  out.push(`${res.findings.length} secrets (${sev}) in ${res.filesScanned} files`);
  const skipped = Object.entries(res.skipped).map(([k, v]) => `${k}: ${v}`);
  if (skipped.length) out.push(`skipped files: ${skipped.join(', ')}`);
  if (res.warnings.length) out.push(`${res.warnings.length} warnings (see --format json)`);
  if (!res.findings.length) return out.join('\n') + '\n';
  const rows = res.findings.map((f: SecretFinding) => [f.severity, f.ruleId, `${f.path}:${f.startLine}:${f.startColumn}`, f.match]);
  const head = ['SEVERITY', 'RULE', 'LOCATION', 'MATCH'];
  const widths = head.map((h, i) => Math.min(i === 2 ? 70 : 48, Math.max(h.length, ...rows.map((r) => [...r[i]!].length))));
  const line = (r: string[]) => r.map((c, i) => cell(c, widths[i]!)).join('  ').trimEnd();
  out.push('', line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line));
  return out.join('\n') + '\n';
}

function positiveInt(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name}: expected a non-negative integer, got ${JSON.stringify(v)}`);
  return n;
}

export function registerFsCommands(program: Command): void {
  program
    .command('fs')
    .description('scan a directory tree (secrets); symlinks are not followed')
    .argument('<dir>', 'directory to scan')
    .option('--scanners <list>', `comma-separated scanners: ${FS_SCANNERS.join(', ')}`, 'secret')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--exit-code <n>', 'exit with this code when anything is found', '0')
    .option('--secret-config <file...>', 'extra rule files (YAML, or a gitleaks .toml): add rules, replace or disable them by id')
    .option('--max-file-size <bytes>', 'skip files larger than this', String(DEFAULT_MAX_FILE_SIZE))
    .option('--time-budget <ms>', 'per-file scan time budget in milliseconds', '2000')
    .action(async (dir: string, flags: FsFlags) => {
      let code = 0;
      try {
        const scanners = flags.scanners.split(',').map((s) => s.trim()).filter(Boolean);
        for (const s of scanners) if (!(FS_SCANNERS as readonly string[]).includes(s)) throw new UsageError(`unknown scanner ${s} (known: ${FS_SCANNERS.join(', ')})`);
        const exitCode = positiveInt('--exit-code', flags.exitCode);
        const maxFileSize = positiveInt('--max-file-size', flags.maxFileSize);
        const st = await fs.stat(dir).catch(() => undefined);
        if (!st?.isDirectory()) throw new UsageError(`${dir}: not a directory`);
        let rules;
        try {
          rules = loadRules(flags.secretConfig ?? []);
        } catch (e) {
          throw new UsageError((e as Error).message);
        }
        for (const err of rules.errors) process.stderr.write(`triad: warning: ${err}\n`);
        const scanner = new SecretScanner(rules, { maxFileSize, timeBudgetMs: positiveInt('--time-budget', flags.timeBudget) });
        const res = await scanDirectory(dir, scanner, { maxFileSize });
        const text = flags.format === 'json' ? JSON.stringify({ target: dir, ...res, ruleErrors: rules.errors }, null, 2) + '\n' : renderSecretTable(dir, res);
        await writeOutput(text, flags.output);
        if (res.findings.length) code = exitCode;
      } catch (e) {
        process.stderr.write(`triad: ${(e as Error).message.split('\n')[0]}\n`);
        process.exit(e instanceof UsageError ? 2 : 1);
      }
      process.exitCode = code;
    });
}

class UsageError extends Error {}
