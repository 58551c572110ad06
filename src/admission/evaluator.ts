// Judging one AdmissionReview: policies over the request, then, for each container image, the
// image-scan policies over that image's cached scan; the verdicts become one AdmissionResponse
// (denials → status 403, warn → warnings, audit/exemptions/ignored errors → auditAnnotations).
// Synchronous and self-contained: it runs inside an evaluator worker, which the pool can kill
// when it overruns the time budget.
import { DeadlineExceededError } from '../policy/cel-env.ts';
import { decide, type CompiledPolicySet } from '../policy/evaluate.ts';
import { InputError, WORKLOAD_KINDS, prepareSubject, withSignatures, type Subject } from '../policy/inputs.ts';
import type { SignatureRequest, SignatureResult, Verdict } from '../policy/types.ts';
import { InputTooLargeError } from '../policy/values.ts';
import type { WebhookPolicies } from './policies.ts';
import {
  MAX_ANNOTATION, MAX_MESSAGE, MAX_WARNING, MAX_WARNINGS, annotationKey, failureResponse, parseReview, responseBody, truncate,
  type AdmissionResponse, type FailurePolicyMode, type FailureReason, type ParsedReview,
} from './review.ts';
import type { ScanCache } from './scan-cache.ts';
import type { SignatureStats, WebhookSignatures } from './signatures.ts';

export type MissingScanAction = 'allow' | 'warn' | 'audit' | 'deny';

export interface EvaluatorOptions {
  failurePolicy: FailurePolicyMode;
  /** Namespaces never judged (kube-system and the webhook's own, unless told otherwise). */
  exemptNamespaces: readonly string[];
  /** What an image without a cached scan gets (only when a scan cache is configured). */
  missingScan: MissingScanAction;
  now?: () => Date;
  /** Verifies what verifyImages rules ask for; without it those rules get no results (failurePolicy). */
  signatures?: WebhookSignatures;
}

export type ReviewResult = 'allowed' | 'warned' | 'denied' | 'skipped' | 'failed_open' | 'failed_closed';

export interface ReviewOutcome {
  body: string;
  result: ReviewResult;
  failure?: FailureReason;
  /** One "policy\taction\tresult" per verdict, for the metrics. */
  verdicts: string[];
  scanHits: number;
  scanMisses: number;
  /** Signature verifications: answered from the cache, started, or past the budget. */
  signatures?: SignatureStats;
}

/** The pseudo-policy that speaks for --missing-scan. */
export const SCAN_REQUIRED_POLICY = 'triad-scan-required';

export class AdmissionEvaluator {
  readonly policies: WebhookPolicies;
  readonly cache: ScanCache | undefined;
  readonly opts: EvaluatorOptions;
  #exempt: Set<string>;

  constructor(policies: WebhookPolicies, cache: ScanCache | undefined, opts: EvaluatorOptions) {
    this.policies = policies;
    this.cache = cache;
    this.opts = opts;
    this.#exempt = new Set(opts.exemptNamespaces);
  }

  /** Converts every cached report once, now, so that the first pod using an image does not pay for it. */
  warmUp(): void {
    for (const report of this.cache?.reports ?? []) {
      try {
        prepareSubject({ type: 'image-scan', report });
      } catch {
        /* an unusable report fails the requests that use it, with a clear message */
      }
    }
  }

  /** True when reviews need signature verification first (reviewAsync); otherwise review() does. */
  get verifiesSignatures(): boolean {
    return this.opts.signatures !== undefined && this.policies.set.verifiesImages;
  }

  review(text: string): ReviewOutcome {
    const parsed = parseReview(text);
    if (!parsed.ok) return this.#failure(parsed.reason, parsed.message, parsed.uid, parsed.apiVersion);
    try {
      return this.#skip(parsed) ?? this.#judge(parsed);
    } catch (e) {
      return this.#caught(e, parsed.uid);
    }
  }

  /**
   * review() with the signature verifications the verifyImages rules need for this request (its
   * workload and, with a scan cache, its images' scans) run first, within their budget.
   */
  async reviewAsync(text: string): Promise<ReviewOutcome> {
    const verifier = this.opts.signatures;
    if (!verifier || !this.policies.set.verifiesImages) return this.review(text);
    const parsed = parseReview(text);
    if (!parsed.ok) return this.#failure(parsed.reason, parsed.message, parsed.uid, parsed.apiVersion);
    try {
      const skip = this.#skip(parsed);
      if (skip) return skip;
      const subject = prepareSubject({ type: 'admission', review: parsed.review, owned: true });
      const set = this.policies.set;
      const requests: SignatureRequest[] = set.signatureRequestsFor(subject);
      if (this.cache && scanApplies(subject)) {
        for (const image of new Set(subject.images)) {
          const report = this.cache.lookup(image);
          if (report) requests.push(...set.signatureRequests({ type: 'image-scan', report, context: scanContext(subject) }));
        }
      }
      if (requests.length === 0) return this.#judge(parsed, subject);
      const { results, stats } = await verifier.verify(requests);
      withSignatures(subject, results, 'admission');
      return { ...this.#judge(parsed, subject, results), signatures: stats };
    } catch (e) {
      return this.#caught(e, parsed.uid);
    }
  }

  #caught(e: unknown, uid: string): ReviewOutcome {
    // Only inline evaluations have a deadline (inline.ts): they are evaluated again on a thread.
    if (e instanceof DeadlineExceededError) throw e;
    if (e instanceof InputTooLargeError) return this.#failure('too_large', e.message, uid);
    if (e instanceof InputError) return this.#failure('invalid_input', e.message, uid);
    return this.#failure('internal', `evaluation failed: ${(e as Error)?.message ?? String(e)}`, uid);
  }

  #failure(reason: FailureReason, message: string, uid: string, apiVersion?: string): ReviewOutcome {
    const mode = this.opts.failurePolicy;
    return {
      body: responseBody(failureResponse(reason, message, uid, mode), apiVersion),
      result: mode === 'ignore' ? 'failed_open' : 'failed_closed',
      failure: reason,
      verdicts: [],
      scanHits: 0,
      scanMisses: 0,
    };
  }

  /** Requests not judged at all: exempt namespaces, and nothing to judge with. */
  #skip(p: ParsedReview): ReviewOutcome | undefined {
    const ns = typeof p.request.namespace === 'string' ? p.request.namespace : '';
    if (ns && this.#exempt.has(ns)) {
      return { body: responseBody({ uid: p.uid, allowed: true }), result: 'skipped', verdicts: [], scanHits: 0, scanMisses: 0 };
    }
    if (this.policies.set.policies.length === 0 && !this.cache) {
      return { body: responseBody({ uid: p.uid, allowed: true }), result: 'allowed', verdicts: [], scanHits: 0, scanMisses: 0 };
    }
    return undefined;
  }

  #judge(p: ParsedReview, prepared?: Subject, signatures?: SignatureResult[]): ReviewOutcome {
    const now = this.opts.now?.() ?? new Date();
    const subject = prepared ?? prepareSubject({ type: 'admission', review: p.review, owned: true });
    const verdicts = this.policies.set.evaluateSubject(subject, { now });
    const scans = { hits: 0, misses: 0 };
    if (this.cache && scanApplies(subject)) this.#imageVerdicts(subject, verdicts, now, scans, signatures);
    const response = toResponse(p.uid, verdicts);
    const result: ReviewResult = !response.allowed ? 'denied' : response.warnings?.length ? 'warned' : 'allowed';
    return {
      body: responseBody(response),
      result,
      verdicts: verdicts.map((v) => `${v.policy}\t${v.action}\t${v.result}`),
      scanHits: scans.hits,
      scanMisses: scans.misses,
    };
  }

  #imageVerdicts(subject: Subject, out: Verdict[], now: Date, scans: { hits: number; misses: number }, signatures?: SignatureResult[]): void {
    const set = this.policies.set;
    const context = scanContext(subject);
    for (const image of new Set(subject.images)) {
      const report = this.cache!.lookup(image);
      if (report) {
        scans.hits++;
        for (const v of set.evaluate({ type: 'image-scan', report, context, signatures }, { now })) out.push(forImage(v, image));
        continue;
      }
      scans.misses++;
      const resource = { kind: subject.kind, name: subject.name, namespace: subject.namespace, image };
      if (this.opts.missingScan !== 'allow') {
        out.push({
          policy: SCAN_REQUIRED_POLICY, validation: 'scanCached', result: 'fail', action: this.opts.missingScan, severity: 'MEDIUM',
          message: `image ${image}: no scan result in the scan cache`, failurePolicy: 'Fail', violated: true, resource,
        });
      }
      this.#requiredScans(set, subject, image, resource, out);
    }
  }

  /** Policies annotated triad.dev/require-scan are violated by an image they apply to that has no scan. */
  #requiredScans(set: CompiledPolicySet, subject: Subject, image: string, resource: Verdict['resource'], out: Verdict[]): void {
    if (this.policies.requireScan.size === 0) return;
    const probe: Subject = {
      kind: 'ImageScan', name: subject.name, namespace: subject.namespace, labels: subject.labels, operation: 'CREATE', subresource: '',
      image, images: [image], resource, vars: {},
    };
    for (const p of set.policies) {
      if (!this.policies.requireScan.has(p.spec.name) || !p.match(probe)) continue;
      out.push({
        policy: p.spec.name, validation: 'scanRequired', result: 'fail', action: p.spec.action, severity: p.spec.severity,
        message: `image ${image}: no scan result in the scan cache, and this policy requires one`, failurePolicy: p.spec.failurePolicy, violated: true, resource,
      });
    }
  }
}

/** What an image-scan input knows of the workload that runs the image. */
function scanContext(s: Subject) {
  return { namespace: s.namespace, kind: s.kind, name: s.name, labels: s.labels };
}

/** Scans matter where containers are about to run: workload creation and change, ephemeral containers. */
function scanApplies(s: Subject): boolean {
  return (s.operation === 'CREATE' || s.operation === 'UPDATE') && (s.subresource === '' || s.subresource === 'ephemeralcontainers') && WORKLOAD_KINDS.has(s.kind) && s.images.length > 0;
}

function forImage(v: Verdict, image: string): Verdict {
  const text = v.message ?? v.error;
  return { ...v, message: text === undefined ? undefined : `image ${image}: ${text}`, resource: { ...v.resource, image } };
}

const label = (v: Verdict) => `[${v.policy}${v.validation ? `/${v.validation}` : ''}]`;
const describe = (v: Verdict) => `${label(v)} ${v.message ?? 'failed'}${v.result === 'error' && v.error ? ` (${v.error})` : ''}`;

function toResponse(uid: string, verdicts: Verdict[]): AdmissionResponse {
  const d = decide(verdicts);
  const r: AdmissionResponse = { uid, allowed: d.allowed };
  if (!d.allowed) {
    const n = d.denials.length;
    r.status = { code: 403, reason: 'Forbidden', message: truncate(`denied by Triad policy (${n} violation${n === 1 ? '' : 's'}): ${d.denials.map(describe).join('; ')}`, MAX_MESSAGE) };
  }
  if (d.warnings.length) {
    const w = d.warnings.slice(0, MAX_WARNINGS).map((v) => truncate(describe(v), MAX_WARNING));
    if (d.warnings.length > MAX_WARNINGS) w[MAX_WARNINGS - 1] = `… and ${d.warnings.length - MAX_WARNINGS + 1} more warnings`;
    r.warnings = w;
  }
  const ann = new Map<string, string[]>();
  const note = (key: string, text: string) => {
    const k = annotationKey(key);
    const list = ann.get(k) ?? [];
    list.push(text);
    ann.set(k, list);
  };
  for (const v of d.audits) note(`audit.${v.policy}`, describe(v));
  for (const v of d.exemptions) {
    const e = v.exception!;
    note(`exempt.${v.policy}`, `${label(v)} exempted by ${e.name} (owner ${e.owner}, expires ${e.expires}, ${e.source})`);
  }
  for (const v of verdicts) {
    if (v.result === 'error' && !v.violated) note(`error.${v.policy}`, `${label(v)} ignored (failurePolicy Ignore): ${v.error ?? v.message ?? ''}`);
    for (const e of v.expiredExceptions ?? []) note(`expired-exception.${v.policy}`, `${e.name} (owner ${e.owner}) expired ${e.expires}`);
  }
  if (ann.size) r.auditAnnotations = Object.fromEntries([...ann].map(([k, list]) => [k, truncate(list.join('; '), MAX_ANNOTATION)]));
  return r;
}
