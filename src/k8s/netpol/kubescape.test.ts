// kubescape's network cases (regolibrary rules/<rule>/test/<case>) run through the coverage and
// exposure analysis: what kubescape flags, Triad flags under the mapped check, and nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasSharedData, sharedData } from '../../../test/shared-data.ts';
import { loadObjects } from '../testing/yaml-objects.ts';
import { analyzeNetworkPolicies, NETPOL_CHECKS } from './index.ts';

const RULES = sharedData('k8s/regolibrary/rules');

function casesOf(rule: string): { name: string; dir: string }[] {
  const t = join(RULES, rule, 'test');
  if (!existsSync(t)) return [];
  return readdirSync(t).sort().map((name) => ({ name, dir: join(t, name) }));
}

function run(dir: string) {
  const { objects, locate } = loadObjects(join(dir, 'input'));
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as { alertMessage: string }[];
  return { analysis: analyzeNetworkPolicies(objects, locate), expected };
}

const skip = !hasSharedData('k8s/regolibrary/rules');

for (const rule of ['ingress-and-egress-blocked', 'ensure_network_policy_configured_in_labels']) {
  test(`kubescape ${rule}: workloads selected by no policy (NetworkPolicy and Cilium)`, { skip }, () => {
    const cases = casesOf(rule);
    assert.ok(cases.length >= 10);
    for (const c of cases) {
      const { analysis, expected } = run(c.dir);
      const got = analysis.findings.filter((f) => f.checkId === NETPOL_CHECKS.unselected.id).map((f) => f.object.name).sort();
      // kubescape names the workload at the start of its message ("Pod: test ...", "my-pod: ...", "CronJob: hello ...").
      const want = expected.map((e) => /^(?:(?:Pod|CronJob|Deployment|StatefulSet|DaemonSet|Job): )?([\w.-]+)/.exec(e.alertMessage)![1]!).sort();
      assert.deepEqual(got, want, `${rule}/${c.name}: ${analysis.findings.map((f) => f.message).join(' | ')}`);
      assert.equal(analysis.issues.length, 0, `${rule}/${c.name}: no issues on valid input`);
    }
  });
}

test('kubescape internal-networking: namespaces without any policy', { skip }, () => {
  const cases = casesOf('internal-networking');
  assert.ok(cases.length >= 6);
  for (const c of cases) {
    const { analysis, expected } = run(c.dir);
    const got = analysis.findings.filter((f) => f.checkId === NETPOL_CHECKS.noPolicyInNamespace.id).map((f) => f.object.name).sort();
    const want = expected.map((e) => /namespace (\S+)/.exec(e.alertMessage)![1]!).sort();
    assert.deepEqual(got, want, `internal-networking/${c.name}`);
  }
});

test('kubescape exposure-to-internet: workload and the Service/Ingress that exposes it', { skip }, () => {
  const cases = casesOf('exposure-to-internet');
  assert.ok(cases.length >= 5);
  for (const c of cases) {
    const { analysis, expected } = run(c.dir);
    const got = analysis.findings
      .filter((f) => f.checkId === NETPOL_CHECKS.exposedService.id || f.checkId === NETPOL_CHECKS.exposedIngress.id)
      .map((f) => `${f.object.name} ${f.exposedBy!.kind.toLowerCase()} ${f.exposedBy!.name}`)
      .sort();
    const want = expected.map((e) => {
      const m = /workload '([^']+)' is exposed through (service|ingress) '([^']+)'/.exec(e.alertMessage)!;
      return `${m[1]} ${m[2]} ${m[3]}`;
    }).sort();
    assert.deepEqual(got, want, `exposure-to-internet/${c.name}`);
  }
});
