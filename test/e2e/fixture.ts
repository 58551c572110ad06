// Shared set-up of the e2e ground-truth tests: the real Debian image of recipe.ts (built once and
// cached by test/infra/debian-image.ts), a Docker engine with that image loaded (so the ground
// truth comes from the image's own tools: dpkg-query, python3, ruby, node), Triad's scan of the
// docker-archive, and an exported copy of the root filesystem for host-side oracles (go, unzip).
//
// node --test runs each file in its own process: every piece is created lazily and memoised per
// process, so a file only pays for what it uses.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Inventory, Package } from '../../src/model/types.ts';
import { scanImage } from '../../src/scan/scan.ts';
import { debianImageUnavailable, ensureDebianImage, type DebianImage } from '../infra/debian-image.ts';
import { dockerUnavailable, startDocker, type TestDocker } from '../infra/docker.ts';
import { missingBinary } from '../infra/util.ts';
import { RECIPE } from './recipe.ts';

/** A cold build of the image takes several minutes on these 2-core machines. */
export const BUILD_TIMEOUT = 40 * 60_000;
export const TEST_TIMEOUT = 10 * 60_000;

/** Why the image cannot be had here (neither cached nor buildable), or undefined. */
export function imageUnavailable(): string | undefined {
  return debianImageUnavailable(RECIPE);
}

/**
 * Why the tests that need the image inside a Docker engine (every oracle runs there) cannot run
 * here, or undefined: the reason given to t.skip. A private dockerd needs root; a running system
 * engine does not.
 */
export function e2eUnavailable(...extraBinaries: string[]): string | undefined {
  const noEngine = existsSync('/var/run/docker.sock') || process.getuid?.() === 0 ? undefined : 'starting a private dockerd needs root';
  return imageUnavailable() ?? dockerUnavailable() ?? noEngine ?? missingBinary('tar', ...extraBinaries);
}

let image: Promise<DebianImage> | undefined;
let inventory: Promise<Inventory> | undefined;
let docker: Promise<TestDocker> | undefined;
let loaded: Promise<void> | undefined;
let rootfs: Promise<string> | undefined;
const tempDirs: string[] = [];

export function e2eImage(): Promise<DebianImage> {
  return (image ??= ensureDebianImage(RECIPE));
}

/**
 * Runs a command to completion with stdin closed. (test/infra/util.ts run() writes to the child's
 * stdin without an error handler, so a child that exits before reading it, like unzip, can kill the
 * whole test process with EPIPE.) Throws with stderr on a non-zero exit unless allowFail.
 */
export function exec(cmd: string, args: string[], opts: { allowFail?: boolean; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 300_000);
    child.once('error', (e) => (clearTimeout(timer), reject(e)));
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const r = { code: code ?? -1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
      if (r.code !== 0 && !opts.allowFail) reject(new Error(`${cmd} ${args.join(' ').slice(0, 300)} failed (${code ?? signal}): ${r.stderr.trim().slice(-2000)}`));
      else resolve(r);
    });
  });
}

/** The docker CLI against the test engine, through exec() for the reason given there. */
export async function dockerCli(args: string[], opts: { allowFail?: boolean; timeoutMs?: number } = {}) {
  const d = await e2eDocker();
  return exec('docker', ['-H', d.host, ...args], opts);
}

/** Triad's inventory of the docker-archive: the reference the other sources are compared with. */
export function e2eInventory(): Promise<Inventory> {
  return (inventory ??= e2eImage().then((img) => scanImage(`docker-archive:${img.dockerArchive}`)));
}

export function e2eDocker(): Promise<TestDocker> {
  return (docker ??= startDocker());
}

/** The Docker engine with the image loaded under its name (docker load of the cached archive). */
export async function e2eLoaded(): Promise<{ docker: TestDocker; image: DebianImage }> {
  const [d, img] = await Promise.all([e2eDocker(), e2eImage()]);
  loaded ??= (async () => {
    const have = await dockerCli(['image', 'inspect', img.imageName], { allowFail: true });
    if (have.code === 0) return;
    await dockerCli(['load', '-q', '-i', img.dockerArchive], { timeoutMs: 600_000 });
  })();
  await loaded;
  return { docker: d, image: img };
}

/**
 * Runs a command in a throw-away container of the image, without network: the oracles must read
 * the image, never the outside. Returns stdout; a failing command fails the test with its stderr.
 */
export async function inImage(cmd: string[], opts: { allowFail?: boolean } = {}): Promise<string> {
  const { image: img } = await e2eLoaded();
  const r = await dockerCli(['run', '--rm', '--network', 'none', '--entrypoint', cmd[0]!, img.imageName, ...cmd.slice(1)], { allowFail: opts.allowFail });
  return r.stdout;
}

/**
 * The image's final filesystem on the host (docker export of a created container), for the oracles
 * that run host tools on image files: `go version -m`, `unzip`.
 */
export function e2eRootfs(): Promise<string> {
  return (rootfs ??= (async () => {
    const { docker: d, image: img } = await e2eLoaded();
    const dir = await fs.mkdtemp(join(tmpdir(), 'triad-e2e-rootfs-'));
    tempDirs.push(dir);
    const id = (await dockerCli(['create', img.imageName])).stdout.trim();
    try {
      // Through sh for the pipe; both names are ours (a container id and a mkdtemp path).
      await exec('sh', ['-c', `docker -H '${d.host}' export '${id}' | tar -x -C '${dir}'`], { timeoutMs: 600_000 });
    } finally {
      await dockerCli(['rm', '-f', id], { allowFail: true });
    }
    return dir;
  })());
}

/**
 * Stops what this process started: its private dockerd (with the image loaded into it) and its
 * temp dirs. On a shared engine (/var/run/docker.sock) the loaded image is left in place: another
 * test process may be running containers of it, and removing it would race with them.
 */
export async function e2eCleanup(): Promise<void> {
  for (const d of tempDirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
  if (docker) await (await docker.catch(() => undefined))?.stop();
  docker = loaded = rootfs = undefined;
}

/**
 * Exact set comparison whose failure message lists every difference, so a failing run says which
 * packages Triad missed or invented rather than "false !== true".
 */
export function assertSameSet(label: string, actual: Iterable<string>, expected: Iterable<string>, names: [string, string] = ['Triad', 'ground truth']): void {
  const a = new Set(actual);
  const e = new Set(expected);
  const missing = [...e].filter((x) => !a.has(x)).sort();
  const extra = [...a].filter((x) => !e.has(x)).sort();
  if (missing.length === 0 && extra.length === 0) return;
  const show = (xs: string[]) => (xs.length ? xs.slice(0, 60).map((x) => `\n      ${x}`).join('') + (xs.length > 60 ? `\n      ... ${xs.length - 60} more` : '') : ' none');
  assert.fail(`${label}: ${names[0]} has ${a.size}, ${names[1]} ${e.size}\n    missing from ${names[0]}:${show(missing)}\n    not in ${names[1]}:${show(extra)}`);
}

/** Exact map comparison (key -> value), listing every key whose value differs. */
export function assertSameMap(label: string, actual: Map<string, string>, expected: Map<string, string>): void {
  assertSameSet(`${label} (keys)`, actual.keys(), expected.keys());
  const wrong = [...expected].filter(([k, v]) => actual.get(k) !== v).map(([k, v]) => `${k}: Triad ${actual.get(k)}, expected ${v}`);
  assert.deepEqual(wrong, [], `${label}: ${wrong.length} wrong\n  ${wrong.slice(0, 60).join('\n  ')}`);
}

/** Guards against vacuous passes: an oracle that found nothing would make every comparison equal. */
export function assertIncludes(label: string, set: Iterable<string>, ...needles: string[]): void {
  const s = new Set(set);
  const absent = needles.filter((n) => !s.has(n));
  assert.deepEqual(absent, [], `${label}: ground truth lacks ${absent.join(', ')}; the oracle is broken`);
}

export const ofEcosystem = (inv: Inventory, eco: Package['ecosystem']): Package[] => inv.packages.filter((p) => p.ecosystem === eco);

/** Image path as Triad writes locations: no leading '/'. */
export const rel = (p: string): string => p.replace(/^\/+/, '');
