import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContainerInfo, RuntimeEvent } from '../event.ts';
import { HOST_CONTAINER } from '../event.ts';
import { loadManifests, loadManifestText } from '../../k8s/manifest/index.ts';
import { readPolicies } from '../../k8s/netpol/index.ts';
import { hasSharedData, sharedData } from '../../../test/shared-data.ts';
import { accept, connect, type RunClock } from '../baseline/testing.ts';
import { FlowMap, describeFlow, type Flow } from './flows.ts';
import { generateCiliumPolicies, generateNetworkPolicies, policiesToYaml } from './generate.ts';
import { dryRun } from './dryrun.ts';
import { cidrOf, parseIp } from './ip.ts';

function pod(ns: string, podName: string, labels: Record<string, string>, image: string): ContainerInfo {
  return { id: podName.padEnd(64, '0'), name: `k8s_app_${podName}`, image, runtime: 'containerd', k8s: { namespace: ns, pod: podName, labels } };
}

// A small shop: web (Deployment) → api (Deployment) → db (StatefulSet); web → an external API and
// a plain Docker container; prometheus (another namespace) scrapes web; everyone resolves names.
const web = pod('shop', 'web-7d9f8c6b5-x2kqz', { app: 'web', tier: 'front', 'pod-template-hash': '7d9f8c6b5' }, 'shop/web:1.4');
const web2 = pod('shop', 'web-7d9f8c6b5-p9zzt', { app: 'web', tier: 'front', 'pod-template-hash': '7d9f8c6b5' }, 'shop/web:1.4');
const api = pod('shop', 'api-5c8d7f-abcde', { app: 'api', 'pod-template-hash': '5c8d7f' }, 'shop/api:2.0');
const db = pod('shop', 'db-0', { app: 'db', 'statefulset.kubernetes.io/pod-name': 'db-0', 'controller-revision-hash': 'db-6f7' }, 'postgres:16');
const prom = pod('monitoring', 'prometheus-0', { app: 'prometheus', 'statefulset.kubernetes.io/pod-name': 'prometheus-0' }, 'prom/prometheus:v2');
const legacy: ContainerInfo = { id: 'l'.repeat(64), name: 'legacy-billing', image: 'billing:0.9', runtime: 'docker' };
const IPS: Record<string, ContainerInfo> = { '10.0.1.10': web, '10.0.1.11': web2, '10.0.1.20': api, '10.0.1.30': db, '10.0.9.5': prom, '172.17.0.5': legacy };

function observedEvents(clock: RunClock): RuntimeEvent[] {
  const ev: RuntimeEvent[] = [];
  for (let i = 0; i < 5; i++) {
    for (const [w, ip] of [[web, '10.0.1.10'], [web2, '10.0.1.11']] as const) {
      ev.push({ ...connect(clock, w, 100, 'web', '10.0.1.20', 8080), net: { family: 'ipv4', protocol: 'tcp', localAddr: ip, localPort: 40000 + i, remoteAddr: '10.0.1.20', remotePort: 8080 } });
      ev.push(accept(clock, api, 200, 'api', ip, 40000 + i, 8080));
      ev.push(connect(clock, w, 100, 'web', '10.96.0.10', 53, 'udp'));
    }
    ev.push(connect(clock, api, 200, 'api', '10.0.1.30', 5432));
    ev.push(accept(clock, db, 300, 'postgres', '10.0.1.20', 50000 + i, 5432));
    ev.push(connect(clock, web, 100, 'web', '93.184.216.34', 443));
    ev.push(connect(clock, web, 100, 'web', '172.17.0.5', 8080));
    ev.push(connect(clock, prom, 400, 'prometheus', '10.0.1.10', 9090));
    ev.push(accept(clock, web, 100, 'web', '10.0.9.5', 33000 + i, 9090));
  }
  // Not flows: loopback, unix sockets, the host's own connections, failed connects, other events.
  ev.push(connect(clock, api, 200, 'api', '127.0.0.1', 6379));
  ev.push({ ...connect(clock, api, 200, 'api', '0.0.0.0', 1), net: { family: 'unix', path: '/run/x.sock' } });
  ev.push(connect(clock, HOST_CONTAINER, 1, 'kubelet', '10.0.1.10', 9090));
  ev.push({ ...connect(clock, web, 100, 'web', '10.0.1.20', 8080), ret: -111 });
  return ev;
}

// The cluster resolver's Service as every cluster has it: connections to 10.96.0.10 reach kube-dns pods.
const KUBE_DNS_SERVICE = loadManifestText(`apiVersion: v1
kind: Service
metadata: {name: kube-dns, namespace: kube-system, labels: {k8s-app: kube-dns}}
spec:
  clusterIP: 10.96.0.10
  selector: {k8s-app: kube-dns}
  ports: [{name: dns, port: 53, protocol: UDP}, {name: dns-tcp, port: 53, protocol: TCP}]
`, 'kube-dns.yaml').objects.map((o) => o.raw);

function observedFlows(): { map: FlowMap; flows: Flow[] } {
  const map = new FlowMap({ containerOf: (ip) => IPS[ip] });
  for (const e of observedEvents({ t: Date.parse('2025-05-01T10:00:00Z') })) map.record(e);
  return { map, flows: map.flows() };
}

test('flows: workloads (not pods or IPs), both sides of a connection counted once, non-flows skipped', () => {
  const { map, flows } = observedFlows();
  const lines = flows.map(describeFlow).sort();
  assert.deepEqual(lines, [
    'monitoring/prometheus → shop/web 9090/TCP ×5',
    'shop/api → shop/db 5432/TCP ×5',
    'shop/web → 10.96.0.10/32 53/UDP ×10',
    'shop/web → 93.184.216.34/32 443/TCP ×5',
    'shop/web → legacy-billing 8080/TCP ×5',
    'shop/web → shop/api 8080/TCP ×10',
  ]);
  assert.equal(map.stats.ignored, 4);
  const webApi = flows.find((f) => f.dst.name === 'api')!;
  assert.equal(webApi.egressSeen, 10);
  assert.equal(webApi.ingressSeen, 10);
  assert.deepEqual(webApi.src.labels, { app: 'web', tier: 'front' }, 'per-revision labels are not part of the identity');
  assert.deepEqual(webApi.src.addresses.sort(), ['10.0.1.10', '10.0.1.11']);
  assert.ok(webApi.firstSeen < webApi.lastSeen);
});

test('generated NetworkPolicies: valid manifests; dry-run allows every observed flow and blocks a new one', async (t) => {
  const { flows } = observedFlows();
  const { objects, skipped } = generateNetworkPolicies(flows);
  assert.deepEqual(objects.map((o) => `${(o.metadata as { namespace: string }).namespace}/${(o.metadata as { name: string }).name}`).sort(), ['monitoring/triad-prometheus', 'shop/triad-api', 'shop/triad-db', 'shop/triad-web']);
  assert.deepEqual(skipped.map((s) => s.workload), ['container:legacy-billing']);
  const yaml = policiesToYaml(objects);
  const loaded = loadManifestText(yaml, 'generated.yaml');
  assert.deepEqual(loaded.errors, []);
  assert.equal(loaded.objects.length, 4);
  assert.deepEqual(readPolicies(loaded.objects.map((o) => o.raw)).issues, []);
  const webPolicy = loaded.objects.find((o) => o.metadata.name === 'triad-web')!.raw as { spec: { ingress: unknown[]; egress: unknown[] } };
  assert.deepEqual(webPolicy.spec.ingress, [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { app: 'prometheus' } } }], ports: [{ protocol: 'TCP', port: 9090 }] }]);
  assert.ok(webPolicy.spec.egress.some((r) => JSON.stringify(r).includes('"cidr":"172.17.0.5/32"')), 'a plain container peer becomes an ipBlock');
  assert.ok(webPolicy.spec.egress.some((r) => JSON.stringify(r).includes('"k8s-app":"kube-dns"')), 'DNS is allowed explicitly');
  assert.ok(!JSON.stringify(webPolicy.spec.egress).includes('10.96.0.10'), 'the resolver Service IP is covered by the DNS rule');

  // Without the resolver's Service, 10.96.0.10 is just an address that no rule names.
  assert.deepEqual(dryRun(loaded.objects.map((o) => o.raw), flows).blocked.map((v) => v.flow.dst.name), ['10.96.0.10/32']);
  const r = dryRun([...loaded.objects.map((o) => o.raw), ...KUBE_DNS_SERVICE], flows);
  assert.deepEqual(r.issues, []);
  assert.deepEqual(r.blocked.map((v) => v.reason), []);
  assert.equal(r.unknown.length, 0);
  assert.equal(r.verdicts.length, flows.length);

  // New traffic: web straight to the database, and api to a new external host.
  const clock = { t: Date.parse('2025-05-02T00:00:00Z') };
  const later = new FlowMap({ containerOf: (ip) => IPS[ip] });
  later.record(connect(clock, web, 100, 'web', '10.0.1.30', 5432));
  later.record(accept(clock, db, 300, 'postgres', '10.0.1.10', 41000, 5432));
  later.record(connect(clock, api, 200, 'api', '203.0.113.9', 443));
  later.record(connect(clock, api, 200, 'api', '10.0.1.30', 5432)); // known: still allowed
  const r2 = dryRun(loaded.objects.map((o) => o.raw), later.flows());
  assert.deepEqual(r2.blocked.map((v) => `${describeFlow(v.flow)} @${v.direction}`).sort(), ['shop/api → 203.0.113.9/32 443/TCP ×1 @egress', 'shop/web → shop/db 5432/TCP ×1 @egress']);
  assert.equal(r2.blocked[0]!.policies.length, 1);
  assert.equal(r2.blockedConnections, 2);

  const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  if (kubectl.status !== 0) return t.skip('kubectl is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'triad-netpol-'));
  try {
    writeFileSync(join(dir, 'p.yaml'), yaml);
    // kubectl's client-side decoding without an API server (create --dry-run=client needs discovery).
    const out = spawnSync('kubectl', ['annotate', '--local', '-f', join(dir, 'p.yaml'), '-o', 'yaml', 'triad.dev/checked=yes'], { encoding: 'utf8' });
    assert.equal(out.status, 0, out.stderr);
    const back = loadManifestText(out.stdout, 'kubectl-output.yaml').objects;
    assert.equal(back.length, 4);
    assert.deepEqual(back.map((o) => o.raw.spec), objects.map((o) => o.spec));
    assert.ok(back.every((o) => o.metadata.annotations?.['triad.dev/checked'] === 'yes'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('generated CiliumNetworkPolicies: same verdicts as the Kubernetes ones', () => {
  const { flows } = observedFlows();
  const { objects } = generateCiliumPolicies(flows);
  const loaded = loadManifestText(policiesToYaml(objects), 'cnp.yaml');
  assert.deepEqual(loaded.errors, []);
  const raws = loaded.objects.map((o) => o.raw);
  assert.deepEqual(readPolicies(raws).issues, []);
  const web = raws.find((o) => (o.metadata as { name: string }).name === 'triad-web') as { spec: Record<string, unknown> };
  assert.deepEqual(web.spec.endpointSelector, { matchLabels: { app: 'web', tier: 'front' } });
  assert.ok(JSON.stringify(web.spec.egress).includes('"toCIDR":["93.184.216.34/32"]'));
  const r = dryRun([...raws, ...KUBE_DNS_SERVICE], flows);
  assert.deepEqual(r.issues, []);
  assert.deepEqual(r.blocked.map((v) => v.reason), []);
  const clock = { t: Date.parse('2025-05-02T00:00:00Z') };
  const later = new FlowMap({ containerOf: (ip) => IPS[ip] });
  later.record(connect(clock, web2, 100, 'web', '10.0.1.30', 5432));
  later.record(connect(clock, prom, 400, 'prometheus', '10.0.1.20', 9090));
  later.record(connect(clock, legacy, 500, 'billing', '10.0.1.20', 8080)); // no policy of its own: api's ingress decides
  assert.deepEqual(dryRun(raws, later.flows()).blocked.map((v) => `${v.flow.src.name}→${v.flow.dst.name} @${v.direction}`).sort(), ['legacy-billing→api @ingress', 'prometheus→api @egress', 'web→db @egress']);
  // Nothing observed inbound: ingress is still enforced, with a rule that allows nothing.
  const db = raws.find((o) => (o.metadata as { name: string }).name === 'triad-api') as { spec: Record<string, unknown> };
  assert.ok(Array.isArray(db.spec.ingress));
});

test('dry-run of real third-party policies (kubescape regolibrary inputs)', async (t) => {
  const base = 'k8s/regolibrary/rules/ingress-and-egress-blocked/test';
  if (!hasSharedData(base)) return t.skip('shared data absent');
  const load = async (dir: string) => (await loadManifests([sharedData(base, dir, 'input')])).objects.map((o) => o.raw);
  const a = pod('my-ns', 'test', { role: 'frontend' }, 'test:latest');
  const b = pod('my-ns', 'other', { role: 'backend' }, 'test:latest');
  const ips: Record<string, ContainerInfo> = { '10.2.0.1': a, '10.2.0.2': b };
  const clock = { t: Date.parse('2025-06-01T00:00:00Z') };
  const map = new FlowMap({ containerOf: (ip) => ips[ip] });
  map.record(connect(clock, a, 1, 'x', '10.2.0.2', 80));
  map.record(connect(clock, a, 1, 'x', '198.51.100.1', 443));
  map.record(connect(clock, b, 1, 'x', '10.2.0.1', 80));
  const flows = map.flows();
  const verdicts = (objs: unknown[]) => dryRun(objs, flows).verdicts.map((v) => `${v.flow.src.name}→${v.flow.dst.name}:${v.verdict}${v.direction ? `@${v.direction}` : ''}`).sort();
  // Default deny in both directions: everything blocked at the source's egress.
  assert.deepEqual(verdicts(await load('default-policy')), ['other→test:blocked@egress', 'test→198.51.100.1/32:blocked@egress', 'test→other:blocked@egress']);
  // Ingress-only NetworkPolicy + Cilium egress to endpoints of the namespace.
  assert.deepEqual(verdicts(await load('mixed-np-cnp')), ['other→test:blocked@ingress', 'test→198.51.100.1/32:blocked@egress', 'test→other:blocked@ingress']);
  // Cilium: in-namespace endpoints both ways; the world is not an endpoint.
  assert.deepEqual(verdicts(await load('cnp-ingress-egress')), ['other→test:allowed', 'test→198.51.100.1/32:blocked@egress', 'test→other:allowed']);
  // Selects only role=frontend: the backend pod is unrestricted.
  assert.deepEqual(verdicts(await load('cnp-match-expressions-selective-failed')), ['other→test:allowed', 'test→198.51.100.1/32:blocked@egress', 'test→other:allowed']);
});

test('dry-run semantics: ipBlock except, namespace labels, named ports, endPort, hostile policies', () => {
  const a = pod('team-a', 'client', { app: 'client' }, 'c:1');
  const s = pod('team-b', 'server', { app: 'server' }, 's:1');
  const clock = { t: Date.parse('2025-06-01T00:00:00Z') };
  const map = new FlowMap({ containerOf: (ip) => (ip === '10.3.0.2' ? s : undefined) });
  map.record(connect(clock, a, 1, 'x', '10.3.0.2', 8443));
  map.record(connect(clock, a, 1, 'x', '192.168.5.7', 443));
  map.record(connect(clock, a, 1, 'x', '192.168.9.9', 443));
  const flows = map.flows();
  const policy = (egress: unknown) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'team-a' }, spec: { podSelector: { matchLabels: { app: 'client' } }, policyTypes: ['Egress'], egress } });
  const v = (objs: unknown[], opts = {}) => dryRun(objs, flows, opts).verdicts.map((x) => `${x.flow.dst.name}:${x.verdict}`).sort();
  assert.deepEqual(v([policy([{ to: [{ ipBlock: { cidr: '192.168.0.0/16', except: ['192.168.9.0/24'] } }] }])]), ['192.168.5.7/32:allowed', '192.168.9.9/32:blocked', 'server:blocked']);
  const bySelector = policy([{ to: [{ namespaceSelector: { matchLabels: { env: 'prod' } } }], ports: [{ port: 8000, endPort: 9000 }] }]);
  assert.deepEqual(v([bySelector]), ['192.168.5.7/32:blocked', '192.168.9.9/32:blocked', 'server:blocked']);
  assert.deepEqual(v([bySelector], { namespaceLabels: { 'team-b': { env: 'prod' } } }), ['192.168.5.7/32:blocked', '192.168.9.9/32:blocked', 'server:allowed']);
  assert.deepEqual(v([policy([{ to: [{ podSelector: {}, namespaceSelector: {} }], ports: [{ port: 'https' }] }])]), ['192.168.5.7/32:blocked', '192.168.9.9/32:blocked', 'server:unknown']);
  const hostile = [
    policy([{ to: [{ ipBlock: { cidr: 'not-a-cidr' } }] }, { to: [{ podSelector: { matchExpressions: [{ key: 'a', operator: 'Bogus' }] } }] }, 'junk', null]),
    { kind: 'NetworkPolicy', metadata: { name: 'q', namespace: 'team-a' }, spec: { podSelector: 'everything' } },
    { kind: 'CiliumNetworkPolicy', metadata: { name: 'c', namespace: 'team-a' }, spec: { endpointSelector: { matchLabels: { 'k8s:app': 'client' } }, egress: [{ toCIDRSet: [{ cidr: 5 }] }, { toEntities: ['world'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }] } },
    { kind: 'CiliumNetworkPolicy', metadata: { name: 'd', namespace: 'team-a' }, specs: [null, { endpointSelector: {}, egressDeny: [{ toCIDR: ['192.168.5.7/32'] }] }] },
    42, null, [],
  ];
  const r = dryRun(hostile, flows);
  assert.ok(r.issues.some((i) => /invalid CIDR "not-a-cidr"/.test(i)));
  assert.ok(r.issues.some((i) => /operator "Bogus"/.test(i)));
  assert.ok(r.issues.some((i) => /invalid CIDR 5/.test(i)));
  // Cilium `k8s:` keys select the pod; world on 443 is allowed except where the deny rule wins.
  assert.deepEqual(r.verdicts.map((x) => `${x.flow.dst.name}:${x.verdict}`).sort(), ['192.168.5.7/32:blocked', '192.168.9.9/32:allowed', 'server:blocked']);
});

test('flow map: junk events are ignored and the map is bounded (counted drops)', () => {
  const m = new FlowMap({ maxFlows: 3, containerOf: (ip) => IPS[ip] });
  const clock = { t: Date.parse('2025-05-01T00:00:00Z') };
  const junk = [null, 5, {}, { category: 'network', type: 'connect', net: null }, { category: 'network', type: 'connect', container: web, process: { pid: 1, comm: 'x' }, net: { family: 'ipv4', remoteAddr: '1.2.3.4', remotePort: 0 } },
    { category: 'network', type: 'accept', container: web, process: { pid: 1, comm: 'x' }, net: { family: 'ipv4', remoteAddr: '1.2.3.4'.repeat(20), localPort: 80 } }];
  for (const j of junk) assert.equal(m.record(j as unknown as RuntimeEvent), false);
  for (let i = 0; i < 100; i++) m.record(connect(clock, web, 1, 'web', `198.51.100.${i}`, 443));
  assert.equal(m.flows().length, 3);
  assert.equal(m.stats.recorded, 3);
  assert.equal(m.stats.dropped, 97);
  const m2 = new FlowMap({ externalPrefixV4: 24 });
  for (let i = 0; i < 100; i++) m2.record(connect(clock, web, 1, 'web', `198.51.100.${i}`, 443));
  assert.deepEqual(m2.flows().map(describeFlow), ['shop/web → 198.51.100.0/24 443/TCP ×100']);
});

test('ip helpers: canonical addresses and prefixes', () => {
  assert.equal(parseIp('::FFFF:10.0.0.1')?.address, '10.0.0.1');
  assert.equal(parseIp('2001:0db8:0000:0000:0000:0000:0000:0001')?.address, '2001:db8::1');
  assert.equal(parseIp('fe80::1%eth0')?.address, 'fe80::1');
  assert.equal(parseIp('010.1.1.1'), undefined);
  assert.equal(parseIp('x'), undefined);
  assert.equal(cidrOf(parseIp('10.1.2.3')!, 24), '10.1.2.0/24');
  assert.equal(cidrOf(parseIp('2001:db8:1:2::5')!, 48), '2001:db8:1::/48');
  assert.equal(cidrOf(parseIp('1:0:0:1:0:0:0:1')!), '1:0:0:1::1/128');
});
