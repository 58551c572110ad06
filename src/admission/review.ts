// AdmissionReview v1 (admission.k8s.io/v1) as the API server sends it and as it expects the answer:
// reading a request body without trusting it, and writing well-formed responses — including the
// answers given when the request cannot be judged (the failure policy).

export const REVIEW_API = 'admission.k8s.io/v1';
const LEGACY_API = 'admission.k8s.io/v1beta1';

/** Why a request could not be judged; also the `reason` label of the failure metrics. */
export type FailureReason =
  | 'malformed' // not JSON, or not an object
  | 'api_version' // not admission.k8s.io/v1 AdmissionReview
  | 'no_request' // no request, uid, kind or operation
  | 'too_large' // body over the size limit, or input over the engine's limits
  | 'invalid_input' // the engine refused the object (InputError)
  | 'timeout' // evaluation exceeded the time budget
  | 'unavailable' // no evaluator ready (restarting)
  | 'internal'; // a bug: anything else

export type FailurePolicyMode = 'fail' | 'ignore';

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface ParsedReview {
  ok: true;
  uid: string;
  /** The AdmissionReview itself (what the policy engine reads). */
  review: Rec;
  request: Rec;
}

export interface ReviewProblem {
  ok: false;
  reason: FailureReason;
  message: string;
  /** The request uid when it could be read, so that the answer still correlates. */
  uid: string;
  /** Answer in this version (the sender's, when it is one the API server could have sent). */
  apiVersion: string;
}

/** Parses and checks the envelope; the object inside is the policy engine's business. */
export function parseReview(text: string): ParsedReview | ReviewProblem {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return problem('malformed', `request body is not JSON: ${(e as Error).message.slice(0, 200)}`);
  }
  if (!isRec(v)) return problem('malformed', 'request body is not a JSON object');
  const req = isRec(v.request) ? v.request : undefined;
  const uid = req && typeof req.uid === 'string' ? req.uid.slice(0, 256) : '';
  const api = typeof v.apiVersion === 'string' ? v.apiVersion : '';
  if (v.kind !== 'AdmissionReview' || api !== REVIEW_API) {
    const got = `${typeof v.apiVersion === 'string' ? v.apiVersion.slice(0, 80) : '(no apiVersion)'} ${typeof v.kind === 'string' ? v.kind.slice(0, 80) : '(no kind)'}`;
    return problem('api_version', `expected ${REVIEW_API} AdmissionReview, got ${got}`, uid, api === LEGACY_API ? LEGACY_API : REVIEW_API);
  }
  if (!req) return problem('no_request', 'AdmissionReview has no request');
  if (!uid) return problem('no_request', 'AdmissionReview request has no uid');
  if (!isRec(req.kind) || typeof req.kind.kind !== 'string' || !req.kind.kind) return problem('no_request', 'AdmissionReview request has no kind.kind', uid);
  if (typeof req.operation !== 'string' || !req.operation) return problem('no_request', 'AdmissionReview request has no operation', uid);
  return { ok: true, uid, review: v, request: req };
}

function problem(reason: FailureReason, message: string, uid = '', apiVersion = REVIEW_API): ReviewProblem {
  return { ok: false, reason, message, uid, apiVersion };
}

export interface AdmissionStatus {
  code: number;
  reason?: string;
  message: string;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: AdmissionStatus;
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
}

/** The response body: an AdmissionReview with only `response` set. */
export function responseBody(r: AdmissionResponse, apiVersion = REVIEW_API): string {
  const response: Rec = { uid: r.uid, allowed: r.allowed };
  if (r.status) response.status = r.status;
  if (r.warnings?.length) response.warnings = r.warnings;
  if (r.auditAnnotations && Object.keys(r.auditAnnotations).length) response.auditAnnotations = r.auditAnnotations;
  return JSON.stringify({ apiVersion, kind: 'AdmissionReview', response });
}

/** Bad input is the client's fault (400); the rest is ours (500). */
const FAILURE_CODES: Record<FailureReason, number> = {
  malformed: 400, api_version: 400, no_request: 400, too_large: 413, invalid_input: 400, timeout: 504, unavailable: 503, internal: 500,
};

/** metav1.StatusReason of each code. */
const STATUS_REASONS: Record<number, string> = { 400: 'BadRequest', 413: 'RequestEntityTooLarge', 503: 'ServiceUnavailable', 504: 'Timeout', 500: 'InternalError' };

/**
 * The answer when a request cannot be judged. Fail: refused, with the reason in the status;
 * Ignore: allowed, with a warning so that the user knows nothing was checked.
 */
export function failureResponse(reason: FailureReason, message: string, uid: string, mode: FailurePolicyMode): AdmissionResponse {
  const text = `triad admission: ${message}`;
  const auditAnnotations = { failure: `${reason}: ${message}`.slice(0, MAX_ANNOTATION) };
  if (mode === 'ignore') {
    return { uid, allowed: true, warnings: [truncate(`${text} (allowed: failure policy Ignore)`, MAX_WARNING)], auditAnnotations };
  }
  const code = FAILURE_CODES[reason];
  return { uid, allowed: false, status: { code, reason: STATUS_REASONS[code] ?? 'InternalError', message: truncate(`${text} (refused: failure policy Fail)`, MAX_MESSAGE) }, auditAnnotations };
}

/** Kubernetes truncates long warnings and long lists of them; we say so ourselves instead. */
export const MAX_WARNING = 256;
export const MAX_WARNINGS = 20;
export const MAX_MESSAGE = 8192;
export const MAX_ANNOTATION = 2048;

export function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** Audit annotation keys become "<webhook name>/<key>": a qualified name part (≤ 63, alphanumeric ends). */
export function annotationKey(raw: string): string {
  const k = raw.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return k || 'policy';
}

/**
 * The request uid of a body the evaluator could not answer (timeout, too large), so that the failure
 * answer still correlates. The API server writes `request.uid` first; otherwise the body is parsed
 * (only on this failure path, and only when it is complete).
 */
export function uidOf(body: string, complete: boolean): string {
  const m = /"request"\s*:\s*\{\s*"uid"\s*:\s*"([^"\\]{1,256})"/.exec(body.slice(0, 4096));
  if (m) return m[1]!;
  if (!complete) return '';
  try {
    const v = JSON.parse(body) as { request?: { uid?: unknown } };
    return typeof v?.request?.uid === 'string' ? v.request.uid.slice(0, 256) : '';
  } catch {
    return '';
  }
}
