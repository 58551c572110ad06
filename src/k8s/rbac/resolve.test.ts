// Resolver semantics: matching, scopes, aggregation (transitive, cycles, bounds), who-can / what-can,
// and hostile input. Objects are written inline in the shapes the API server stores.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRbacGraph, rbacFindings, formatSubject, parseResourceArg, ruleAllows } from './index.ts';
import { AGGREGATION_LIMITS } from './aggregation.ts';

const rule = (apiGroups: string[], resources: string[], verbs: string[], extra: Record<string, unknown> = {}) => ({ apiGroups, resources, verbs, ...extra });
const clusterRole = (name: string, rules: unknown[], extra: Record<string, unknown> = {}) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name, ...(extra.labels ? { labels: extra.labels } : {}) }, rules, ...(extra.aggregationRule ? { aggregationRule: extra.aggregationRule } : {}) });
const role = (ns: string, name: string, rules: unknown[]) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace: ns }, rules });
const crb = (name: string, roleName: string, subjects: unknown[]) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName }, subjects });
const rb = (ns: string, name: string, kind: 'Role' | 'ClusterRole', roleName: string, subjects: unknown[]) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name, namespace: ns }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name: roleName }, subjects });
const user = (name: string) => ({ kind: 'User', name, apiGroup: 'rbac.authorization.k8s.io' });
const group = (name: string) => ({ kind: 'Group', name, apiGroup: 'rbac.authorization.k8s.io' });
const sa = (namespace: string | undefined, name: string) => ({ kind: 'ServiceAccount', name, ...(namespace ? { namespace } : {}) });

const empty = { resourceNames: [], nonResourceURLs: [] };

test('rule matching follows the authorizer', () => {
  const r = { ...empty, apiGroups: [''], resources: ['pods', '*/scale', 'pods/*'], verbs: ['get'] };
  assert.ok(ruleAllows(r, { verb: 'get', apiGroup: '', resource: 'pods' }));
  assert.ok(ruleAllows(r, { verb: 'get', apiGroup: '', resource: 'deployments/scale' }), '*/subresource');
  assert.ok(!ruleAllows(r, { verb: 'get', apiGroup: '', resource: 'pods/exec' }), 'pods/* is not a wildcard; pods does not cover pods/exec');
  assert.ok(!ruleAllows(r, { verb: 'list', apiGroup: '', resource: 'pods' }));
  assert.ok(!ruleAllows(r, { verb: 'get', apiGroup: 'apps', resource: 'pods' }));
  const named = { ...empty, apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'], resourceNames: ['tls'] };
  assert.ok(ruleAllows(named, { verb: 'get', apiGroup: '', resource: 'secrets', name: 'tls' }));
  assert.ok(!ruleAllows(named, { verb: 'list', apiGroup: '', resource: 'secrets' }), 'resourceNames never cover a collection');
  assert.ok(!ruleAllows({ ...empty, apiGroups: [''], resources: ['Pods'], verbs: ['GET'] }, { verb: 'get', apiGroup: '', resource: 'pods' }), 'case-sensitive');
});

test('RoleBinding to a ClusterRole is namespace-scoped and never covers cluster-scoped resources', () => {
  const g = buildRbacGraph([
    clusterRole('reader', [rule([''], ['secrets', 'nodes'], ['get', 'list'])]),
    rb('team-a', 'rb', 'ClusterRole', 'reader', [user('alice')]),
    crb('crb', 'reader', [user('bob')]),
  ]);
  const inA = g.whoCan({ verb: 'list', resource: 'secrets', apiGroup: '', namespace: 'team-a' }).map((h) => formatSubject(h.subject));
  assert.deepEqual(inA.sort(), ['User alice', 'User bob']);
  const inB = g.whoCan({ verb: 'list', resource: 'secrets', apiGroup: '', namespace: 'team-b' }).map((h) => formatSubject(h.subject));
  assert.deepEqual(inB, ['User bob']);
  const nodes = g.whoCan({ verb: 'get', resource: 'nodes', apiGroup: '' }).map((h) => formatSubject(h.subject));
  assert.deepEqual(nodes, ['User bob']);
  const hit = g.whoCan({ verb: 'list', resource: 'secrets', apiGroup: '', namespace: 'team-a' }).find((h) => h.subject.name === 'alice')!;
  assert.equal(hit.grant.namespace, 'team-a');
});

test('service accounts: default namespace from the RoleBinding, implicit groups in what-can', () => {
  const g = buildRbacGraph([
    role('ci', 'deployer', [rule(['apps'], ['deployments'], ['create', 'update'])]),
    rb('ci', 'rb', 'Role', 'deployer', [sa(undefined, 'builder')]),
    clusterRole('sa-wide', [rule([''], ['configmaps'], ['get'])]),
    crb('all-sas-in-ci', 'sa-wide', [group('system:serviceaccounts:ci')]),
    crb('everyone', 'view', [group('system:authenticated')]),
  ]);
  const what = g.whatCan({ kind: 'ServiceAccount', name: 'builder', namespace: 'ci' });
  const roles = new Set(what.map((w) => w.role.name));
  assert.deepEqual([...roles].sort(), ['deployer', 'sa-wide', 'view']);
  assert.ok(what.find((w) => w.role.name === 'view')!.roleBuiltin, 'view is known without a manifest');
  assert.equal(g.whatCan({ kind: 'ServiceAccount', name: 'builder', namespace: 'prod' }).filter((w) => w.role.name !== 'view').length, 0);
});

test('aggregation: transitive, cycles, label selector semantics, path shows the chain', () => {
  const g = buildRbacGraph([
    clusterRole('top', [], { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'agg/top': 'true' } }] } }),
    clusterRole('mid', [], { labels: { 'agg/top': 'true' }, aggregationRule: { clusterRoleSelectors: [{ matchExpressions: [{ key: 'agg/mid', operator: 'Exists' }] }] } }),
    clusterRole('leaf', [rule([''], ['pods/exec'], ['create'])], { labels: { 'agg/mid': 'x' } }),
    // cycle: loop-a selects loop-b and loop-b selects loop-a
    clusterRole('loop-a', [rule([''], ['secrets'], ['list'])], { labels: { loop: 'a' }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { loop: 'b' } }] } }),
    clusterRole('loop-b', [rule([''], ['pods'], ['create'])], { labels: { loop: 'b' }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { loop: 'a' } }] } }),
    crb('bind-top', 'top', [user('carol')]),
    crb('bind-loop', 'loop-a', [user('dave')]),
  ]);
  const exec = g.whoCan({ verb: 'create', resource: 'pods/exec', apiGroup: '' });
  assert.deepEqual(exec.map((h) => h.subject.name), ['carol']);
  assert.deepEqual(exec[0]!.grant.rule.via, ['ClusterRole mid', 'ClusterRole leaf']);
  const f = rbacFindings(g).find((x) => x.checkId === 'TRIAD-K8S-RBAC-006')!;
  assert.match(f.message, /ClusterRoleBinding bind-top → ClusterRole top → aggregates ClusterRole mid → aggregates ClusterRole leaf → rules\[0\]/);
  assert.deepEqual(g.whoCan({ verb: 'create', resource: 'pods', apiGroup: '' }).map((h) => h.subject.name), ['dave']);
  assert.deepEqual(g.whoCan({ verb: 'list', resource: 'secrets', apiGroup: '' }).map((h) => h.subject.name), ['dave']);
});

test('aggregation depth is bounded and reported', () => {
  const n = AGGREGATION_LIMITS.depth + 5;
  const objs: unknown[] = [];
  for (let i = 0; i < n; i++) {
    objs.push(clusterRole(`r${i}`, i === n - 1 ? [rule([''], ['secrets'], ['get'])] : [], { labels: { level: String(i) }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { level: String(i + 1) } }] } }));
  }
  objs.push(crb('b', 'r0', [user('eve')]));
  const g = buildRbacGraph(objs);
  assert.equal(g.whoCan({ verb: 'get', resource: 'secrets', apiGroup: '' }).length, 0, 'beyond the bound');
  assert.ok(g.issues.some((i) => /deeper than/.test(i.message)));
});

test('hostile input: malformed objects become issues naming the object, never a crash', () => {
  const g = buildRbacGraph([
    null, 42, 'x', [], { kind: 'Role' },
    { kind: 'ClusterRole', metadata: { name: 'bad' }, rules: 'nope' },
    { kind: 'ClusterRole', metadata: { name: 'bad2' }, rules: [null, { verbs: 'get', resources: [1] }] },
    { kind: 'ClusterRole', metadata: { name: 'badsel' }, rules: [], aggregationRule: { clusterRoleSelectors: [{ matchExpressions: [{ key: 'a', operator: 'Near', values: ['b'] }] }] } },
    { kind: 'ClusterRoleBinding', metadata: { name: 'nosubj' }, roleRef: { kind: 'Role', name: 'x' } },
    { kind: 'RoleBinding', metadata: { name: 'weird', namespace: 'n' }, roleRef: { kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'Robot', name: 'r2' }, { kind: 'User' }, sa(undefined, 'ok')] },
  ]);
  const msgs = g.issues.map((i) => `${i.object.kind} ${i.object.name}: ${i.message}`);
  assert.ok(msgs.some((m) => /ClusterRole bad: rules must be a list/.test(m)), msgs.join('\n'));
  assert.ok(msgs.some((m) => /ClusterRole bad2: rules\[0\] is not an object/.test(m)));
  assert.ok(msgs.some((m) => /ClusterRole badsel: .*operator "Near"/.test(m)));
  assert.ok(msgs.some((m) => /ClusterRoleBinding nosubj: a ClusterRoleBinding cannot reference a Role/.test(m)));
  assert.ok(msgs.some((m) => /RoleBinding weird: subjects\[0\]: unknown kind "Robot"/.test(m)));
  // The valid subject of the odd binding is still analysed: admin of namespace n.
  const admin = rbacFindings(g).filter((f) => f.checkId === 'TRIAD-K8S-RBAC-001');
  assert.deepEqual(admin.map((f) => [formatSubject(f.rbac!.subject), f.severity]), [['ServiceAccount n/ok', 'HIGH']]);
  assert.ok(rbacFindings(g).some((f) => f.checkId === 'TRIAD-K8S-RBAC-000'));
});

test('a large RBAC set resolves quickly with bounded findings', () => {
  const objs: unknown[] = [];
  for (let i = 0; i < 3000; i++) {
    objs.push(clusterRole(`agg${i}`, [rule([''], ['configmaps'], ['get'])], { labels: { tier: 'x' }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { tier: 'x' } }] } }));
  }
  objs.push(crb('b', 'agg0', Array.from({ length: 50 }, (_, i) => user(`u${i}`))));
  const t0 = performance.now();
  const g = buildRbacGraph(objs);
  const hits = g.whoCan({ verb: 'get', resource: 'configmaps', apiGroup: '' });
  const findings = rbacFindings(g, { maxFindings: 1000 });
  assert.equal(hits.length, 50);
  assert.ok(findings.length <= 1000);
  assert.ok(performance.now() - t0 < 20_000, 'bounded work');
});

test('broad groups raise severity; cluster-admin binding to a built-in role', () => {
  const g = buildRbacGraph([crb('oops', 'cluster-admin', [group('system:authenticated')]), crb('ops', 'cluster-admin', [user('root')])]);
  const f = rbacFindings(g);
  const admin = f.filter((x) => x.checkId === 'TRIAD-K8S-RBAC-002');
  assert.equal(admin.length, 2);
  const full = f.filter((x) => x.checkId === 'TRIAD-K8S-RBAC-001');
  assert.deepEqual(full.map((x) => x.severity), ['CRITICAL', 'CRITICAL']);
  assert.match(full[0]!.message, /ClusterRole cluster-admin \(Kubernetes default\)/);
  // edit grants secrets read and exec (known without a manifest)
  const g2 = buildRbacGraph([rb('dev', 'devs', 'ClusterRole', 'edit', [group('developers')])]);
  const ids = new Set(rbacFindings(g2).map((x) => x.checkId));
  for (const id of ['TRIAD-K8S-RBAC-005', 'TRIAD-K8S-RBAC-006', 'TRIAD-K8S-RBAC-009', 'TRIAD-K8S-RBAC-010', 'TRIAD-K8S-RBAC-014']) assert.ok(ids.has(id), id);
  assert.ok(!ids.has('TRIAD-K8S-RBAC-001'));
});

test('parseResourceArg reads kubectl notation', () => {
  assert.deepEqual(parseResourceArg('pods/exec'), { resource: 'pods/exec', apiGroup: '' });
  assert.deepEqual(parseResourceArg('deployments.apps/scale'), { resource: 'deployments/scale', apiGroup: 'apps' });
  assert.deepEqual(parseResourceArg('widgets'), { resource: 'widgets' });
});
