// Between the policy engine (synchronous, no I/O) and signature verification (registry I/O): runs
// the verifications a policy set asks for an input (set.signatureRequests) and returns the results
// to pass as the input's `signatures`. The same image + attestors is verified once per call.
import type { CompiledPolicySet } from '../policy/evaluate.ts';
import type { PolicyInput, SignatureRequest, SignatureResult } from '../policy/types.ts';
import type { Attestor, ImageVerification } from './types.ts';
import { verifyImageSignatures, type VerifyImageOptions } from './verify-image.ts';

/** Verifications run concurrently at most this many at a time (registries throttle). */
const CONCURRENCY = 4;

export interface PolicySignatureOptions extends VerifyImageOptions {
  /** Runs one verification instead of verifyImageSignatures (e.g. the admission webhook's cache). */
  verify?: (image: string, attestors: Attestor[], opts: VerifyImageOptions) => Promise<ImageVerification>;
}

export function verifySignaturesForPolicies(set: CompiledPolicySet, input: PolicyInput, opts: PolicySignatureOptions = {}): Promise<SignatureResult[]> {
  return verifySignatureRequests(set.signatureRequests(input), opts);
}

/** The verification loop for requests already known (callers that prepared the input themselves). */
export async function verifySignatureRequests(requests: SignatureRequest[], opts: PolicySignatureOptions = {}): Promise<SignatureResult[]> {
  const { verify = verifyImageSignatures, ...verifyOpts } = opts;
  const memo = new Map<string, Promise<ImageVerification>>();
  const run = (i: number) => {
    const q = requests[i]!;
    const key = JSON.stringify([q.image, q.required, q.attestors]);
    let p = memo.get(key);
    if (!p) {
      p = verify(q.image, q.attestors, { ...verifyOpts, required: q.required });
      memo.set(key, p);
    }
    return p.then((r): SignatureResult => ({ ...r, policy: q.policy, rule: q.rule }));
  };
  const out: SignatureResult[] = new Array(requests.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, requests.length) }, async () => {
      while (next < requests.length) {
        const i = next++;
        out[i] = await run(i);
      }
    }),
  );
  return out;
}
