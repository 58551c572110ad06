// `triad k8s rbac who-can / what-can` on kubescape's RBAC inputs, through commander as the CLI runs it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { hasSharedData, sharedData } from '../../test/shared-data.ts';
import { makePki, startApiServer, writeKubeconfig } from '../k8s/cluster/testing/api-server.ts';
import { parseSubject, registerK8sRbacCommands } from './k8s-rbac-commands.ts';

async function runFull(args: string[]): Promise<{ out: string; err: string; code: number }> {
  const p = new Command('triad').exitOverride();
  registerK8sRbacCommands(p.command('k8s'));
  let out = '';
  let err = '';
  const origOut = process.stdout.write.bind(process.stdout);
  const origErr = process.stderr.write.bind(process.stderr);
  // Only strings: the test runner reports to its parent through stdout as binary frames, and those
  // keep flowing while the command awaits the network.
  process.stdout.write = ((s: unknown, ...rest: unknown[]) => (typeof s === 'string' ? ((out += s), true) : (origOut as (...a: unknown[]) => boolean)(s, ...rest))) as typeof process.stdout.write;
  process.stderr.write = ((s: unknown, ...rest: unknown[]) => (typeof s === 'string' ? ((err += s), true) : (origErr as (...a: unknown[]) => boolean)(s, ...rest))) as typeof process.stderr.write;
  const before = process.exitCode;
  process.exitCode = 0;
  let code = 0;
  try {
    await p.parseAsync(['node', 'triad', 'k8s', 'rbac', ...args]);
  } finally {
    process.stdout.write = origOut;
    process.stderr.write = origErr;
    code = Number(process.exitCode ?? 0);
    process.exitCode = before;
  }
  return { out, err, code };
}

async function run(args: string[]): Promise<string> {
  return (await runFull(args)).out;
}

const RULES = 'k8s/regolibrary/rules';

test('who-can bind roles: both groups of the ClusterRoleBinding, with the path', { skip: !hasSharedData(RULES) }, async () => {
  const out = await run(['who-can', 'bind', 'roles', sharedData(RULES, 'rule-can-bind-escalate/test/clusterrole-clusterrolebinding/input')]);
  const lines = out.trim().split('\n');
  assert.equal(lines.length, 2, out);
  assert.match(lines[0]!, /^Group manager .*cluster-wide .*ClusterRoleBinding read-secrets-global → ClusterRole test → rules\[0\]$/);
  assert.match(lines[1]!, /^Group dev /);
});

test('who-can get secrets -n: RoleBinding scope honoured (json)', { skip: !hasSharedData(RULES) }, async () => {
  const dir = sharedData(RULES, 'rule-can-list-get-secrets-v1/test/clusterrole-rolebinding/input');
  const inNs = JSON.parse(await run(['who-can', 'get', 'secrets', '-n', 'kube-system', '-f', 'json', dir]));
  assert.deepEqual(inNs.map((h: any) => [h.subject.name, h.scope, h.rule]), [['jane', 'kube-system', 0]]);
  assert.deepEqual(JSON.parse(await run(['who-can', 'get', 'secrets', '-n', 'default', '-f', 'json', dir])), []);
});

test('what-can lists grants through groups', { skip: !hasSharedData(RULES) }, async () => {
  const out = await run(['what-can', 'Group:dev', sharedData(RULES, 'rule-can-impersonate-users-groups-v1/test/clusterrole-clusterrolebinding/input')]);
  assert.match(out, /watch,\* pods\/log,events,users \[\*\] +cluster-wide +ClusterRoleBinding read-secrets-global → ClusterRole test → rules\[0\]/);
});

test('subject notation', () => {
  assert.deepEqual(parseSubject('system:serviceaccount:ci:builder'), { kind: 'ServiceAccount', namespace: 'ci', name: 'builder' });
  assert.deepEqual(parseSubject('Group:devs'), { kind: 'Group', name: 'devs' });
  assert.deepEqual(parseSubject('alice'), { kind: 'User', name: 'alice' });
  assert.throws(() => parseSubject('ServiceAccount:nobody'), /NAMESPACE\/NAME/);
});

test('manifests go through the manifest loader: List kinds, errors naming file and line, exit 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'triad-rbac-'));
  try {
    const list = join(dir, 'list.json');
    writeFileSync(list, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'exec' }, rules: [{ apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] }] },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'ops-exec' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'exec' }, subjects: [{ kind: 'Group', name: 'ops' }] },
    ] }));
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: x}\n---\nkind: [unclosed\n');
    const ok = await runFull(['who-can', 'create', 'pods/exec', list]);
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /^Group ops +cluster-wide +ClusterRoleBinding ops-exec → ClusterRole exec → rules\[0\]$/m);
    const r = await runFull(['who-can', 'create', 'pods/exec', list, bad]);
    assert.equal(r.code, 2);
    assert.match(r.err, /bad\.yaml, document 2, line \d+: malformed YAML/);
    assert.match(r.out, /Group ops/, 'what could be read is still answered');
    const none = await runFull(['who-can', 'get', 'pods']);
    assert.equal(none.code, 2);
    assert.match(none.err, /no input/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--cluster: who-can and what-can over recorded API responses (replayed over HTTPS)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'triad-rbac-cluster-'));
  const pki = makePki(dir);
  const server = await startApiServer({ pki, token: 'rbac-token' });
  t.after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const kc = join(dir, 'kubeconfig');
  writeKubeconfig(kc, server.url, pki, 'rbac-token');
  const who = await runFull(['who-can', 'delete', 'pods', '--cluster', '--kubeconfig', kc]);
  assert.equal(who.code, 0, who.err);
  assert.match(who.out, /^User fernand +cluster-wide +ClusterRoleBinding blee → ClusterRole blee → rules\[3\]$/m);
  // Only RBAC kinds are listed for these queries.
  assert.ok(server.requests.every((p) => p.startsWith('/apis/rbac.authorization.k8s.io/v1/')), server.requests.join(' '));
  const what = JSON.parse((await runFull(['what-can', 'system:serviceaccount:default:fernand', '--cluster', '--kubeconfig', kc, '--context', 'cert', '-f', 'json'])).out);
  assert.deepEqual(what.map((g: any) => [g.scope, g.path]), [['default', 'RoleBinding default/blee → Role default/blee → rules[0]']]);
  const both = await runFull(['who-can', 'get', 'pods', 'x.yaml', '--cluster', '--kubeconfig', kc]);
  assert.equal(both.code, 2);
  assert.match(both.err, /not both/);
});
