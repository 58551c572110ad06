import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { escapeAttr, renderJUnit, xmlSafe } from './junit.ts';
import { HOSTILE, alpineReport, gemReport, haveFixtureData, hostile } from './testing/fixtures.ts';

const skip = !haveFixtureData() && 'shared data absent';

function hasXmllint(): boolean {
  try {
    execFileSync('xmllint', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const noXmllint = !hasXmllint() && 'xmllint absent (Debian libxml2-utils; scripts/install-deps.sh installs it)';

/** Writes the XML, checks well-formedness with xmllint and evaluates XPath expressions on it. */
function xpath(xml: string, exprs: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'triad-junit-'));
  try {
    const file = join(dir, 'report.xml');
    writeFileSync(file, xml);
    execFileSync('xmllint', ['--noout', file], { stdio: 'pipe' });
    // xmllint ends what it prints with one newline of its own.
    return exprs.map((e) => execFileSync('xmllint', ['--xpath', e, file], { encoding: 'utf8' }).replace(/\n$/, ''));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('well-formed JUnit: one failure per finding, a passing case for the clean OS target', { skip: skip || noXmllint }, async () => {
  for (const f of [gemReport, alpineReport]) {
    const { report } = await f();
    const findings = report.vulnerabilities.length + report.secrets.length + report.misconfigurations.length;
    const [failures, passing, attr] = xpath(renderJUnit(report), ['count(//testsuite/testcase/failure)', 'count(//testcase[not(failure)])', 'string(/testsuites/@failures)']);
    assert.equal(Number(failures), findings);
    assert.equal(Number(attr), findings);
    assert.equal(Number(passing), f === alpineReport ? 1 : 0);
  }
});

test('hostile text survives the round trip exactly (minus what XML cannot carry)', { skip: skip || noXmllint }, async () => {
  const report = hostile((await gemReport()).report);
  const v = report.vulnerabilities[0]!;
  const [message, body, suites] = xpath(renderJUnit(report), [
    `string(//testcase[contains(@name, '${v.id}')][1]/failure/@message)`,
    `string(//testcase[contains(@name, '${v.id}')][1]/failure)`,
    'count(//testsuite)',
  ]);
  assert.equal(message, xmlSafe(HOSTILE).replace(/\r/g, '\n'));
  assert.ok(body!.endsWith(xmlSafe(HOSTILE).replace(/\r/g, '\n')));
  assert.equal(Number(suites), 2, 'the injected </testsuite> did not open or close anything');
});

test('escaping: XML-forbidden characters dropped, astral characters kept', () => {
  assert.equal(xmlSafe('a\u0000b\ud800c\uffffd😀'), 'abcd😀');
  assert.equal(escapeAttr('<"\'&>\n'), '&lt;&quot;&apos;&amp;&gt;&#10;');
});

test('clean secret and misconfiguration scans show as passing cases; scans that did not run show nothing', { skip: skip || noXmllint }, async () => {
  const { report } = await alpineReport();
  const clean = { ...report, secrets: [], misconfigurations: [], scanners: ['vuln', 'secret', 'misconfig'] as Array<'vuln' | 'secret' | 'misconfig'>, misconfigTargets: ['Dockerfile', 'img:1'] };
  const vulns = report.vulnerabilities.length;
  const [passing, secretCase, dfCase, failures] = xpath(renderJUnit(clean), [
    'count(//testcase[not(failure)])',
    "count(//testsuite[contains(@name, '(secrets)')]/testcase[@name='no secrets found'])",
    "count(//testsuite[@name='Dockerfile (misconfigurations)']/testcase[@name='no misconfigurations'])",
    'string(/testsuites/@failures)',
  ]);
  assert.equal(Number(secretCase), 1);
  assert.equal(Number(dfCase), 1);
  assert.equal(Number(passing), 1 + 1 + 2, 'clean OS target, secrets, two clean misconfiguration targets');
  assert.equal(Number(failures), vulns);
  // One Dockerfile with a finding: no passing case for it, the other stays green.
  const finding = { checkId: 'DS-0002', title: 't', severity: 'HIGH' as const, message: 'm', target: 'Dockerfile' };
  const mixed = { ...clean, misconfigurations: [finding] };
  const [dfPass, imgPass] = xpath(renderJUnit(mixed), ["count(//testcase[@classname='Dockerfile'][not(failure)])", "count(//testsuite[@name='img:1 (misconfigurations)']/testcase[not(failure)])"]);
  assert.equal(Number(dfPass), 0);
  assert.equal(Number(imgPass), 1);
  // Without `scanners` (an old report, or scanners not run): no invented passes.
  const [none] = xpath(renderJUnit({ ...report, secrets: [], misconfigurations: [] }), ["count(//testsuite[contains(@name, '(secrets)')])"]);
  assert.equal(Number(none), 0);
});
