// Policies from observed flows: one Kubernetes NetworkPolicy (networking.k8s.io/v1) and/or one
// CiliumNetworkPolicy (cilium.io/v2) per Kubernetes workload, allowing exactly what was observed:
//   ingress  from each observed peer (podSelector, + namespaceSelector when in another namespace;
//            ipBlock /32 or /128 for peers that are not pods and for external networks), on the
//            observed ports;
//   egress   to each observed peer likewise, plus DNS to the cluster resolver, explicitly (the
//            resolver is reached through a Service IP, so the flows alone would not express it);
//   both directions are isolated (policyTypes Ingress and Egress): what was not seen is denied.
// Peers with the same set of ports share one rule. Workloads that cannot be selected (not in
// Kubernetes, or no stable labels) are reported in `skipped` with the reason.
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import type { Flow, FlowEndpoint } from './flows.ts';

export interface GenerateOptions {
  /** Cluster DNS pods (default kube-system, k8s-app=kube-dns); false: no DNS rule. */
  dns?: { namespace: string; labels: Record<string, string> } | false;
  /** Name prefix of generated policies (default "triad-"). */
  namePrefix?: string;
}

export interface GeneratedPolicies {
  /** Plain objects ready for YAML/JSON (NetworkPolicy or CiliumNetworkPolicy). */
  objects: Record<string, unknown>[];
  skipped: { workload: string; reason: string }[];
}

const DEFAULT_DNS = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };
const NS_LABEL = 'kubernetes.io/metadata.name';
const CILIUM_NS = 'k8s:io.kubernetes.pod.namespace';

interface PeerPorts {
  peer: FlowEndpoint;
  ports: Set<string>; // "TCP/80"
}

interface WorkloadFlows {
  w: FlowEndpoint;
  ingress: Map<string, PeerPorts>;
  egress: Map<string, PeerPorts>;
  first: string;
  last: string;
}

function isDnsFlow(f: Flow, dns: GenerateOptions['dns']): boolean {
  if (!dns || f.port !== 53) return false;
  if (f.dst.kind === 'external') return true; // the resolver's Service IP (or a node-local cache)
  return f.dst.kind === 'k8s' && f.dst.namespace === dns.namespace && Object.entries(dns.labels).every(([k, v]) => f.dst.labels?.[k] === v);
}

function collect(flows: Flow[], dns: GenerateOptions['dns']): Map<string, WorkloadFlows> {
  const out = new Map<string, WorkloadFlows>();
  const entry = (w: FlowEndpoint, f: Flow) => {
    let e = out.get(w.key);
    if (!e) out.set(w.key, (e = { w, ingress: new Map(), egress: new Map(), first: f.firstSeen, last: f.lastSeen }));
    if (f.firstSeen < e.first) e.first = f.firstSeen;
    if (f.lastSeen > e.last) e.last = f.lastSeen;
    return e;
  };
  const add = (m: Map<string, PeerPorts>, peer: FlowEndpoint, f: Flow) => {
    let p = m.get(peer.key);
    if (!p) m.set(peer.key, (p = { peer, ports: new Set() }));
    p.ports.add(`${f.protocol}/${f.port}`);
  };
  for (const f of flows) {
    if (f.src.kind === 'k8s' && !isDnsFlow(f, dns)) add(entry(f.src, f).egress, f.dst, f);
    else if (f.src.kind === 'k8s') entry(f.src, f);
    if (f.dst.kind === 'k8s') add(entry(f.dst, f).ingress, f.src, f);
  }
  return out;
}

/** A DNS-1123 subdomain from a workload name, unique within its namespace. */
function policyName(prefix: string, w: FlowEndpoint, used: Set<string>): string {
  let base = `${prefix}${w.name}`.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '').slice(0, 240) || 'triad';
  if (used.has(`${w.namespace}/${base}`)) base = `${base}-${createHash('sha256').update(w.key).digest('hex').slice(0, 8)}`;
  used.add(`${w.namespace}/${base}`);
  return base;
}

function portsOf(set: Set<string>): { protocol: string; port: number }[] {
  return [...set].sort().map((s) => { const [protocol, port] = s.split('/'); return { protocol: protocol!, port: Number(port) }; });
}

function hostCidr(a: string): string {
  return a.includes('/') ? a : a.includes(':') ? `${a}/128` : `${a}/32`;
}

/** Peers grouped by identical port sets, in a stable order. */
function grouped(m: Map<string, PeerPorts>): { peers: FlowEndpoint[]; ports: { protocol: string; port: number }[] }[] {
  const groups = new Map<string, { peers: FlowEndpoint[]; ports: { protocol: string; port: number }[] }>();
  for (const p of [...m.values()].sort((a, b) => a.peer.key.localeCompare(b.peer.key))) {
    const sig = [...p.ports].sort().join(',');
    let g = groups.get(sig);
    if (!g) groups.set(sig, (g = { peers: [], ports: portsOf(p.ports) }));
    g.peers.push(p.peer);
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, g]) => g);
}

function metadata(name: string, ns: string, e: WorkloadFlows): Record<string, unknown> {
  return {
    name,
    namespace: ns,
    labels: { 'app.kubernetes.io/managed-by': 'triad' },
    annotations: { 'triad.dev/observed': `${e.first}/${e.last}`, 'triad.dev/workload': e.w.key },
  };
}

function selectable(e: WorkloadFlows, skipped: GeneratedPolicies['skipped']): boolean {
  if (e.w.kind !== 'k8s' || !e.w.namespace) return false;
  if (!e.w.monitored) {
    // Only its callers were seen: a policy would shut out every caller the agent did not watch.
    skipped.push({ workload: e.w.key, reason: 'only seen as a peer (the agent watched no container of it)' });
    return false;
  }
  if (!e.w.labels || Object.keys(e.w.labels).length === 0) {
    skipped.push({ workload: e.w.key, reason: 'the pods have no stable labels to select them by' });
    return false;
  }
  return true;
}

function skipNonK8s(flows: Flow[], skipped: GeneratedPolicies['skipped']): void {
  const seen = new Set<string>();
  for (const f of flows) for (const e of [f.src, f.dst]) {
    if (e.kind === 'container' && !seen.has(e.key)) {
      seen.add(e.key);
      skipped.push({ workload: e.key, reason: 'not a Kubernetes pod: NetworkPolicies cannot select it (its peers get ipBlock rules for its addresses)' });
    }
  }
}

// ---- Kubernetes NetworkPolicy -----------------------------------------------------------------

function npPeers(peer: FlowEndpoint, ns: string): Record<string, unknown>[] {
  if (peer.kind === 'k8s') {
    const podSelector = { matchLabels: { ...peer.labels } };
    return peer.namespace === ns ? [{ podSelector }] : [{ namespaceSelector: { matchLabels: { [NS_LABEL]: peer.namespace } }, podSelector }];
  }
  return peer.addresses.map((a) => ({ ipBlock: { cidr: hostCidr(a) } }));
}

/**
 * The walk both generators share: workloads a policy can select (the others are listed in `skipped`),
 * in a stable order, each with a policy name unique in its namespace; `build` writes one policy.
 */
function perWorkload(flows: Flow[], opts: GenerateOptions, build: (e: WorkloadFlows, dns: GenerateOptions['dns'], name: string) => Record<string, unknown>): GeneratedPolicies {
  const dns = opts.dns === undefined ? DEFAULT_DNS : opts.dns;
  const skipped: GeneratedPolicies['skipped'] = [];
  const used = new Set<string>();
  const objects: Record<string, unknown>[] = [];
  skipNonK8s(flows, skipped);
  for (const e of [...collect(flows, dns).values()].sort((a, b) => a.w.key.localeCompare(b.w.key))) {
    if (!selectable(e, skipped)) continue;
    objects.push(build(e, dns, policyName(opts.namePrefix ?? 'triad-', e.w, used)));
  }
  return { objects, skipped };
}

export function generateNetworkPolicies(flows: Flow[], opts: GenerateOptions = {}): GeneratedPolicies {
  return perWorkload(flows, opts, (e, dns, name) => {
    const ns = e.w.namespace!;
    const rule = (dir: 'from' | 'to', g: { peers: FlowEndpoint[]; ports: { protocol: string; port: number }[] }) => ({ [dir]: g.peers.flatMap((p) => npPeers(p, ns)), ports: g.ports });
    const ingress = grouped(e.ingress).map((g) => rule('from', g)).filter((r) => (r.from as unknown[]).length > 0);
    const egress = grouped(e.egress).map((g) => rule('to', g)).filter((r) => (r.to as unknown[]).length > 0);
    if (dns) {
      egress.push({
        to: [{ namespaceSelector: { matchLabels: { [NS_LABEL]: dns.namespace } }, podSelector: { matchLabels: { ...dns.labels } } }],
        ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
      });
    }
    return {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: metadata(name, ns, e),
      spec: { podSelector: { matchLabels: { ...e.w.labels } }, policyTypes: ['Ingress', 'Egress'], ingress, egress },
    };
  });
}

// ---- CiliumNetworkPolicy ----------------------------------------------------------------------

function ciliumRules(groups: ReturnType<typeof grouped>, dir: 'from' | 'to'): Record<string, unknown>[] {
  const rules: Record<string, unknown>[] = [];
  for (const g of groups) {
    const toPorts = [{ ports: g.ports.map((p) => ({ port: String(p.port), protocol: p.protocol })) }];
    const endpoints = g.peers.filter((p) => p.kind === 'k8s').map((p) => ({ matchLabels: { ...p.labels, [CILIUM_NS]: p.namespace } }));
    const cidrs = [...new Set(g.peers.filter((p) => p.kind !== 'k8s').flatMap((p) => p.addresses.map(hostCidr)))];
    if (endpoints.length > 0) rules.push({ [`${dir}Endpoints`]: endpoints, toPorts });
    if (cidrs.length > 0) rules.push({ [`${dir}CIDR`]: cidrs, toPorts });
  }
  return rules;
}

export function generateCiliumPolicies(flows: Flow[], opts: GenerateOptions = {}): GeneratedPolicies {
  return perWorkload(flows, opts, (e, dns, name) => {
    const ingress = ciliumRules(grouped(e.ingress), 'from');
    const egress = ciliumRules(grouped(e.egress), 'to');
    if (dns) egress.push({ toEndpoints: [{ matchLabels: { ...dns.labels, [CILIUM_NS]: dns.namespace } }], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }] }] });
    // An empty rule list would leave the direction unenforced; `- {}` enforces it and allows nothing.
    return {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: metadata(name, e.w.namespace!, e),
      spec: { endpointSelector: { matchLabels: { ...e.w.labels } }, ingress: ingress.length > 0 ? ingress : [{}], egress: egress.length > 0 ? egress : [{}] },
    };
  });
}

/** Multi-document YAML, one object per document. */
export function policiesToYaml(objects: Record<string, unknown>[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
}
