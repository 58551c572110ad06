// NetworkPolicy coverage (which pods and namespaces no policy isolates, which policies open
// everything) and exposure (which pods a LoadBalancer/NodePort Service or an Ingress reaches).
import type { CheckMeta, MisconfigFinding } from '../../misconfig/types.ts';
import { formatRef, refOf, type Locate } from '../rbac/model.ts';
import type { ObjectRef } from '../rbac/types.ts';
import { toLabels, type Labels } from '../selector/selector.ts';
import { NETPOL_CHECKS } from './catalog.ts';
import { isDefaultDeny, policySelects, readPolicies, type NetPolicy, type PolicyIssue } from './policies.ts';
import { namespaceOf, podTemplates, type PodTemplate } from './workloads.ts';

export interface NetpolFinding extends MisconfigFinding {
  /** The object the finding is about: workload, namespace, policy, Service or Ingress. */
  object: ObjectRef;
  /** Exposure findings: the Service or Ingress that exposes the workload. */
  exposedBy?: ObjectRef;
}

export interface PodCoverage {
  pod: PodTemplate;
  /** Policies that select the pod, and which of them isolate each direction. */
  selectedBy: NetPolicy[];
  ingressBy: NetPolicy[];
  egressBy: NetPolicy[];
}

export interface NetpolAnalysis {
  pods: PodCoverage[];
  policies: NetPolicy[];
  issues: PolicyIssue[];
  findings: NetpolFinding[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function make(meta: CheckMeta, message: string, object: ObjectRef, exposedBy?: ObjectRef): NetpolFinding {
  const f: NetpolFinding = { checkId: meta.id, title: meta.title, severity: meta.severity, message, target: object.source?.file ?? formatRef(object), object };
  if (object.source?.line !== undefined) f.region = { startLine: object.source.line, endLine: object.source.line };
  if (exposedBy) f.exposedBy = exposedBy;
  return f;
}

function policyName(p: NetPolicy): string {
  return formatRef(p.ref) + (p.specIndex !== undefined ? ` specs[${p.specIndex}]` : '');
}

interface ServiceInfo {
  ref: ObjectRef;
  namespace: string;
  name: string;
  type: string;
  /** undefined = no selector (endpoints managed by hand): no pods known. */
  selector?: Labels;
}

function readServices(objects: Iterable<unknown>, locate: Locate | undefined, issues: PolicyIssue[]): ServiceInfo[] {
  const out: ServiceInfo[] = [];
  for (const obj of objects) {
    if (!isRecord(obj) || obj.kind !== 'Service') continue;
    const ref = refOf(obj, locate);
    const namespace = namespaceOf(obj);
    ref.namespace = namespace;
    const spec = isRecord(obj.spec) ? obj.spec : {};
    const s: ServiceInfo = { ref, namespace, name: ref.name, type: typeof spec.type === 'string' ? spec.type : 'ClusterIP' };
    if (isRecord(spec.selector)) {
      if (Object.keys(spec.selector).length > 0) s.selector = toLabels(spec.selector);
    } else if (spec.selector !== undefined && spec.selector !== null) issues.push({ object: ref, message: 'spec.selector must be a map of labels' });
    out.push(s);
  }
  return out;
}

/** Service names an Ingress routes to (networking.k8s.io/v1 and the old extensions/v1beta1 shape). */
function ingressBackends(spec: Record<string, unknown>): string[] {
  const names = new Set<string>();
  const add = (b: unknown) => {
    if (!isRecord(b)) return;
    if (isRecord(b.service) && typeof b.service.name === 'string') names.add(b.service.name);
    if (typeof b.serviceName === 'string') names.add(b.serviceName);
  };
  add(spec.defaultBackend);
  add(spec.backend);
  if (Array.isArray(spec.rules)) {
    for (const r of spec.rules.slice(0, 10_000)) {
      if (!isRecord(r) || !isRecord(r.http) || !Array.isArray(r.http.paths)) continue;
      for (const p of r.http.paths.slice(0, 10_000)) if (isRecord(p)) add(p.backend);
    }
  }
  return [...names];
}

function hostsOf(spec: Record<string, unknown>): string[] {
  if (!Array.isArray(spec.rules)) return [];
  return spec.rules.filter(isRecord).map((r) => r.host).filter((h): h is string => typeof h === 'string');
}

function selects(selector: Labels, labels: Labels): boolean {
  for (const [k, v] of Object.entries(selector)) if (labels[k] !== v) return false;
  return true;
}

export function analyzeNetworkPolicies(objects: readonly unknown[], locate?: Locate): NetpolAnalysis {
  const { policies, issues } = readPolicies(objects, locate);
  const pods = podTemplates(objects, locate);
  const findings: NetpolFinding[] = [];
  const C = NETPOL_CHECKS;

  // Pods.
  const coverage: PodCoverage[] = pods.map((pod) => {
    const selectedBy = policies.filter((p) => policySelects(p, pod.namespace, pod.labels));
    return { pod, selectedBy, ingressBy: selectedBy.filter((p) => p.ingress), egressBy: selectedBy.filter((p) => p.egress) };
  });
  for (const c of coverage) {
    const who = formatRef(c.pod.owner);
    if (c.selectedBy.length === 0) {
      findings.push(make(C.unselected, `${who}: its pods are selected by no NetworkPolicy (ingress and egress open)`, c.pod.owner));
      continue;
    }
    const names = c.selectedBy.map(policyName).join(', ');
    if (c.ingressBy.length === 0) findings.push(make(C.noIngress, `${who}: selected by ${names}, none of which isolates ingress`, c.pod.owner));
    if (c.egressBy.length === 0) findings.push(make(C.noEgress, `${who}: selected by ${names}, none of which isolates egress`, c.pod.owner));
  }

  // Namespaces: those with pods, Namespace objects, and policies.
  const nsRefs = new Map<string, ObjectRef>();
  for (const obj of objects) {
    if (isRecord(obj) && obj.kind === 'Namespace') {
      const ref = refOf(obj, locate);
      if (ref.name) nsRefs.set(ref.name, ref);
    }
  }
  const namespaces = new Set<string>([...nsRefs.keys(), ...pods.map((p) => p.namespace)]);
  for (const ns of [...namespaces].sort()) {
    // A cluster-wide policy speaks for a namespace only when it selects every pod; one selecting
    // `role=frontend` says nothing about the namespace as a whole.
    const inNs = policies.filter((p) => (p.namespace === undefined ? p.selector.everything : p.namespace === ns));
    const ref = nsRefs.get(ns) ?? { kind: 'Namespace', name: ns, source: pods.find((p) => p.namespace === ns)?.owner.source ?? {} };
    if (inNs.length === 0) {
      findings.push(make(C.noPolicyInNamespace, `namespace ${ns} has no NetworkPolicy`, ref));
      continue;
    }
    const missing = (['ingress', 'egress'] as const).filter((d) => !inNs.some((p) => isDefaultDeny(p, d)));
    if (missing.length > 0) findings.push(make(C.noDefaultDeny, `namespace ${ns} has no default-deny policy for ${missing.join(' and ')}`, ref));
  }

  // Policies that open a direction to everything.
  for (const p of policies) {
    for (const why of p.openIngress) findings.push(make(C.openIngress, `${policyName(p)}: ${why}`, p.ref));
    for (const why of p.openEgress) findings.push(make(C.openEgress, `${policyName(p)}: ${why}`, p.ref));
  }

  // Exposure.
  const services = readServices(objects, locate, issues);
  const podsOf = (svc: ServiceInfo) =>
    svc.selector ? pods.filter((p) => p.namespace === svc.namespace && selects(svc.selector!, p.labels)) : [];
  for (const svc of services) {
    if (svc.type !== 'LoadBalancer' && svc.type !== 'NodePort') continue;
    for (const pod of podsOf(svc)) {
      findings.push(make(C.exposedService, `${formatRef(pod.owner)} is exposed outside the cluster by ${svc.type} Service ${svc.namespace}/${svc.name}`, pod.owner, svc.ref));
    }
  }
  for (const obj of objects) {
    if (!isRecord(obj) || obj.kind !== 'Ingress') continue;
    const ref = refOf(obj, locate);
    const ns = namespaceOf(obj);
    ref.namespace = ns;
    const spec = isRecord(obj.spec) ? obj.spec : {};
    const hosts = hostsOf(spec);
    for (const name of ingressBackends(spec)) {
      const svc = services.find((s) => s.namespace === ns && s.name === name);
      if (!svc) continue;
      for (const pod of podsOf(svc)) {
        findings.push(make(C.exposedIngress, `${formatRef(pod.owner)} is exposed through Ingress ${ns}/${ref.name}${hosts.length ? ` (${hosts.join(', ')})` : ''} via Service ${name}`, pod.owner, ref));
      }
    }
  }

  for (const issue of issues) findings.push(make(C.invalid, `${formatRef(issue.object)}: ${issue.message}`, issue.object));
  return { pods: coverage, policies, issues, findings };
}
