import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ScanReport } from '../model/finding.ts';
import { renderJSON, toReportJSON } from './json.ts';
import { alpineReport, gemReport, haveFixtureData, hostile } from './testing/fixtures.ts';
import { formatErrors, reportValidator } from './testing/validate.ts';

const skip = !haveFixtureData() && 'shared data absent';

function shuffled(r: ScanReport): ScanReport {
  const c = structuredClone(r);
  c.vulnerabilities.reverse();
  c.secrets.reverse();
  c.misconfigurations.reverse();
  c.inventory?.packages.reverse();
  c.inventory?.layers.reverse();
  // Key order inside objects must not matter either.
  c.vulnerabilities = c.vulnerabilities.map((v) => Object.fromEntries(Object.entries(v).reverse()) as typeof v);
  return c;
}

test('the JSON report validates against its documented schema (hostile text too)', { skip }, async () => {
  const validate = reportValidator();
  for (const f of [gemReport, alpineReport]) {
    const { report } = await f();
    for (const r of [report, hostile(report)]) {
      const doc = JSON.parse(renderJSON(r));
      assert.ok(validate(doc), `${r.target}:\n${formatErrors(validate.errors)}`);
    }
  }
});

test('the schema is strict: an undocumented field fails validation', { skip }, async () => {
  const doc = toReportJSON((await gemReport()).report) as { vulnerabilities: Array<Record<string, unknown>> };
  const validate = reportValidator();
  assert.ok(validate(doc));
  doc.vulnerabilities[0]!.undocumented = true;
  assert.ok(!validate(doc));
});

test('output is byte-identical whatever order the findings and keys arrive in', { skip }, async () => {
  for (const f of [gemReport, alpineReport]) {
    const { report } = await f();
    assert.equal(renderJSON(shuffled(report)), renderJSON(report));
  }
});

test('every finding is there once, with its target, and the summary counts them', { skip }, async () => {
  const { report } = await gemReport();
  const doc = JSON.parse(renderJSON(report)) as {
    summary: { vulnerabilities: Record<string, number>; secrets: { total: number }; misconfigurations: { total: number }; suppressed: number };
    vulnerabilities: Array<{ id: string; packageId: string; target: string; severity: string }>;
    inventory: { packages: unknown[] };
  };
  const key = (v: { id: string; packageId: string }) => `${v.packageId} ${v.id}`;
  assert.deepEqual(doc.vulnerabilities.map(key).sort(), report.vulnerabilities.map(key).sort());
  assert.ok(doc.vulnerabilities.every((v) => v.target === 'Gemfile.lock'));
  assert.equal(doc.summary.vulnerabilities.total, report.vulnerabilities.length);
  assert.equal(doc.summary.vulnerabilities.HIGH, report.vulnerabilities.filter((v) => v.severity === 'HIGH').length);
  assert.equal(doc.summary.misconfigurations.total, report.misconfigurations.length);
  assert.equal(doc.summary.suppressed, 1);
  assert.equal(doc.inventory.packages.length, report.inventory!.packages.length);
  // Same package: most severe first.
  const rank = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'];
  for (let i = 1; i < doc.vulnerabilities.length; i++) {
    const a = doc.vulnerabilities[i - 1]!;
    const b = doc.vulnerabilities[i]!;
    if (a.packageId === b.packageId) assert.ok(rank.indexOf(a.severity) <= rank.indexOf(b.severity), `${a.id} before ${b.id}`);
  }
});
