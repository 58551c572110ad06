// Image archives and directories: docker-save (legacy and Docker 25+ OCI-in-tar), OCI image
// layouts (dir or tar) and containerd exports, all read through a BlobStore.
import { createHash } from 'node:crypto';
import type { ImageInfo, Layer } from '../../model/types.ts';
import { imageInfo, isLayerMediaType, layersFromConfig, parseConfig, type LayerDescriptor } from '../config.ts';
import { readTarLayer } from '../layer-reader.ts';
import { choosePlatform, type Descriptor } from '../platform.ts';
import type { EntryVisitor, ImageSource, LayerReadStats } from '../source.ts';
import type { BlobStore } from './blob-store.ts';

const INDEX_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);

function blobPath(digest: string): string {
  const m = /^([a-z0-9]+):([a-f0-9]+)$/.exec(digest);
  if (!m) throw new Error(`invalid digest ${JSON.stringify(digest)}`);
  return `blobs/${m[1]}/${m[2]}`;
}

function digestFromPath(p: string): string | undefined {
  const m = /(?:^|\/)blobs\/(sha256|sha512)\/([a-f0-9]{64,128})$/.exec(p);
  return m ? `${m[1]}:${m[2]}` : undefined;
}

function parseJSON<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new Error(`${what} is not valid JSON (${(e as Error).message})`);
  }
}

class StoreImageSource implements ImageSource {
  readonly info: ImageInfo;
  readonly layers: Layer[];
  private readonly store: BlobStore;
  private readonly members: string[];
  verify = true;
  constructor(store: BlobStore, info: ImageInfo, layers: Layer[], members: string[]) {
    this.store = store;
    this.info = info;
    this.layers = layers;
    this.members = members;
  }
  async readLayer(index: number, visit: EntryVisitor): Promise<LayerReadStats> {
    const layer = this.layers[index]!;
    const member = this.members[index]!;
    return readTarLayer(
      this.store.open(member),
      {
        label: `${this.info.ref}: layer ${index} (${layer.digest ?? layer.diffID})`,
        digest: this.verify ? layer.digest : undefined,
        diffID: this.verify ? layer.diffID : undefined,
        size: this.store.size(member),
        range: this.store.range?.(member),
      },
      visit,
    );
  }
  async close(): Promise<void> {
    await this.store.close();
  }
}

interface DockerManifestEntry {
  Config?: string;
  RepoTags?: string[] | null;
  Layers?: string[];
}

async function openDockerSave(store: BlobStore, ref: string, sourceType: string, verify: boolean, tag?: string): Promise<ImageSource> {
  const manifest = parseJSON<DockerManifestEntry[]>(await store.readText('manifest.json', 16 * 1024 * 1024), `${ref}: manifest.json`);
  if (!Array.isArray(manifest) || manifest.length === 0) throw new Error(`${ref}: manifest.json lists no image`);
  let entry = manifest[0]!;
  if (tag) {
    const found = manifest.find((m) => m.RepoTags?.some((t) => t === tag || t === `${tag}:latest`));
    if (!found) throw new Error(`${ref}: no image tagged ${tag} in the archive (has: ${manifest.flatMap((m) => m.RepoTags ?? []).join(', ') || 'none'})`);
    entry = found;
  }
  if (typeof entry.Config !== 'string' || !Array.isArray(entry.Layers)) throw new Error(`${ref}: manifest.json entry has no Config or Layers`);
  if (!store.has(entry.Config)) throw new Error(`${ref}: config ${entry.Config} is missing from the archive`);
  const configText = await store.readText(entry.Config, 16 * 1024 * 1024);
  const configDigest = 'sha256:' + createHash('sha256').update(configText).digest('hex');
  const cfg = parseConfig(configText, ref);
  const descriptors: LayerDescriptor[] = entry.Layers.map((l) => {
    if (typeof l !== 'string' || !store.has(l)) throw new Error(`${ref}: layer ${l} is missing from the archive`);
    return { digest: digestFromPath(l), size: store.size(l) };
  });
  const diffIDs = cfg.rootfs!.diff_ids!;
  if (!verify && diffIDs.length !== descriptors.length) {
    // Hand-edited archives (layers cut out of manifest.json) are readable without verification:
    // the layers listed are the image; their diffIDs are unknown.
    cfg.rootfs!.diff_ids = descriptors.map((d, i) => d.digest ?? `unknown:${i}`);
    cfg.history = undefined;
  }
  const layers = layersFromConfig(cfg, descriptors, ref);
  const info = imageInfo(ref, sourceType, cfg, { configDigest, repoTags: entry.RepoTags ?? [] });
  const src = new StoreImageSource(store, info, layers, entry.Layers);
  src.verify = verify;
  return src;
}

interface OciManifest {
  mediaType?: string;
  schemaVersion?: number;
  config?: Descriptor;
  layers?: Descriptor[];
  manifests?: Descriptor[];
}

async function readVerifiedJSON<T>(store: BlobStore, desc: Descriptor, ref: string, verify: boolean): Promise<T> {
  const p = blobPath(desc.digest);
  if (!store.has(p)) throw new Error(`${ref}: blob ${desc.digest} (${desc.mediaType ?? 'unknown type'}) is missing`);
  const text = await store.readText(p, 16 * 1024 * 1024);
  const [alg, hex] = desc.digest.split(':') as [string, string];
  const got = createHash(alg).update(Buffer.from(text, 'utf8')).digest('hex');
  if (verify && got !== hex) throw new Error(`${ref}: blob ${desc.digest} fails digest verification (content is ${alg}:${got})`);
  return parseJSON<T>(text, `${ref}: blob ${desc.digest}`);
}

async function openOciLayout(store: BlobStore, ref: string, sourceType: string, platform: string, verify: boolean, tag?: string): Promise<ImageSource> {
  const index = parseJSON<OciManifest>(await store.readText('index.json', 16 * 1024 * 1024), `${ref}: index.json`);
  let candidates = (index.manifests ?? []).filter((m) => m && typeof m.digest === 'string');
  if (candidates.length === 0) throw new Error(`${ref}: index.json lists no manifests`);
  const repoTags: string[] = [];
  if (tag) {
    const byTag = candidates.filter((m) => {
      const a = m.annotations ?? {};
      const name = a['org.opencontainers.image.ref.name'] ?? '';
      const full = a['io.containerd.image.name'] ?? '';
      return name === tag || full === tag || full.endsWith(`:${tag}`) || full.endsWith(`/${tag}`);
    });
    if (byTag.length === 0) throw new Error(`${ref}: no manifest for tag "${tag}" in index.json`);
    candidates = byTag;
  }
  // Walk nested indexes down to one image manifest for the requested platform.
  let desc: Descriptor | undefined;
  for (let depth = 0; depth < 4; depth++) {
    const usable = candidates.filter((m) => store.has(blobPath(m.digest)));
    const chosen = choosePlatform(usable.length ? usable : candidates, platform, ref);
    const name = chosen.annotations?.['io.containerd.image.name'] ?? chosen.annotations?.['org.opencontainers.image.ref.name'];
    if (name && !repoTags.includes(name)) repoTags.push(name);
    const doc = await readVerifiedJSON<OciManifest>(store, chosen, ref, verify);
    const isIndex = INDEX_TYPES.has(chosen.mediaType ?? '') || INDEX_TYPES.has(doc.mediaType ?? '') || (Array.isArray(doc.manifests) && !doc.layers);
    if (!isIndex) {
      desc = chosen;
      return openOciManifest(store, ref, sourceType, chosen, doc, repoTags, verify);
    }
    candidates = (doc.manifests ?? []).filter((m) => m && typeof m.digest === 'string');
    if (candidates.length === 0) throw new Error(`${ref}: index ${chosen.digest} lists no manifests`);
  }
  throw new Error(`${ref}: image indexes nested too deeply${desc ? '' : ''}`);
}

async function openOciManifest(store: BlobStore, ref: string, sourceType: string, desc: Descriptor, m: OciManifest, repoTags: string[], verify: boolean): Promise<ImageSource> {
  if (!m.config || typeof m.config.digest !== 'string' || !Array.isArray(m.layers)) {
    throw new Error(`${ref}: manifest ${desc.digest} has no config or layers (media type ${m.mediaType ?? desc.mediaType ?? 'unknown'})`);
  }
  const cfgPath = blobPath(m.config.digest);
  if (!store.has(cfgPath)) throw new Error(`${ref}: config blob ${m.config.digest} is missing`);
  const cfgText = await store.readText(cfgPath, 16 * 1024 * 1024);
  const [alg, hex] = m.config.digest.split(':') as [string, string];
  if (verify && createHash(alg).update(Buffer.from(cfgText, 'utf8')).digest('hex') !== hex) throw new Error(`${ref}: config blob ${m.config.digest} fails digest verification`);
  const cfg = parseConfig(cfgText, ref);
  const members: string[] = [];
  const descriptors: LayerDescriptor[] = m.layers.map((l, i) => {
    if (!l || typeof l.digest !== 'string') throw new Error(`${ref}: layer ${i} of manifest ${desc.digest} has no digest`);
    if (!isLayerMediaType(l.mediaType)) throw new Error(`${ref}: layer ${i} has unsupported media type ${l.mediaType}`);
    const p = blobPath(l.digest);
    if (!store.has(p)) throw new Error(`${ref}: layer ${i} blob ${l.digest} is missing`);
    members.push(p);
    return { digest: l.digest, mediaType: l.mediaType, size: l.size };
  });
  const layers = layersFromConfig(cfg, descriptors, ref);
  const info = imageInfo(ref, sourceType, cfg, { manifestDigest: desc.digest, configDigest: m.config.digest, repoTags });
  const src = new StoreImageSource(store, info, layers, members);
  src.verify = verify;
  return src;
}

/** Opens whatever image layout the store holds. */
export async function openImageStore(store: BlobStore, ref: string, sourceType: string, platform: string, tag?: string, verify = true): Promise<ImageSource> {
  try {
    if (store.has('manifest.json')) return await openDockerSave(store, ref, sourceType, verify, tag);
    if (store.has('index.json')) return await openOciLayout(store, ref, sourceType, platform, verify, tag);
  } catch (e) {
    await store.close();
    throw e;
  }
  await store.close();
  if (store.has('repositories') || store.names().some((n) => n.endsWith('/json'))) {
    throw new Error(`${ref}: legacy docker-save archive without manifest.json (Docker < 1.10) is not supported`);
  }
  throw new Error(`${ref}: neither a docker-save archive (manifest.json) nor an OCI image layout (index.json)`);
}
