// `triad k8s scan` as users run it: formats (SARIF validated against the schema, JSON against the
// report schema), --checks, --pss-version, --exit-code, stdin, bad input.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { REPO_ROOT, hasSharedData, sharedData } from '../../test/shared-data.ts';
import { formatErrors, reportValidator, sarifValidator } from '../report/testing/validate.ts';

function triad(args: string[], input?: string) {
  const r = spawnSync(join(REPO_ROOT, 'bin/triad'), args, { encoding: 'utf8', input, cwd: REPO_ROOT, env: { ...process.env, CI: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'triad-k8s-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const PSA = 'k8s/pod-security-admission/test/testdata';

interface SarifResult {
  ruleId: string;
  message: { text: string };
  locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }>;
}

test('SARIF: one result per failing check and resource, at the file and line; valid SARIF 2.1.0', (t) => {
  if (!hasSharedData(PSA)) return t.skip('shared data absent');
  const failDir = sharedData(PSA, 'restricted/v1.37/fail');
  const r = triad(['k8s', 'scan', failDir, '--checks', 'pss-restricted', '-f', 'sarif', '--exit-code', '4']);
  assert.equal(r.code, 4, r.err);
  const sarif = JSON.parse(r.out) as { runs: Array<{ results: SarifResult[]; tool: { driver: { rules: Array<{ id: string; help: { text: string } }> } } }> };
  const validate = sarifValidator();
  assert.ok(validate(sarif), formatErrors(validate.errors));
  const results = sarif.runs[0]!.results;
  const files = readdirSync(failDir);
  // Every failing pod (one per file) has at least one result, and no (check, file) pair repeats.
  const uris = new Set(results.map((x) => x.locations[0]!.physicalLocation.artifactLocation.uri));
  assert.equal(uris.size, files.length);
  const pairs = results.map((x) => `${x.ruleId} ${x.locations[0]!.physicalLocation.artifactLocation.uri}`);
  assert.equal(new Set(pairs).size, pairs.length);
  // The location is the offending field's line.
  const priv = results.find((x) => x.ruleId === 'PSS-privileged' && x.locations[0]!.physicalLocation.artifactLocation.uri.endsWith('privileged0.yaml'))!;
  const line = priv.locations[0]!.physicalLocation.region.startLine;
  assert.match(readFileSync(join(failDir, 'privileged0.yaml'), 'utf8').split('\n')[line - 1]!, /privileged: true/);
  assert.match(priv.message.text, /violates PodSecurity "restricted:v1\.37": privileged \(container "container1" must not set securityContext\.privileged=true\)/);
  assert.ok(sarif.runs[0]!.tool.driver.rules.find((x) => x.id === 'PSS-privileged')!.help.text.includes('Remediation:'));
});

test('--checks pss-baseline over the upstream pass fixtures: clean, exit 0; --pss-version changes the verdict', (t) => {
  if (!hasSharedData(PSA)) return t.skip('shared data absent');
  const pass = triad(['k8s', 'scan', sharedData(PSA, 'baseline/v1.37/pass'), '--checks', 'pss-baseline', '-f', 'json', '--exit-code', '7']);
  assert.equal(pass.code, 0, pass.err);
  const doc = JSON.parse(pass.out) as { misconfigurations: unknown[] };
  assert.deepEqual(doc.misconfigurations, []);
  // sysctls new in v1.37 are forbidden at v1.36.
  const file = sharedData(PSA, 'baseline/v1.37/pass/sysctls1.yaml');
  const old = triad(['k8s', 'scan', file, '--checks', 'PSS-sysctls', '--pss-version', 'v1.36', '-f', 'json', '--exit-code', '7']);
  assert.equal(old.code, 7);
  assert.match(old.out, /forbidden sysctls \(net\.ipv4\.tcp_slow_start_after_idle, net\.ipv4\.tcp_notsent_lowat\)/);
});

test('JSON validates against the report schema; table names resource and line; aliases select checks', (t) => {
  if (!hasSharedData('k8s/examples')) return t.skip('shared data absent');
  const ex = sharedData('k8s/examples/_archived/phabricator/phabricator-controller.json');
  const json = triad(['k8s', 'scan', ex, '-f', 'json']);
  assert.equal(json.code, 0, json.err);
  const validate = reportValidator();
  const doc = JSON.parse(json.out);
  assert.ok(validate(doc), formatErrors(validate.errors));
  const table = triad(['k8s', 'scan', ex, '--checks', 'KSV011,C-0017']);
  assert.match(table.out, /KSV-0011 .*ReplicationController phabricator-controller: container "phabricator" has no cpu limit .*line 23/);
  assert.match(table.out, /KSV-0014 /);
  assert.doesNotMatch(table.out, /PSS-/);
});

test('stdin with Helm output; bad input exits 2 naming file, document and line', () => {
  const helm = '---\n# Source: app/templates/pod.yaml\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\nspec:\n  hostPID: true\n  containers: [{name: c, image: "r.io/c:1"}]\n';
  const r = triad(['k8s', 'scan', '-', '--checks', 'pss-baseline', '-f', 'json', '--exit-code', '1'], helm);
  assert.equal(r.code, 1);
  const doc = JSON.parse(r.out) as { misconfigurations: Array<{ checkId: string; target: string; message: string; region: { startLine: number } }> };
  assert.deepEqual(doc.misconfigurations.map((m) => [m.checkId, m.target, m.region.startLine]), [['PSS-hostNamespaces', '-', 7]]);
  assert.match(doc.misconfigurations[0]!.message, /\[template app\/templates\/pod\.yaml\]$/);

  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'apiVersion: v1\nkind: Pod\nmetadata: {name: ok}\nspec: {containers: [{name: c, image: x}]}\n---\nkind: [unclosed\n');
  const b = triad(['k8s', 'scan', bad, '-f', 'json']);
  assert.equal(b.code, 2);
  assert.match(b.err, /bad\.yaml, document 2, line \d+: malformed YAML/);
  assert.ok(JSON.parse(b.out).misconfigurations.length > 0, 'the readable document is still reported');

  const u = triad(['k8s', 'scan', bad, '--checks', 'NOPE-1']);
  assert.equal(u.code, 2);
  assert.match(u.err, /unknown check\(s\) "NOPE-1"/);
  assert.equal(triad(['k8s', 'scan', bad, '--pss-version', 'v9']).code, 2);
});
