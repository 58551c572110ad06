import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ScanReport } from '../model/finding.ts';
import { numericScore, oneLine, targetFor } from './common.ts';
import { renderReport, REPORT_FORMATS } from './index.ts';
import { gemReport, haveFixtureData } from './testing/fixtures.ts';

const bare: ScanReport = { schemaVersion: 1, target: 'img', vulnerabilities: [], fixes: [], secrets: [], misconfigurations: [], suppressed: [], warnings: [], createdAt: '2024-05-01T12:00:00Z' };

test('targets: lockfiles and binaries by path, installed packages by language, OS together', () => {
  assert.deepEqual(targetFor(bare, 'npm', ['app/package-lock.json']), { name: 'app/package-lock.json', class: 'file', type: 'npm' });
  assert.deepEqual(targetFor(bare, 'npm', ['usr/lib/node_modules/npm/node_modules/semver/package.json']), { name: 'Node.js', class: 'lang', type: 'npm' });
  assert.deepEqual(targetFor(bare, 'golang', ['usr/local/bin/app']), { name: 'usr/local/bin/app', class: 'file', type: 'golang' });
  assert.deepEqual(targetFor(bare, 'maven', ['app/app.jar!/BOOT-INF/lib/x.jar']), { name: 'Java', class: 'lang', type: 'maven' });
  assert.deepEqual(targetFor(bare, 'nuget', ['app/App.deps.json']), { name: 'app/App.deps.json', class: 'file', type: 'nuget' });
  assert.equal(targetFor(bare, 'deb', ['var/lib/dpkg/status']).class, 'os');
});

test('numeric score: agreeing CVSS score first, else the severity band', () => {
  assert.equal(numericScore({ severity: 'HIGH', cvss: [{ type: 'CVSS_V3', score: 9.8, rating: 'CRITICAL' }, { type: 'CVSS_V3', score: 7.5, rating: 'HIGH' }] }), 7.5);
  assert.equal(numericScore({ severity: 'MEDIUM', cvss: [] }), 5.5);
  assert.equal(numericScore({ severity: 'bogus', cvss: [{ type: 'CVSS_V3', score: 42 }] }), 0);
});

test('oneLine removes CSI and OSC sequences whole and collapses controls', () => {
  assert.equal(oneLine('a\u001b[1;31mb\u001b[0m\u001b]0;title\u0007c\nd\u202e'), 'abc d');
});

test('renderReport covers every format name', { skip: !haveFixtureData() && 'shared data absent' }, async () => {
  const { report } = await gemReport();
  for (const f of REPORT_FORMATS) assert.ok(renderReport(report, f, { color: false, width: 120 }).length > 100, f);
  assert.throws(() => renderReport(report, 'html' as never), /unknown report format "html"/);
});
