import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { hasSharedData, sharedData } from '../../test/shared-data.ts';
import { pathUri, toSARIF } from './sarif.ts';
import { alpineReport, gemReport, haveFixtureData, hostile } from './testing/fixtures.ts';
import { formatErrors, sarifValidator } from './testing/validate.ts';

const skip = !haveFixtureData() && 'shared data absent';
const GOLDEN = 'expected/trivy-integration/integration/testdata/alpine-310.sarif.golden';

interface Result {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: Record<string, number> } }>;
  properties: Record<string, unknown>;
}
interface Rule {
  id: string;
  properties: { 'security-severity': string; tags: string[]; aliases?: string[] };
}
interface Log {
  runs: Array<{ tool: { driver: { rules: Rule[] } }; results: Result[]; properties: Record<string, unknown> }>;
}

const sarif = (r: Parameters<typeof toSARIF>[0]) => JSON.parse(JSON.stringify(toSARIF(r))) as Log;

test('valid SARIF 2.1.0 against the official schema (hostile text too)', { skip }, async () => {
  const validate = sarifValidator();
  for (const f of [gemReport, alpineReport]) {
    const { report } = await f();
    for (const r of [report, hostile(report)]) assert.ok(validate(sarif(r)), `${r.target}:\n${formatErrors(validate.errors)}`);
  }
});

test('one rule per advisory id, results point at their rule and carry package facts', { skip }, async () => {
  const { report } = await gemReport();
  const run = sarif(report).runs[0]!;
  const rules = run.tool.driver.rules;
  assert.equal(new Set(rules.map((r) => r.id)).size, rules.length, 'rule ids are unique');
  assert.equal(run.results.length, report.vulnerabilities.length + report.secrets.length + report.misconfigurations.length);
  for (const res of run.results) assert.equal(rules[res.ruleIndex]!.id, res.ruleId);
  for (const v of report.vulnerabilities) {
    const res = run.results.find((r) => r.ruleId === v.id && r.properties.packageId === v.packageId);
    assert.ok(res, `${v.id} on ${v.packageName}`);
    assert.deepEqual(res.properties.aliases, v.aliases);
    assert.equal(res.properties.installedVersion, v.installedVersion);
    assert.equal(res.properties.fixedVersion, v.fixedVersions.join(', '));
    assert.equal(res.locations[0]!.physicalLocation.artifactLocation.uri, 'Gemfile.lock');
    assert.deepEqual((res.properties.layer as { index: number }).index, v.layer!.index);
    const rule = rules[res.ruleIndex]!;
    const score = Number(rule.properties['security-severity']);
    assert.ok(score >= 0 && score <= 10);
    assert.ok(rule.properties.tags.includes('vulnerability'));
    // GitHub's bands: the score must land in the band of the severity shown.
    const band = score >= 9 ? 'CRITICAL' : score >= 7 ? 'HIGH' : score >= 4 ? 'MEDIUM' : score > 0 ? 'LOW' : 'UNKNOWN';
    if (v.cvss.every((c) => c.rating === undefined || c.rating === v.severity)) assert.equal(band, v.severity, `${v.id} ${score}`);
  }
});

test('secrets keep their exact region and layer; Dockerfile findings their lines', { skip }, async () => {
  const { report } = await alpineReport();
  const run = sarif(report).runs[0]!;
  for (const s of report.secrets) {
    const res = run.results.find((r) => r.ruleId === s.ruleId)!;
    assert.equal(res.locations[0]!.physicalLocation.artifactLocation.uri, s.path);
    assert.deepEqual(res.locations[0]!.physicalLocation.region, { startLine: s.startLine, startColumn: s.startColumn, endLine: s.endLine, endColumn: s.endColumn });
    assert.equal((res.properties.layer as { diffID: string }).diffID, s.layer!.diffID);
    assert.equal(res.properties.deletedInLayer, s.deletedInLayer);
    assert.ok(!res.message.text.includes(s.match.replace(/\*+$/, '') + 'x'));
  }
  const ds = report.misconfigurations.find((m) => m.region)!;
  const res = run.results.find((r) => r.ruleId === ds.checkId)!;
  assert.equal(res.locations[0]!.physicalLocation.artifactLocation.uri, 'Dockerfile');
  assert.equal(res.locations[0]!.physicalLocation.region.startLine, ds.region!.startLine);
  const img = run.results.find((r) => r.ruleId === 'TRIAD-IMG-0001')!;
  assert.equal(img.level, 'error');
});

test('same shape as Trivy\'s golden SARIF for the keys GitHub reads', { skip: skip || (!hasSharedData(GOLDEN) && 'golden absent') }, async () => {
  const golden = JSON.parse(readFileSync(sharedData(GOLDEN), 'utf8')) as Log & Record<string, unknown>;
  const ours = sarif((await gemReport()).report) as Log & Record<string, unknown>;
  assert.equal(ours.version, golden.version);
  const keys = (o: object) => Object.keys(o).sort();
  for (const k of keys(golden.runs[0]!)) assert.ok(k in ours.runs[0]!, `run.${k}`);
  const gRule = golden.runs[0]!.tool.driver.rules[0]!;
  const oRule = ours.runs[0]!.tool.driver.rules.find((r) => 'helpUri' in r)!;
  for (const k of keys(gRule)) assert.ok(k in oRule, `rule.${k}`);
  for (const k of ['precision', 'security-severity', 'tags']) assert.ok(k in oRule.properties, `rule.properties.${k}`);
  const gRes = golden.runs[0]!.results[0]!;
  for (const k of keys(gRes)) assert.ok(k in ours.runs[0]!.results[0]!, `result.${k}`);
});

test('artifact URIs are relative references, percent-encoded per segment', () => {
  assert.equal(pathUri('/usr/lib/app.jar!/BOOT-INF/lib/x y.jar'), 'usr/lib/app.jar%21/BOOT-INF/lib/x%20y.jar');
  assert.equal(pathUri('C:\\a#b?c'), 'C%3A/a%23b%3Fc');
  assert.equal(pathUri(''), '.');
});
