// Writing signatures exactly as `cosign sign --key` stores them (used by the tests, which have no
// cosign binary, and by anyone who needs to produce cosign-compatible signatures offline): the
// simple-signing payload (Go's encoding/json field order, no spaces, "optional": null), a config
// whose rootfs lists the payload, and an OCI manifest whose layer carries the signature annotation.
import { createHash, sign, type KeyObject } from 'node:crypto';
import { COSIGN } from './types.ts';

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export function simpleSigningPayload(dockerReference: string, digest: string, optional: Record<string, string> | null = null): Buffer {
  const doc = { critical: { identity: { 'docker-reference': dockerReference }, image: { 'docker-manifest-digest': digest }, type: COSIGN.payloadType }, optional };
  return Buffer.from(JSON.stringify(doc));
}

/** A signature as cosign makes it: ECDSA → ASN.1 DER, base64. */
export function signPayload(key: KeyObject, payload: Buffer): string {
  if (key.asymmetricKeyType === 'ed25519') return sign(null, payload, key).toString('base64');
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const hash = curve === 'secp384r1' ? 'sha384' : curve === 'secp521r1' ? 'sha512' : 'sha256';
  return sign(hash, payload, key.asymmetricKeyType === 'ec' ? { key, dsaEncoding: 'der' } : key).toString('base64');
}

export interface SignatureArtifact {
  /** `sha256-<hex>.sig` */
  tag: string;
  manifest: Buffer;
  blobs: Map<string, Buffer>;
}

/** The `.sig` manifest (and blobs) for signatures of `digest`; one layer per payload. */
export function signatureManifest(digest: string, layers: Array<{ payload: Buffer; annotations: Record<string, string> }>): SignatureArtifact {
  const blobs = new Map<string, Buffer>();
  for (const l of layers) blobs.set(sha256(l.payload), l.payload);
  const config = Buffer.from(
    JSON.stringify({ architecture: '', created: '0001-01-01T00:00:00Z', history: layers.map(() => ({ created: '0001-01-01T00:00:00Z' })), os: '', rootfs: { type: 'layers', diff_ids: layers.map((l) => sha256(l.payload)) }, config: {} }),
  );
  blobs.set(sha256(config), config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', size: config.length, digest: sha256(config) },
      layers: layers.map((l) => ({ mediaType: COSIGN.simpleSigning, size: l.payload.length, digest: sha256(l.payload), annotations: l.annotations })),
    }),
  );
  return { tag: `${digest.replace(':', '-')}.sig`, manifest, blobs };
}
