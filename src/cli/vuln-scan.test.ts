// `triad image` / `triad sbom scan` as users run them: exit codes, --severity, --ignore-unfixed,
// --ignorefile, --vex, formats; the real bundled database (installed into a temp --db).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { hasSharedData, REPO_ROOT, sharedData } from '../../test/shared-data.ts';
import { installSnapshot, SNAPSHOT_FILE } from '../vulndb/location.ts';

const dir = mkdtempSync(join(tmpdir(), 'triad-vuln-cli-'));
const DB = join(dir, 'db.sqlite');
const LOCKS = sharedData('pkgdb/osv-detector/testdata/locks-e2e');
const ok = existsSync(SNAPSHOT_FILE) && hasSharedData('pkgdb/osv-detector');

function triad(...args: string[]) {
  const r = spawnSync(join(REPO_ROOT, 'bin/triad'), ['-q', ...args], { encoding: 'utf8', cwd: dir, env: { ...process.env, CI: '1', TRIAD_DB: DB }, maxBuffer: 256 << 20 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

let sbom: string;
before(async () => {
  if (!ok) return;
  await installSnapshot(SNAPSHOT_FILE, DB);
  const root = join(dir, 'app');
  spawnSync('mkdir', ['-p', root]);
  copyFileSync(join(LOCKS, '1-Pipfile.lock'), join(root, 'Pipfile.lock'));
  sbom = join(dir, 'app.cdx.json');
  const r = triad('sbom', `rootfs:${root}`, '-f', 'cyclonedx', '-o', sbom);
  assert.equal(r.code, 0, r.err);
});

interface Report { vulnerabilities: Array<{ id: string; severity: string; status: string; packageName: string }>; suppressed: Array<{ findingId: string; by: string }>; fixes: unknown[] }

test('sbom scan: JSON report, --exit-code only when findings remain', { skip: !ok }, () => {
  const r = triad('sbom', 'scan', sbom, '-f', 'json', '--exit-code', '5');
  assert.equal(r.code, 5, r.err);
  const rep = JSON.parse(r.out) as Report;
  assert.ok(rep.vulnerabilities.some((v) => v.packageName === 'cryptography' && v.id === 'CVE-2023-49083'));
  assert.ok(rep.fixes.length > 0);
  const none = triad('sbom', 'scan', sbom, '-f', 'json', '--severity', 'CRITICAL', '--exit-code', '5');
  const crit = JSON.parse(none.out) as Report;
  assert.equal(none.code, crit.vulnerabilities.length ? 5 : 0);
  assert.ok(crit.vulnerabilities.every((v) => v.severity === 'CRITICAL'));
  assert.ok(crit.suppressed.some((s) => s.by === 'severity'));
  assert.equal(triad('sbom', 'scan', sbom, '-f', 'json').code, 0, 'exit code 0 unless asked');
});

test('--ignore-unfixed, --ignorefile and --vex suppress', { skip: !ok }, () => {
  const unfixed = JSON.parse(triad('sbom', 'scan', sbom, '-f', 'json', '--ignore-unfixed').out) as Report;
  assert.ok(unfixed.vulnerabilities.every((v) => v.status === 'fixed'));
  writeFileSync(join(dir, '.triadignore'), 'CVE-2023-49083\n');
  const ign = JSON.parse(triad('sbom', 'scan', sbom, '-f', 'json').out) as Report;
  assert.ok(!ign.vulnerabilities.some((v) => v.id === 'CVE-2023-49083'), 'the default .triadignore in the working directory');
  assert.ok(ign.suppressed.some((s) => s.findingId === 'CVE-2023-49083' && s.by === 'ignorefile'));
  writeFileSync(join(dir, 'empty-ignore'), '');
  const vex = join(dir, 'vex.json');
  writeFileSync(vex, JSON.stringify({ '@context': 'https://openvex.dev/ns/v0.2.0', statements: [{ vulnerability: { name: 'CVE-2023-49083' }, products: [{ '@id': 'pkg:pypi/cryptography' }], status: 'not_affected' }] }));
  const v = JSON.parse(triad('sbom', 'scan', sbom, '-f', 'json', '--ignorefile', join(dir, 'empty-ignore'), '--vex', vex).out) as Report;
  assert.ok(v.suppressed.some((s) => s.findingId === 'CVE-2023-49083' && s.by === 'vex'));
});

test('table format has a summary line; bad input exits 2 with one line', { skip: !ok }, () => {
  const t = triad('sbom', 'scan', sbom);
  assert.equal(t.code, 0, t.err);
  assert.match(t.out, /Total: \d+ \(/);
  for (const s of ['CRITICAL: ', 'HIGH: ', 'MEDIUM: ']) assert.ok(t.out.includes(s), s);
  assert.match(t.out, /cryptography/);
  for (const args of [['--severity', 'SEVERE'], ['--exit-code', 'x'], ['--ignorefile', join(dir, 'missing')], ['--vex', join(dir, 'missing.json')], ['--scanners', 'vuln,magic']]) {
    const r = triad('sbom', 'scan', sbom, ...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
  }
  const notSbom = join(dir, 'not.json');
  writeFileSync(notSbom, '{"hello":1}');
  assert.equal(triad('sbom', 'scan', notSbom).code, 2);
});

test('sarif, cyclonedx (VDR) and junit formats carry the findings', { skip: !ok }, () => {
  // (an earlier test leaves a .triadignore in the working directory)
  writeFileSync(join(dir, '.triadignore'), '');
  const sarif = JSON.parse(triad('sbom', 'scan', sbom, '-f', 'sarif').out) as { version: string; runs: Array<{ results: Array<{ ruleId: string }> }> };
  assert.equal(sarif.version, '2.1.0');
  assert.ok(sarif.runs[0]!.results.some((r) => r.ruleId === 'CVE-2023-49083'));
  const vdr = JSON.parse(triad('sbom', 'scan', sbom, '-f', 'cyclonedx').out) as { bomFormat: string; vulnerabilities: Array<{ id: string }> };
  assert.equal(vdr.bomFormat, 'CycloneDX');
  assert.ok(vdr.vulnerabilities.some((v) => v.id === 'CVE-2023-49083'));
  const junit = triad('sbom', 'scan', sbom, '-f', 'junit', '--exit-code', '4');
  assert.equal(junit.code, 4);
  assert.match(junit.out, /<testsuites[\s\S]*CVE-2023-49083/);
  assert.equal(triad('sbom', `rootfs:${dir}`, '-f', 'sarif').code, 2, 'an SBOM has no SARIF form');
});

test('image: the report of a real image, JSON with its inventory', { skip: !ok || !hasSharedData('images/dockle') }, () => {
  const img = sharedData('images/dockle/pkg/deckoder/extractor/image/testdata/alpine-310.tar.gz');
  const r = triad('image', img, '-f', 'json', '--exit-code', '1', '--scanners', 'vuln');
  assert.equal(r.code, 0, r.err);
  const rep = JSON.parse(r.out) as Report & { inventory: { os: { family: string } }; db: { sources: string[] } };
  assert.equal(rep.inventory.os.family, 'alpine');
  assert.deepEqual(rep.vulnerabilities, []);
  assert.ok(rep.db.sources.includes('alpine-secdb'));
  // By default all three scanners run: this image runs as root with no health check.
  const all = triad('image', img, '-f', 'json', '--exit-code', '1');
  assert.equal(all.code, 1, all.err);
  const full = JSON.parse(all.out) as { misconfigurations: Array<{ checkId: string }> };
  assert.ok(full.misconfigurations.length > 0);
});
