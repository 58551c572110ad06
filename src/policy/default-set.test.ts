import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { loadPolicies } from './compile.ts';
import { outcomeOf, runPolicyTests } from './test-runner.ts';
import { REPO_ROOT, hasSharedData, sharedData } from '../../test/shared-data.ts';
import { gemReport, haveFixtureData } from '../report/testing/fixtures.ts';
import { kevImporter } from '../vulndb/importers/kev/index.ts';
import { collect } from '../vulndb/test-sink.ts';

const PSA = 'k8s/pod-security-admission/test/testdata';
const POLICIES = join(REPO_ROOT, 'policies');
const SKIP = hasSharedData(PSA) ? false : 'shared data absent';

test('the shipped policy tests pass (PSS fixtures, real scan reports, exceptions)', { skip: SKIP }, () => {
  const s = runPolicyTests([join(POLICIES, 'tests')]);
  assert.deepEqual(s.errors, []);
  assert.deepEqual(s.checks.filter((c) => !c.ok), []);
  assert.ok(s.passed > 200);
});

test('PSS policies agree with every upstream fixture of v1.35 to v1.37 (pass/fail from the fixture folder)', { skip: SKIP }, () => {
  for (const level of ['baseline', 'restricted']) {
    const set = loadPolicies([join(POLICIES, `pss-${level}.yaml`)]);
    for (const version of ['v1.35', 'v1.36', 'v1.37']) {
      for (const expected of ['pass', 'fail'] as const) {
        const dir = sharedData(PSA, level, version, expected);
        const files = readdirSync(dir);
        assert.ok(files.length > 0);
        for (const f of files) {
          const object = yaml.load(readFileSync(join(dir, f), 'utf8'));
          const got = outcomeOf(set.evaluate({ type: 'object', object }), `pss-${level}`);
          assert.equal(got, expected, `${level}/${version}/${expected}/${f}`);
        }
      }
    }
  }
});

test('workload kinds are checked through their pod templates', { skip: SKIP }, () => {
  const set = loadPolicies([join(POLICIES, 'pss-restricted.yaml')]);
  const bad = yaml.load(readFileSync(sharedData(PSA, 'restricted/v1.37/fail/privileged0.yaml'), 'utf8')) as { spec: unknown; metadata: unknown };
  const wrap = (kind: string, spec: Record<string, unknown>) => ({ apiVersion: 'apps/v1', kind, metadata: { name: 'w' }, spec });
  const tpl = { template: { metadata: {}, spec: bad.spec } };
  for (const obj of [wrap('Deployment', tpl), wrap('StatefulSet', tpl), wrap('DaemonSet', tpl), wrap('Job', tpl), wrap('CronJob', { jobTemplate: { spec: tpl } })]) {
    const vs = set.evaluate({ type: 'object', object: obj });
    assert.ok(vs.some((v) => v.validation === 'privileged' && v.result === 'fail'), obj.kind);
  }
  assert.deepEqual(set.evaluate({ type: 'object', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } } }), []);
});

test('KEV gate denies a real finding that is in the real KEV catalog', { skip: haveFixtureData() && hasSharedData('advisories/kev') ? false : 'fixture data absent' }, async () => {
  const set = loadPolicies([join(POLICIES, 'vulnerability-gates.yaml')]);
  const { report } = await gemReport();
  assert.equal(outcomeOf(set.evaluate({ type: 'image-scan', report }), 'vuln-no-known-exploited'), report.vulnerabilities.some((v) => v.kev) ? 'fail' : 'pass');
  // The only shaping: no gem CVE of this fixture is in the catalog, so the catalog's first real
  // entry is joined to the first real finding (as the matcher would if it were listed).
  const { kev } = await collect(kevImporter, sharedData('advisories/kev'));
  const entry = kev[0]!;
  const shaped = { ...report, vulnerabilities: report.vulnerabilities.map((v, i) => (i === 0 ? { ...v, id: entry.cve, kev: { dateAdded: entry.dateAdded } } : v)) };
  const vs = set.evaluate({ type: 'image-scan', report: shaped });
  const v = vs.find((x) => x.policy === 'vuln-no-known-exploited')!;
  assert.equal(v.result, 'fail');
  assert.match(v.message!, new RegExp(entry.cve));
});

test('CLI: policy eval exit codes and JSON; policy test catches a wrong expectation; bad policy exits 2', { skip: SKIP }, () => {
  const triad = (...args: string[]) => spawnSync(join(REPO_ROOT, 'bin/triad'), args, { encoding: 'utf8', timeout: 60_000 });
  const failPod = sharedData(PSA, 'restricted/v1.37/fail/runasuser0.yaml');
  const passPod = sharedData(PSA, 'restricted/v1.37/pass/base.yaml');
  const r = triad('policy', 'eval', '-p', join(POLICIES, 'pss-restricted.yaml'), failPod, '--exit-code', '7', '--format', 'json');
  assert.equal(r.status, 7, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.allowed, false);
  assert.ok(out.verdicts.some((v: { validation?: string }) => v.validation === 'runAsUser'));
  assert.equal(triad('policy', 'eval', '-p', join(POLICIES, 'pss-restricted.yaml'), passPod, '--exit-code', '7').status, 0);

  const dir = mkdtempSync(join(tmpdir(), 'triad-policy-'));
  writeFileSync(join(dir, 'bad.yaml'), 'apiVersion: triad.dev/v1alpha1\nkind: Policy\nmetadata: {name: bad}\nspec:\n  match: {kinds: [Pod]}\n  validations:\n    - expression: object.spec.(\n');
  const bad = triad('policy', 'eval', '-p', join(dir, 'bad.yaml'), passPod);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /bad\.yaml:7: policy "bad": validation #1: invalid CEL/);

  writeFileSync(
    join(dir, 'wrong-test.yaml'),
    `apiVersion: triad.dev/v1alpha1\nkind: PolicyTest\nmetadata: {name: wrong}\nspec:\n  policies: [${join(POLICIES, 'pss-restricted.yaml')}]\n  resources: [${failPod}]\n  results:\n    - {policy: pss-restricted, resources: [runasuser0], result: pass}\n`,
  );
  const t = triad('policy', 'test', dir);
  assert.equal(t.status, 1);
  assert.match(t.stdout, /FAIL .*runasuser0.* pass +fail/);
  assert.match(t.stdout, /1 checks: 0 passed, 1 failed/);
});
