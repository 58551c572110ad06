// Shared bench helpers: timing child processes, medians, and the result rows bench/run.ts prints.
// Every figure is a ratio against a baseline measured in the same run, because this machine's
// speed varies from minute to minute; absolute times are printed only to explain the ratio.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const TRIAD = join(REPO_ROOT, 'bin', 'triad');

/** One line of the summary table. `pass` is undefined when the figure could not be measured. */
export interface Figure {
  figure: string;
  measured: string;
  target: string;
  pass?: boolean;
  /** Why it could not be measured, or what the number is made of. */
  note?: string;
}

export interface Timed {
  ms: number;
  code: number;
  stderr: string;
}

/**
 * Runs a command with stdout sent to `stdout` (a file path, /dev/null unless told) and measures its
 * wall time from spawn to exit. stderr is kept (the tail) to explain failures.
 */
export async function timed(cmd: string, args: string[], opts: { stdout?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Timed> {
  const out = openSync(opts.stdout ?? '/dev/null', 'w');
  try {
    return await new Promise<Timed>((res, rej) => {
      const t0 = process.hrtime.bigint();
      const child = spawn(cmd, args, { stdio: ['ignore', out, 'pipe'], env: opts.env ?? process.env });
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-8000)));
      const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 1_800_000);
      child.once('error', (e) => (clearTimeout(timer), rej(e)));
      child.once('close', (code) => {
        clearTimeout(timer);
        res({ ms: Number(process.hrtime.bigint() - t0) / 1e6, code: code ?? -1, stderr });
      });
    });
  } finally {
    closeSync(out);
  }
}

/** Runs a command to completion and returns its stdout; throws with stderr when it fails. */
export async function capture(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<string> {
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env, cwd: opts.cwd });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => chunks.push(d));
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-8000)));
    child.once('error', rej);
    child.once('close', (code) => {
      // toString() throws past 512 MiB: reject rather than crash the whole bench run.
      if (code === 0) {
        try {
          res(Buffer.concat(chunks).toString());
        } catch (e) {
          rej(e);
        }
      } else rej(new Error(`${cmd} ${args.join(' ')} failed (${code}): ${stderr.trim()}`));
    });
  });
}

/** Throws with the command's last stderr lines when a timed run failed: a failed run's time means nothing. */
export function check(what: string, t: Timed): Timed {
  if (t.code !== 0) throw new Error(`${what} failed (exit ${t.code}): ${t.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return t;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Reads files once so that the first timed run does not pay for the disk and later ones for nothing. */
export async function warmPageCache(files: string[]): Promise<void> {
  await timed('cat', files);
}

export function secs(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

export function mib(bytes: number): string {
  return bytes >= 1 << 30 ? `${(bytes / (1 << 30)).toFixed(2)} GiB` : `${(bytes / (1 << 20)).toFixed(0)} MiB`;
}

/** Measured/target/pass table in fixed-width columns, for the terminal and CI logs. */
export function table(rows: Figure[]): string {
  const cells = [['figure', 'measured', 'target', 'result'], ...rows.map((r) => [r.figure, r.measured, r.target, r.pass === undefined ? 'n/a' : r.pass ? 'PASS' : 'FAIL'])];
  const w = cells[0].map((_, i) => Math.max(...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((x, i) => x.padEnd(w[i])).join('  ').trimEnd();
  const out = [line(cells[0]), w.map((n) => '-'.repeat(n)).join('  '), ...cells.slice(1).map(line)];
  for (const r of rows) if (r.note) out.push(`  ${r.figure}: ${r.note}`);
  return out.join('\n');
}

/** Runs one bench module's figures and prints them; a bench that throws still prints a row. */
export async function runBench(name: string, fn: () => Promise<Figure[]>): Promise<Figure[]> {
  try {
    return await fn();
  } catch (e) {
    return [{ figure: name, measured: 'error', target: '-', note: (e as Error).message.split('\n')[0] }];
  }
}
