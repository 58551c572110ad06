// Every RBAC case of kubescape's regolibrary (rules/<rule>/test/<case>/{input/*, expected.json}) run
// through Triad's resolver: the subjects Triad flags under the check that maps to the rule must be
// the subjects kubescape expects, and the rule index kubescape's failedPaths point at must be in
// Triad's path. Cases where kubescape disagrees with the Kubernetes authorizer are listed below
// with the reason, and asserted to still disagree (so a fixed semantics shows up here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasSharedData, sharedData } from '../../../test/shared-data.ts';
import { loadObjects } from '../testing/yaml-objects.ts';
import { buildRbacGraph, rbacFindings, ALL_RBAC_CHECK_META, formatSubject } from './index.ts';

const RULES = sharedData('k8s/regolibrary/rules');

/** kubescape rule → the Triad check that looks for the same thing. */
const SUBJECT_RULES: Record<string, string> = {
  'rule-list-all-cluster-admins-v1': 'TRIAD-K8S-RBAC-001',
  'cluster-admin-role': 'TRIAD-K8S-RBAC-002',
  'rule-can-list-get-secrets-v1': 'TRIAD-K8S-RBAC-005',
  'exec-into-container-v1': 'TRIAD-K8S-RBAC-006',
  'rule-can-portforward-v1': 'TRIAD-K8S-RBAC-008',
  'rule-can-create-pod': 'TRIAD-K8S-RBAC-009',
  'rule-can-bind-escalate': 'TRIAD-K8S-RBAC-011',
  'rule-can-impersonate-users-groups-v1': 'TRIAD-K8S-RBAC-012',
  'rule-can-access-proxy-subresource': 'TRIAD-K8S-RBAC-013',
  'rule-can-create-service-account-token': 'TRIAD-K8S-RBAC-014',
  'rule-can-approve-cert-signing-request': 'TRIAD-K8S-RBAC-015',
  'rule-can-modify-admission-webhooks': 'TRIAD-K8S-RBAC-016',
  'rule-can-create-pv': 'TRIAD-K8S-RBAC-017',
  'rule-excessive-delete-rights-v1': 'TRIAD-K8S-RBAC-018',
  'rule-can-delete-k8s-events-v1': 'TRIAD-K8S-RBAC-019',
  'rule-can-update-configmap-v1': 'TRIAD-K8S-RBAC-020',
};
/** Rules whose alert is the binding, not a subject: compare pass/fail. */
const BINDING_RULES: Record<string, string> = {
  'anonymous-access-enabled': 'TRIAD-K8S-RBAC-021',
  'ensure-default-service-accounts-has-only-default-roles': 'TRIAD-K8S-RBAC-022',
};

const CLUSTER_SCOPED_VIA_ROLEBINDING =
  'a RoleBinding grants nothing on cluster-scoped resources (the authorizer consults RoleBindings only for requests in their namespace); kubescape counts it';
const PODS_STAR =
  '`pods/*` is not a subresource wildcard for the RBAC authorizer (only `*/subresource` is), so it grants no subresource; kubescape treats it as one';
const KNOWN_DIFFERENCES: Record<string, string> = {
  'rule-can-access-proxy-subresource/clusterrole-rolebinding': CLUSTER_SCOPED_VIA_ROLEBINDING + ' (nodes/proxy)',
  'rule-can-access-proxy-subresource/role-rolebinding': CLUSTER_SCOPED_VIA_ROLEBINDING + ' (nodes/proxy)',
  'rule-can-approve-cert-signing-request/clusterrole-rolebinding': CLUSTER_SCOPED_VIA_ROLEBINDING + ' (CSR approval)',
  'rule-can-approve-cert-signing-request/role-rolebinding': CLUSTER_SCOPED_VIA_ROLEBINDING + ' (CSR approval)',
  'rule-can-modify-admission-webhooks/clusterrole-rolebinding': CLUSTER_SCOPED_VIA_ROLEBINDING + ' (webhook configurations)',
  'rule-can-modify-admission-webhooks/role-rolebinding': CLUSTER_SCOPED_VIA_ROLEBINDING + ' (webhook configurations)',
  'rule-can-create-pv/clusterrole-rolebinding': CLUSTER_SCOPED_VIA_ROLEBINDING + ' (persistentvolumes)',
  'rule-can-create-pv/role-rolebinding': CLUSTER_SCOPED_VIA_ROLEBINDING + ' (persistentvolumes)',
  'exec-into-container-v1/clusterrole': PODS_STAR + ' (pods/exec)',
  'rule-can-portforward-v1/clusterrole-clusterrolebinding': PODS_STAR + ' (pods/portforward)',
};

interface Case {
  rule: string;
  name: string;
  dir: string;
}

function cases(rules: string[]): Case[] {
  const out: Case[] = [];
  for (const rule of rules) {
    const t = join(RULES, rule, 'test');
    if (!existsSync(t)) continue;
    for (const name of readdirSync(t).sort()) out.push({ rule, name, dir: join(t, name) });
  }
  return out;
}

function expectedSubjects(expected: any[]): { subjects: Set<string>; ruleIndexes: Map<string, Set<number>> } {
  const subjects = new Set<string>();
  const ruleIndexes = new Map<string, Set<number>>();
  for (const e of expected) {
    const x = e.alertObject?.externalObjects;
    if (!x) continue;
    const key = x.kind === 'ServiceAccount' ? `ServiceAccount ${x.namespace}/${x.name}` : `${x.kind} ${x.name}`;
    subjects.add(key);
    const idx = new Set<number>();
    for (const p of e.failedPaths ?? []) {
      const m = /^relatedObjects\[1\]\.rules\[(\d+)\]/.exec(p);
      if (m) idx.add(Number(m[1]));
    }
    ruleIndexes.set(key, idx);
  }
  return { subjects, ruleIndexes };
}

test('kubescape RBAC cases: flagged subjects and rule indexes', { skip: !hasSharedData('k8s/regolibrary/rules') }, () => {
  const all = cases(Object.keys(SUBJECT_RULES));
  assert.ok(all.length >= 40, `expected the kubescape RBAC cases, found ${all.length}`);
  let agreed = 0;
  for (const c of all) {
    const label = `${c.rule}/${c.name}`;
    const { objects, locate } = loadObjects(join(c.dir, 'input'));
    const findings = rbacFindings(buildRbacGraph(objects, locate), { checks: new Set([SUBJECT_RULES[c.rule]!]) });
    const got = new Set(findings.map((f) => formatSubject(f.rbac!.subject)));
    const exp = expectedSubjects(JSON.parse(readFileSync(join(c.dir, 'expected.json'), 'utf8')));
    const same = got.size === exp.subjects.size && [...got].every((s) => exp.subjects.has(s));
    if (KNOWN_DIFFERENCES[label]) {
      assert.ok(!same, `${label}: listed as a known difference but Triad now agrees with kubescape`);
      continue;
    }
    assert.deepEqual([...got].sort(), [...exp.subjects].sort(), `${label}: flagged subjects`);
    for (const f of findings) {
      const want = exp.ruleIndexes.get(formatSubject(f.rbac!.subject));
      const have = new Set(f.rbac!.rules.map((r) => r.index));
      for (const i of want ?? []) assert.ok(have.has(i), `${label}: rule index ${i} missing from path ${f.rbac!.paths.join('; ')}`);
      assert.match(f.message, /→ .*rules\[\d+\]/, `${label}: message shows the path`);
      assert.equal(f.target.endsWith('.yaml') || f.target.endsWith('.yml') || f.target.endsWith('.json'), true, `${label}: target is the file`);
    }
    agreed++;
  }
  assert.equal(agreed + Object.keys(KNOWN_DIFFERENCES).length, all.length);
});

test('kubescape binding-level RBAC cases (anonymous subjects, default service account)', { skip: !hasSharedData('k8s/regolibrary/rules') }, () => {
  const all = cases(Object.keys(BINDING_RULES));
  assert.ok(all.length >= 7);
  for (const c of all) {
    const { objects, locate } = loadObjects(join(c.dir, 'input'));
    const findings = rbacFindings(buildRbacGraph(objects, locate), { checks: new Set([BINDING_RULES[c.rule]!]) });
    const expected = JSON.parse(readFileSync(join(c.dir, 'expected.json'), 'utf8')) as unknown[];
    assert.equal(findings.length > 0, expected.length > 0, `${c.rule}/${c.name}: ${findings.map((f) => f.message).join(' | ')}`);
  }
});

test('every check id is unique and maps to something', () => {
  const ids = ALL_RBAC_CHECK_META.map((m) => m.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const id of [...Object.values(SUBJECT_RULES), ...Object.values(BINDING_RULES)]) assert.ok(ids.includes(id), id);
});
