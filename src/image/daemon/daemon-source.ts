// Images held by a local Docker daemon: the Engine API's image inspect gives tags and repo digests,
// image export (GET /images/{id}/get, what `docker save` uses) streams a docker-save tar that is
// spooled to a private temp dir and then read by the archive reader, so layers are streamed and
// digest-checked exactly as for `docker save` archives. The temp dir goes away on close().
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ImageInfo, Layer } from '../../model/types.ts';
import { TarBlobStore } from '../archive/blob-store.ts';
import { openImageStore } from '../archive/archive-source.ts';
import { ImageInputError, type EntryVisitor, type ImageSource, type LayerReadStats, type OpenOptions } from '../source.ts';
import { daemonError, DaemonUnreachableError, dockerEndpoint, dockerGet, readBody, type DockerEndpoint } from './docker-api.ts';

export interface DaemonOpenOptions extends OpenOptions {
  /** Milliseconds of silence from the daemon before giving up. Default 120 s (export of a large image can pause). */
  timeoutMs?: number;
}

interface InspectResult {
  Id?: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
  Os?: string;
  Architecture?: string;
  Variant?: string;
}

// Names, IDs, name:tag, name@digest. The name becomes part of a URL path, so nothing that could
// change the request (?, #, %, spaces) and no '.'/'..' segments that would route elsewhere.
const NAME = /^[A-Za-z0-9][A-Za-z0-9._\-/:@]*$/;

class DaemonImageSource implements ImageSource {
  readonly info: ImageInfo;
  private readonly inner: ImageSource;
  private readonly dir: string;
  constructor(inner: ImageSource, info: ImageInfo, dir: string) {
    this.inner = inner;
    this.info = info;
    this.dir = dir;
  }
  get layers(): Layer[] {
    return this.inner.layers;
  }
  readLayer(index: number, visit: EntryVisitor): Promise<LayerReadStats> {
    return this.inner.readLayer(index, visit);
  }
  async close(): Promise<void> {
    try {
      await this.inner.close();
    } finally {
      await rm(this.dir, { recursive: true, force: true });
    }
  }
}

async function inspect(ep: DockerEndpoint, name: string, timeoutMs: number): Promise<InspectResult> {
  let res;
  try {
    res = await dockerGet(ep, `/images/${name}/json`, timeoutMs);
  } catch (e) {
    if (e instanceof DaemonUnreachableError) throw new ImageInputError(name, e.message);
    throw new Error(`${name}: ${(e as Error).message}`);
  }
  if (res.statusCode === 404) {
    await daemonError(res);
    throw new ImageInputError(name, `image not found in the Docker daemon at ${ep.label}`);
  }
  if (res.statusCode !== 200) throw new Error(`${name}: Docker daemon at ${ep.label}: image inspect failed: ${await daemonError(res)}`);
  let body: InspectResult;
  try {
    body = JSON.parse(await readBody(res, 16 * 1024 * 1024, 'image inspect answer')) as InspectResult;
  } catch (e) {
    throw new Error(`${name}: Docker daemon at ${ep.label}: unreadable image inspect answer (${(e as Error).message})`);
  }
  if (typeof body.Id !== 'string' || !/^sha256:[a-f0-9]{64}$/.test(body.Id)) throw new Error(`${name}: Docker daemon returned no image ID`);
  return body;
}

/** Opens image `name` (name[:tag], name@digest or an image ID) from the Docker daemon. */
export async function openDaemonImage(name: string, opts: DaemonOpenOptions = {}): Promise<ImageSource> {
  if (!NAME.test(name) || name.split('/').some((s) => s === '.' || s === '..') || name.length > 512) {
    throw new ImageInputError(name, 'invalid image name');
  }
  let ep: DockerEndpoint;
  try {
    ep = dockerEndpoint(opts.dockerHost);
  } catch (e) {
    throw new ImageInputError(name, (e as Error).message);
  }
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const meta = await inspect(ep, name, timeoutMs);
  // The platform the daemon holds the image for, unless the caller asks for another one (an
  // export of a multi-platform image from a containerd-backed daemon may hold several).
  const platform = opts.platform ?? (meta.Os && meta.Architecture ? [meta.Os, meta.Architecture, meta.Variant].filter(Boolean).join('/') : 'linux/amd64');
  const dir = await mkdtemp(join(tmpdir(), 'triad-daemon-'));
  try {
    const file = join(dir, 'image.tar');
    // Export by ID: the image inspected above is the one exported, even if the tag moves meanwhile.
    const res = await dockerGet(ep, `/images/${meta.Id}/get`, timeoutMs).catch((e: Error) => {
      throw e instanceof DaemonUnreachableError ? new ImageInputError(name, e.message) : new Error(`${name}: ${e.message}`);
    });
    if (res.statusCode !== 200) throw new Error(`${name}: Docker daemon at ${ep.label}: image export failed: ${await daemonError(res)}`);
    try {
      await pipeline(res, createWriteStream(file, { flags: 'wx', mode: 0o600 }));
    } catch (e) {
      throw new Error(`${name}: saving the image from the Docker daemon to ${dir} failed: ${(e as Error).message}`);
    }
    let store: TarBlobStore;
    try {
      store = await TarBlobStore.open(file);
    } catch (e) {
      throw new Error(`${name}: the Docker daemon's image export is incomplete or corrupt: ${(e as Error).message}`);
    }
    const inner = await openImageStore(store, name, 'docker-daemon', platform);
    const info: ImageInfo = {
      ...inner.info,
      ref: name,
      sourceType: 'docker-daemon',
      repoTags: (meta.RepoTags ?? []).filter((t) => t !== '<none>:<none>'),
      repoDigests: (meta.RepoDigests ?? []).filter((d) => d !== '<none>@<none>'),
    };
    return new DaemonImageSource(inner, info, dir);
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}
