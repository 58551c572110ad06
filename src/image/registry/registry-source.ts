// Images straight from a registry over the OCI Distribution API: the manifest (resolving a
// multi-platform index to one platform) and the config are fetched and digest-verified up front;
// layers are streamed from the registry only when the scan reads them, through readTarLayer, which
// verifies each blob's digest and diffID. Nothing is written to disk.
import { createHash } from 'node:crypto';
import type { ImageInfo, Layer } from '../../model/types.ts';
import { imageInfo, isLayerMediaType, layersFromConfig, parseConfig, type LayerDescriptor } from '../config.ts';
import { readTarLayer } from '../layer-reader.ts';
import { choosePlatform, type Descriptor } from '../platform.ts';
import { ImageInputError, type EntryVisitor, type ImageSource, type LayerReadStats, type OpenOptions } from '../source.ts';
import { RegistryClient, type ClientTuning } from './client.ts';
import { findCredentials } from './credentials.ts';
import { parseReference, type ImageReference } from './reference.ts';

export type RegistryOpenOptions = OpenOptions & ClientTuning;

const MT = {
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  docker: 'application/vnd.docker.distribution.manifest.v2+json',
  oci: 'application/vnd.oci.image.manifest.v1+json',
};
// Without every modern type in Accept, distribution rewrites schema 2 images to schema 1 on the fly
// (and answers 404 for OCI ones), so all four are always sent.
const ACCEPT = [MT.oci, MT.ociIndex, MT.docker, MT.dockerList].join(', ');
const INDEX_TYPES = new Set([MT.dockerList, MT.ociIndex]);
const IMAGE_TYPES = new Set([MT.docker, MT.oci]);
const CONFIG_TYPES = new Set(['application/vnd.docker.container.image.v1+json', 'application/vnd.oci.image.config.v1+json']);
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const MAX_CONFIG_BYTES = 16 * 1024 * 1024;
const MAX_INDEX_DEPTH = 4;

interface ManifestDoc {
  schemaVersion?: number;
  mediaType?: string;
  config?: Descriptor;
  layers?: Descriptor[];
  manifests?: Descriptor[];
}

interface FetchedManifest {
  digest: string;
  mediaType: string;
  doc: ManifestDoc;
}

function digestOf(algorithmAndHex: string, bytes: Buffer): string {
  const alg = algorithmAndHex.slice(0, algorithmAndHex.indexOf(':'));
  if (alg !== 'sha256' && alg !== 'sha512') throw new Error(`unsupported digest algorithm in ${algorithmAndHex}`);
  return `${alg}:${createHash(alg).update(bytes).digest('hex')}`;
}

/** Distinguishes "no such repository" from "no such tag", which the manifests endpoint conflates. */
async function manifestNotFound(client: RegistryClient, ref: ImageReference, reference: string): Promise<Error> {
  const { res, ctrl } = await client.get('tags/list?n=20', undefined, [404]);
  if (res.status === 404) {
    const code = await client.errorCode(res, ctrl);
    if (code === 'NAME_UNKNOWN' || code === undefined) return client.inputError(`repository ${ref.repository} not found`);
    return client.inputError(`manifest ${reference} not found in repository ${ref.repository}`);
  }
  let tags: string[] = [];
  try {
    const body = JSON.parse((await client.readBounded(res, ctrl, 256 * 1024, 'tag list', true)).toString('utf8')) as { tags?: unknown };
    if (Array.isArray(body.tags)) tags = body.tags.filter((t): t is string => typeof t === 'string');
  } catch {
    // the list is only a hint for the message
  }
  const what = reference.includes(':') ? `manifest ${reference}` : `tag ${reference}`;
  const hint = tags.length ? ` (tags: ${tags.slice(0, 10).join(', ')}${tags.length > 10 ? ', ...' : ''})` : '';
  return client.inputError(`${what} not found in repository ${ref.repository}${hint}`);
}

async function fetchManifest(client: RegistryClient, ref: ImageReference, reference: string, expect?: Descriptor): Promise<FetchedManifest> {
  const path = `manifests/${reference}`;
  const { res, ctrl } = await client.get(path, ACCEPT, [404]);
  if (res.status === 404) {
    const code = await client.errorCode(res, ctrl);
    if (code === 'NAME_UNKNOWN') throw client.inputError(`repository ${ref.repository} not found`);
    throw await manifestNotFound(client, ref, reference);
  }
  const bytes = await client.readBounded(res, ctrl, MAX_MANIFEST_BYTES, `manifest ${reference}`);
  const contentType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
  let doc: ManifestDoc;
  try {
    doc = JSON.parse(bytes.toString('utf8')) as ManifestDoc;
  } catch (e) {
    throw client.error(`manifest ${reference} is not valid JSON (${(e as Error).message})`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw client.error(`manifest ${reference} is not a JSON object`);
  if (doc.schemaVersion === 1 || /^application\/vnd\.docker\.distribution\.manifest\.v1\+(prettyjws|json)$/.test(contentType)) {
    throw client.inputError(`manifest ${reference} is Docker image manifest schema 1, which is deprecated and not supported; re-push the image with a current Docker, skopeo or crane`);
  }
  // The content must hash to what was asked for (a digest reference or an index entry) and to what
  // the registry claims in Docker-Content-Digest; tags are only trusted through that hash.
  const computed = digestOf(expect?.digest ?? 'sha256:', bytes);
  if (expect && computed !== expect.digest) throw client.error(`manifest digest mismatch: content is ${computed}, expected ${expect.digest}`);
  if (expect?.size !== undefined && bytes.length !== expect.size) throw client.error(`manifest ${expect.digest} size mismatch: ${bytes.length} bytes, expected ${expect.size}`);
  const header = res.headers.get('docker-content-digest');
  if (header && /^sha(256|512):[a-f0-9]+$/.test(header)) {
    const h = digestOf(header, bytes);
    if (h !== header) throw client.error(`manifest digest mismatch: content is ${h}, registry says ${header}`);
  }
  return { digest: expect?.digest ?? computed, mediaType: doc.mediaType ?? contentType, doc };
}

class RegistryImageSource implements ImageSource {
  readonly info: ImageInfo;
  readonly layers: Layer[];
  private readonly client: RegistryClient;
  constructor(client: RegistryClient, info: ImageInfo, layers: Layer[]) {
    this.client = client;
    this.info = info;
    this.layers = layers;
  }
  async readLayer(index: number, visit: EntryVisitor): Promise<LayerReadStats> {
    const layer = this.layers[index];
    if (!layer || !layer.digest) throw new Error(`${this.info.ref}: no layer ${index}`);
    const label = `${this.info.ref}: layer ${index} (${layer.digest})`;
    const { res, ctrl } = await this.client.get(`blobs/${layer.digest}`);
    const body = this.client.bodyStream(res, ctrl, label);
    return readTarLayer(body, { label, digest: layer.digest, diffID: layer.diffID, size: layer.size }, visit);
  }
  async close(): Promise<void> {
    this.client.close();
  }
}

/**
 * Opens `HOST[:PORT]/REPO[:TAG|@DIGEST]` (Docker Hub names like `busybox` or `user/app` too).
 * Credentials: opts.username/password, else the Docker config and its credential helpers.
 */
export async function openRegistryImage(input: string, opts: RegistryOpenOptions = {}): Promise<ImageSource> {
  const ref = parseReference(input);
  let credentials;
  try {
    credentials = await findCredentials(ref.registry, opts);
  } catch (e) {
    throw new ImageInputError(input, (e as Error).message);
  }
  const client = new RegistryClient(input, ref, { ...opts, credentials });
  try {
    return await resolve(client, ref, input, opts.platform ?? 'linux/amd64');
  } catch (e) {
    client.close();
    throw e;
  }
}

async function resolve(client: RegistryClient, ref: ImageReference, input: string, platform: string): Promise<ImageSource> {
  const top = await fetchManifest(client, ref, ref.reference, ref.digest ? { digest: ref.digest } : undefined);
  let m = top;
  for (let depth = 0; isIndex(m); depth++) {
    if (depth >= MAX_INDEX_DEPTH) throw client.error('image indexes nested too deeply');
    const list = (m.doc.manifests ?? []).filter((d) => d && typeof d.digest === 'string' && /^sha(256|512):[a-f0-9]+$/.test(d.digest));
    if (list.length === 0) throw client.error(`index ${m.digest} lists no manifests`);
    let chosen: Descriptor;
    try {
      chosen = choosePlatform(list, platform, input);
    } catch (e) {
      throw new ImageInputError(input, (e as Error).message.replace(`${input}: `, ''));
    }
    m = await fetchManifest(client, ref, chosen.digest, chosen);
  }
  const doc = m.doc;
  if (!IMAGE_TYPES.has(m.mediaType) && !(doc.config && Array.isArray(doc.layers))) {
    throw client.inputError(`manifest ${m.digest} has unsupported media type ${m.mediaType || 'unknown'}`);
  }
  if (!doc.config || typeof doc.config.digest !== 'string' || !Array.isArray(doc.layers)) throw client.error(`manifest ${m.digest} has no config or layers`);
  // OCI artifacts (Helm charts, signatures, SBOMs) use image manifests with other config types.
  if (doc.config.mediaType && !CONFIG_TYPES.has(doc.config.mediaType)) {
    throw client.inputError(`${ref.repository}@${m.digest} is not a container image (config media type ${doc.config.mediaType})`);
  }
  const cfgDigest = doc.config.digest;
  const { res, ctrl } = await client.get(`blobs/${cfgDigest}`);
  const cfgBytes = await client.readBounded(res, ctrl, MAX_CONFIG_BYTES, `config blob ${cfgDigest}`);
  const got = digestOf(cfgDigest, cfgBytes);
  if (got !== cfgDigest) throw client.error(`config blob digest mismatch: content is ${got}, expected ${cfgDigest}`);
  const cfg = parseConfig(cfgBytes.toString('utf8'), input);
  const descriptors: LayerDescriptor[] = doc.layers.map((l, i) => {
    if (!l || typeof l.digest !== 'string' || !/^sha(256|512):[a-f0-9]+$/.test(l.digest)) throw client.error(`layer ${i} of manifest ${m.digest} has no valid digest`);
    if (!isLayerMediaType(l.mediaType)) throw client.inputError(`layer ${i} has unsupported media type ${l.mediaType}`);
    return { digest: l.digest, mediaType: l.mediaType, size: typeof l.size === 'number' ? l.size : undefined };
  });
  const layers = layersFromConfig(cfg, descriptors, input);
  const info = imageInfo(input, 'registry', cfg, {
    manifestDigest: m.digest,
    configDigest: cfgDigest,
    // Docker's convention: the digest the name resolves to (the index for multi-platform images).
    repoDigests: [`${ref.familiarName}@${top.digest}`],
    repoTags: ref.tag && !ref.digest ? [`${ref.familiarName}:${ref.tag}`] : [],
  });
  return new RegistryImageSource(client, info, layers);
}

function isIndex(m: FetchedManifest): boolean {
  return INDEX_TYPES.has(m.mediaType) || (Array.isArray(m.doc.manifests) && !m.doc.layers);
}
