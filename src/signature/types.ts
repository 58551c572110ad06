// Image signatures: what was found next to an image (cosign's `.sig` manifests, Sigstore bundles),
// who may have signed it (attestors), and what verification concluded. Plain data.

/** cosign's simple-signing layer and the annotations cosign writes beside it. */
export const COSIGN = {
  simpleSigning: 'application/vnd.dev.cosign.simplesigning.v1+json',
  signature: 'dev.cosignproject.cosign/signature',
  certificate: 'dev.sigstore.cosign/certificate',
  chain: 'dev.sigstore.cosign/chain',
  bundle: 'dev.sigstore.cosign/bundle',
  rfc3161: 'dev.sigstore.cosign/rfc3161timestamp',
  payloadType: 'cosign container image signature',
} as const;

/** Sigstore bundle media types (v0.1 - v0.3); cosign's new bundle format attaches v0.3. */
export const SIGSTORE_BUNDLE_MEDIA = /^application\/vnd\.dev\.sigstore\.bundle(\.v0\.[123])?\+json(;version=0\.[123])?$/;

/** One signature found for an image, as its container wrote it (nothing verified yet). */
export type SignatureCandidate =
  | {
      kind: 'cosign';
      /** Where it came from, for messages: "registry …:sha256-….sig layer 0", a file path. */
      source: string;
      /** The simple-signing payload bytes exactly as signed. */
      payload: Buffer;
      /** Base64 signature annotation. */
      signature: string;
      certificate?: string;
      chain?: string;
      /** The Rekor bundle annotation (SignedEntryTimestamp + entry), JSON text. */
      rekorBundle?: string;
    }
  | {
      kind: 'bundle';
      source: string;
      /** A Sigstore bundle (JSON, already parsed). */
      bundle: unknown;
    };

/** Who may sign: a public key, or a keyless identity issued by Fulcio under a trusted root. */
export type Attestor =
  | { type: 'key'; name: string; /** PEM public key */ publicKey: string }
  | {
      type: 'keyless';
      name: string;
      /** OIDC issuer (Fulcio extension 1.3.6.1.4.1.57264.1.8, or .1.1 on older certificates). */
      issuer?: string;
      issuerRegExp?: string;
      /** Certificate SAN: email or URI. */
      subject?: string;
      subjectRegExp?: string;
      /** Path of a trusted_root.json; undefined: the caller's default. */
      trustedRoot?: string;
    };

/** Who signed, as verification established it. */
export interface Signer {
  attestor: string;
  /** SAN (keyless) or the key's SHA-256 fingerprint (key-based). */
  identity: string;
  issuer?: string;
  /** Time the signature was witnessed (Rekor integrated time / TSA), when there is one. */
  signedAt?: string;
  source: string;
}

/** The outcome for one image against a set of attestors. */
export interface ImageVerification {
  /** The image as the caller named it. */
  image: string;
  /** The manifest digest that was verified (sha256:…); empty when it could not be resolved. */
  digest: string;
  /** True when at least `required` distinct attestors verified a signature. */
  verified: boolean;
  required: number;
  signers: Signer[];
  /** Why candidates were rejected (or why none were found), one line each. */
  reasons: string[];
  /** How many signatures were found (verified or not). */
  found: number;
}
