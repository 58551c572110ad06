// End-to-end harness for the runtime agent: a real Docker engine (test/infra/docker.ts), small real
// images loaded from ../shared/data/images, static test helpers compiled with gcc, and
// `bin/triad agent run` as a child process whose JSON lines are collected and searched.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dockerUnavailable, startDocker, type TestDocker } from '../infra/docker.ts';
import { sharedData } from '../shared-data.ts';
import { missingBinary, run } from '../infra/util.ts';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const TRIAD = join(REPO_ROOT, 'bin', 'triad');

export const BUSYBOX = 'triad-test/busybox:1.31';
export const ALPINE = 'triad-test/alpine:3.17';

/** Why the live agent cannot run here (root, bpftrace, tracefs, Docker), or undefined. */
export function liveAgentUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (eBPF)';
  const missing = missingBinary('bpftrace', 'gcc', 'skopeo');
  if (missing) return missing;
  const d = dockerUnavailable();
  if (d) return d;
  if (!existsSync('/sys/kernel/tracing/events') && !existsSync('/sys/kernel/debug/tracing/events')) {
    // tracefs is not mounted by default here; the sensor needs it.
    const r = spawnSyncQuiet('mount', ['-t', 'tracefs', 'nodev', '/sys/kernel/tracing']);
    if (r !== 0 || !existsSync('/sys/kernel/tracing/events')) return 'tracefs cannot be mounted (kernel without tracepoints?)';
  }
  return undefined;
}

function spawnSyncQuiet(cmd: string, args: string[]): number {
  return spawnSync(cmd, args, { stdio: 'ignore' }).status ?? 1;
}

export interface Env {
  docker: TestDocker;
  /** Directory with the compiled static helpers (ptrace-attach, memfd-exec, setuid-call). */
  helpers: string;
  stop(): Promise<void>;
}

/** Starts Docker, loads the test images and compiles the helpers. */
export async function startEnv(): Promise<Env> {
  const docker = await startDocker();
  try {
    const bb = await docker.docker(['load', '-i', sharedData('images/snyk/test/fixtures/docker-archives/skopeo-copy/busybox.tar')]);
    await docker.docker(['tag', /sha256:[0-9a-f]{64}/.exec(bb.stdout)![0], BUSYBOX]);
    const sock = docker.host.replace(/^unix:\/\//, '');
    await run('skopeo', ['copy', '--dest-daemon-host', `unix://${sock}`, `oci-archive:${sharedData('images/snyk/test/fixtures/containerd-archives/alpine.tar')}`, `docker-daemon:${ALPINE}`], { timeoutMs: 120_000 });
    const helpers = mkdtempSync(join(tmpdir(), 'triad-e2e-helpers-'));
    chmodSync(helpers, 0o755); // containers run some helpers as nobody
    for (const h of ['ptrace-attach', 'memfd-exec', 'setuid-call']) await run('gcc', ['-static', '-O2', '-o', join(helpers, h), join(REPO_ROOT, 'test/runtime/helpers', `${h}.c`)]);
    return { docker, helpers, stop: () => docker.stop() };
  } catch (e) {
    await docker.stop();
    throw e;
  }
}

export interface AlertLine {
  kind: string;
  time: string;
  rule: string;
  priority: string;
  output: string;
  source?: string;
  container: { id: string; name?: string; image?: string };
  response?: { action: string; ok: boolean; error?: string };
  processTree?: { pid: number; comm: string; exe?: string }[];
  timeline?: unknown[];
  [k: string]: unknown;
}

export interface RunningAgent {
  child: ChildProcess;
  lines: AlertLine[];
  stderr: () => string;
  /** Resolves with the first record (already received or arriving) that matches. */
  waitFor(pred: (a: AlertLine) => boolean, timeoutMs?: number, what?: string): Promise<AlertLine>;
  /** SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `bin/triad agent run ARGS` and waits until it reports running. */
export async function startAgent(args: string[], opts: { timeoutMs?: number } = {}): Promise<RunningAgent> {
  const child = spawn(TRIAD, ['agent', 'run', '--metrics-interval', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: AlertLine[] = [];
  let err = '';
  let buf = '';
  const waiters = new Set<() => void>();
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    for (const p of parts) {
      if (!p.trim()) continue;
      try {
        lines.push(JSON.parse(p) as AlertLine);
      } catch {
        err += `unparsable stdout line: ${p.slice(0, 200)}\n`;
      }
    }
    for (const w of waiters) w();
  });
  child.stderr!.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-20_000);
    for (const w of waiters) w();
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.once('exit', () => {
    for (const w of waiters) w();
  });
  const waitUntil = (cond: () => boolean, ms: number, what: string) =>
    new Promise<void>((res, rej) => {
      const check = () => {
        if (cond()) {
          cleanup();
          res();
        } else if (child.exitCode !== null) {
          cleanup();
          rej(new Error(`agent exited (${child.exitCode}) while waiting for ${what}: ${err.slice(-2000)}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        rej(new Error(`timed out after ${ms} ms waiting for ${what}; agent stderr: ${err.slice(-2000)}`));
      }, ms);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  await waitUntil(() => /running: sensor/.test(err), opts.timeoutMs ?? 60_000, 'the agent to start');
  return {
    child,
    lines,
    stderr: () => err,
    async waitFor(pred, ms = 15_000, what = 'a matching alert') {
      let hit: AlertLine | undefined;
      await waitUntil(() => (hit = lines.find(pred)) !== undefined, ms, what);
      return hit!;
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
}

/** `docker run -d` of a named container; returns its full id without waiting for it. */
export async function startContainer(env: Env, name: string, image: string, cmd: string[], extra: string[] = []): Promise<string> {
  await env.docker.docker(['rm', '-f', name], { allowFail: true });
  const r = await env.docker.docker(['run', '-d', '--name', name, ...extra, image, ...cmd]);
  return r.stdout.trim().split('\n').pop()!;
}

/** `docker run` of a named container (not removed: the agent resolves it after it exited); returns its full id. */
export async function runContainer(env: Env, name: string, image: string, cmd: string[], extra: string[] = []): Promise<string> {
  await env.docker.docker(['rm', '-f', name], { allowFail: true });
  const r = await env.docker.docker(['run', '-d', '--name', name, ...extra, image, ...cmd]);
  const id = r.stdout.trim().split('\n').pop()!;
  await env.docker.docker(['wait', id], { allowFail: true });
  return id;
}

export function readJsonLines(path: string): AlertLine[] {
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as AlertLine);
}
