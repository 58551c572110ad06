// A Docker engine for tests: reuses the one on /var/run/docker.sock when it answers, otherwise starts
// a private dockerd (own data-root, exec-root, pidfile and socket in a temp dir, no bridge and no
// iptables rules so the host network is untouched) and stops it afterwards. Ready in 1-5 s here.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingBinary, run, waitFor, type RunResult } from './util.ts';

export interface TestDocker {
  /** unix:///.../docker.sock, for opts.dockerHost / DOCKER_HOST. */
  readonly host: string;
  /** False when an already running daemon is reused (then stop() leaves it alone). */
  readonly started: boolean;
  /** Runs the docker CLI against this daemon. */
  docker(args: string[], opts?: { allowFail?: boolean }): Promise<RunResult>;
  stop(): Promise<void>;
}

const SYSTEM_SOCKET = '/var/run/docker.sock';

/** Why Docker tests cannot run here, or undefined when they can. */
export function dockerUnavailable(): string | undefined {
  return missingBinary('docker', ...(existsSync(SYSTEM_SOCKET) ? [] : ['dockerd']));
}

function ping(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.once('error', () => resolve(false));
    req.once('timeout', () => req.destroy());
    req.end();
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function startDocker(): Promise<TestDocker> {
  const why = dockerUnavailable();
  if (why) throw new Error(`cannot start Docker: ${why}`);
  const docker = (host: string) => (args: string[], o: { allowFail?: boolean } = {}) => run('docker', ['-H', host, ...args], { allowFail: o.allowFail, timeoutMs: 300_000 });
  if (existsSync(SYSTEM_SOCKET) && (await ping(SYSTEM_SOCKET))) {
    const host = `unix://${SYSTEM_SOCKET}`;
    return { host, started: false, docker: docker(host), stop: async () => {} };
  }
  // Unix socket paths are limited to 107 bytes: keep the temp dir short.
  const base = tmpdir().length < 60 ? tmpdir() : '/tmp';
  const dir = await mkdtemp(join(base, 'triad-dockerd-'));
  const sock = join(dir, 'docker.sock');
  const logFile = join(dir, 'dockerd.log');
  const log = openSync(logFile, 'a');
  // detached: dockerd gets its own session (setsid), so it outlives no terminal and gets no signals meant for the test runner.
  const child: ChildProcess = spawn(
    'dockerd',
    ['--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'), '--pidfile', join(dir, 'docker.pid'), '-H', `unix://${sock}`, '--bridge=none', '--iptables=false'],
    { stdio: ['ignore', log, log], detached: true },
  );
  closeSync(log);
  let exited: string | undefined;
  child.once('exit', (code, sig) => (exited = `dockerd exited (${code ?? sig}): ${readFileSync(logFile, 'utf8').trim().split('\n').slice(-3).join(' | ')}`));
  const stop = async () => {
    // dockerd stops its own containerd on SIGTERM; only if that hangs are both killed.
    const containerdPidFile = join(dir, 'exec', 'containerd', 'containerd.pid');
    const containerdPid = existsSync(containerdPidFile) ? Number(readFileSync(containerdPidFile, 'utf8').trim()) : 0;
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await gone;
      clearTimeout(t);
    }
    if (containerdPid > 0 && alive(containerdPid)) {
      process.kill(containerdPid, 'SIGTERM');
      await waitFor('containerd exit', async () => !alive(containerdPid), 10_000).catch(() => process.kill(containerdPid, 'SIGKILL'));
    }
    await rm(dir, { recursive: true, force: true }).catch(async () => {
      // A leftover overlay mount would keep the data-root busy: unmount what is below it, then retry.
      const mounts = readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1] ?? '').filter((m) => m.startsWith(dir));
      for (const m of mounts.reverse()) await run('umount', ['-l', m], { allowFail: true });
      await rm(dir, { recursive: true, force: true });
    });
  };
  try {
    await waitFor(`dockerd on ${sock}`, () => ping(sock), 60_000, () => exited);
  } catch (e) {
    await stop();
    throw e;
  }
  const host = `unix://${sock}`;
  return { host, started: true, docker: docker(host), stop };
}
