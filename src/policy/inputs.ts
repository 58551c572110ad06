// What a policy sees: the CEL variables and the match facts (kind, namespace, labels, operation)
// for each kind of input — a manifest object, an AdmissionReview request, or an image scan report.
import { toLabels, type Labels } from '../k8s/selector/selector.ts';
import type { ScanReport } from '../model/finding.ts';
import type { PolicyInput, ResourceRef, SignatureResult } from './types.ts';
import { toCelValue, toCelValueInPlace } from './values.ts';
import { describeImageRef } from './image-ref.ts';

export const WORKLOAD_KINDS = new Set(['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicaSet', 'ReplicationController']);

export class InputError extends Error {}

/** The facts match rules and exceptions look at, and the CEL variables (without params/variables). */
export interface Subject {
  kind: string;
  name: string;
  namespace: string;
  labels: Labels;
  /** Labels of the namespace object when known (admission with namespaceObject); undefined: unknown. */
  namespaceLabels?: Labels;
  operation: string;
  subresource: string;
  image?: string;
  /** Container images of a workload, or the scanned image. */
  images: string[];
  resource: ResourceRef;
  vars: Record<string, unknown>;
  /** Signature verifications supplied with the input (verifyImages rules look here). */
  signatures?: SignatureResult[];
}

const MAX_SIGNATURE_RESULTS = 1000;

/**
 * CEL `signatures`: image (as written) → {verified, digest, signers, reasons}; an image verified
 * by several rules is verified only when every rule verified it.
 */
function signatureView(results: SignatureResult[] | undefined, where: string): Rec {
  const out: Rec = {};
  if (!Array.isArray(results)) return out;
  if (results.length > MAX_SIGNATURE_RESULTS) throw new InputError(`${where}: more than ${MAX_SIGNATURE_RESULTS} signature results`);
  for (const r of results) {
    if (!isRec(r) || typeof r.image !== 'string') continue;
    const prev = out[r.image] as Rec | undefined;
    const signers = (Array.isArray(r.signers) ? r.signers : []).map((s) => ({ attestor: s.attestor, identity: s.identity, issuer: s.issuer ?? '', signedAt: s.signedAt ?? '' }));
    out[r.image] = {
      verified: r.verified === true && (prev ? prev.verified === true : true),
      digest: r.digest ?? '',
      signers: [...((prev?.signers as unknown[]) ?? []), ...signers],
      reasons: [...((prev?.reasons as unknown[]) ?? []), ...(Array.isArray(r.reasons) ? r.reasons.slice(0, 20) : [])],
    };
  }
  return toCelValue(out, `${where}: signatures`) as Rec;
}

/** Adds the signature results to a prepared subject (CEL `signatures`, and `image.signatures` for scans). */
export function withSignatures(s: Subject, results: SignatureResult[] | undefined, where: string): Subject {
  if (!results) {
    s.vars.signatures = {};
    return s;
  }
  const view = signatureView(results, where);
  s.signatures = results;
  s.vars.signatures = view;
  if (s.kind === 'ImageScan' && isRec(s.vars.image) && s.image !== undefined) {
    const mine = view[s.image] ?? { verified: false, digest: '', signers: [], reasons: ['no signature verification supplied'] };
    s.vars.image = { ...s.vars.image, signatures: mine };
  }
  return s;
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The pod template of a workload: [metadata, spec]; a Pod is its own template. */
function podTemplate(obj: Rec, kind: string): [unknown, unknown] {
  const spec = isRec(obj.spec) ? obj.spec : {};
  if (kind === 'Pod') return [obj.metadata ?? {}, spec];
  let tpl: unknown = spec.template;
  if (kind === 'CronJob') {
    const jt = isRec(spec.jobTemplate) ? spec.jobTemplate : {};
    tpl = isRec(jt.spec) ? jt.spec.template : undefined;
  }
  return isRec(tpl) ? [tpl.metadata ?? {}, tpl.spec ?? {}] : [{}, {}];
}

function workloadVars(object: unknown, kind: string): Rec {
  if (!isRec(object) || !WORKLOAD_KINDS.has(kind)) return { podSpec: null, podMetadata: null, allContainers: [] };
  const [meta, spec] = podTemplate(object, kind);
  const s = isRec(spec) ? spec : {};
  const lists = [s.containers, s.initContainers, s.ephemeralContainers].filter(Array.isArray) as unknown[][];
  return { podSpec: spec, podMetadata: meta, allContainers: lists.flat() };
}

function containerImages(obj: unknown, kind: string): string[] {
  if (!isRec(obj) || !WORKLOAD_KINDS.has(kind)) return [];
  const [, spec] = podTemplate(obj, kind);
  const s = isRec(spec) ? spec : {};
  const lists = [s.containers, s.initContainers, s.ephemeralContainers].filter(Array.isArray) as unknown[][];
  return lists.flat().map((c) => (isRec(c) ? str(c.image) : '')).filter(Boolean);
}

function objectFacts(obj: unknown): { kind: string; name: string; namespace: string; labels: Labels } {
  const o = isRec(obj) ? obj : {};
  const meta = isRec(o.metadata) ? o.metadata : {};
  return { kind: str(o.kind), name: str(meta.name) || str(meta.generateName), namespace: str(meta.namespace), labels: toLabels(meta.labels) };
}

const nsLabels = (ns: unknown): Labels | undefined => (isRec(ns) ? toLabels(isRec(ns.metadata) ? ns.metadata.labels : undefined) : undefined);

function fromObject(input: Extract<PolicyInput, { type: 'object' }>, where: string): Subject {
  if (!isRec(input.object)) throw new InputError(`${where}: not a Kubernetes object (a mapping with kind and metadata)`);
  const f = objectFacts(input.object);
  if (!f.kind) throw new InputError(`${where}: object has no kind`);
  const namespace = f.namespace || input.namespace || '';
  const object = toCelValue(input.object, where) as Rec;
  const oldObject = input.oldObject === undefined ? null : toCelValue(input.oldObject, where);
  const operation = (input.operation ?? (oldObject ? 'UPDATE' : 'CREATE')).toUpperCase();
  const apiVersion = str(input.object.apiVersion);
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  // No API server in CI: `request` is what one would have sent for this object.
  const request = { operation, kind: { group, version, kind: f.kind }, name: f.name, namespace, userInfo: { username: '', groups: [] }, dryRun: false, options: null };
  return {
    ...f,
    namespace,
    namespaceLabels: nsLabels(input.namespaceObject),
    operation,
    subresource: '',
    images: containerImages(input.object, f.kind),
    resource: { kind: f.kind, name: f.name, namespace, file: input.file },
    vars: {
      object,
      oldObject,
      request: toCelValue(request, where),
      namespaceObject: input.namespaceObject === undefined ? null : toCelValue(input.namespaceObject, where),
      ...workloadVars(object, f.kind),
      image: null,
      report: null,
    },
  };
}

function fromAdmission(input: Extract<PolicyInput, { type: 'admission' }>, where: string): Subject {
  const review = input.review;
  const req = isRec(review) && isRec(review.request) ? review.request : isRec(review) && isRec(review.kind) && 'operation' in review ? review : undefined;
  if (!req) throw new InputError(`${where}: not an AdmissionReview (no request)`);
  const kindRec = isRec(req.kind) ? req.kind : {};
  const kind = str(kindRec.kind);
  if (!kind) throw new InputError(`${where}: AdmissionReview request has no kind.kind`);
  const operation = str(req.operation).toUpperCase();
  if (!operation) throw new InputError(`${where}: AdmissionReview request has no operation`);
  const live = req.object ?? req.oldObject;
  const f = objectFacts(live);
  const namespace = str(req.namespace) || f.namespace;
  const name = str(req.name) || f.name;
  const { object: _o, oldObject: _oo, ...attrs } = req;
  const cel = input.owned ? toCelValueInPlace : toCelValue;
  const object = req.object === undefined || req.object === null ? null : cel(req.object, where);
  const oldObject = req.oldObject === undefined || req.oldObject === null ? null : cel(req.oldObject, where);
  return {
    kind,
    name,
    namespace,
    labels: f.labels,
    namespaceLabels: nsLabels(input.namespaceObject),
    operation,
    subresource: str(req.subResource),
    images: containerImages(live, kind),
    resource: { kind, name, namespace, file: input.file },
    vars: {
      object,
      oldObject,
      request: cel(attrs, where),
      namespaceObject: input.namespaceObject === undefined ? null : toCelValue(input.namespaceObject, where),
      ...workloadVars(object ?? oldObject, kind),
      image: null,
      report: null,
    },
  };
}

/** Converted reports, cached by identity: the webhook evaluates one report for many pods. */
const reportCache = new WeakMap<object, { report: unknown; image: Rec }>();

function imageView(report: ScanReport): Rec {
  const inv = report.inventory;
  const img = inv?.image;
  const tags = img?.repoTags ?? [];
  const digests = img?.repoDigests ?? [];
  // A local archive's target is a path: the image's own tag names it better.
  const transport = /^(docker-archive|oci-archive|oci|rootfs):/.test(report.target);
  const ref = transport && tags[0] ? tags[0] : report.target;
  const labels = img?.config?.labels ?? {};
  const base = labels['org.opencontainers.image.base.name'] ?? '';
  const digestFromRepo = digests[0]?.split('@')[1] ?? '';
  const view = describeImageRef(ref);
  return {
    ...view,
    digest: view.digest || digestFromRepo || img?.manifestDigest || '',
    repoTags: tags,
    repoDigests: digests,
    configDigest: img?.configDigest ?? '',
    os: inv?.os ? { family: inv.os.family, version: inv.os.version } : { family: '', version: '' },
    user: img?.config?.user ?? '',
    labels,
    created: img?.config?.created ?? '',
    baseImage: base ? describeImageRef(base) : null,
    scannedAt: report.createdAt,
  };
}

function fromScan(input: Extract<PolicyInput, { type: 'image-scan' }>, where: string): Subject {
  const report = input.report;
  if (!isRec(report) || !Array.isArray((report as unknown as Rec).vulnerabilities) || typeof report.target !== 'string') {
    throw new InputError(`${where}: not a Triad scan report (target, vulnerabilities ...)`);
  }
  let cached = reportCache.get(report);
  if (!cached) {
    const image = toCelValue(imageView(report), where) as Rec;
    cached = { report: toCelValue(report, where), image };
    reportCache.set(report, cached);
  }
  const ctx = input.context ?? {};
  const ref = String(cached.image.ref);
  return {
    kind: 'ImageScan',
    name: ctx.name ?? String(cached.image.name),
    namespace: ctx.namespace ?? '',
    labels: ctx.labels ?? {},
    operation: 'CREATE',
    subresource: '',
    image: ref,
    images: [ref],
    resource: { kind: ctx.kind ?? 'ImageScan', name: ctx.name ?? String(cached.image.name), namespace: ctx.namespace ?? '', image: ref, file: input.file },
    vars: { object: null, oldObject: null, request: null, namespaceObject: null, podSpec: null, podMetadata: null, allContainers: [], image: cached.image, report: cached.report },
  };
}

/** Builds the subject of one input; throws InputError (naming the input) when it is unusable. */
export function prepareSubject(input: PolicyInput): Subject {
  const where = input.file ?? input.type;
  switch (input.type) {
    case 'object':
      return withSignatures(fromObject(input, where), input.signatures, where);
    case 'admission':
      return withSignatures(fromAdmission(input, where), input.signatures, where);
    case 'image-scan':
      return withSignatures(fromScan(input, where), input.signatures, where);
    default:
      throw new InputError(`${where}: unknown input type`);
  }
}
