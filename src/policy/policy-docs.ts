// Documents → specs: Triad `Policy`, `PolicyException`, `PolicyParams`, and Kubernetes
// `ValidatingAdmissionPolicy` (ported as they are). Every problem is a PolicyLoadError naming the
// file, the line and the policy.
import { dirname, isAbsolute, resolve } from 'node:path';
import { SEVERITIES, type Severity } from '../model/advisory.ts';
import type { Attestor } from '../signature/types.ts';
import { PolicyLoadError, type LoadedDocument } from './documents.ts';
import type { ExceptionSpec, LabelSelectorSpec, MatchSpec, NamedExpression, ParamsSpec, PolicyAction, PolicySpec, ValidationSpec, VerifyImagesRule } from './types.ts';

export const TRIAD_API = 'triad.dev/v1alpha1';
const VAP_API = /^admissionregistration\.k8s\.io\/v1(beta1|alpha1)?$/;
const NAME_RE = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const ACTIONS: readonly PolicyAction[] = ['deny', 'warn', 'audit'];
const DEFAULT_OPERATIONS = ['CREATE', 'UPDATE'];
const ALL_OPERATIONS = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'];
const MAX_VALIDATIONS = 200;

/** Kubernetes resource names (as VAP resourceRules write them) → kinds. */
const RESOURCE_KINDS: Record<string, string> = {
  pods: 'Pod', deployments: 'Deployment', statefulsets: 'StatefulSet', daemonsets: 'DaemonSet', jobs: 'Job',
  cronjobs: 'CronJob', replicasets: 'ReplicaSet', replicationcontrollers: 'ReplicationController',
  services: 'Service', configmaps: 'ConfigMap', secrets: 'Secret', namespaces: 'Namespace', ingresses: 'Ingress',
  networkpolicies: 'NetworkPolicy', serviceaccounts: 'ServiceAccount', roles: 'Role', rolebindings: 'RoleBinding',
  clusterroles: 'ClusterRole', clusterrolebindings: 'ClusterRoleBinding', persistentvolumeclaims: 'PersistentVolumeClaim',
  persistentvolumes: 'PersistentVolume', nodes: 'Node', horizontalpodautoscalers: 'HorizontalPodAutoscaler',
  poddisruptionbudgets: 'PodDisruptionBudget',
};

export type PolicyDocument =
  | { kind: 'policy'; spec: PolicySpec }
  | { kind: 'exception'; spec: ExceptionSpec }
  | { kind: 'params'; spec: ParamsSpec }
  | { kind: 'other'; docKind: string };

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

class Reader {
  readonly doc: LoadedDocument;
  readonly what: string;
  constructor(doc: LoadedDocument, what: string) {
    this.doc = doc;
    this.what = what;
  }
  fail(path: ReadonlyArray<string | number>, msg: string): never {
    throw new PolicyLoadError(`${this.doc.file}:${this.doc.lineOf(path)}: ${this.what}: ${msg}`);
  }
  get(path: ReadonlyArray<string | number>): unknown {
    let v: unknown = this.doc.value;
    for (const k of path) {
      if (typeof k === 'number') v = Array.isArray(v) ? v[k] : undefined;
      else v = isRec(v) && Object.hasOwn(v, k) ? v[k] : undefined;
    }
    return v;
  }
  str(path: ReadonlyArray<string | number>, required = false): string | undefined {
    const v = this.get(path);
    if (v === undefined || v === null) {
      if (required) this.fail(path, `${path.join('.')} is required`);
      return undefined;
    }
    if (typeof v !== 'string') this.fail(path, `${path.join('.')} must be a string`);
    return v;
  }
  list(path: ReadonlyArray<string | number>): unknown[] {
    const v = this.get(path);
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) this.fail(path, `${path.join('.')} must be a list`);
    return v;
  }
  strings(path: ReadonlyArray<string | number>): string[] {
    return this.list(path).map((x, i) => {
      if (typeof x !== 'string') this.fail([...path, i], `${path.join('.')}[${i}] must be a string`);
      return x;
    });
  }
  severity(path: ReadonlyArray<string | number>): Severity | undefined {
    const s = this.str(path)?.toUpperCase();
    if (s === undefined) return undefined;
    if (!(SEVERITIES as readonly string[]).includes(s)) this.fail(path, `severity must be one of ${SEVERITIES.join(', ')}`);
    return s as Severity;
  }
  selector(path: ReadonlyArray<string | number>): LabelSelectorSpec | undefined {
    const v = this.get(path);
    if (v === undefined || v === null) return undefined;
    if (!isRec(v)) this.fail(path, `${path.join('.')} must be a label selector`);
    return v as LabelSelectorSpec;
  }
  /** Line of an expression's first character (block scalars start on the next line). */
  exprLine(path: ReadonlyArray<string | number>): number {
    return this.doc.lineOf(path) + (this.doc.isBlockScalar(path) ? 1 : 0);
  }
  named(path: ReadonlyArray<string | number>, label: string): NamedExpression[] {
    const seen = new Set<string>();
    return this.list(path).map((_, i) => {
      const name = this.str([...path, i, 'name'], true)!;
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) this.fail([...path, i, 'name'], `${label} name ${JSON.stringify(name)} must be a CEL identifier`);
      if (seen.has(name)) this.fail([...path, i, 'name'], `duplicate ${label} ${name}`);
      seen.add(name);
      return { name, expression: this.str([...path, i, 'expression'], true)!, line: this.exprLine([...path, i, 'expression']) };
    });
  }
}

function globs(r: Reader, path: string[]): { include: string[]; exclude: string[] } {
  const v = r.get(path);
  if (Array.isArray(v)) return { include: r.strings(path), exclude: [] };
  return { include: r.strings([...path, 'include']), exclude: r.strings([...path, 'exclude']) };
}

function readValidations(r: Reader, path: string[], policySeverity: Severity, allowEmpty = false): ValidationSpec[] {
  const list = r.list(path);
  if (list.length === 0 && !allowEmpty) r.fail(path, 'at least one validation (or verifyImages rule) is required');
  if (list.length > MAX_VALIDATIONS) r.fail(path, `more than ${MAX_VALIDATIONS} validations`);
  const seen = new Set<string>();
  return list.map((_, i) => {
    const p = [...path, i];
    const name = r.str([...p, 'name']) ?? `#${i + 1}`;
    if (seen.has(name)) r.fail([...p, 'name'], `duplicate validation name ${name}`);
    seen.add(name);
    return {
      name,
      expression: r.str([...p, 'expression'], true)!,
      message: r.str([...p, 'message']),
      messageExpression: r.str([...p, 'messageExpression']),
      severity: r.severity([...p, 'severity']) ?? policySeverity,
      reason: r.str([...p, 'reason']),
      source: { file: r.doc.file, document: r.doc.index, line: r.doc.lineOf(p) },
      expressionLine: r.exprLine([...p, 'expression']),
      messageExpressionLine: r.get([...p, 'messageExpression']) === undefined ? undefined : r.exprLine([...p, 'messageExpression']),
    };
  });
}

const MAX_VERIFY_RULES = 50;
const MAX_ATTESTORS = 20;

function readAttestor(r: Reader, p: Array<string | number>, i: number): Attestor {
  const name = r.str([...p, 'name']) ?? `attestor-${i + 1}`;
  const key = r.str([...p, 'publicKey']);
  const keyless = r.get([...p, 'keyless']);
  if ((key === undefined) === (keyless === undefined || keyless === null)) r.fail(p, `attestor ${name}: give exactly one of publicKey or keyless`);
  if (key !== undefined) {
    if (!key.includes('-----BEGIN PUBLIC KEY-----')) r.fail([...p, 'publicKey'], `attestor ${name}: publicKey must be a PEM public key`);
    return { type: 'key', name, publicKey: key };
  }
  const k = [...p, 'keyless'];
  const root = r.str([...k, 'trustedRoot']);
  const a: Attestor = {
    type: 'keyless',
    name,
    issuer: r.str([...k, 'issuer']),
    issuerRegExp: r.str([...k, 'issuerRegExp']),
    subject: r.str([...k, 'subject']),
    subjectRegExp: r.str([...k, 'subjectRegExp']),
    // Relative to the policy file, so a policy directory carries its own roots.
    trustedRoot: root === undefined ? undefined : isAbsolute(root) ? root : resolve(dirname(r.doc.file), root),
  };
  if (a.subject === undefined && a.subjectRegExp === undefined) r.fail(k, `attestor ${name}: keyless needs subject or subjectRegExp`);
  if (a.issuer === undefined && a.issuerRegExp === undefined) r.fail(k, `attestor ${name}: keyless needs issuer or issuerRegExp`);
  for (const f of ['subjectRegExp', 'issuerRegExp'] as const) {
    const re = a[f];
    if (re === undefined) continue;
    try {
      new RegExp(re);
    } catch (e) {
      r.fail([...k, f], `attestor ${name}: ${f} is not a valid regular expression (${(e as Error).message})`);
    }
  }
  return a;
}

function readVerifyImages(r: Reader, path: string[]): VerifyImagesRule[] {
  const list = r.list(path);
  if (list.length > MAX_VERIFY_RULES) r.fail(path, `more than ${MAX_VERIFY_RULES} verifyImages rules`);
  const seen = new Set<string>();
  return list.map((_, i) => {
    const p = [...path, i];
    const name = r.str([...p, 'name']) ?? `verifyImages#${i + 1}`;
    if (seen.has(name)) r.fail([...p, 'name'], `duplicate verifyImages rule ${name}`);
    seen.add(name);
    const attestors = r.list([...p, 'attestors']).map((_, j) => readAttestor(r, [...p, 'attestors', j], j));
    if (attestors.length === 0) r.fail([...p, 'attestors'], `verifyImages ${name}: at least one attestor is required`);
    if (attestors.length > MAX_ATTESTORS) r.fail([...p, 'attestors'], `verifyImages ${name}: more than ${MAX_ATTESTORS} attestors`);
    if (new Set(attestors.map((a) => a.name)).size !== attestors.length) r.fail([...p, 'attestors'], `verifyImages ${name}: attestor names must be distinct`);
    const req = r.get([...p, 'required']) ?? 1;
    if (typeof req !== 'number' || !Number.isInteger(req) || req < 1 || req > attestors.length) r.fail([...p, 'required'], `verifyImages ${name}: required must be an integer from 1 to the number of attestors (${attestors.length})`);
    const images = r.strings([...p, 'images']);
    return { name, images: images.length ? images : ['*'], attestors, required: req as number, line: r.doc.lineOf(p) };
  });
}

function readPolicy(r: Reader, name: string): PolicySpec {
  const severity = r.severity(['spec', 'severity']) ?? 'MEDIUM';
  const action = (r.str(['spec', 'action']) ?? 'deny').toLowerCase();
  if (!(ACTIONS as readonly string[]).includes(action)) r.fail(['spec', 'action'], `action must be one of ${ACTIONS.join(', ')}`);
  const failurePolicy = r.str(['spec', 'failurePolicy']) ?? 'Fail';
  if (failurePolicy !== 'Fail' && failurePolicy !== 'Ignore') r.fail(['spec', 'failurePolicy'], 'failurePolicy must be Fail or Ignore');
  const kinds = r.strings(['spec', 'match', 'kinds']);
  if (kinds.length === 0) r.fail(['spec', 'match'], 'match.kinds is required (kinds, Workload, ImageScan or *)');
  const operations = r.strings(['spec', 'match', 'operations']).map((o) => o.toUpperCase());
  const verifyImages = readVerifyImages(r, ['spec', 'verifyImages']);
  const match: MatchSpec = {
    kinds,
    operations: operations.includes('*') ? ALL_OPERATIONS : operations.length ? operations : DEFAULT_OPERATIONS,
    namespaces: globs(r, ['spec', 'match', 'namespaces']),
    objectSelector: r.selector(['spec', 'match', 'objectSelector']),
    namespaceSelector: r.selector(['spec', 'match', 'namespaceSelector']),
    images: globs(r, ['spec', 'match', 'images']),
    subresources: r.strings(['spec', 'match', 'subresources']),
  };
  return {
    name,
    description: r.str(['spec', 'description']),
    severity,
    action: action as PolicyAction,
    failurePolicy,
    match,
    matchConditions: r.named(['spec', 'matchConditions'], 'match condition'),
    variables: r.named(['spec', 'variables'], 'variable'),
    validations: readValidations(r, ['spec', 'validations'], severity, verifyImages.length > 0),
    params: r.get(['spec', 'params']) ?? null,
    source: { file: r.doc.file, document: r.doc.index, line: r.doc.lineOf([]) },
    ...(verifyImages.length ? { verifyImages } : {}),
  };
}

/** A ValidatingAdmissionPolicy as Kubernetes writes it; bindings are not read (action deny unless annotated). */
function readVap(r: Reader, name: string): PolicySpec {
  const kinds = new Set<string>();
  const ops = new Set<string>();
  const subresources: string[] = [];
  r.list(['spec', 'matchConstraints', 'resourceRules']).forEach((_, i) => {
    for (const res of r.strings(['spec', 'matchConstraints', 'resourceRules', i, 'resources'])) {
      const [base, sub] = res.split('/');
      if (sub) subresources.push(sub);
      if (base === '*') kinds.add('*');
      else if (base && RESOURCE_KINDS[base]) kinds.add(RESOURCE_KINDS[base]);
      else r.fail(['spec', 'matchConstraints', 'resourceRules', i, 'resources'], `resource ${res} has no known kind`);
    }
    for (const op of r.strings(['spec', 'matchConstraints', 'resourceRules', i, 'operations'])) {
      if (op === '*') ALL_OPERATIONS.forEach((o) => ops.add(o));
      else ops.add(op.toUpperCase());
    }
  });
  if (kinds.size === 0) r.fail(['spec', 'matchConstraints'], 'matchConstraints.resourceRules names no resources');
  const annotations = (r.get(['metadata', 'annotations']) ?? {}) as Rec;
  const action = String(annotations['triad.dev/action'] ?? 'deny').toLowerCase();
  if (!(ACTIONS as readonly string[]).includes(action)) r.fail(['metadata', 'annotations'], `triad.dev/action must be one of ${ACTIONS.join(', ')}`);
  const sevText = String(annotations['triad.dev/severity'] ?? 'MEDIUM').toUpperCase();
  const severity = ((SEVERITIES as readonly string[]).includes(sevText) ? sevText : 'MEDIUM') as Severity;
  const failurePolicy = r.str(['spec', 'failurePolicy']) ?? 'Fail';
  if (failurePolicy !== 'Fail' && failurePolicy !== 'Ignore') r.fail(['spec', 'failurePolicy'], 'failurePolicy must be Fail or Ignore');
  return {
    name,
    severity,
    action: action as PolicyAction,
    failurePolicy,
    match: {
      kinds: [...kinds],
      operations: ops.size ? [...ops] : DEFAULT_OPERATIONS,
      namespaces: { include: [], exclude: [] },
      objectSelector: r.selector(['spec', 'matchConstraints', 'objectSelector']),
      namespaceSelector: r.selector(['spec', 'matchConstraints', 'namespaceSelector']),
      images: { include: [], exclude: [] },
      subresources,
    },
    matchConditions: r.named(['spec', 'matchConditions'], 'match condition'),
    variables: r.named(['spec', 'variables'], 'variable'),
    validations: readValidations(r, ['spec', 'validations'], severity),
    params: null,
    source: { file: r.doc.file, document: r.doc.index, line: r.doc.lineOf([]) },
  };
}

function readException(r: Reader, name: string): ExceptionSpec {
  const owner = r.str(['spec', 'owner'], true)!;
  const reason = r.str(['spec', 'reason'], true)!;
  const rawExpires = r.get(['spec', 'expires']);
  if (rawExpires === undefined || rawExpires === null) r.fail(['spec'], 'spec.expires is required (an exception without an end date is a policy change)');
  const expires = rawExpires instanceof Date ? rawExpires.toISOString() : String(rawExpires);
  // A bare date means the whole day (UTC).
  const expiresAt = new Date(/^\d{4}-\d{2}-\d{2}$/.test(expires) ? `${expires}T23:59:59.999Z` : expires);
  if (Number.isNaN(expiresAt.getTime())) r.fail(['spec', 'expires'], `expires ${JSON.stringify(expires)} is not a date (YYYY-MM-DD or RFC 3339)`);
  const policies = r.list(['spec', 'policies']).map((p, i) => {
    if (typeof p === 'string') return { name: p, validations: [] };
    return { name: r.str(['spec', 'policies', i, 'name'], true)!, validations: r.strings(['spec', 'policies', i, 'validations']) };
  });
  if (policies.length === 0) r.fail(['spec', 'policies'], 'spec.policies must name at least one policy');
  const spec: ExceptionSpec = {
    name,
    owner,
    reason,
    expires,
    expiresAt,
    ticket: r.str(['spec', 'ticket']),
    policies,
    namespaces: r.strings(['spec', 'match', 'namespaces']),
    names: r.strings(['spec', 'match', 'names']),
    kinds: r.strings(['spec', 'match', 'kinds']),
    images: r.strings(['spec', 'match', 'images']),
    selector: r.selector(['spec', 'match', 'selector']),
    source: { file: r.doc.file, document: r.doc.index, line: r.doc.lineOf([]) },
  };
  if (!spec.namespaces.length && !spec.names.length && !spec.images.length && !spec.selector) {
    r.fail(['spec', 'match'], 'spec.match must name namespaces, names, images or a selector: an exception for everything is not an exception');
  }
  return spec;
}

/** Reads one document; kinds that are not policy material come back as `other`. */
export function readPolicyDocument(doc: LoadedDocument): PolicyDocument {
  const v = doc.value;
  if (!isRec(v)) throw new PolicyLoadError(`${doc.file}:${doc.lineOf([])}: document ${doc.index + 1}: not a mapping`);
  const kind = typeof v.kind === 'string' ? v.kind : '';
  const api = typeof v.apiVersion === 'string' ? v.apiVersion : '';
  const rawName = isRec(v.metadata) ? v.metadata.name : undefined;
  const what = `${kind || 'document'} ${typeof rawName === 'string' ? JSON.stringify(rawName) : `#${doc.index + 1}`}`;
  const r = new Reader(doc, what);
  const known = (api === TRIAD_API && ['Policy', 'PolicyException', 'PolicyParams'].includes(kind)) || (VAP_API.test(api) && kind === 'ValidatingAdmissionPolicy');
  if (!known) return { kind: 'other', docKind: `${api} ${kind}`.trim() };
  const name = r.str(['metadata', 'name'], true)!;
  if (!NAME_RE.test(name)) r.fail(['metadata', 'name'], `name ${JSON.stringify(name)} must be a DNS subdomain (lower case, digits, - and .)`);
  if (!isRec(v.spec)) r.fail(['spec'], 'spec is required');
  if (kind === 'Policy') return { kind: 'policy', spec: readPolicy(r, name) };
  if (kind === 'ValidatingAdmissionPolicy') return { kind: 'policy', spec: readVap(r, name) };
  if (kind === 'PolicyException') return { kind: 'exception', spec: readException(r, name) };
  return {
    kind: 'params',
    spec: { policy: r.str(['spec', 'policy'], true)!, params: r.get(['spec', 'params']) ?? null, source: { file: doc.file, document: doc.index, line: doc.lineOf([]) } },
  };
}
