// Key-based cosign signatures: the signature annotation over the simple-signing payload bytes,
// checked with node:crypto and the attestor's PEM public key. ECDSA signatures are ASN.1 DER with
// the curve's hash (P-256/SHA-256, P-384/SHA-384, P-521/SHA-512, as sigstore signs), RSA is
// PKCS#1 v1.5 with SHA-256 (cosign's default), Ed25519 signs the payload itself.
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';

export class KeyError extends Error {}

/** Parses a PEM (or DER base64) public key; throws KeyError naming `what`. */
export function parsePublicKey(pem: string, what: string): KeyObject {
  try {
    const key = createPublicKey(pem.includes('-----BEGIN') ? pem : { key: Buffer.from(pem.trim(), 'base64'), format: 'der', type: 'spki' });
    const t = key.asymmetricKeyType;
    if (t !== 'ec' && t !== 'rsa' && t !== 'ed25519' && t !== 'rsa-pss') throw new Error(`unsupported key type ${t}`);
    return key;
  } catch (e) {
    throw new KeyError(`${what}: not a usable public key (${(e as Error).message.split('\n')[0]})`);
  }
}

/** "sha256:<hex>" of the key's DER SubjectPublicKeyInfo: how a key is named in results. */
export function keyFingerprint(key: KeyObject): string {
  return `sha256:${createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest('hex')}`;
}

function hashFor(key: KeyObject): string | null {
  if (key.asymmetricKeyType === 'ed25519') return null;
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'secp384r1') return 'sha384';
    if (curve === 'secp521r1') return 'sha512';
  }
  return 'sha256';
}

/** True when `signatureB64` is a valid signature of `payload` under `key`. */
export function verifyWithKey(key: KeyObject, payload: Buffer, signatureB64: string): boolean {
  if (!/^[A-Za-z0-9+/=\s_-]{1,8192}$/.test(signatureB64)) return false;
  const sig = Buffer.from(signatureB64.trim(), 'base64');
  if (sig.length === 0) return false;
  try {
    if (key.asymmetricKeyType === 'ec') return verify(hashFor(key), payload, { key, dsaEncoding: 'der' }, sig);
    return verify(hashFor(key), payload, key, sig);
  } catch {
    return false;
  }
}
