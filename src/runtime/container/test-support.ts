// Real containers for the runtime tests: a busybox image (Docker's own archive from the shared data)
// loaded into a test Docker engine with a registry digest, into podman, and into a private
// containerd. Each returns a reason string instead when it cannot run here (tests skip with it).
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedData } from '../../../test/shared-data.ts';
import { startDocker, dockerUnavailable, type TestDocker } from '../../../test/infra/docker.ts';
import { registryUnavailable, startRegistry } from '../../../test/infra/registry.ts';
import { missingBinary, run, waitFor } from '../../../test/infra/util.ts';
import { defaultCgroupRoot } from './cgroup-index.ts';
import { unifiedPathFromProcCgroup } from './cgroup-path.ts';

export const BUSYBOX_ARCHIVE = sharedData('images/snyk/test/fixtures/containerd-archives/busybox.amd64.tar');

/** cgroup v2 id (inode of the task's unified-hierarchy dir) and path of a pid, as the sensor sees it. */
export function cgroupOf(pid: number): { id: number; path: string } {
  const path = unifiedPathFromProcCgroup(readFileSync(`/proc/${pid}/cgroup`, 'utf8'));
  if (!path) throw new Error(`no unified cgroup for pid ${pid}`);
  return { id: statSync(join(defaultCgroupRoot(), path)).ino, path };
}

export function rootUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (container engines, /proc of other processes)';
  if (!existsSync(BUSYBOX_ARCHIVE)) return `shared data missing: ${BUSYBOX_ARCHIVE}`;
  return undefined;
}

export interface DockerFixture {
  docker: TestDocker;
  /** 127.0.0.1:PORT/busybox:1 pulled from a registry, so RepoDigests is set. */
  image: string;
  digest: string;
  stop(): Promise<void>;
}

export function dockerFixtureUnavailable(): string | undefined {
  return rootUnavailable() ?? dockerUnavailable() ?? registryUnavailable();
}

export async function startDockerFixture(): Promise<DockerFixture> {
  const docker = await startDocker();
  const registry = await startRegistry();
  try {
    await registry.push(`oci-archive:${BUSYBOX_ARCHIVE}`, 'busybox:1');
    const image = `${registry.host}/busybox:1`;
    await docker.docker(['pull', '-q', image]);
    const digests = JSON.parse((await docker.docker(['image', 'inspect', '-f', '{{json .RepoDigests}}', image])).stdout) as string[];
    const digest = digests[0]!.split('@')[1]!;
    return {
      docker,
      image,
      digest,
      stop: async () => {
        await registry.stop();
        await docker.stop();
      },
    };
  } catch (e) {
    await registry.stop();
    await docker.stop();
    throw e;
  }
}

export async function containerPid(docker: TestDocker, id: string): Promise<number> {
  return Number((await docker.docker(['inspect', '-f', '{{.State.Pid}}', id])).stdout.trim());
}

/** Host pids whose /proc/<pid>/exe (container view) is `exe` and whose cgroup is `cgroupPath`. */
export function findPids(cgroupPath: string, exe: string): number[] {
  const out: number[] = [];
  for (const name of readdirSafe('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (unifiedPathFromProcCgroup(readFileSync(`/proc/${name}/cgroup`, 'utf8')) !== cgroupPath) continue;
      if (readlinkSafe(`/proc/${name}/exe`) === exe) out.push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

function readdirSafe(p: string): string[] {
  try {
    return readdirSync(p);
  } catch {
    return [];
  }
}
function readlinkSafe(p: string): string | undefined {
  try {
    return readlinkSync(p);
  } catch {
    return undefined;
  }
}

export function podmanUnavailable(): string | undefined {
  return rootUnavailable() ?? missingBinary('podman', 'runc');
}

/** podman run flags that work on this hybrid-cgroup machine (INFRA.md: runc, explicit ulimits). */
export const PODMAN_RUN = ['run', '-d', '--runtime', 'runc', '--ulimit', 'nofile=4096:4096', '--ulimit', 'nproc=4096:4096'];

export async function podmanImage(): Promise<string> {
  await run('podman', ['load', '-q', '-i', BUSYBOX_ARCHIVE], { timeoutMs: 120_000 });
  return 'docker.io/library/busybox:latest';
}

/**
 * `podman run -d --name NAME EXTRA... busybox CMD...` with the flags that work here; the container
 * id and image, or undefined after skipping the test with podman's reason (it cannot load images or
 * run containers on every machine).
 */
export async function podmanContainerOrSkip(t: { skip(reason: string): void }, name: string, cmd: string[], extra: string[] = []): Promise<{ id: string; image: string } | undefined> {
  let image: string;
  try {
    image = await podmanImage();
  } catch (e) {
    t.skip(`podman cannot load images here: ${(e as Error).message.slice(0, 200)}`);
    return undefined;
  }
  const r = await run('podman', [...PODMAN_RUN, '--name', name, ...extra, image, ...cmd], { allowFail: true, timeoutMs: 120_000 });
  if (r.code !== 0) {
    t.skip(`podman cannot run containers here: ${r.stderr.trim().slice(0, 200)}`);
    return undefined;
  }
  return { id: r.stdout.trim().split('\n').pop()!, image };
}

export interface TestContainerd {
  address: string;
  ns: string;
  image: string;
  ctr(args: string[], allowFail?: boolean): Promise<{ code: number; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

export function containerdUnavailable(): string | undefined {
  return rootUnavailable() ?? missingBinary('containerd', 'ctr', 'runc');
}

/** A private containerd (own root, state, socket; CRI plugin off) with busybox imported. */
export async function startContainerd(): Promise<TestContainerd> {
  const dir = mkdtempSync('/tmp/triad-ctrd-');
  const address = join(dir, 'containerd.sock');
  writeFileSync(
    join(dir, 'config.toml'),
    `version = 2\nroot = "${dir}/root"\nstate = "${dir}/state"\ndisabled_plugins = ["io.containerd.grpc.v1.cri"]\n[grpc]\n  address = "${address}"\n`,
  );
  const log = openSync(join(dir, 'log'), 'a');
  const child = spawn('containerd', ['--config', join(dir, 'config.toml')], { stdio: ['ignore', log, log], detached: true });
  closeSync(log);
  let exited: string | undefined;
  child.once('exit', (c, s) => (exited = `containerd exited (${c ?? s}): ${readFileSync(join(dir, 'log'), 'utf8').slice(-300)}`));
  const ns = 'triadtest';
  const ctr = (args: string[], allowFail = false) => run('ctr', ['-a', address, '-n', ns, ...args], { allowFail, timeoutMs: 120_000 });
  const stop = async () => {
    const tasks = await ctr(['tasks', 'ls', '-q'], true);
    for (const t of tasks.stdout.split('\n').filter(Boolean)) {
      await ctr(['tasks', 'kill', '-s', 'SIGKILL', t], true);
    }
    await new Promise((r) => setTimeout(r, 300));
    for (const t of tasks.stdout.split('\n').filter(Boolean)) await ctr(['tasks', 'rm', '-f', t], true);
    const cs = await ctr(['containers', 'ls', '-q'], true);
    for (const c of cs.stdout.split('\n').filter(Boolean)) await ctr(['containers', 'rm', c], true);
    if (child.exitCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    }
    const mounts = readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1] ?? '').filter((m) => m.startsWith(dir));
    for (const m of mounts.reverse()) await run('umount', ['-l', m], { allowFail: true });
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor('containerd socket', async () => (await run('ctr', ['-a', address, 'version'], { allowFail: true })).code === 0, 30_000, () => exited);
    await ctr(['images', 'import', '--platform', 'linux/amd64', BUSYBOX_ARCHIVE]);
  } catch (e) {
    await stop();
    throw e;
  }
  return { address, ns, image: 'docker.io/library/busybox:latest', ctr, stop };
}
