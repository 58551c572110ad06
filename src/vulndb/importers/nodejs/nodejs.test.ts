import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { hasSharedData, sharedData } from '../../../../test/shared-data.ts';
import { runImporter } from '../lang-common/testing.ts';
import { nodejsImporter } from './index.ts';
import { DEPS_SKIP, OTHER_PLATFORM_SKIP } from './parse.ts';

const WG = 'advisories/nodejs-security-wg';
const TRIVY = 'feeds/trivy-db/pkg/vulnsrc/node/testdata';

let whole: ReturnType<typeof runImporter> | undefined;
const importWhole = () => (whole ??= runImporter(nodejsImporter, sharedData(WG)));

async function records(kind: string): Promise<Array<{ n: string; raw: Record<string, any> }>> {
  const dir = sharedData(WG, 'vuln', kind);
  const out = [];
  for (const f of await readdir(dir)) {
    if (/^\d+\.json$/.test(f)) out.push({ n: f.replace('.json', ''), raw: JSON.parse(await readFile(join(dir, f), 'utf8')) });
  }
  return out;
}

test('the whole vuln/ tree imports: every npm and core record, skips counted with their reasons', { skip: !hasSharedData(WG) }, async () => {
  const got = await importWhole();
  const npm = await records('npm');
  const core = await records('core');
  const deps = await records('deps');
  const windowsOnly = core.filter((c) => !c.raw.affectedEnvironments.some((e: string) => e === 'all' || e === 'linux'));
  assert.ok(windowsOnly.length > 0);
  assert.equal(got.advisories.length, npm.length + core.length - windowsOnly.length);
  const messages = got.warnings.map((w) => `${basename(w.file)}: ${w.message}`).sort();
  assert.deepEqual(messages, [
    `${windowsOnly.map((c) => c.n).sort()[0]}.json: ${OTHER_PLATFORM_SKIP}: ${windowsOnly.length} skipped (this file is the first)`,
    `1.json: ${DEPS_SKIP}: ${deps.length} skipped (this file is the first)`,
    // A real data error: "I:U/A:U" are not CVSS v3 values.
    '504.json: CVSS vector "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:U/A:U" not understood, ignored',
  ].sort());
  const byId = new Map(got.advisories.map((a) => [a.id, a]));
  for (const { n, raw } of npm) {
    const a = byId.get(`NSWG-ECO-${n}`);
    assert.ok(a, n);
    assert.deepEqual(new Set(a.aliases), new Set(raw.cves));
    assert.equal(a.affected[0]!.package, raw.module_name);
    const r = a.affected[0]!.ranges[0] as { affected: string[]; unaffected?: string[] };
    assert.deepEqual(r.affected, [raw.vulnerable_versions]);
    assert.deepEqual(r.unaffected, raw.patched_versions && raw.patched_versions !== '<0.0.0' ? [raw.patched_versions] : undefined);
  }
  for (const { n, raw } of core) {
    const a = byId.get(`NSWG-COR-${n}`);
    if (windowsOnly.some((c) => c.n === n)) {
      assert.equal(a, undefined);
      continue;
    }
    assert.ok(a, n);
    assert.deepEqual(a.affected, [
      { ecosystem: 'npm', package: 'node', runtime: 'node', ranges: [{ type: 'CONSTRAINT', affected: [raw.vulnerable.trim()], unaffected: [raw.patched.trim()] }] },
    ]);
  }
});

test('specific advisories, field by field', { skip: !hasSharedData(WG) }, async () => {
  const got = await importWhole();
  const bass = got.byId('NSWG-ECO-1');
  assert.equal(bass.source, 'nodejs-security-wg');
  assert.deepEqual(bass.aliases, ['CVE-2014-7205']);
  assert.equal(bass.summary, 'Arbitrary JavaScript Execution');
  assert.equal(bass.published, '2014-09-27');
  assert.equal(bass.modified, '2016-04-28');
  assert.match(bass.details!, /^A vulnerability exists in bassmaster <= 1\.5\.1[\s\S]*\n\nUpdate to bassmaster version 1\.5\.2 or greater\.$/);
  assert.deepEqual(bass.severity, [
    { type: 'CVSS_V3', vector: 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N', score: 6.5, rating: 'MEDIUM', source: 'nodejs-security-wg' },
  ]);
  assert.deepEqual(bass.references, ['https://www.npmjs.org/package/bassmaster', 'https://github.com/hapijs/bassmaster/commit/b751602d8cb7194ee62a61e085069679525138c4']);
  assert.deepEqual(bass.affected, [{ ecosystem: 'npm', package: 'bassmaster', ranges: [{ type: 'CONSTRAINT', affected: ['<=1.5.1'], unaffected: ['>=1.5.2'] }] }]);

  // "<0.0.0" patched means no fix: no unaffected expression.
  const hubl = got.byId('NSWG-ECO-334');
  assert.deepEqual(hubl.affected[0]!.ranges, [{ type: 'CONSTRAINT', affected: ['<=99.999.99999'] }]);
  assert.deepEqual(hubl.severity, []);
  assert.deepEqual(hubl.references, []);

  // Node.js core: the vector's missing "CVSS:" prefix repaired, the WG's own severity word kept.
  const http = got.byId('NSWG-COR-18');
  assert.deepEqual(http.aliases, ['CVE-2016-5325']);
  assert.equal(http.summary, 'HTTP processing security defect (CVE-2016-5325)');
  assert.deepEqual(http.references, ['https://github.com/nodejs/node-private/pull/60']);
  assert.deepEqual(http.severity, [
    { type: 'CVSS_V3', vector: 'CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:N', score: 4.8, rating: 'MEDIUM', source: 'nodejs-security-wg' },
    { type: 'vendor', rating: 'MEDIUM', source: 'nodejs-security-wg' },
  ]);
  assert.deepEqual(http.affected, [
    { ecosystem: 'npm', package: 'node', runtime: 'node', ranges: [{ type: 'CONSTRAINT', affected: ['6.x || 4.x || 5.x'], unaffected: ['^6.7.0 || ^4.6.0'] }] },
  ]);
  const smuggling = got.byId('NSWG-COR-100');
  assert.deepEqual(smuggling.aliases, ['CVE-2022-35256']);
  assert.match(smuggling.summary!, /^The llhttp parser in the http module in Node\.js v18\.7\.0/);
  // Windows-only: not in the database.
  assert.ok(!got.advisories.some((a) => a.id === 'NSWG-COR-112'));
});

test("Trivy's node samples: null CVSS, numeric scores; a broken file and a record without a number are warnings", { skip: !hasSharedData(TRIVY) }, async () => {
  const got = await runImporter(nodejsImporter, sharedData(TRIVY));
  assert.deepEqual(got.advisories.map((a) => a.id).sort(), ['NSWG-COR-18', 'NSWG-ECO-1', 'NSWG-ECO-1', 'NSWG-ECO-334'].sort());
  const warned = got.warnings.map((w) => basename(w.file)).sort();
  assert.deepEqual(warned, ['invalidvuln.json', 'npm_nocvssseverity.json']);
  const nocvss = got.advisories.find((a) => a.id === 'NSWG-ECO-334')!;
  assert.deepEqual(nocvss.severity, []);
});

test('hostile records', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'triad-nswg-'));
  try {
    await mkdir(join(dir, 'vuln', 'npm'), { recursive: true });
    await mkdir(join(dir, 'vuln', 'core'), { recursive: true });
    const w = (p: string, v: unknown) => writeFile(join(dir, 'vuln', p), typeof v === 'string' ? v : JSON.stringify(v));
    await w('npm/1.json', { id: 1, module_name: 'x', vulnerable_versions: '<1.0.0', patched_versions: '>=1.0.0', cvss_score: 'high', cves: 'CVE-2020-0001' });
    await w('npm/2.json', { id: 2, module_name: 'y' });
    await w('npm/3.json', [1, 2, 3]);
    await w('core/x.json', { vulnerable: '1.x', patched: '^1.2.0' });
    await w('core/4.json', { vulnerable: '1.x', patched: '^1.2.0', severity: 'apocalyptic', affectedEnvironments: 'all' });
    await w('npm/index.json', '{"1": {}}');
    const got = await runImporter(nodejsImporter, dir);
    assert.deepEqual(got.advisories.map((a) => a.id).sort(), ['NSWG-COR-4', 'NSWG-ECO-1']);
    assert.deepEqual(got.byId('NSWG-ECO-1').aliases, ['CVE-2020-0001']);
    assert.deepEqual(got.byId('NSWG-COR-4').severity, []);
    assert.deepEqual(got.warnings.map((x) => basename(x.file)).sort(), ['2.json', '3.json', '4.json', 'x.json']);
  } finally {
    await rm(dir, { recursive: true });
  }
});

test('detect', { skip: !hasSharedData(WG) }, async () => {
  assert.equal(await nodejsImporter.detect(sharedData(WG)), true);
  assert.equal(await nodejsImporter.detect(sharedData(WG, 'vuln/core/100.json')), true);
  assert.equal(await nodejsImporter.detect(sharedData('advisories/go-vulndb')), false);
  assert.equal(await nodejsImporter.detect(sharedData('advisories/kev')), false);
});
