// Coverage semantics on inline policies, real manifests from kubernetes/examples, and hostile input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasSharedData, sharedData } from '../../../test/shared-data.ts';
import { loadObjects } from '../testing/yaml-objects.ts';
import { compileSelector } from '../selector/selector.ts';
import { analyzeNetworkPolicies, NETPOL_CHECKS as C } from './index.ts';

const pod = (ns: string, name: string, labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels }, spec: { containers: [{ name: 'c', image: 'x' }] } });
const deploy = (ns: string, name: string, labels: Record<string, string>) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns }, spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'x' }] } } } });
const np = (ns: string, name: string, spec: Record<string, unknown>) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec });

test('label selector semantics: matchLabels AND matchExpressions, null vs empty, NotIn/DoesNotExist on missing keys', () => {
  const s = (raw: unknown) => {
    const r = compileSelector(raw);
    assert.ok(r.ok, JSON.stringify(r));
    return r.selector;
  };
  assert.ok(s({}).matches({}), 'empty selects all');
  assert.ok(!s(null).matches({}), 'null selects nothing');
  const sel = s({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }, { key: 'legacy', operator: 'DoesNotExist' }, { key: 'env', operator: 'NotIn', values: ['prod'] }] });
  assert.ok(sel.matches({ app: 'web', tier: 'a' }), 'NotIn matches a missing key');
  assert.ok(!sel.matches({ app: 'web', tier: 'a', env: 'prod' }));
  assert.ok(!sel.matches({ app: 'web', tier: 'c' }));
  assert.ok(!sel.matches({ app: 'web', tier: 'a', legacy: '' }));
  assert.ok(!sel.matches({ tier: 'a' }));
  assert.equal(sel.toString(), 'app=web,tier in (a,b),!legacy,env notin (prod)');
  for (const bad of [
    { matchExpressions: [{ key: 'a', operator: 'Equals', values: ['x'] }] },
    { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] },
    { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] },
    { matchExpressions: 'a=b' },
    { matchLabels: ['a'] },
    { matchExpressions: [{ operator: 'Exists' }] },
  ]) assert.equal(compileSelector(bad).ok, false, JSON.stringify(bad));
});

test('policyTypes semantics: default Ingress, Egress only with egress rules; default deny per direction', () => {
  const objs = [
    pod('a', 'web', { app: 'web' }),
    pod('a', 'db', { app: 'db' }),
    pod('b', 'other', { app: 'web' }),
    np('a', 'web-in', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'lb' } } }] }] }),
    np('a', 'db-out', { podSelector: { matchLabels: { app: 'db' } }, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] }),
    np('b', 'deny-in', { podSelector: {}, policyTypes: ['Ingress'] }),
  ];
  const a = analyzeNetworkPolicies(objs);
  const byPod = new Map(a.pods.map((p) => [`${p.pod.namespace}/${p.pod.owner.name}`, p]));
  assert.deepEqual(byPod.get('a/web')!.ingressBy.map((p) => p.ref.name), ['web-in']);
  assert.deepEqual(byPod.get('a/web')!.egressBy, []);
  // db-out has egress rules and no policyTypes: Ingress AND Egress (ingress denied entirely).
  assert.deepEqual(byPod.get('a/db')!.ingressBy.map((p) => p.ref.name), ['db-out']);
  assert.deepEqual(byPod.get('a/db')!.egressBy.map((p) => p.ref.name), ['db-out']);
  assert.deepEqual(byPod.get('b/other')!.ingressBy.map((p) => p.ref.name), ['deny-in']);
  const ids = (pred: (m: string) => boolean, id: string) => a.findings.filter((f) => f.checkId === id && pred(f.message)).length;
  assert.equal(ids((m) => m.startsWith('Pod a/web'), C.noEgress.id), 1);
  assert.equal(ids((m) => m.startsWith('Pod a/db'), C.noEgress.id), 0);
  assert.equal(ids(() => true, C.unselected.id), 0);
  assert.deepEqual(a.findings.filter((f) => f.checkId === C.noDefaultDeny.id).map((f) => f.message).sort(), [
    'namespace a has no default-deny policy for ingress and egress',
    'namespace b has no default-deny policy for egress',
  ]);
});

test('allow-all rules: no from/to, 0.0.0.0/0, namespaceSelector {}; narrowed peers are not flagged', () => {
  const a = analyzeNetworkPolicies([
    np('x', 'open', {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ ports: [{ port: 443, protocol: 'TCP' }] }, { from: [{ namespaceSelector: {} }] }, { from: [{ namespaceSelector: {}, podSelector: { matchLabels: { a: 'b' } } }] }],
      egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] } }] }, { to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }],
    }),
  ]);
  const msgs = a.findings.filter((f) => f.checkId === C.openIngress.id || f.checkId === C.openEgress.id).map((f) => f.message);
  assert.deepEqual(msgs, [
    'NetworkPolicy x/open: ingress[0] has no `from`: any source, port 443/TCP',
    'NetworkPolicy x/open: ingress[1].from[0] is namespaceSelector {}: every pod in every namespace, all ports',
    'NetworkPolicy x/open: egress[0].to[0] is ipBlock 0.0.0.0/0 (except 169.254.169.254/32): any address, all ports',
  ]);
});

test('kubernetes/examples guestbook: NodePort exposes only the frontend; nothing is isolated', { skip: !hasSharedData('k8s/examples') }, () => {
  const { objects, locate } = loadObjects(sharedData('k8s/examples/web/guestbook/all-in-one/guestbook-all-in-one.yaml'));
  const a = analyzeNetworkPolicies(objects, locate);
  const exposed = a.findings.filter((f) => f.checkId === C.exposedService.id);
  assert.deepEqual(exposed.map((f) => `${f.object.kind} ${f.object.name} ← ${f.exposedBy!.name}`), ['Deployment frontend ← frontend']);
  assert.ok(exposed[0]!.target.endsWith('guestbook-all-in-one.yaml'));
  assert.ok(exposed[0]!.region!.startLine > 100, 'points at the frontend Deployment document');
  assert.deepEqual(a.findings.filter((f) => f.checkId === C.unselected.id).map((f) => f.object.name).sort(), ['frontend', 'redis-master', 'redis-replica']);
  assert.deepEqual(a.findings.filter((f) => f.checkId === C.noPolicyInNamespace.id).map((f) => f.object.name), ['default']);
});

test('kubernetes/examples tf-serving: Ingress → Service → Deployment', { skip: !hasSharedData('k8s/examples') }, () => {
  const { objects, locate } = loadObjects(sharedData('k8s/examples/AI/model-serving-tensorflow'));
  const a = analyzeNetworkPolicies(objects, locate);
  const via = a.findings.filter((f) => f.checkId === C.exposedIngress.id);
  assert.equal(via.length, 1);
  assert.equal(via[0]!.exposedBy!.name, 'tf-serving-ingress');
  assert.match(via[0]!.message, /via Service tf-serving/);
});

test('every kubernetes/examples manifest analyses without a crash, every pod accounted for', { skip: !hasSharedData('k8s/examples') }, () => {
  const { objects, locate } = loadObjects(sharedData('k8s/examples'));
  assert.ok(objects.length > 100);
  const a = analyzeNetworkPolicies(objects, locate);
  assert.ok(a.pods.length > 50);
  for (const p of a.pods) {
    const f = a.findings.filter((x) => x.object === p.pod.owner);
    // With no policies in the examples, each pod is reported as unselected exactly once.
    if (a.policies.length === 0) assert.equal(f.filter((x) => x.checkId === C.unselected.id).length, 1);
  }
});

test('hostile input: bad selectors and shapes become findings naming the object', () => {
  const a = analyzeNetworkPolicies([
    null, 7, { kind: 'NetworkPolicy' },
    np('h', 'bad-op', { podSelector: { matchExpressions: [{ key: 'app', operator: 'Like', values: ['x'] }] } }),
    np('h', 'bad-shape', { podSelector: 'all', ingress: 'everything', policyTypes: ['Sideways'] }),
    { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'c', namespace: 'h' }, specs: [7, { endpointSelector: { matchExpressions: [{ key: 'a', operator: 'In' }] } }] },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'h' }, spec: { type: 'NodePort', selector: ['app'] } },
    { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i', namespace: 'h' }, spec: { rules: 'x' } },
    pod('h', 'p', { app: 'x' }),
  ]);
  const invalid = a.findings.filter((f) => f.checkId === C.invalid.id).map((f) => f.message);
  const has = (re: RegExp) => assert.ok(invalid.some((m) => re.test(m)), `${re} in\n${invalid.join('\n')}`);
  has(/NetworkPolicy h\/bad-op: spec\.podSelector: .*operator "Like"/);
  has(/NetworkPolicy h\/bad-shape: spec\.podSelector: label selector must be an object/);
  has(/NetworkPolicy h\/bad-shape: spec\.ingress must be a list/);
  has(/NetworkPolicy h\/bad-shape: spec\.policyTypes: unknown type "Sideways"/);
  has(/CiliumNetworkPolicy h\/c: specs\[0\] is not an object/);
  has(/CiliumNetworkPolicy h\/c: specs\[1\]\.endpointSelector: .*needs at least one value/);
  has(/Service h\/s: spec\.selector must be a map/);
  // The pod is still analysed: invalid policies select nothing.
  assert.ok(a.findings.some((f) => f.checkId === C.unselected.id && f.object.name === 'p'));
});
