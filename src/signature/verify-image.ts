// One call for callers (CLI, admission webhook): find an image's signatures (registry, or a local
// directory for air-gapped use) and verify them against attestors. Never throws: an unreachable
// registry or an unusable directory is a failed verification with the reason, so that a policy
// decides (failurePolicy) rather than an exception.
import { findLocalSignatures } from './local.ts';
import { findRegistrySignatures, type RegistryLookupOptions } from './registry.ts';
import { verifyCandidates, type VerifyOptions } from './verify.ts';
import type { Attestor, ImageVerification, SignatureCandidate } from './types.ts';

export interface VerifyImageOptions extends VerifyOptions, RegistryLookupOptions {
  /** Read signatures from this directory instead of the registry (needs a digest: `ref@sha256:…` or `digest`). */
  signaturesDir?: string;
  /** The image digest when the reference has none (offline verification). */
  digest?: string;
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;

function failed(image: string, digest: string, reason: string, required = 1): ImageVerification {
  return { image, digest, verified: false, required, signers: [], reasons: [reason], found: 0 };
}

export async function verifyImageSignatures(image: string, attestors: Attestor[], opts: VerifyImageOptions = {}): Promise<ImageVerification> {
  const required = Math.max(1, opts.required ?? 1);
  let digest = '';
  let candidates: SignatureCandidate[];
  let problems: string[];
  let manifest: Buffer | undefined;
  try {
    if (opts.signaturesDir) {
      digest = opts.digest ?? image.match(/@(sha256:[a-f0-9]{64})$/)?.[1] ?? '';
      if (!DIGEST.test(digest)) return failed(image, '', `${image}: offline verification (--signatures) needs the image digest (name@sha256:… or --digest)`, required);
      ({ candidates, problems } = await findLocalSignatures(opts.signaturesDir));
    } else {
      const found = await findRegistrySignatures(image, opts);
      ({ digest, candidates, problems, manifest } = found);
      if (opts.digest && opts.digest !== digest) return failed(image, digest, `${image} resolves to ${digest}, not ${opts.digest}`, required);
    }
  } catch (e) {
    return failed(image, digest, (e as Error).message.split('\n')[0]!, required);
  }
  const r = verifyCandidates({ image, digest, manifest }, candidates, attestors, opts);
  r.reasons.push(...problems);
  return r;
}
