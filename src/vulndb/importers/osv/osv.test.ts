import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { hasSharedData, sharedData } from '../../../../test/shared-data.ts';
import { runImporter } from '../lang-common/testing.ts';
import { mapEcosystem } from './ecosystems.ts';
import { osvImporter, parseOsvText } from './index.ts';
import { GIT_SKIP } from './parse.ts';

const GO = 'advisories/go-vulndb';
const PYPA = 'advisories/pypa';
const TRIVY = 'feeds/trivy-db/pkg/vulnsrc';
const GHSA_TOOL = 'feeds/osv-schema/tools/ghsa/testdata';

type Raw = Record<string, any>;

// Each real tree is imported once and shared by the tests that read it.
const imports = new Map<string, ReturnType<typeof runImporter>>();
function importOnce(path: string): ReturnType<typeof runImporter> {
  if (!imports.has(path)) imports.set(path, runImporter(osvImporter, path));
  return imports.get(path)!;
}

async function rawFile(path: string): Promise<Raw> {
  return parseOsvText(path, await readFile(path, 'utf8')) as Raw;
}

test('Go vulndb: the whole tree imports, every record, no warnings; each advisory agrees with its file', { skip: !hasSharedData(GO) }, async () => {
  const dir = sharedData(GO, 'data/osv');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json'));
  const t0 = Date.now();
  const got = await importOnce(sharedData(GO));
  const ms = Date.now() - t0;
  assert.deepEqual(got.warnings, []);
  assert.equal(got.advisories.length, files.length);
  assert.ok(ms < 20_000, `import took ${ms} ms`);
  const byId = new Map(got.advisories.map((a) => [a.id, a]));
  // Field-by-field against the raw record, for every file: nothing lost, nothing invented.
  for (const f of files) {
    const raw = await rawFile(join(dir, f));
    const a = byId.get(raw.id);
    assert.ok(a, raw.id);
    assert.equal(a.source, 'osv');
    assert.deepEqual(new Set(a.aliases), new Set(raw.aliases ?? []), raw.id);
    assert.equal(a.summary, raw.summary);
    assert.equal(a.withdrawn, raw.withdrawn);
    assert.deepEqual(a.related, raw.related);
    assert.deepEqual(a.references, [...new Set((raw.references ?? []).map((r: Raw) => r.url))]);
    assert.equal(a.affected.length, raw.affected.length, raw.id);
    raw.affected.forEach((ra: Raw, i: number) => {
      const x = a.affected[i]!;
      assert.equal(x.ecosystem, 'golang');
      assert.equal(x.package, ra.package.name);
      assert.deepEqual(x.ranges, ra.ranges.map((r: Raw) => ({ type: r.type, events: r.events })));
      assert.equal(x.runtime, ra.package.name === 'stdlib' || ra.package.name === 'toolchain' ? 'go' : undefined);
      assert.equal(x.distro, undefined);
    });
  }
});

test('Go vulndb: specific advisories', { skip: !hasSharedData(GO) }, async () => {
  const got = await importOnce(sharedData(GO));
  const gin = got.byId('GO-2020-0001');
  assert.deepEqual(gin.aliases, ['CVE-2020-36567', 'GHSA-6vm3-jj99-7229']);
  assert.equal(gin.published, '2021-04-14T20:04:52Z');
  assert.equal(gin.modified, undefined, "Go's zero time is no modification date");
  assert.equal(gin.summary, 'Arbitrary log line injection in github.com/gin-gonic/gin');
  assert.deepEqual(gin.affected, [
    {
      ecosystem: 'golang',
      package: 'github.com/gin-gonic/gin',
      ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.6.0' }] }],
    },
  ]);
  assert.deepEqual(gin.references, [
    'https://github.com/gin-gonic/gin/pull/2237',
    'https://github.com/gin-gonic/gin/commit/a71af9c144f9579f6dbe945341c1df37aaf09c0d',
  ]);

  // The standard library is matched with the Go version of a binary's toolchain.
  const zip = got.byId('GO-2021-0067');
  assert.deepEqual(zip.affected, [
    {
      ecosystem: 'golang',
      package: 'stdlib',
      runtime: 'go',
      ranges: [{ type: 'SEMVER', events: [{ introduced: '1.16.0-0' }, { fixed: '1.16.1' }] }],
    },
  ]);
  const cmdGo = got.byId('GO-2022-0177');
  assert.equal(cmdGo.affected[0]!.package, 'toolchain');
  assert.equal(cmdGo.affected[0]!.runtime, 'go');
  assert.deepEqual((cmdGo.affected[0]!.ranges[0] as { events: unknown[] }).events, [
    { introduced: '0' },
    { fixed: '1.8.4' },
    { introduced: '1.9.0-0' },
    { fixed: '1.9.1' },
  ]);

  const withdrawn = got.byId('GO-2022-0617');
  assert.equal(withdrawn.withdrawn, '2024-08-21T16:25:56Z');
  assert.equal(withdrawn.published, undefined);
  assert.deepEqual(withdrawn.aliases, ['CVE-2020-8562', 'GHSA-qh36-44jv-c8xj']);

  const related = got.byId('GO-2020-0050');
  assert.deepEqual(related.related, ['CVE-2020-26290', 'CVE-2020-27847', 'GHSA-2x32-jm95-2cpx', 'GHSA-m9hp-7r99-94h5']);
  assert.deepEqual(related.aliases, ['CVE-2020-15216', 'GHSA-q547-gmf8-8jr7']);
});

test('PyPA: the whole YAML tree imports; GIT ranges counted, versions lists and CVSS kept', { skip: !hasSharedData(PYPA) }, async () => {
  const got = await runImporter(osvImporter, sharedData(PYPA));
  // One warning only: the GIT-range tally (PyPA records both the commit and the release ranges).
  assert.equal(got.warnings.length, 1, JSON.stringify(got.warnings.slice(0, 5)));
  assert.match(got.warnings[0]!.message, new RegExp(`^${GIT_SKIP.replace(/[()]/g, '\\$&')}: \\d+ skipped`));
  let yamlFiles = 0;
  for (const d of await readdir(sharedData(PYPA, 'vulns'))) {
    if (!d.startsWith('.')) yamlFiles += (await readdir(sharedData(PYPA, 'vulns', d))).filter((f) => f.endsWith('.yaml')).length;
  }
  assert.equal(got.advisories.length, yamlFiles);

  const ac = got.byId('PYSEC-2021-335');
  assert.deepEqual(ac.aliases, ['CVE-2021-32807', 'GHSA-qcx9-j53g-ccgf']);
  assert.equal(ac.published, '2021-07-30T22:15:00Z');
  assert.equal(ac.modified, '2021-09-26T23:32:08.989778Z');
  assert.deepEqual(ac.affected, [
    {
      ecosystem: 'pypi',
      package: 'accesscontrol',
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '4.0' }, { fixed: '4.3' }, { introduced: '5.0' }, { fixed: '5.2' }] }],
      versions: ['4.0', '4.1', '4.2', '5.0', '5.1'],
    },
  ]);

  // Versions stay strings exactly as written (YAML would otherwise read 1.3.0.2 fine but 1.10 as 1.1).
  const zstd = got.byId('PYSEC-2023-121');
  const rawZstd = await rawFile(sharedData(PYPA, 'vulns/zstd/PYSEC-2023-121.yaml'));
  assert.deepEqual(zstd.affected[0]!.versions, rawZstd.affected[0].versions);
  assert.equal(zstd.affected[0]!.versions!.length, 39);
  assert.equal(zstd.affected[0]!.versions![2], '1.3.0.2');
  assert.deepEqual(zstd.affected[0]!.ranges, [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }]);

  const aio = got.byId('PYSEC-2023-246');
  assert.deepEqual(aio.severity, [{ type: 'CVSS_V3', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N', source: 'pypa' }]);

  // Withdrawn with its ranges removed: kept (stored, never matched), no warning.
  const loguru = got.byId('PYSEC-2022-15');
  assert.equal(loguru.withdrawn, '2022-02-22T16:15:07Z');
  assert.deepEqual(loguru.affected, []);
});

test('GHSA records (OSV form): crates.io -> cargo, CVSS vector and GitHub severity word', { skip: !hasSharedData(TRIVY) }, async () => {
  const got = await runImporter(osvImporter, sharedData(TRIVY, 'ghsa/testdata/happy/ghsa/advisories/github-reviewed/2021/08/GHSA-mp6f-p9gp-vpj9'));
  assert.deepEqual(got.warnings, []);
  const a = got.byId('GHSA-mp6f-p9gp-vpj9');
  assert.deepEqual(a.aliases, ['CVE-2020-25792']);
  assert.deepEqual(a.severity, [
    { type: 'CVSS_V3', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', source: 'ghsa' },
    { type: 'vendor', rating: 'HIGH', source: 'ghsa' },
  ]);
  assert.deepEqual(a.affected, [
    { ecosystem: 'cargo', package: 'sized-chunks', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '0.6.3' }] }] },
  ]);
});

test('GHSA tool outputs: withdrawn, events kept in published order, Maven coordinates, empty versions dropped', { skip: !hasSharedData(GHSA_TOOL) }, async () => {
  const dir = sharedData(GHSA_TOOL);
  const files = (await readdir(dir)).filter((f) => f.endsWith('.osv.json'));
  const got = await runImporter(osvImporter, dir);
  // The GitHub API inputs beside them (*.json without .osv) are not OSV: one warning each.
  const nonOsv = (await readdir(dir)).filter((f) => f.endsWith('.json') && !f.endsWith('.osv.json'));
  assert.equal(got.warnings.length, nonOsv.length);
  for (const w of got.warnings) assert.match(w.message, /not an OSV record/);
  assert.equal(got.advisories.length, files.length);
  const w = got.byId('GHSA-35c4-f3rq-f9g3');
  assert.equal(w.withdrawn, '2018-10-11T17:29:49Z');
  assert.equal(w.affected[0]!.versions, undefined);
  const multi = got.byId('GHSA-9qj7-jvg4-qr2x');
  assert.deepEqual((multi.affected[0]!.ranges[0] as { events: unknown[] }).events, [
    { introduced: '0' },
    { introduced: '4.0.1' },
    { fixed: '4.0.5' },
    { fixed: '3.0.21' },
  ]);
  const maven = got.advisories.find((a) => a.affected.some((x) => x.ecosystem === 'maven'));
  assert.ok(maven && maven.affected.every((x) => x.package.includes(':')), 'Maven names are groupId:artifactId');
});

test("Trivy's OSV samples: upstream CVEs, future withdrawals, CVSS v4, vectors out of order", { skip: !hasSharedData(TRIVY) }, async () => {
  const got = await runImporter(osvImporter, sharedData(TRIVY, 'osv/testdata/happy'));
  // PYSEC-2018-27 names its CVE only under `upstream`.
  assert.deepEqual(got.byId('PYSEC-2018-27').aliases, ['CVE-2018-10895', 'GHSA-wgmx-52ph-qqcw']);
  // Withdrawn in the year 3001: not withdrawn yet.
  assert.equal(got.byId('PYSEC-2019-156').withdrawn, undefined);
  assert.equal(got.byId('PYSEC-2023-73').withdrawn, '2023-06-06T10:37:00Z');
  assert.deepEqual(got.byId('PYSEC-2026-1').severity, [
    { type: 'CVSS_V3', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L', source: 'pypa' },
    { type: 'CVSS_V4', vector: 'CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:N/VI:N/VA:L/SC:N/SI:N/SA:N', source: 'pypa' },
  ]);
  // A CVSS v4.0 vector with its metrics out of order is not a vector: dropped with a warning.
  assert.deepEqual(got.byId('PYSEC-2026-2').severity, [{ type: 'CVSS_V3', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', source: 'pypa' }]);
  assert.ok(got.warnings.some((w) => w.file.endsWith('PYSEC-2026-2.json') && /CVSS_V4/.test(w.message)));
  assert.deepEqual(got.byId('PYSEC-2026-1').affected, [
    { ecosystem: 'pypi', package: 'Werkzeug', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.1.5' }] }] },
  ]);
});

test('malformed files: one warning naming each, the rest still imported', { skip: !hasSharedData(TRIVY) }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'triad-osv-'));
  try {
    const copy = async (from: string, to: string) => writeFile(join(dir, to), await readFile(sharedData(TRIVY, from)));
    await copy('osv/testdata/sad/vuln-list/osv/python/PYSEC-2005-1.json', 'bad-json.json');
    await copy('govulndb/testdata/sad/govulndb/data/osv/GO-2024-2730.json', 'bad-go.json');
    await copy('osv/testdata/happy/vuln-list/osv/python/PYSEC-2018-27.json', 'good.json');
    await writeFile(join(dir, 'bad.yaml'), 'id: X-1\naffected: [\n');
    await writeFile(join(dir, 'not-osv.json'), '{"hello": "world"}');
    // Go vulndb's report format: an id but no modified.
    await writeFile(join(dir, 'report.yaml'), 'id: GO-2020-0001\nmodules:\n  - module: github.com/gin-gonic/gin\n');
    const got = await runImporter(osvImporter, dir);
    assert.deepEqual(got.advisories.map((a) => a.id), ['PYSEC-2018-27']);
    const errors = got.warnings.filter((w) => !w.message.startsWith(GIT_SKIP));
    assert.deepEqual(errors.map((w) => w.file.slice(dir.length + 1)).sort(), ['bad-go.json', 'bad-json.json', 'bad.yaml', 'not-osv.json', 'report.yaml']);
    assert.match(errors.find((w) => w.file.endsWith('bad.yaml'))!.message, /line \d+/);
  } finally {
    await rm(dir, { recursive: true });
  }
});

test('hostile records: bad events, wrong types, unknown ecosystems, alias bombs', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'triad-osv-'));
  try {
    const rec = (id: string, affected: unknown) => JSON.stringify({ id, modified: '2024-01-01T00:00:00Z', affected });
    const pkg = { ecosystem: 'npm', name: 'left-pad' };
    await writeFile(join(dir, 'a.json'), rec('X-1', [{ package: pkg, ranges: [{ type: 'SEMVER', events: [{ introduced: '0', fixed: '1' }] }] }]));
    await writeFile(join(dir, 'b.json'), rec('X-2', [{ package: pkg, ranges: [{ type: 'SEMVER', events: [{ fixed: '1.0.0' }] }] }]));
    await writeFile(join(dir, 'c.json'), rec('X-3', [{ package: { ecosystem: 'Hex', name: 'plug' }, versions: ['1.0'] }]));
    await writeFile(join(dir, 'd.json'), rec('X-4', 'everything'));
    await writeFile(join(dir, 'e.json'), rec('X-5', [{ package: pkg, ranges: [{ type: 'SEMVAR', events: [] }, { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0.0' }] }] }, 7]));
    await writeFile(join(dir, 'f.json'), '[' + rec('X-6', [{ package: pkg, versions: ['1.0.0', 1.5, null] }]) + ', 42]');
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 0; i < 12; i++) bomb.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`);
    await writeFile(join(dir, 'g.yaml'), `id: X-7\nmodified: "2024"\naffected:\n  - package: {ecosystem: npm, name: x}\n    versions: *m\n${bomb.join('\n')}\n`);
    const got = await runImporter(osvImporter, dir);
    const ids = got.advisories.map((a) => a.id).sort();
    assert.deepEqual(ids, ['X-5', 'X-6']);
    assert.deepEqual(got.byId('X-5').affected[0]!.ranges, [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0.0' }] }]);
    assert.deepEqual(got.byId('X-6').affected[0]!.versions, ['1.0.0', '1.5']);
    const files = new Set(got.warnings.map((w) => w.file.slice(dir.length + 1)));
    for (const f of ['a.json', 'b.json', 'c.json', 'd.json', 'e.json', 'f.json', 'g.yaml']) assert.ok(files.has(f), `${f} warned`);
    assert.ok(got.warnings.some((w) => /ecosystem without Triad packages \(Hex\): 1 skipped/.test(w.message)));
  } finally {
    await rm(dir, { recursive: true });
  }
});

test('OSV ecosystem names map to Triad ecosystems and distro releases', () => {
  const cases: Array<[string, unknown]> = [
    ['npm', { ecosystem: 'npm' }],
    ['PyPI', { ecosystem: 'pypi' }],
    ['Maven', { ecosystem: 'maven' }],
    ['Maven:https://maven.google.com', { ecosystem: 'maven' }],
    ['Go', { ecosystem: 'golang' }],
    ['crates.io', { ecosystem: 'cargo' }],
    ['RubyGems', { ecosystem: 'gem' }],
    ['Packagist', { ecosystem: 'composer' }],
    ['NuGet', { ecosystem: 'nuget' }],
    ['Debian:12', { ecosystem: 'deb', distro: { family: 'debian', release: '12' }, bySource: true }],
    ['Debian:3.0', { ecosystem: 'deb', distro: { family: 'debian', release: '3' }, bySource: true }],
    ['Ubuntu:22.04:LTS', { ecosystem: 'deb', distro: { family: 'ubuntu', release: '22.04' }, bySource: true }],
    ['Ubuntu:23.10', { ecosystem: 'deb', distro: { family: 'ubuntu', release: '23.10' }, bySource: true }],
    ['Alpine:v3.18', { ecosystem: 'apk', distro: { family: 'alpine', release: '3.18' }, bySource: true }],
    ['Rocky Linux:9', { ecosystem: 'rpm', distro: { family: 'rocky', release: '9' } }],
    ['AlmaLinux:8', { ecosystem: 'rpm', distro: { family: 'almalinux', release: '8' } }],
    ['Red Hat:enterprise_linux:9::appstream', { ecosystem: 'rpm', distro: { family: 'rhel', release: '9' } }],
    ['openSUSE:Leap 15.5', { ecosystem: 'rpm', distro: { family: 'opensuse-leap', release: '15.5' } }],
    ['SUSE:Linux Enterprise Server 15 SP5', { ecosystem: 'rpm', distro: { family: 'sles', release: '15.5' } }],
    ['Photon OS:5.0', { ecosystem: 'rpm', distro: { family: 'photon', release: '5.0' } }],
  ];
  for (const [name, want] of cases) assert.deepEqual(mapEcosystem(name), want, name);
  for (const name of ['Ubuntu:Pro:16.04:LTS', 'Debian', 'Alpine:edge', 'Hex', 'Linux', 'GIT', 'Wolfi', 'Red Hat:rhel_eus:8.4::baseos', '']) {
    assert.ok('skip' in mapEcosystem(name), name);
  }
});

test('distro records: state from the presence of a fix, source packages', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'triad-osv-'));
  try {
    const doc = {
      id: 'DEBIAN-CVE-2024-0001',
      modified: '2024-05-01T00:00:00Z',
      affected: [
        { package: { ecosystem: 'Debian:12', name: 'openssl' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.13-1~deb12u1' }] }] },
        { package: { ecosystem: 'Debian:11', name: 'openssl' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }], ecosystem_specific: { urgency: 'low' } },
      ],
    };
    await writeFile(join(dir, 'd.json'), JSON.stringify(doc));
    const got = await runImporter(osvImporter, join(dir, 'd.json'));
    const [bookworm, bullseye] = got.byId('DEBIAN-CVE-2024-0001').affected;
    assert.equal(bookworm!.state, 'fixed');
    assert.equal(bookworm!.bySource, true);
    assert.equal(bullseye!.state, 'affected');
    assert.equal(bullseye!.severity, 'LOW');
  } finally {
    await rm(dir, { recursive: true });
  }
});

test('detect: OSV trees and files yes, other formats no', { skip: !hasSharedData(GO) || !hasSharedData(PYPA) }, async () => {
  assert.equal(await osvImporter.detect(sharedData(GO)), true);
  assert.equal(await osvImporter.detect(sharedData(PYPA)), true);
  assert.equal(await osvImporter.detect(sharedData(GO, 'data/osv/GO-2020-0001.json')), true);
  assert.equal(await osvImporter.detect(sharedData('advisories/rubysec')), false);
  assert.equal(await osvImporter.detect(sharedData('advisories/kev')), false);
  assert.equal(await osvImporter.detect('/nonexistent/path'), false);
});
