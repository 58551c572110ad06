import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SEVERITIES } from '../model/advisory.ts';
import { renderTable } from './table.ts';
import { displayWidth } from './text.ts';
import { alpineReport, gemReport, haveFixtureData, hostile } from './testing/fixtures.ts';

const skip = !haveFixtureData() && 'shared data absent';
const SGR = /\u001b\[[0-9;]*m/g;

test('vulnerabilities are grouped by target with a Trivy summary line and every finding listed', { skip }, async () => {
  const { report } = await gemReport();
  const out = renderTable(report, { width: Infinity, color: false });
  assert.match(out, /^Gemfile\.lock \(gem\)\n=+\n/);
  const counts = SEVERITIES.map((s) => `${s}: ${report.vulnerabilities.filter((v) => v.severity === s).length}`).join(', ');
  assert.ok(out.includes(`Total: ${report.vulnerabilities.length} (${counts})`), out.slice(0, 300));
  assert.ok(report.vulnerabilities.length > 10, 'the fixture has real findings');
  const rows = out.split('\n').filter((l) => l.startsWith('│ ') && !l.startsWith('│ Library'));
  assert.ok(rows.length >= report.vulnerabilities.length);
  for (const v of report.vulnerabilities) {
    assert.ok(rows.some((r) => r.includes(` ${v.packageName} `) && r.includes(v.id) && r.includes(v.installedVersion)), `${v.packageName} ${v.id}`);
  }
  assert.match(out, /│ 0: COPY Gemfile\* \. /, 'layer instruction, cleaned of buildkit boilerplate');
});

test('clean OS target, secrets with "deleted in layer N", misconfigurations by target with lines', { skip }, async () => {
  const { report } = await alpineReport();
  const out = renderTable(report, { width: Infinity, color: false });
  assert.match(out, /^alpine:3\.10 \(alpine 3\.10\.4\)\n=+\nTotal: 0 \(UNKNOWN: 0, LOW: 0, MEDIUM: 0, HIGH: 0, CRITICAL: 0\)\n/);
  assert.match(out, /\nSecrets\n=+\nTotal: 2 \(UNKNOWN: 0, LOW: 0, MEDIUM: 1, HIGH: 0, CRITICAL: 1\)/);
  assert.match(out, /│ private-key +│ CRITICAL │ app\/private_key:1 +│ 0: ADD file:\S+ +│ deleted in layer 1 │ ----\*+/);
  assert.ok(!report.secrets.some((s) => out.includes(s.match.replace(/\*+$/, '') + 'x')), 'only the redacted match is shown');
  assert.match(out, /\nDockerfile \(misconfigurations\)\n=+\n/);
  assert.match(out, /│ DS-0005 +│ LOW +│ ADD instead of COPY +│ .* │ line 4 +│/);
  assert.match(out, /│ TRIAD-IMG-0001 +│ HIGH /);
});

test('fits the terminal width by cutting the long columns', { skip }, async () => {
  for (const f of [gemReport, alpineReport]) {
    const { report } = await f();
    for (const width of [100, 140]) {
      const out = renderTable(hostile(report), { width, color: false });
      for (const line of out.split('\n').filter((l) => /^[┌│├└]/.test(l))) assert.ok(displayWidth(line) <= width, `${displayWidth(line)} > ${width}: ${line}`);
    }
  }
});

test('hostile text: no escape sequences or control characters reach the terminal', { skip }, async () => {
  const report = hostile((await gemReport()).report);
  const plain = renderTable(report, { width: Infinity, color: false });
  assert.doesNotMatch(plain, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
  assert.ok(plain.includes('Evil "title"'), 'the text itself is kept');
  assert.ok(!plain.includes('[31m') && !plain.includes('pwned'), 'escape sequences removed whole, OSC titles too');
  const colored = renderTable(report, { width: Infinity, color: true });
  assert.ok(colored.includes('\u001b[31m'), 'severity colours when asked');
  assert.doesNotMatch(colored.replace(SGR, ''), /\u001b/, 'the only escapes are our own colours');
  // Not a TTY here: the default is plain text.
  assert.doesNotMatch(renderTable(report), /\u001b/);
});
