// Live-cluster scanning against RECORDED REAL API RESPONSES (testdata/, see SOURCES.md) replayed by
// an HTTPS server on 127.0.0.1, because no API server can run here. The main assertion: a cluster
// scan finds exactly what the manifest path finds in the same objects.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { stringify } from 'yaml';
import { REPO_ROOT } from '../../../test/shared-data.ts';
import type { K8sFinding } from '../checks/index.ts';
import { scanManifests } from '../scan.ts';
import { ClusterError, loadCluster, scanCluster } from './index.ts';
import { makePki, RECORDED, startApiServer, writeKubeconfig, type ApiServer, type Pki } from './testing/api-server.ts';

const TOKEN = 'recorded-replay-token';
let dir: string;
let pki: Pki;
let server: ApiServer;
let kubeconfig: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'triad-cluster-'));
  pki = makePki(dir);
  server = await startApiServer({ pki, token: TOKEN, forbidden: ['replicationcontrollers'] });
  kubeconfig = join(dir, 'kubeconfig');
  writeKubeconfig(kubeconfig, server.url, pki, TOKEN);
});
after(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The recorded lists as one multi-document YAML manifest (items get the kind their list names). */
function recordedAsManifest(file: string, skip: (plural: string) => boolean): number {
  const docs: string[] = [];
  for (const name of readdirSync(RECORDED).filter((n) => n.endsWith('.json') && !n.startsWith('forbidden-')).sort()) {
    if (skip(name.replace(/\.json$/, ''))) continue;
    const list = JSON.parse(readFileSync(join(RECORDED, name), 'utf8')) as { kind: string; apiVersion: string; items: object[] };
    for (const item of list.items) docs.push(stringify({ apiVersion: list.apiVersion, kind: list.kind.replace(/List$/, ''), ...item }));
  }
  writeFileSync(file, docs.join('---\n'));
  return docs.length;
}

/** A finding without where it was read from. */
function essence(f: K8sFinding): string {
  return JSON.stringify([f.checkId, f.severity, f.resource.kind, f.resource.namespace ?? '', f.resource.name, f.message, f.fields ?? []]);
}

test('cluster scan = manifest scan of the same recorded objects (every check, owned objects included)', async () => {
  const manifest = join(dir, 'all.yaml');
  const docs = recordedAsManifest(manifest, () => false);
  const all = await startApiServer({ pki, token: TOKEN });
  try {
    const kc = join(dir, 'kc-all');
    writeKubeconfig(kc, all.url, pki, TOKEN);
    const cluster = await scanCluster({ cluster: { kubeconfig: kc, includeOwned: true, pageSize: 1 } });
    const files = await scanManifests({ paths: [manifest] });
    assert.equal(cluster.objects, docs);
    assert.deepEqual(cluster.inputErrors, []);
    assert.ok(cluster.findings.length > 10, 'the recorded objects have findings');
    assert.deepEqual(cluster.findings.map(essence).sort(), files.findings.map(essence).sort());
    // Locations name the cluster object instead of a file and line.
    const apiserver = cluster.report.misconfigurations.find((m) => m.checkId === 'PSS-hostNamespaces')!;
    assert.equal(apiserver.target, 'cluster:token/kube-system/Pod/kube-apiserver-minikube');
    assert.equal(apiserver.region, undefined);
    for (const f of cluster.findings) assert.match(f.target, /^cluster:token\/([^/]+\/)?[A-Za-z]+\/[^/]+$/);
  } finally {
    await all.close();
  }
});

test('defaults: paged lists, 403 skipped with a warning, objects created by a listed workload left to its template', async () => {
  const seen = server.requests.length;
  const scan = await scanCluster({ cluster: { kubeconfig, pageSize: 1 } });
  const requests = server.requests.slice(seen);
  // Lists of two items took two pages, the second with the server's continue token.
  assert.equal(requests.filter((r) => r.startsWith('/api/v1/pods?')).length, 2);
  assert.ok(requests.some((r) => r.startsWith('/apis/rbac.authorization.k8s.io/v1/clusterroles?limit=1&continue=')));
  assert.deepEqual(scan.inputErrors.map((e) => [e.file, e.level, e.message.split(':')[0]]), [['cluster:token', 'warning', 'replicationcontrollers']]);
  assert.match(scan.inputErrors[0]!.message, /forbidden \(403\).*cannot list resource "replicationcontrollers"/);
  // The ReplicaSet of Deployment icx-db and the Job of CronJob hello (recorded with their owners' uids).
  assert.ok(scan.report.warnings.some((w) => w === 'not scanned separately (created by a listed workload whose template is scanned): ReplicaSet (1), Job (1)'), scan.report.warnings.join('\n'));
  const manifest = join(dir, 'unowned.yaml');
  recordedAsManifest(manifest, (plural) => plural === 'replicasets' || plural === 'jobs');
  const files = await scanManifests({ paths: [manifest] });
  assert.deepEqual(scan.findings.map(essence).sort(), files.findings.map(essence).sort());
  // A pod whose ReplicaSet is not in the cluster's lists, and a static pod owned by its Node, are scanned.
  assert.ok(scan.findings.some((f) => f.target === 'cluster:token/default/Pod/queue-l4dv8'));
  assert.ok(scan.findings.some((f) => f.target === 'cluster:token/kube-system/Pod/kube-apiserver-minikube'));
});

test('--namespace: namespaced lists under /namespaces/NS/, the Namespace by field selector, cluster RBAC still read', async () => {
  const seen = server.requests.length;
  const r = await loadCluster({ kubeconfig, namespace: 'default' });
  const requests = server.requests.slice(seen);
  assert.ok(requests.includes('/api/v1/namespaces/default/pods?limit=500'));
  assert.ok(requests.includes('/api/v1/namespaces?limit=500&fieldSelector=metadata.name%3Ddefault'));
  assert.ok(requests.includes('/apis/rbac.authorization.k8s.io/v1/clusterroles?limit=500'));
  const kinds = new Set(r.objects.map((o) => o.kind));
  assert.ok(kinds.has('ClusterRole') && kinds.has('Pod') && !kinds.has('Deployment') && !kinds.has('Namespace'));
  for (const o of r.objects) if (o.metadata.namespace !== undefined) assert.equal(o.metadata.namespace, 'default');
  assert.equal(r.objects.find((o) => o.kind === 'Pod')!.metadata.managedFields, undefined);
});

test('authentication: client certificate, KUBECONFIG and --context; refused token, wrong CA, unknown context are errors', async () => {
  const cert = await loadCluster({ kubeconfig, context: 'cert', kinds: ['ClusterRole'] });
  assert.deepEqual(cert.objects.map((o) => o.source.file), ['cluster:cert/ClusterRole/admin', 'cluster:cert/ClusterRole/blee']);
  const saved = process.env.KUBECONFIG;
  process.env.KUBECONFIG = kubeconfig;
  try {
    const viaEnv = await loadCluster({ context: 'cert', kinds: ['Namespace'] });
    assert.deepEqual(viaEnv.objects.map((o) => o.metadata.name), ['kube-system']);
  } finally {
    if (saved === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = saved;
  }
  const wrongToken = join(dir, 'kc-wrong-token');
  writeKubeconfig(wrongToken, server.url, pki, 'not-the-token');
  await assert.rejects(loadCluster({ kubeconfig: wrongToken }), (e: Error) => e instanceof ClusterError && /unauthorized \(401\)/.test(e.message));
  await assert.rejects(loadCluster({ kubeconfig, context: 'wrong-ca' }), (e: Error) => e instanceof ClusterError && /cannot reach https:\/\/127\.0\.0\.1:\d+ \(context "wrong-ca"\): .*certificate/.test(e.message));
  await assert.rejects(loadCluster({ kubeconfig, context: 'nope' }), /context "nope" is not in .*\(contexts: token, cert, wrong-ca\)/);
  await assert.rejects(loadCluster({ kubeconfig: join(dir, 'missing') }), /cannot read kubeconfig .*missing: no such file/);
  writeFileSync(join(dir, 'garbage'), 'clusters: [unclosed\n');
  await assert.rejects(loadCluster({ kubeconfig: join(dir, 'garbage') }), ClusterError);
});

test('time limit: a resource that does not answer in time is an error, the others are still read', async () => {
  const slow = await startApiServer({ pki, token: TOKEN, slow: { pods: 30_000 } });
  try {
    const kc = join(dir, 'kc-slow');
    writeKubeconfig(kc, slow.url, pki, TOKEN);
    const t0 = Date.now();
    const r = await loadCluster({ kubeconfig: kc, timeoutMs: 3000 });
    assert.ok(Date.now() - t0 < 10_000, 'bounded by the time limit');
    assert.deepEqual(r.errors.map((e) => [e.level, e.message]), [['error', 'pods: timed out (the scan\'s limit is 3 s)']]);
    assert.ok(r.objects.some((o) => o.kind === 'ClusterRole'));
    assert.ok(!r.objects.some((o) => o.kind === 'Pod'));
  } finally {
    await slow.close();
  }
});

test('memory bounds: the manifest limits apply to responses and objects', async () => {
  const big = await loadCluster({ kubeconfig, limits: { maxFileBytes: 4096 } });
  assert.ok(big.errors.some((e) => e.level === 'error' && /^pods: one response exceeds 4096 bytes; not read$/.test(e.message)), JSON.stringify(big.errors));
  const few = await loadCluster({ kubeconfig, limits: { maxObjects: 3 } });
  assert.ok(few.objects.length <= 3);
  assert.ok(few.errors.some((e) => e.level === 'error' && /more objects than the limit/.test(e.message)));
  const total = await loadCluster({ kubeconfig, limits: { maxTotalBytes: 10_000 } });
  assert.ok(total.errors.some((e) => /exceed the total input limit/.test(e.message)));
});

function triad(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  // Asynchronous: the replay server answers from this process.
  return new Promise((resolve) => {
    const p = spawn(join(REPO_ROOT, 'bin/triad'), args, { cwd: REPO_ROOT, env: { ...process.env, CI: '1' } });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => resolve({ code, out, err }));
  });
}

test('CLI: triad k8s scan --cluster (SARIF locations name the object; warnings on stderr; exit codes)', async () => {
  const r = await triad(['k8s', 'scan', '--cluster', '--kubeconfig', kubeconfig, '--checks', 'pss-baseline', '-f', 'sarif', '--exit-code', '3']);
  assert.equal(r.code, 3, r.err);
  assert.match(r.err, /triad: warning: cluster:token: replicationcontrollers: forbidden \(403\)/);
  const sarif = JSON.parse(r.out) as { runs: Array<{ results: Array<{ ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }> }> };
  const uris = sarif.runs[0]!.results.map((x) => `${x.ruleId} ${x.locations[0]!.physicalLocation.artifactLocation.uri}`);
  assert.ok(uris.includes('PSS-hostNamespaces cluster:token/kube-system/Pod/kube-apiserver-minikube'), uris.join('\n'));
  const bad = await triad(['k8s', 'scan', '--cluster', '--kubeconfig', kubeconfig, '--context', 'wrong-ca']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /^triad: cluster: cannot reach https:\/\/127\.0\.0\.1:\d+ \(context "wrong-ca"\)/);
  const both = await triad(['k8s', 'scan', '--cluster', 'x.yaml']);
  assert.equal(both.code, 2);
  assert.match(both.err, /not both/);
});
