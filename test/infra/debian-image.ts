// Builds REAL Debian container images from Debian packages, for tests and benches: no registry
// pulls are possible on these machines, so every image starts from a debootstrap'ed rootfs.
//
//   1. `debootstrap --variant=minbase SUITE` from the mirror apt is configured with, then
//      `apt-get clean`; the rootfs tarball is cached under .cache/images/ (keyed by a hash of the
//      rootfs recipe).
//   2. `docker import` of that tarball is the base image (a private dockerd, test/infra/docker.ts).
//   3. `docker build --network host` (legacy builder) of a Dockerfile with one RUN layer per
//      package list, then the recipe's extra Dockerfile lines.
//   4. `docker save` (docker-archive) and `skopeo copy docker-daemon: oci-archive:` (gzip layers),
//      both cached under .cache/images/ keyed by a hash of the whole recipe.
//
// A second call with the same recipe only stats two files (~0 ms). Cold build times measured on
// this 2-core VM: rootfs (debootstrap + tar) ~1 min; a small image with two package layers ~1.5 min
// more; the bench's BIG image (bench/big-image.ts: 14 layers, ~620 packages, 2.0 GiB) ~18 min
// (15 min docker build, dominated by apt downloads and dpkg unpacking, 3 min export) while other
// test suites shared the CPU. Concurrent callers (node --test runs files in parallel processes)
// serialize on a lock file per cache entry, so each image is built once.
//
// Needs root (debootstrap, dockerd), debootstrap, docker, dockerd and skopeo: tests call
// debianImageUnavailable() and skip with its reason.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, promises as fs, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDocker } from './docker.ts';
import { missingBinary, run } from './util.ts';

export interface DebianRecipe {
  /** Short name, [a-z0-9-]: part of the image name and of the cache file names. */
  name: string;
  /** One Dockerfile RUN layer per inner list, installed with --no-install-recommends, in order. */
  packages: string[][];
  /** Dockerfile lines appended after the package layers (RUN, ENV, COPY is unavailable). */
  extraDockerfile?: string;
  /** Debian suite of the base rootfs; bookworm unless told. */
  suite?: string;
}

export interface DebianImage {
  /** `docker save` output: the legacy docker-archive (uncompressed layers). */
  dockerArchive: string;
  /** `skopeo copy` output: an OCI image layout in a tar, gzip-compressed layers. */
  ociArchive: string;
  /** Name:tag of the image inside both archives (and in the private dockerd while it ran). */
  imageName: string;
}

/** Bump when the build steps change in a way that changes the images: invalidates every cache. */
const BUILDER_VERSION = 1;

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const IMAGE_CACHE = join(REPO_ROOT, '.cache', 'images');

/**
 * Why real Debian images cannot be built here, or undefined when they can. With a recipe, an image
 * already in the cache counts as available: tests then run without root or Docker.
 */
export function debianImageUnavailable(recipe?: DebianRecipe): string | undefined {
  if (recipe) {
    const img = debianImagePaths(recipe);
    if (existsSync(img.dockerArchive) && existsSync(img.ociArchive)) return undefined;
  }
  if (process.getuid?.() !== 0) return 'building Debian images needs root (debootstrap, dockerd)';
  return missingBinary('debootstrap', 'docker', 'dockerd', 'skopeo', 'tar');
}

interface AptSource {
  uri: string;
  suites: string[];
}

/** Both one-line (sources.list) and deb822 (*.sources) entries of apt's configuration. */
function aptSources(): AptSource[] {
  const out: AptSource[] = [];
  const files = ['/etc/apt/sources.list'];
  try {
    for (const f of readdirSync('/etc/apt/sources.list.d')) files.push(join('/etc/apt/sources.list.d', f));
  } catch {
    // no sources.list.d: only the main file
  }
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    if (file.endsWith('.sources')) {
      for (const block of text.split(/\n\s*\n/)) {
        const field = (k: string) => block.match(new RegExp(`^${k}:\\s*(.+)$`, 'mi'))?.[1].trim().split(/\s+/) ?? [];
        if (!field('Types').includes('deb')) continue;
        for (const uri of field('URIs')) out.push({ uri, suites: field('Suites') });
      }
    } else {
      for (const line of text.split('\n')) {
        // deb [options] URI SUITE COMPONENTS...
        const m = line.trim().match(/^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/);
        if (m) out.push({ uri: m[1], suites: [m[2]] });
      }
    }
  }
  return out;
}

/**
 * The Debian archive and security mirrors apt uses on this machine: the only way out of it, so
 * debootstrap and the images' own apt must use the same ones.
 */
export function debianMirrors(suite = 'bookworm'): { archive: string; security?: string } {
  const sources = aptSources();
  const archive = sources.find((s) => s.suites.includes(suite) && !/security/.test(s.uri))?.uri;
  const security = sources.find((s) => s.suites.includes(`${suite}-security`))?.uri;
  return { archive: (archive ?? 'http://deb.debian.org/debian').replace(/\/$/, ''), security: security?.replace(/\/$/, '') };
}

function hash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

function log(msg: string): void {
  process.stderr.write(`[debian-image] ${msg}\n`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Cross-process lock: a file created exclusively holding the owner's pid. A lock whose owner died
 * (a killed test run) is taken over, so a crash never wedges the cache.
 */
async function withLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
  await fs.mkdir(dirname(path), { recursive: true });
  let announced = false;
  for (;;) {
    try {
      const fd = openSync(path, 'wx');
      await fs.writeFile(path, String(process.pid));
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = Number(await fs.readFile(path, 'utf8').catch(() => ''));
      if (owner && !isAlive(owner)) {
        await fs.rm(path, { force: true });
        continue;
      }
      if (!announced) log(`waiting for pid ${owner || '?'} building ${path}`);
      announced = true;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    return await fn();
  } finally {
    await fs.rm(path, { force: true });
  }
}

/**
 * Runs a long command with its output appended to a log file (a docker build prints megabytes);
 * on failure the error carries the log's tail.
 */
async function runLogged(cmd: string, args: string[], logFile: string, env: NodeJS.ProcessEnv = process.env, timeoutMs = 3_600_000): Promise<void> {
  await fs.appendFile(logFile, `\n$ ${cmd} ${args.join(' ')}\n`);
  const fd = openSync(logFile, 'a');
  try {
    const code = await new Promise<number>((res, rej) => {
      const child = spawn(cmd, args, { stdio: ['ignore', fd, fd], env });
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.once('error', (e) => (clearTimeout(timer), rej(e)));
      child.once('close', (c) => (clearTimeout(timer), res(c ?? -1)));
    });
    if (code !== 0) {
      const tail = readFileSync(logFile, 'utf8').split('\n').slice(-25).join('\n');
      throw new Error(`${cmd} ${args.slice(0, 3).join(' ')} ... failed (${code}), log ${logFile}:\n${tail}`);
    }
  } finally {
    closeSync(fd);
  }
}

function rootfsKey(suite: string): string {
  return hash({ v: BUILDER_VERSION, kind: 'rootfs', suite, variant: 'minbase', mirrors: debianMirrors(suite) });
}

/**
 * The cached tarball of a minbase Debian rootfs (~130 MB), building it when absent. Its apt
 * sources name the archive, -updates and -security suites like the official Debian images.
 */
export async function ensureDebianRootfs(suite = 'bookworm'): Promise<string> {
  const key = rootfsKey(suite);
  const tarball = join(IMAGE_CACHE, `rootfs-${suite}-${key}.tar`);
  if (existsSync(tarball)) return tarball;
  return withLock(`${tarball}.lock`, async () => {
    if (existsSync(tarball)) return tarball;
    const t0 = Date.now();
    const { archive, security } = debianMirrors(suite);
    const dir = `${tarball}.${process.pid}.d`;
    const logFile = `${tarball}.log`;
    await fs.rm(dir, { recursive: true, force: true });
    await fs.writeFile(logFile, '');
    log(`debootstrap ${suite} from ${archive} (~30 s)`);
    try {
      await runLogged('debootstrap', ['--variant=minbase', suite, dir, archive], logFile);
      const lines = [`deb ${archive} ${suite} main`, `deb ${archive} ${suite}-updates main`];
      if (security) lines.push(`deb ${security} ${suite}-security main`);
      await fs.writeFile(join(dir, 'etc/apt/sources.list'), lines.join('\n') + '\n');
      // Dropped from the image like the official ones do: downloaded .debs and apt lists are
      // host-specific caches, and resolv.conf/hostname are provided by the container runtime.
      await runLogged('chroot', [dir, 'apt-get', 'clean'], logFile);
      await fs.rm(join(dir, 'var/lib/apt/lists'), { recursive: true, force: true });
      await fs.mkdir(join(dir, 'var/lib/apt/lists/partial'), { recursive: true });
      await fs.writeFile(join(dir, 'etc/resolv.conf'), '');
      await fs.writeFile(join(dir, 'etc/hostname'), 'localhost\n');
      await runLogged('tar', ['--numeric-owner', '--xattrs', '-C', dir, '-cf', `${tarball}.tmp`, '.'], logFile);
      await fs.rename(`${tarball}.tmp`, tarball);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
      await fs.rm(`${tarball}.tmp`, { force: true });
    }
    log(`rootfs ${tarball} built in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    return tarball;
  });
}

/** The Dockerfile of a recipe; FROM is the imported rootfs. */
export function debianDockerfile(recipe: DebianRecipe, base: string): string {
  const lines = [`FROM ${base}`, 'ARG DEBIAN_FRONTEND=noninteractive', 'ENV LANG=C.UTF-8'];
  for (const layer of recipe.packages) {
    if (!layer.length) continue;
    for (const p of layer) if (!/^[a-z0-9][a-z0-9.+:=~-]*$/.test(p)) throw new Error(`bad Debian package name: ${p}`);
    // update + install + clean in one RUN, as real images do, so no layer carries apt caches.
    lines.push(
      `RUN apt-get update -q && apt-get install -y -q --no-install-recommends ${layer.join(' ')} ` +
        '&& apt-get clean && rm -rf /var/lib/apt/lists/*',
    );
  }
  if (recipe.extraDockerfile) lines.push(recipe.extraDockerfile.trim());
  lines.push('CMD ["bash"]');
  return lines.join('\n') + '\n';
}

/** Build metadata kept next to the archives, so benches can report how long a cold build took. */
export interface DebianImageInfo {
  imageName: string;
  builtAt: string;
  buildSeconds: number;
  dockerfile: string;
}

export function debianImageInfo(image: DebianImage): DebianImageInfo | undefined {
  try {
    return JSON.parse(readFileSync(image.dockerArchive.replace(/\.docker\.tar$/, '.json'), 'utf8')) as DebianImageInfo;
  } catch {
    return undefined;
  }
}

/** Where a recipe's archives are (or will be) cached, and the image's name; nothing is built. */
export function debianImagePaths(recipe: DebianRecipe): DebianImage {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(recipe.name)) throw new Error(`bad recipe name: ${recipe.name}`);
  const base = rootfsKey(recipe.suite ?? 'bookworm');
  const key = hash({ v: BUILDER_VERSION, base, packages: recipe.packages, extra: recipe.extraDockerfile ?? '' });
  const stem = join(IMAGE_CACHE, `${recipe.name}-${key}`);
  return { dockerArchive: `${stem}.docker.tar`, ociArchive: `${stem}.oci.tar`, imageName: `triad-test/${recipe.name}:${key}` };
}

/**
 * Builds (or finds in the cache) a Debian image made of the recipe's package layers, as a
 * docker-archive and a gzip OCI archive. The docker daemon is started only on a cache miss.
 */
export async function ensureDebianImage(recipe: DebianRecipe): Promise<DebianImage> {
  const suite = recipe.suite ?? 'bookworm';
  const baseKey = rootfsKey(suite);
  const image = debianImagePaths(recipe);
  const stem = image.dockerArchive.replace(/\.docker\.tar$/, '');
  const cached = () => existsSync(image.dockerArchive) && existsSync(image.ociArchive);
  if (cached()) return image;
  return withLock(`${stem}.lock`, async () => {
    if (cached()) return image;
    const rootfs = await ensureDebianRootfs(suite);
    const t0 = Date.now();
    const logFile = `${stem}.log`;
    await fs.writeFile(logFile, '');
    log(`building ${image.imageName} (${recipe.packages.length} package layers), log ${logFile}`);
    const docker = await startDocker();
    const env = { ...process.env, DOCKER_HOST: docker.host, DOCKER_BUILDKIT: '0' };
    const ctx = `${stem}.${process.pid}.ctx`;
    try {
      const base = `triad-test/debian-base:${suite}-${baseKey}`;
      const have = await run('docker', ['image', 'inspect', base], { env, allowFail: true });
      if (have.code !== 0) {
        await runLogged('docker', ['import', '--change', 'CMD ["bash"]', rootfs, base], logFile, env);
      }
      const dockerfile = debianDockerfile(recipe, base);
      await fs.mkdir(ctx, { recursive: true });
      await fs.writeFile(join(ctx, 'Dockerfile'), dockerfile);
      // --network host: the build containers reach the Debian mirror through the host's network
      // (the private daemon has no usable bridge to the outside here).
      await runLogged('docker', ['build', '--network', 'host', '--force-rm', '-t', image.imageName, ctx], logFile, env);
      log(`built in ${((Date.now() - t0) / 1000).toFixed(0)} s; exporting`);
      await runLogged('docker', ['save', '-o', `${image.dockerArchive}.tmp`, image.imageName], logFile, env);
      // docker-daemon: yields uncompressed layers and the oci transports compress them; the format
      // is named so a skopeo whose default changes (zstd) still gives what registries serve.
      await runLogged(
        'skopeo',
        ['copy', '--quiet', '--src-daemon-host', docker.host, '--dest-compress-format', 'gzip', `docker-daemon:${image.imageName}`, `oci-archive:${image.ociArchive}.tmp:${image.imageName}`],
        logFile,
        env,
      );
      await fs.chmod(`${image.dockerArchive}.tmp`, 0o644); // docker save writes 0600
      await fs.rename(`${image.dockerArchive}.tmp`, image.dockerArchive);
      await fs.rename(`${image.ociArchive}.tmp`, image.ociArchive);
      const info: DebianImageInfo = { imageName: image.imageName, builtAt: new Date().toISOString(), buildSeconds: Math.round((Date.now() - t0) / 1000), dockerfile };
      await fs.writeFile(`${stem}.json`, JSON.stringify(info, null, 2) + '\n');
      log(`${image.imageName} ready in ${info.buildSeconds} s`);
      return image;
    } finally {
      await fs.rm(ctx, { recursive: true, force: true });
      await fs.rm(`${image.dockerArchive}.tmp`, { force: true });
      await fs.rm(`${image.ociArchive}.tmp`, { force: true });
      await docker.stop();
    }
  });
}
