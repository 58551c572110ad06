// Sigstore verification with sigstore-js against an offline trusted root: the Fulcio certificate
// chains to a CA of the root, its SCT is checked against the root's CT logs, the transparency log
// entry (SET or inclusion proof) is checked against the root's Rekor keys and integrated within
// the certificate's validity, and the signature holds. Classic cosign signatures (annotations on a
// `.sig` manifest) are first rewritten as the equivalent Sigstore bundle, which is what cosign and
// sigstore-go do too; the identity (SAN, issuer) is then matched against the attestor.
import { createHash, X509Certificate } from 'node:crypto';
import { bundleFromJSON, type Bundle } from '@sigstore/bundle';
import { Verifier, toSignedEntity, type Signer as SigstoreSigner } from '@sigstore/verify';
import type { TrustedRoot } from '@sigstore/protobuf-specs';
import { keyTrustMaterial, toTrustMaterial } from './trusted-root.ts';
import type { Attestor, SignatureCandidate } from './types.ts';

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const MAX_REKOR_BUNDLE = 256 * 1024;

/** PEM certificates → DER base64 each, in order; throws on anything that is not a certificate. */
function pemCertificates(pem: string, what: string): string[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new Error(`${what} holds no PEM certificate`);
  if (blocks.length > 10) throw new Error(`${what} holds more than 10 certificates`);
  return blocks.map((b) => {
    try {
      return new X509Certificate(b).raw.toString('base64');
    } catch (e) {
      throw new Error(`${what}: invalid certificate (${(e as Error).message})`);
    }
  });
}

/** cosign's Rekor bundle annotation → a bundle tlog entry (with its inclusion promise). */
function tlogEntry(rekorBundle: string): Rec {
  if (rekorBundle.length > MAX_REKOR_BUNDLE) throw new Error('Rekor bundle annotation is too large');
  let b: unknown;
  try {
    b = JSON.parse(rekorBundle);
  } catch {
    throw new Error('Rekor bundle annotation is not JSON');
  }
  const p = isRec(b) && isRec(b.Payload) ? b.Payload : undefined;
  if (!isRec(b) || !p || typeof b.SignedEntryTimestamp !== 'string' || typeof p.body !== 'string') throw new Error('Rekor bundle annotation lacks SignedEntryTimestamp or Payload.body');
  if (typeof p.logID !== 'string' || !/^[0-9a-f]{64}$/.test(p.logID)) throw new Error('Rekor bundle annotation has no valid logID');
  if (!Number.isSafeInteger(p.integratedTime) || !Number.isSafeInteger(p.logIndex)) throw new Error('Rekor bundle annotation lacks integratedTime or logIndex');
  let kind = 'hashedrekord';
  let version = '0.0.1';
  try {
    const body = JSON.parse(Buffer.from(p.body, 'base64').toString('utf8')) as Rec;
    if (typeof body.kind === 'string') kind = body.kind;
    if (typeof body.apiVersion === 'string') version = body.apiVersion;
  } catch {
    throw new Error('Rekor entry body is not base64 JSON');
  }
  return {
    logIndex: String(p.logIndex),
    logId: { keyId: Buffer.from(p.logID, 'hex').toString('base64') },
    kindVersion: { kind, version },
    integratedTime: String(p.integratedTime),
    inclusionPromise: { signedEntryTimestamp: b.SignedEntryTimestamp },
    canonicalizedBody: p.body,
  };
}

/** The Sigstore bundle equivalent to a classic cosign keyless signature. */
export function cosignToBundle(c: Extract<SignatureCandidate, { kind: 'cosign' }>): Bundle {
  if (!c.certificate) throw new Error('no certificate annotation (a keyless signature carries its Fulcio certificate)');
  const certs = pemCertificates(c.certificate, 'certificate annotation').slice(0, 1);
  if (c.chain) certs.push(...pemCertificates(c.chain, 'chain annotation'));
  const json = {
    mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.1',
    verificationMaterial: {
      x509CertificateChain: { certificates: certs.map((rawBytes) => ({ rawBytes })) },
      tlogEntries: c.rekorBundle ? [tlogEntry(c.rekorBundle)] : [],
      timestampVerificationData: { rfc3161Timestamps: [] },
    },
    messageSignature: {
      messageDigest: { algorithm: 'SHA2_256', digest: createHash('sha256').update(c.payload).digest('base64') },
      signature: c.signature.trim(),
    },
  };
  return parseBundle(json);
}

export function parseBundle(json: unknown): Bundle {
  try {
    return bundleFromJSON(json);
  } catch (e) {
    throw new Error(`invalid Sigstore bundle: ${(e as Error).message}`);
  }
}

export interface SigstoreOutcome {
  identity: string;
  issuer?: string;
  signedAt?: string;
}

function describe(e: unknown): string {
  const err = e as { code?: string; message?: string; cause?: { message?: string } };
  const msg = err.message ?? String(e);
  return err.cause?.message && !msg.includes(err.cause.message) ? `${msg}: ${err.cause.message}` : msg;
}

function matches(value: string | undefined, exact: string | undefined, re: string | undefined): boolean {
  if (exact !== undefined && value !== exact) return false;
  if (re !== undefined) {
    if (value === undefined || value.length > 4096) return false;
    // Anchored, as cosign's --certificate-identity-regexp is matched against the whole value.
    if (!new RegExp(`^(?:${re})$`).test(value)) return false;
  }
  return true;
}

/** Why the identity does not satisfy the attestor, or undefined when it does. */
export function identityMismatch(a: Extract<Attestor, { type: 'keyless' }>, san: string | undefined, issuer: string | undefined): string | undefined {
  if (!matches(san, a.subject, a.subjectRegExp)) return `certificate identity ${JSON.stringify(san ?? '')} does not match ${a.subject !== undefined ? JSON.stringify(a.subject) : `/${a.subjectRegExp}/`}`;
  if (!matches(issuer, a.issuer, a.issuerRegExp)) return `certificate issuer ${JSON.stringify(issuer ?? '')} does not match ${a.issuer !== undefined ? JSON.stringify(a.issuer) : `/${a.issuerRegExp}/`}`;
  return undefined;
}

function signedAt(b: Bundle): string | undefined {
  const t = b.verificationMaterial.tlogEntries[0]?.integratedTime;
  const n = Number(t);
  return t && Number.isFinite(n) && n > 0 ? new Date(n * 1000).toISOString() : undefined;
}

/** Verifies a keyless bundle (certificate) against `root`; throws with the reason. */
export function verifyKeylessBundle(bundle: Bundle, artifact: Buffer | undefined, root: TrustedRoot, a: Extract<Attestor, { type: 'keyless' }>): SigstoreOutcome {
  if (bundle.verificationMaterial.content.$case === 'publicKey') throw new Error('signed with a public key, not a Fulcio certificate');
  let signer: SigstoreSigner;
  try {
    signer = new Verifier(toTrustMaterial(root)).verify(toSignedEntity(bundle, artifact));
  } catch (e) {
    throw new Error(describe(e));
  }
  const san = signer.identity?.subjectAlternativeName;
  const issuer = signer.identity?.extensions?.issuer;
  const why = identityMismatch(a, san, issuer);
  if (why) throw new Error(why);
  return { identity: san ?? '', issuer, signedAt: signedAt(bundle) };
}

/** Verifies a bundle signed with a public key (hint ignored: the attestor's key is the only one). */
export function verifyKeyBundle(bundle: Bundle, artifact: Buffer | undefined, key: import('node:crypto').KeyObject, root?: TrustedRoot): void {
  if (bundle.verificationMaterial.content.$case !== 'publicKey') throw new Error('signed with a certificate, not a public key');
  const entity = toSignedEntity(bundle, artifact);
  // Without a trusted root the transparency material cannot be checked: only the signature counts.
  if (!root) {
    entity.tlogEntries = [];
    entity.timestamps = [];
  }
  const n = root ? 1 : 0;
  try {
    new Verifier(keyTrustMaterial(() => ({ publicKey: key, validFor: () => true }), root), { tlogThreshold: n, timestampThreshold: n, ctlogThreshold: 0 }).verify(entity);
  } catch (e) {
    throw new Error(describe(e));
  }
}
