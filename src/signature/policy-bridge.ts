// Between the policy engine (synchronous, no I/O) and signature verification (registry I/O): runs
// the verifications a policy set asks for an input (set.signatureRequests) and returns the results
// to pass as the input's `signatures`. The same image + attestors is verified once per call.
import type { CompiledPolicySet } from '../policy/evaluate.ts';
import type { PolicyInput, SignatureResult } from '../policy/types.ts';
import type { ImageVerification } from './types.ts';
import { verifyImageSignatures, type VerifyImageOptions } from './verify-image.ts';

/** Verifications run concurrently at most this many at a time (registries throttle). */
const CONCURRENCY = 4;

export async function verifySignaturesForPolicies(set: CompiledPolicySet, input: PolicyInput, opts: VerifyImageOptions = {}): Promise<SignatureResult[]> {
  const requests = set.signatureRequests(input);
  const memo = new Map<string, Promise<ImageVerification>>();
  const run = (i: number) => {
    const q = requests[i]!;
    const key = JSON.stringify([q.image, q.required, q.attestors]);
    let p = memo.get(key);
    if (!p) {
      p = verifyImageSignatures(q.image, q.attestors, { ...opts, required: q.required });
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
