// Finding an image's signatures in its registry, through Triad's registry client (auth, retries,
// bounded reads): cosign's tag scheme `<repo>:sha256-<hex>.sig`, and Sigstore bundles attached as
// OCI referrers (the referrers API, or its fallback tag `sha256-<hex>` holding an index).
import { createHash } from 'node:crypto';
import { RegistryClient, type ClientOptions } from '../image/registry/client.ts';
import { findCredentials } from '../image/registry/credentials.ts';
import { parseReference, type ImageReference } from '../image/registry/reference.ts';
import { candidatesFromManifest, isSignatureManifest, type SignatureManifest } from './manifest.ts';
import { SIGSTORE_BUNDLE_MEDIA, type SignatureCandidate } from './types.ts';

const ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');
const MAX_MANIFEST = 4 * 1024 * 1024;
const MAX_REFERRERS = 50;

export interface RegistryLookupOptions extends Pick<ClientOptions, 'insecure' | 'timeoutMs' | 'retries' | 'retryBaseMs'> {
  username?: string;
  password?: string;
  dockerConfig?: string;
  /** Where signatures are stored when not beside the image (cosign's COSIGN_REPOSITORY). */
  signatureRepository?: string;
}

export interface FoundSignatures {
  digest: string;
  /** The image manifest bytes (message-signature bundles sign them). */
  manifest: Buffer;
  candidates: SignatureCandidate[];
  problems: string[];
}

async function clientFor(input: string, ref: ImageReference, opts: RegistryLookupOptions): Promise<RegistryClient> {
  const credentials = await findCredentials(ref.registry, opts);
  return new RegistryClient(input, ref, { ...opts, credentials });
}

/** GET a manifest; undefined on 404. The digest is computed from the bytes (never trusted from headers). */
async function getManifest(client: RegistryClient, reference: string): Promise<{ bytes: Buffer; digest: string; doc: SignatureManifest } | undefined> {
  const { res, ctrl } = await client.get(`manifests/${reference}`, ACCEPT, [404]);
  if (res.status === 404) {
    await client.readBounded(res, ctrl, 64 * 1024, 'error response', true);
    return undefined;
  }
  const bytes = await client.readBounded(res, ctrl, MAX_MANIFEST, `manifest ${reference}`);
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  if (reference.startsWith('sha256:') && reference !== digest) throw client.error(`manifest ${reference}: content digest is ${digest}`);
  let doc: SignatureManifest;
  try {
    doc = JSON.parse(bytes.toString('utf8')) as SignatureManifest;
  } catch {
    throw client.error(`manifest ${reference} is not JSON`);
  }
  if (!doc || typeof doc !== 'object') throw client.error(`manifest ${reference} is not a JSON object`);
  return { bytes, digest, doc };
}

function blobReader(client: RegistryClient) {
  return async (digest: string, max: number) => {
    const { res, ctrl } = await client.get(`blobs/${digest}`);
    return client.readBounded(res, ctrl, max, `blob ${digest}`);
  };
}

/** Referrer descriptors: the referrers API when the registry has it, else the fallback tag. */
async function referrers(client: RegistryClient, digest: string): Promise<SignatureManifest['manifests']> {
  const { res, ctrl } = await client.get(`referrers/${digest}`, 'application/vnd.oci.image.index.v1+json', [400, 404, 405]);
  if (res.ok && (res.headers.get('content-type') ?? '').includes('application/vnd.oci.image.index.v1+json')) {
    const idx = JSON.parse((await client.readBounded(res, ctrl, MAX_MANIFEST, 'referrers index')).toString('utf8')) as SignatureManifest;
    return Array.isArray(idx.manifests) ? idx.manifests : [];
  }
  await client.readBounded(res, ctrl, 64 * 1024, 'referrers response', true);
  const tag = await getManifest(client, digest.replace(':', '-'));
  return tag && Array.isArray(tag.doc.manifests) ? tag.doc.manifests : [];
}

/**
 * Resolves `image` to its manifest digest and collects every signature stored for that digest.
 * Registry failures throw (ImageInputError / Error naming the image); bad signatures become problems.
 */
export async function findRegistrySignatures(image: string, opts: RegistryLookupOptions = {}): Promise<FoundSignatures> {
  const input = image.replace(/^registry:/, '');
  const ref = parseReference(input);
  const client = await clientFor(input, ref, opts);
  let sigClient = client;
  try {
    const m = await getManifest(client, ref.reference);
    if (!m) throw client.inputError(`manifest ${ref.reference} not found in repository ${ref.repository}`);
    const digest = ref.digest ?? m.digest;
    if (opts.signatureRepository) {
      const sref = parseReference(opts.signatureRepository);
      sigClient = await clientFor(opts.signatureRepository, sref, opts);
    }
    const where = `${sigClient.ref.registry}/${sigClient.ref.repository}`;
    const out: FoundSignatures = { digest, manifest: m.bytes, candidates: [], problems: [] };
    const sigTag = `${digest.replace(':', '-')}.sig`;
    const sig = await getManifest(sigClient, sigTag);
    if (sig) {
      const r = await candidatesFromManifest(sig.doc, blobReader(sigClient), `${where}:${sigTag}`);
      out.candidates.push(...r.candidates);
      out.problems.push(...r.problems);
    }
    const refs = (await referrers(sigClient, digest)) ?? [];
    for (const d of refs.slice(0, MAX_REFERRERS)) {
      if (!d || typeof d.digest !== 'string' || !/^sha256:[a-f0-9]{64}$/.test(d.digest)) continue;
      if (d.artifactType !== undefined && !SIGSTORE_BUNDLE_MEDIA.test(d.artifactType)) continue;
      const rm = await getManifest(sigClient, d.digest);
      if (!rm || !isSignatureManifest(rm.doc)) continue;
      const r = await candidatesFromManifest(rm.doc, blobReader(sigClient), `${where}@${d.digest}`);
      out.candidates.push(...r.candidates);
      out.problems.push(...r.problems);
    }
    return out;
  } finally {
    client.close();
    if (sigClient !== client) sigClient.close();
  }
}
