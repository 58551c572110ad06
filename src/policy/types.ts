// The policy model: documents as written (YAML, modelled on Kubernetes ValidatingAdmissionPolicy),
// the inputs a policy set evaluates and the verdicts it returns. Plain data.
import type { Severity } from '../model/advisory.ts';
import type { ScanReport } from '../model/finding.ts';
import type { Attestor, ImageVerification } from '../signature/types.ts';

export type { Severity };
export type PolicyAction = 'deny' | 'warn' | 'audit';
export type FailurePolicy = 'Fail' | 'Ignore';

/** Where something was written: file, document index (0-based) and 1-based line. */
export interface SourceRef {
  file: string;
  document: number;
  line: number;
}

/** metav1.LabelSelector. */
export interface LabelSelectorSpec {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

export interface MatchSpec {
  /** Kinds (`Pod`, `Deployment` ...), `Workload` (every workload kind, through its pod template),
   *  `ImageScan` (an image scan report) or `*` (any object). */
  kinds: string[];
  /** Admission operations (CREATE, UPDATE, DELETE, CONNECT); default CREATE and UPDATE. */
  operations: string[];
  /** Namespace globs (`team-*`); an empty include list means every namespace. */
  namespaces: { include: string[]; exclude: string[] };
  objectSelector?: LabelSelectorSpec;
  namespaceSelector?: LabelSelectorSpec;
  /** Image-scan policies: image reference globs (`registry.example.com/*`). */
  images: { include: string[]; exclude: string[] };
  /** Admission subresources the policy also applies to (default: none). */
  subresources: string[];
}

export interface ValidationSpec {
  name: string;
  expression: string;
  message?: string;
  messageExpression?: string;
  severity?: Severity;
  /** Kubernetes reason (Forbidden, Invalid ...), passed through to the webhook. */
  reason?: string;
  source: SourceRef;
  /** Line of the expression itself (for error messages). */
  expressionLine: number;
  messageExpressionLine?: number;
}

export interface NamedExpression {
  name: string;
  expression: string;
  line: number;
}

export interface PolicySpec {
  name: string;
  description?: string;
  severity: Severity;
  action: PolicyAction;
  failurePolicy: FailurePolicy;
  match: MatchSpec;
  matchConditions: NamedExpression[];
  variables: NamedExpression[];
  validations: ValidationSpec[];
  params: unknown;
  source: SourceRef;
  /** Image signature requirements (`spec.verifyImages`); absent when the policy has none. */
  verifyImages?: VerifyImagesRule[];
}

/** `spec.verifyImages[]`: images (globs) that must carry signatures from `required` of `attestors`. */
export interface VerifyImagesRule {
  name: string;
  images: string[];
  attestors: Attestor[];
  required: number;
  line: number;
}

/** One signature verification the caller ran for a policy's verifyImages rule (see src/signature). */
export interface SignatureResult extends ImageVerification {
  policy: string;
  rule: string;
}

/** What the caller must verify before evaluating an input against policies with verifyImages. */
export interface SignatureRequest {
  policy: string;
  rule: string;
  image: string;
  attestors: Attestor[];
  required: number;
}

export interface ExceptionSpec {
  name: string;
  owner: string;
  reason: string;
  /** ISO date or date-time; the exception stops applying after it. */
  expires: string;
  expiresAt: Date;
  ticket?: string;
  /** Policy names (globs) with optional validation names. */
  policies: Array<{ name: string; validations: string[] }>;
  /** Resource criteria, ANDed; each list ORs its entries. At least one is required. */
  namespaces: string[];
  names: string[];
  kinds: string[];
  images: string[];
  selector?: LabelSelectorSpec;
  source: SourceRef;
}

/** Overrides a policy's params without editing the policy (e.g. allowed registries). */
export interface ParamsSpec {
  policy: string;
  params: unknown;
  source: SourceRef;
}

/** What one evaluation looks at. */
export type PolicyInput =
  | {
      type: 'object';
      object: unknown;
      oldObject?: unknown;
      namespaceObject?: unknown;
      /** Namespace to assume when the manifest names none. */
      namespace?: string;
      operation?: string;
      file?: string;
      /** Image signature verifications (for policies with verifyImages, and CEL `signatures`). */
      signatures?: SignatureResult[];
    }
  | {
      type: 'admission';
      review: unknown;
      namespaceObject?: unknown;
      file?: string;
      signatures?: SignatureResult[];
      /**
       * The review was parsed from JSON for this evaluation alone and nothing else reads it
       * afterwards: its objects become the CEL values in place (numbers turn into int) instead
       * of being copied. The admission webhook's hot path; never set it for data kept elsewhere.
       */
      owned?: boolean;
    }
  | {
      type: 'image-scan';
      report: ScanReport;
      /** The workload the image runs in, when known (admission): for match rules and exceptions. */
      context?: { namespace?: string; kind?: string; name?: string; labels?: Record<string, string> };
      file?: string;
      signatures?: SignatureResult[];
    };

/** Which resource a verdict is about. */
export interface ResourceRef {
  kind: string;
  name: string;
  namespace: string;
  image?: string;
  file?: string;
}

export interface AppliedException {
  name: string;
  owner: string;
  reason: string;
  expires: string;
  ticket?: string;
  source: string;
}

export interface Verdict {
  policy: string;
  /** The validation's name; absent on a policy-level verdict (pass, or an error before validations ran). */
  validation?: string;
  /** pass: every validation held; fail: this one did not; error: it could not be evaluated; exempt: failed but an exception applies. */
  result: 'pass' | 'fail' | 'error' | 'exempt';
  action: PolicyAction;
  severity: Severity;
  message?: string;
  error?: string;
  reason?: string;
  failurePolicy: FailurePolicy;
  /** True when the verdict takes effect: a failure, or an error under failurePolicy Fail. */
  violated: boolean;
  resource: ResourceRef;
  /** The exception that exempted this result (audit trail). */
  exception?: AppliedException;
  /** Exceptions that would have applied but have expired: reported, never applied. */
  expiredExceptions?: AppliedException[];
}
