// `triad k8s rbac who-can / what-can` on kubescape's RBAC inputs, through commander as the CLI runs it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { hasSharedData, sharedData } from '../../test/shared-data.ts';
import { parseSubject, registerK8sRbacCommands } from './k8s-rbac-commands.ts';

function run(args: string[]): string {
  const p = new Command('triad').exitOverride();
  registerK8sRbacCommands(p.command('k8s'));
  let out = '';
  const orig = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  try {
    p.parse(['node', 'triad', 'k8s', 'rbac', ...args]);
  } finally {
    process.stdout.write = orig;
  }
  return out;
}

const RULES = 'k8s/regolibrary/rules';

test('who-can bind roles: both groups of the ClusterRoleBinding, with the path', { skip: !hasSharedData(RULES) }, () => {
  const out = run(['who-can', 'bind', 'roles', sharedData(RULES, 'rule-can-bind-escalate/test/clusterrole-clusterrolebinding/input')]);
  const lines = out.trim().split('\n');
  assert.equal(lines.length, 2, out);
  assert.match(lines[0]!, /^Group manager .*cluster-wide .*ClusterRoleBinding read-secrets-global → ClusterRole test → rules\[0\]$/);
  assert.match(lines[1]!, /^Group dev /);
});

test('who-can get secrets -n: RoleBinding scope honoured (json)', { skip: !hasSharedData(RULES) }, () => {
  const dir = sharedData(RULES, 'rule-can-list-get-secrets-v1/test/clusterrole-rolebinding/input');
  const inNs = JSON.parse(run(['who-can', 'get', 'secrets', '-n', 'kube-system', '-f', 'json', dir]));
  assert.deepEqual(inNs.map((h: any) => [h.subject.name, h.scope, h.rule]), [['jane', 'kube-system', 0]]);
  assert.deepEqual(JSON.parse(run(['who-can', 'get', 'secrets', '-n', 'default', '-f', 'json', dir])), []);
});

test('what-can lists grants through groups', { skip: !hasSharedData(RULES) }, () => {
  const out = run(['what-can', 'Group:dev', sharedData(RULES, 'rule-can-impersonate-users-groups-v1/test/clusterrole-clusterrolebinding/input')]);
  assert.match(out, /watch,\* pods\/log,events,users \[\*\] +cluster-wide +ClusterRoleBinding read-secrets-global → ClusterRole test → rules\[0\]/);
});

test('subject notation', () => {
  assert.deepEqual(parseSubject('system:serviceaccount:ci:builder'), { kind: 'ServiceAccount', namespace: 'ci', name: 'builder' });
  assert.deepEqual(parseSubject('Group:devs'), { kind: 'Group', name: 'devs' });
  assert.deepEqual(parseSubject('alice'), { kind: 'User', name: 'alice' });
  assert.throws(() => parseSubject('ServiceAccount:nobody'), /NAMESPACE\/NAME/);
});
