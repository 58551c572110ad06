// Signature manifests → candidates. cosign's classic layout: an OCI image manifest whose layers are
// simple-signing payloads, each carrying its signature (and certificate, chain, Rekor bundle) in
// annotations. The newer layout: a manifest whose artifactType (or only layer) is a Sigstore bundle.
import { createHash } from 'node:crypto';
import { COSIGN, SIGSTORE_BUNDLE_MEDIA, type SignatureCandidate } from './types.ts';

export const MAX_SIGNATURE_LAYERS = 100;
export const MAX_BLOB_BYTES = 1024 * 1024;

export interface ManifestDescriptor {
  mediaType?: string;
  digest?: string;
  size?: number;
  annotations?: Record<string, string>;
  artifactType?: string;
}

export interface SignatureManifest {
  mediaType?: string;
  artifactType?: string;
  config?: ManifestDescriptor;
  layers?: ManifestDescriptor[];
  manifests?: ManifestDescriptor[];
  annotations?: Record<string, string>;
}

/** Reads a blob by digest (bounded); the caller verifies nothing: readVerifiedBlob does. */
export type BlobReader = (digest: string, maxBytes: number) => Promise<Buffer>;

const DIGEST = /^sha(256|512):[a-f0-9]{64,128}$/;

/** Reads a blob and checks its digest (and size when the descriptor gives one). */
export async function readVerifiedBlob(read: BlobReader, d: ManifestDescriptor, what: string): Promise<Buffer> {
  if (typeof d.digest !== 'string' || !DIGEST.test(d.digest)) throw new Error(`${what}: no valid digest`);
  if (typeof d.size === 'number' && d.size > MAX_BLOB_BYTES) throw new Error(`${what}: ${d.size} bytes exceeds ${MAX_BLOB_BYTES}`);
  const bytes = await read(d.digest, MAX_BLOB_BYTES);
  const alg = d.digest.slice(0, d.digest.indexOf(':'));
  const got = `${alg}:${createHash(alg).update(bytes).digest('hex')}`;
  if (got !== d.digest) throw new Error(`${what}: content digest ${got} does not match ${d.digest}`);
  if (typeof d.size === 'number' && bytes.length !== d.size) throw new Error(`${what}: ${bytes.length} bytes, descriptor says ${d.size}`);
  return bytes;
}

const isBundleType = (t: unknown) => typeof t === 'string' && SIGSTORE_BUNDLE_MEDIA.test(t);

/** Is this manifest one that carries signatures (rather than an image)? */
export function isSignatureManifest(m: SignatureManifest): boolean {
  if (isBundleType(m.artifactType)) return true;
  return Array.isArray(m.layers) && m.layers.some((l) => l?.mediaType === COSIGN.simpleSigning || isBundleType(l?.mediaType));
}

/**
 * Every signature a manifest carries. Layers that cannot be read or parsed become `problems`
 * (reported as reasons), never exceptions: one bad layer does not hide the good ones.
 */
export async function candidatesFromManifest(m: SignatureManifest, read: BlobReader, source: string): Promise<{ candidates: SignatureCandidate[]; problems: string[] }> {
  const candidates: SignatureCandidate[] = [];
  const problems: string[] = [];
  const layers = Array.isArray(m.layers) ? m.layers.slice(0, MAX_SIGNATURE_LAYERS) : [];
  for (const [i, l] of layers.entries()) {
    if (!l || typeof l !== 'object') continue;
    const where = `${source} layer ${i}`;
    const bundleLayer = isBundleType(l.mediaType) || (isBundleType(m.artifactType) && layers.length === 1);
    if (l.mediaType !== COSIGN.simpleSigning && !bundleLayer) continue;
    try {
      const bytes = await readVerifiedBlob(read, l, where);
      if (bundleLayer) {
        candidates.push({ kind: 'bundle', source: where, bundle: JSON.parse(bytes.toString('utf8')) });
        continue;
      }
      const ann = l.annotations && typeof l.annotations === 'object' ? l.annotations : {};
      const signature = ann[COSIGN.signature];
      if (typeof signature !== 'string' || !signature) {
        problems.push(`${where}: no ${COSIGN.signature} annotation`);
        continue;
      }
      const str = (k: string) => (typeof ann[k] === 'string' && ann[k] ? ann[k] : undefined);
      candidates.push({ kind: 'cosign', source: where, payload: bytes, signature, certificate: str(COSIGN.certificate), chain: str(COSIGN.chain), rekorBundle: str(COSIGN.bundle) });
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  if ((m.layers?.length ?? 0) > MAX_SIGNATURE_LAYERS) problems.push(`${source}: only the first ${MAX_SIGNATURE_LAYERS} layers were read`);
  return { candidates, problems };
}
