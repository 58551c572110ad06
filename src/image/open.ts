// Image references -> ImageSource. Transport prefixes follow skopeo's names; a bare path is
// detected by content and a bare HOST/REPO:TAG is a registry reference.
import { createReadStream, createWriteStream, existsSync, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { DirBlobStore, TarBlobStore, type BlobStore } from './archive/blob-store.ts';
import { openImageStore } from './archive/archive-source.ts';
import { decompressor, detectCompression, Meter } from './decompress.ts';
import { RootfsSource } from './rootfs/rootfs-source.ts';
import { ImageInputError, type ImageSource, type OpenOptions } from './source.ts';

export const TRANSPORTS = ['docker-archive', 'oci-archive', 'oci', 'docker-daemon', 'registry', 'docker', 'rootfs'] as const;

/** Compressed outer archives (docker save | gzip) are unpacked once to a private temp file, bounded. */
const MAX_OUTER_ARCHIVE = 64 * 1024 ** 3;

/** Splits 'PATH[:TAG]' where PATH itself may contain ':' — an existing path wins. */
function splitPathTag(rest: string): { path: string; tag?: string } {
  if (existsSync(rest)) return { path: rest };
  const i = rest.lastIndexOf(':');
  if (i > 0 && existsSync(rest.slice(0, i))) return { path: rest.slice(0, i), tag: rest.slice(i + 1) };
  return { path: rest };
}

class TempStore implements BlobStore {
  readonly label: string;
  private readonly inner: BlobStore;
  private readonly dir: string;
  constructor(inner: BlobStore, dir: string, label: string) {
    this.inner = inner;
    this.dir = dir;
    this.label = label;
  }
  has(n: string) { return this.inner.has(n); }
  size(n: string) { return this.inner.size(n); }
  open(n: string) { return this.inner.open(n); }
  readText(n: string, m?: number) { return this.inner.readText(n, m); }
  names() { return this.inner.names(); }
  range(n: string) { return this.inner.range?.(n); }
  async close() {
    await this.inner.close();
    await fs.rm(this.dir, { recursive: true, force: true });
  }
}

async function openArchiveFile(path: string, ref: string, sourceType: string, platform: string, verify: boolean, tag?: string): Promise<ImageSource> {
  const fh = await fs.open(path, 'r');
  const head = Buffer.alloc(512);
  let n: number;
  try {
    ({ bytesRead: n } = await fh.read(head, 0, 512, 0));
  } finally {
    await fh.close();
  }
  const kind = detectCompression(head.subarray(0, n));
  let store: BlobStore;
  if (kind !== 'none') {
    const dir = await fs.mkdtemp(join(tmpdir(), 'triad-archive-'));
    const out = join(dir, 'image.tar');
    try {
      await pipeline(createReadStream(path), decompressor(kind)!, new Meter(ref, MAX_OUTER_ARCHIVE), createWriteStream(out, { flags: 'wx', mode: 0o600 }));
      store = new TempStore(await TarBlobStore.open(out), dir, ref);
    } catch (e) {
      await fs.rm(dir, { recursive: true, force: true });
      throw e;
    }
  } else {
    if (n < 512) throw new Error(`${ref}: too short to be an image archive (${n} bytes)`);
    store = await TarBlobStore.open(path);
  }
  return openImageStore(store, ref, sourceType, platform, tag, verify);
}

export async function openImage(ref: string, opts: OpenOptions = {}): Promise<ImageSource> {
  const platform = opts.platform ?? 'linux/amd64';
  try {
    return await openImageUnwrapped(ref, opts, platform);
  } catch (e) {
    if (e instanceof ImageInputError) throw e;
    const msg = (e as Error).message;
    // Every message names the image; prefix it where a lower layer did not.
    throw new ImageInputError(ref, msg.startsWith(ref) ? msg.slice(ref.length).replace(/^:\s*/, '') : msg);
  }
}

async function openImageUnwrapped(ref: string, opts: OpenOptions, platform: string): Promise<ImageSource> {
  const m = /^([a-z-]+):(.*)$/s.exec(ref);
  const transport = m && (TRANSPORTS as readonly string[]).includes(m[1]!) ? m[1]! : undefined;
  const rest = transport ? m![2]! : ref;
  const verify = opts.verifyDigests !== false;
  switch (transport) {
    case 'docker-archive':
    case 'oci-archive': {
      const { path, tag } = splitPathTag(rest);
      await statOrThrow(path);
      return openArchiveFile(path, ref, transport, platform, verify, tag);
    }
    case 'oci': {
      const { path, tag } = splitPathTag(rest);
      const st = await statOrThrow(path);
      if (!st.isDirectory()) return openArchiveFile(path, ref, 'oci-archive', platform, verify, tag);
      return openImageStore(await DirBlobStore.open(path), ref, 'oci', platform, tag, verify);
    }
    case 'rootfs':
      return RootfsSource.open(rest, ref);
    case 'docker-daemon': {
      const { openDaemonImage } = await import('./daemon/daemon-source.ts');
      return openDaemonImage(rest, opts);
    }
    case 'registry':
    case 'docker': {
      const { openRegistryImage } = await import('./registry/registry-source.ts');
      return openRegistryImage(rest.replace(/^\/\//, ''), { ...opts, platform });
    }
  }
  // Bare reference: an existing path is detected by content, anything else is a registry ref.
  if (existsSync(rest) || rest.startsWith('/') || rest.startsWith('.')) {
    const st = await statOrThrow(rest);
    if (st.isDirectory()) {
      if (existsSync(join(rest, 'index.json')) && existsSync(join(rest, 'oci-layout'))) {
        return openImageStore(await DirBlobStore.open(rest), ref, 'oci', platform, undefined, verify);
      }
      return RootfsSource.open(rest, ref);
    }
    return openArchiveFile(rest, ref, 'archive', platform, verify);
  }
  if (/^[a-z0-9]/i.test(rest) && !/\s/.test(rest)) {
    const { openRegistryImage } = await import('./registry/registry-source.ts');
    return openRegistryImage(rest, { ...opts, platform });
  }
  throw new Error('not a file, directory or image reference');
}

async function statOrThrow(p: string) {
  try {
    return await fs.stat(p);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `${p}: no such file or directory` : `${p}: ${(e as Error).message}`);
  }
}
