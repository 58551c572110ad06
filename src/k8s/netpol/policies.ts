// NetworkPolicies (networking.k8s.io/v1) and Cilium's CiliumNetworkPolicy /
// CiliumClusterwideNetworkPolicy, reduced to what coverage needs: which pods a policy selects,
// which directions it isolates, whether it is a default deny, and which of its rules open
// everything.
//
// Kubernetes semantics restated:
// - spec.podSelector is not a pointer: absent = `{}` = every pod of the policy's namespace;
// - policyTypes absent: Ingress always, plus Egress when spec.egress has rules;
// - a selected pod is isolated for a direction as soon as one policy with that type selects it;
//   traffic is then allowed only by the union of the rules;
// - an ingress rule without `from` (or with an empty one) admits every source; likewise `to`.
// Cilium: a policy enforces a direction on the endpoints it selects when it has that section
// (ingress/ingressDeny, egress/egressDeny); `specs` holds several rules in one object.
import { compileSelector, SELECT_NOTHING, type Selector } from '../selector/selector.ts';
import { refOf, type Locate } from '../rbac/model.ts';
import type { ObjectRef } from '../rbac/types.ts';
import { namespaceOf } from './workloads.ts';

export interface NetPolicy {
  ref: ObjectRef;
  /** undefined = cluster-wide (CiliumClusterwideNetworkPolicy). */
  namespace?: string;
  /** Which spec of a Cilium `specs` list (undefined for a single spec). */
  specIndex?: number;
  selector: Selector;
  ingress: boolean;
  egress: boolean;
  ingressRules: number;
  egressRules: number;
  /** Rules that admit any source / reach any destination, described with their index. */
  openIngress: string[];
  openEgress: string[];
}

export interface PolicyIssue {
  object: ObjectRef;
  message: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const ANY_CIDRS = new Set(['0.0.0.0/0', '::/0']);

function portsText(rule: Record<string, unknown>): string {
  const ports = rule.ports;
  if (!Array.isArray(ports) || ports.length === 0) return 'all ports';
  const list = ports
    .filter(isRecord)
    .map((p) => `${p.port ?? '*'}${p.endPort !== undefined ? `-${p.endPort}` : ''}/${p.protocol ?? 'TCP'}`);
  return `port${list.length > 1 ? 's' : ''} ${list.join(', ')}`;
}

/** Why a NetworkPolicy peer list opens a direction to everything (undefined when it does not). */
function openPeers(rule: Record<string, unknown>, peersKey: 'from' | 'to', where: string): string | undefined {
  const peers = rule[peersKey];
  if (peers === undefined || peers === null || (Array.isArray(peers) && peers.length === 0)) {
    return `${where} has no \`${peersKey}\`: ${peersKey === 'from' ? 'any source' : 'any destination'}, ${portsText(rule)}`;
  }
  if (!Array.isArray(peers)) return undefined;
  for (let j = 0; j < peers.length; j++) {
    const p = peers[j];
    if (!isRecord(p)) continue;
    const ip = isRecord(p.ipBlock) ? p.ipBlock : undefined;
    if (ip && typeof ip.cidr === 'string' && ANY_CIDRS.has(ip.cidr)) {
      const except = Array.isArray(ip.except) && ip.except.length > 0 ? ` (except ${ip.except.join(', ')})` : '';
      return `${where}.${peersKey}[${j}] is ipBlock ${ip.cidr}${except}: any address, ${portsText(rule)}`;
    }
    if (isRecord(p.namespaceSelector) && Object.keys(p.namespaceSelector).length === 0) {
      const ps = p.podSelector;
      if (ps === undefined || ps === null || (isRecord(ps) && Object.keys(ps).length === 0)) {
        return `${where}.${peersKey}[${j}] is namespaceSelector {}: every pod in every namespace, ${portsText(rule)}`;
      }
    }
  }
  return undefined;
}

function readNetworkPolicy(obj: Record<string, unknown>, ref: ObjectRef, issues: PolicyIssue[]): NetPolicy[] {
  const spec = isRecord(obj.spec) ? obj.spec : {};
  const sel = compileSelector(spec.podSelector ?? {});
  let selector = SELECT_NOTHING;
  if (sel.ok) selector = sel.selector;
  else issues.push({ object: ref, message: `spec.podSelector: ${sel.error} (the API server rejects this policy; it selects nothing here)` });
  const ingressList = Array.isArray(spec.ingress) ? spec.ingress : [];
  const egressList = Array.isArray(spec.egress) ? spec.egress : [];
  if (spec.ingress !== undefined && spec.ingress !== null && !Array.isArray(spec.ingress)) issues.push({ object: ref, message: 'spec.ingress must be a list' });
  if (spec.egress !== undefined && spec.egress !== null && !Array.isArray(spec.egress)) issues.push({ object: ref, message: 'spec.egress must be a list' });
  let ingress = true;
  let egress = egressList.length > 0;
  if (Array.isArray(spec.policyTypes)) {
    const types = spec.policyTypes.filter((t): t is string => typeof t === 'string');
    for (const t of types) if (t !== 'Ingress' && t !== 'Egress') issues.push({ object: ref, message: `spec.policyTypes: unknown type ${JSON.stringify(t)}` });
    ingress = types.includes('Ingress');
    egress = types.includes('Egress');
  } else if (spec.policyTypes !== undefined && spec.policyTypes !== null) issues.push({ object: ref, message: 'spec.policyTypes must be a list' });
  const openIngress: string[] = [];
  const openEgress: string[] = [];
  if (ingress) ingressList.forEach((r, i) => { if (isRecord(r)) { const why = openPeers(r, 'from', `ingress[${i}]`); if (why) openIngress.push(why); } });
  if (egress) egressList.forEach((r, i) => { if (isRecord(r)) { const why = openPeers(r, 'to', `egress[${i}]`); if (why) openEgress.push(why); } });
  return [{ ref, namespace: namespaceOf(obj), selector, ingress, egress, ingressRules: ingressList.length, egressRules: egressList.length, openIngress, openEgress }];
}

function ciliumOpen(rules: unknown[], dir: 'from' | 'to', name: string): string[] {
  const out: string[] = [];
  rules.forEach((r, i) => {
    if (!isRecord(r)) return;
    const ents = r[`${dir}Entities`];
    if (Array.isArray(ents) && ents.some((e) => e === 'all' || e === 'world')) out.push(`${name}[${i}].${dir}Entities includes ${ents.includes('all') ? 'all' : 'world'}`);
    const cidrs = r[`${dir}CIDR`];
    if (Array.isArray(cidrs) && cidrs.some((c) => typeof c === 'string' && ANY_CIDRS.has(c))) out.push(`${name}[${i}].${dir}CIDR includes ${cidrs.find((c) => ANY_CIDRS.has(c as string))}`);
  });
  return out;
}

function readCiliumSpec(spec: Record<string, unknown>, ref: ObjectRef, namespace: string | undefined, specIndex: number | undefined, issues: PolicyIssue[]): NetPolicy | undefined {
  const where = specIndex === undefined ? 'spec' : `specs[${specIndex}]`;
  if (spec.endpointSelector === undefined && spec.nodeSelector !== undefined) return undefined; // host policy: not about pods
  const sel = compileSelector(spec.endpointSelector);
  if (!sel.ok) {
    issues.push({ object: ref, message: `${where}.endpointSelector: ${sel.error} (selects nothing here)` });
    return undefined;
  }
  if (spec.endpointSelector === undefined || spec.endpointSelector === null) {
    issues.push({ object: ref, message: `${where} has no endpointSelector (Cilium rejects it)` });
    return undefined;
  }
  const list = (k: string) => (Array.isArray(spec[k]) ? (spec[k] as unknown[]) : []);
  const has = (k: string) => spec[k] !== undefined && spec[k] !== null;
  const p: NetPolicy = {
    ref, selector: sel.selector,
    ingress: has('ingress') || has('ingressDeny'),
    egress: has('egress') || has('egressDeny'),
    ingressRules: list('ingress').length, egressRules: list('egress').length,
    openIngress: ciliumOpen(list('ingress'), 'from', `${where}.ingress`),
    openEgress: ciliumOpen(list('egress'), 'to', `${where}.egress`),
  };
  if (namespace !== undefined) p.namespace = namespace;
  if (specIndex !== undefined) p.specIndex = specIndex;
  return p;
}

export function readPolicies(objects: Iterable<unknown>, locate?: Locate): { policies: NetPolicy[]; issues: PolicyIssue[] } {
  const policies: NetPolicy[] = [];
  const issues: PolicyIssue[] = [];
  for (const obj of objects) {
    if (!isRecord(obj) || typeof obj.kind !== 'string') continue;
    if (obj.kind === 'NetworkPolicy' && (typeof obj.apiVersion !== 'string' || obj.apiVersion.startsWith('networking.k8s.io/') || !obj.apiVersion.includes('/'))) {
      const ref = refOf(obj, locate);
      ref.namespace = namespaceOf(obj);
      policies.push(...readNetworkPolicy(obj, ref, issues));
    } else if (obj.kind === 'CiliumNetworkPolicy' || obj.kind === 'CiliumClusterwideNetworkPolicy') {
      const ref = refOf(obj, locate);
      const namespace = obj.kind === 'CiliumNetworkPolicy' ? namespaceOf(obj) : undefined;
      if (namespace) ref.namespace = namespace;
      if (isRecord(obj.spec)) {
        const p = readCiliumSpec(obj.spec, ref, namespace, undefined, issues);
        if (p) policies.push(p);
      }
      if (Array.isArray(obj.specs)) {
        obj.specs.slice(0, 10_000).forEach((s, i) => {
          if (!isRecord(s)) return issues.push({ object: ref, message: `specs[${i}] is not an object` });
          const p = readCiliumSpec(s, ref, namespace, i, issues);
          if (p) policies.push(p);
        });
      }
    }
  }
  return { policies, issues };
}

/** Empty selector, isolates the direction, and has no rule for it: denies that direction by default. */
export function isDefaultDeny(p: NetPolicy, dir: 'ingress' | 'egress'): boolean {
  return p.selector.everything && p[dir] && (dir === 'ingress' ? p.ingressRules : p.egressRules) === 0;
}

export function policySelects(p: NetPolicy, namespace: string, labels: Readonly<Record<string, string>>): boolean {
  if (p.namespace !== undefined && p.namespace !== namespace) return false;
  return p.selector.matches(labels);
}
