// Verification of the signatures found for one image digest against attestors: each candidate is
// tried with each attestor; a candidate counts for an attestor when its signature holds AND it
// names the image (the simple-signing payload's digest, the in-toto subject, or the message digest).
// The image is verified when `required` distinct attestors have at least one such signature.
import type { KeyObject } from 'node:crypto';
import type { TrustedRoot } from '@sigstore/protobuf-specs';
import type { Bundle } from '@sigstore/bundle';
import { parseSimpleSigning, payloadMismatch } from './payload.ts';
import { loadTrustedRoot } from './trusted-root.ts';
import { keyFingerprint, parsePublicKey, verifyWithKey } from './verify-key.ts';
import { cosignToBundle, parseBundle, verifyKeyBundle, verifyKeylessBundle } from './verify-sigstore.ts';
import type { Attestor, ImageVerification, SignatureCandidate, Signer } from './types.ts';

export interface VerifyTarget {
  /** The image as the caller named it (for results and messages). */
  image: string;
  /** Its manifest digest (sha256:…). */
  digest: string;
  /** The manifest bytes, when known: message-signature bundles sign them directly. */
  manifest?: Buffer;
}

export interface VerifyOptions {
  /** Distinct attestors that must verify (default 1). */
  required?: number;
  /** trusted_root.json for keyless attestors that name none. */
  trustedRoot?: string;
}

const MAX_CANDIDATES = 100;

interface Prepared {
  attestor: Attestor;
  key?: KeyObject;
  root?: TrustedRoot;
  error?: string;
}

function prepare(a: Attestor, opts: VerifyOptions): Prepared {
  try {
    if (a.type === 'key') return { attestor: a, key: parsePublicKey(a.publicKey, `attestor ${a.name}`) };
    const path = a.trustedRoot ?? opts.trustedRoot;
    if (!path) return { attestor: a, error: 'no trusted root (trustedRoot / --trusted-root) for keyless verification' };
    if (a.subject === undefined && a.subjectRegExp === undefined) return { attestor: a, error: 'keyless attestor names no subject or subjectRegExp' };
    if (a.issuer === undefined && a.issuerRegExp === undefined) return { attestor: a, error: 'keyless attestor names no issuer or issuerRegExp' };
    return { attestor: a, root: loadTrustedRoot(path) };
  } catch (e) {
    return { attestor: a, error: (e as Error).message };
  }
}

const hex = (digest: string) => digest.slice(digest.indexOf(':') + 1);

/** Why a verified bundle does not sign this image, or undefined when it does. */
function bundleSubjectMismatch(b: Bundle, t: VerifyTarget): string | undefined {
  if (b.content.$case === 'dsseEnvelope') {
    const env = b.content.dsseEnvelope;
    if (env.payloadType !== 'application/vnd.in-toto+json') return `DSSE payload type ${env.payloadType} is not an in-toto statement`;
    let st: { subject?: Array<{ digest?: Record<string, string> }> };
    try {
      st = JSON.parse(Buffer.from(env.payload).toString('utf8'));
    } catch {
      return 'DSSE payload is not JSON';
    }
    const subjects = Array.isArray(st.subject) ? st.subject.slice(0, 1000) : [];
    const alg = t.digest.slice(0, t.digest.indexOf(':'));
    if (subjects.some((s) => s?.digest?.[alg] === hex(t.digest))) return undefined;
    return `in-toto statement does not name ${t.digest} as a subject`;
  }
  const md = b.content.messageSignature.messageDigest;
  if (!md) return 'message signature has no digest';
  if (Buffer.from(md.digest).toString('hex') !== hex(t.digest)) return `message signature is over sha256:${Buffer.from(md.digest).toString('hex')}, not the image digest ${t.digest}`;
  return undefined;
}

/** One candidate against one attestor: the signer, or throws with the reason. */
function verifyOne(c: SignatureCandidate, p: Prepared, t: VerifyTarget): Omit<Signer, 'attestor' | 'source'> {
  const a = p.attestor;
  if (c.kind === 'cosign') {
    let out: Omit<Signer, 'attestor' | 'source'>;
    if (a.type === 'key') {
      if (!verifyWithKey(p.key!, c.payload, c.signature)) throw new Error('signature does not verify with the public key');
      out = { identity: keyFingerprint(p.key!) };
    } else {
      out = verifyKeylessBundle(cosignToBundle(c), c.payload, p.root!, a);
    }
    const why = payloadMismatch(parseSimpleSigning(c.payload), t.digest);
    if (why) throw new Error(why);
    return out;
  }
  const b = parseBundle(c.bundle);
  const why = bundleSubjectMismatch(b, t);
  if (why) throw new Error(why);
  const artifact = b.content.$case === 'messageSignature' ? t.manifest : undefined;
  if (b.content.$case === 'messageSignature' && !artifact) throw new Error('message-signature bundle needs the image manifest bytes, which are not available');
  if (a.type === 'key') {
    verifyKeyBundle(b, artifact, p.key!);
    return { identity: keyFingerprint(p.key!) };
  }
  return verifyKeylessBundle(b, artifact, p.root!, a);
}

/** Verifies `candidates` (found for `target`) against `attestors`. Never throws for bad signatures. */
export function verifyCandidates(target: VerifyTarget, candidates: SignatureCandidate[], attestors: Attestor[], opts: VerifyOptions = {}): ImageVerification {
  const required = Math.max(1, opts.required ?? 1);
  const result: ImageVerification = { image: target.image, digest: target.digest, verified: false, required, signers: [], reasons: [], found: candidates.length };
  if (attestors.length === 0) {
    result.reasons.push('no attestors (public keys or keyless identities) to verify against');
    return result;
  }
  const prepared = attestors.map((a) => prepare(a, opts));
  for (const p of prepared) if (p.error) result.reasons.push(`attestor ${p.attestor.name}: ${p.error}`);
  if (candidates.length === 0) result.reasons.push(`no signatures found for ${target.image}@${target.digest}`);
  const satisfied = new Set<string>();
  for (const c of candidates.slice(0, MAX_CANDIDATES)) {
    for (const p of prepared) {
      if (p.error || satisfied.has(p.attestor.name)) continue;
      try {
        const s = verifyOne(c, p, target);
        satisfied.add(p.attestor.name);
        result.signers.push({ attestor: p.attestor.name, source: c.source, ...s });
      } catch (e) {
        result.reasons.push(`${c.source}: attestor ${p.attestor.name}: ${(e as Error).message.split('\n')[0]}`);
      }
    }
  }
  if (candidates.length > MAX_CANDIDATES) result.reasons.push(`only the first ${MAX_CANDIDATES} of ${candidates.length} signatures were checked`);
  result.verified = satisfied.size >= required;
  if (!result.verified && candidates.length > 0) result.reasons.unshift(`${satisfied.size} of ${required} required attestors verified`);
  return result;
}
