// Policies as the webhook loads them: compiled once, with two webhook-only settings read from the
// documents themselves.
// - failurePolicy: a policy that does not write one gets the webhook's --failure-policy (the engine's
//   own default is Fail), so that one flag sets the stance of every policy that has no opinion.
// - `metadata.annotations["triad.dev/require-scan"]: "true"` on an ImageScan policy: an image
//   with no scan in the cache violates the policy (with its action), instead of skipping it.
import { compilePolicies, loadPolicyDocuments } from '../policy/compile.ts';
import { PolicyLoadError } from '../policy/documents.ts';
import type { CompiledPolicySet } from '../policy/evaluate.ts';
import type { FailurePolicyMode } from './review.ts';

export const REQUIRE_SCAN_ANNOTATION = 'triad.dev/require-scan';

export interface WebhookPolicies {
  set: CompiledPolicySet;
  /** Names of policies that require a scan of every image they apply to. */
  requireScan: ReadonlySet<string>;
  validations: number;
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/** No paths: an empty set (the benchmark's baseline); paths without policies are an error. */
export function loadWebhookPolicies(paths: string[], failurePolicy: FailurePolicyMode): WebhookPolicies {
  const docs = paths.length ? loadPolicyDocuments(paths) : [];
  const set = compilePolicies(docs);
  if (set.policies.length === 0 && paths.length) throw new PolicyLoadError(`${paths.join(', ')}: no Policy or ValidatingAdmissionPolicy documents`);
  const explicit = new Set<string>();
  const requireScan = new Set<string>();
  for (const d of docs) {
    const v = d.value;
    if (!isRec(v) || !isRec(v.metadata) || typeof v.metadata.name !== 'string') continue;
    if (isRec(v.spec) && v.spec.failurePolicy !== undefined) explicit.add(v.metadata.name);
    const ann = isRec(v.metadata.annotations) ? v.metadata.annotations[REQUIRE_SCAN_ANNOTATION] : undefined;
    if (ann === true || ann === 'true') requireScan.add(v.metadata.name);
  }
  const fallback = failurePolicy === 'ignore' ? 'Ignore' : 'Fail';
  for (const p of set.policies) if (!explicit.has(p.spec.name)) p.spec.failurePolicy = fallback;
  for (const name of requireScan) {
    const p = set.policies.find((x) => x.spec.name === name);
    if (p && !p.spec.match.kinds.includes('ImageScan')) {
      throw new PolicyLoadError(`${p.where}: policy ${JSON.stringify(name)}: ${REQUIRE_SCAN_ANNOTATION} needs match.kinds to include ImageScan`);
    }
  }
  return { set, requireScan, validations: set.policies.reduce((n, p) => n + p.validations.length, 0) };
}
