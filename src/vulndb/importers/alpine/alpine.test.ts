import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { hasSharedData, sharedData } from '../../../../test/shared-data.ts';
import type { Advisory } from '../../../model/advisory.ts';
import { memorySink } from '../os-common/testing.ts';
import { vunnelFixes } from '../os-common/vunnel.ts';
import { chainguardImporter, wolfiImporter } from '../wolfi/index.ts';
import { alpineImporter } from './index.ts';
import { alpineRelease, entryIds } from './secdb.ts';

const VUNNEL = 'feeds/vunnel/tests/unit/providers';

/** (id, package, fixed version or "0") triples of what an import produced for one release. */
function triples(advisories: Advisory[], release: string): string[] {
  const out: string[] = [];
  for (const a of advisories)
    for (const f of a.affected) {
      if (f.distro?.release !== release) continue;
      const fixed = f.state === 'not-affected' ? '0' : f.ranges.flatMap((r) => ('events' in r ? r.events : [])).find((e) => e.fixed)?.fixed;
      out.push(`${a.id} ${f.package} ${fixed}`);
    }
  return out.sort();
}

test('alpine: the v3.15 sample gives exactly the fixes vunnel derived from it', { skip: !hasSharedData(VUNNEL, 'alpine') }, async () => {
  const s = memorySink();
  await alpineImporter.import(sharedData(VUNNEL, 'alpine/test-fixtures/input/secdb'), s);
  assert.deepEqual(s.warnings, []);
  const expected = vunnelFixes(sharedData(VUNNEL, 'alpine/test-fixtures/snapshots/3.15'))
    .map((f) => `${f.id} ${f.name} ${f.version}`)
    .sort();
  assert.ok(expected.length > 10);
  assert.deepEqual(triples(s.advisories, '3.15'), expected);
  const zlib = s.byId('CVE-2022-37434')!;
  assert.deepEqual(zlib.affected, [
    {
      ecosystem: 'apk',
      distro: { family: 'alpine', release: '3.15' },
      package: 'zlib',
      bySource: true,
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.2.12-r2' }] }],
      state: 'fixed',
    },
  ]);
  assert.equal(zlib.source, 'alpine-secdb');
});

test('wolfi and chainguard: security.json gives the fixes vunnel derived, "0" as not-affected', { skip: !hasSharedData(VUNNEL, 'wolfi') }, async () => {
  for (const [imp, input, snaps] of [
    [wolfiImporter, 'wolfi/test-fixtures/input/secdb', 'wolfi/test-fixtures/snapshots/wolfi:rolling'],
    [chainguardImporter, 'chainguard/test-fixtures/input/secdb', 'chainguard/test-fixtures/snapshots/secdb/chainguard:rolling'],
  ] as const) {
    const s = memorySink();
    assert.equal(await imp.detect(sharedData(VUNNEL, input)), true);
    // The other rolling importer does not claim this feed, nor does Alpine's.
    const other = imp === wolfiImporter ? chainguardImporter : wolfiImporter;
    assert.equal(await other.detect(sharedData(VUNNEL, input)), false);
    assert.equal(await alpineImporter.detect(sharedData(VUNNEL, input)), false);
    await imp.import(sharedData(VUNNEL, input), s);
    assert.deepEqual(s.warnings, []);
    const expected = vunnelFixes(sharedData(VUNNEL, snaps)).map((f) => `${f.id} ${f.name} ${f.version}`).sort();
    assert.deepEqual(triples(s.advisories, 'rolling'), expected);
    assert.ok(s.advisories.every((a) => a.affected.every((f) => f.distro?.family === imp.name)));
  }
  const s = memorySink();
  await wolfiImporter.import(sharedData(VUNNEL, 'wolfi/test-fixtures/input/secdb'), s);
  const coreutils = s.byId('CVE-2016-2781')!.affected[0];
  assert.equal(coreutils.state, 'not-affected');
  assert.deepEqual(coreutils.ranges, []);
});

test('alpine: the whole alpine-secdb tree imports with counted warnings', { skip: !hasSharedData('advisories/alpine-secdb') }, async () => {
  const s = memorySink();
  const root = sharedData('advisories/alpine-secdb');
  assert.equal(await alpineImporter.detect(root), true);
  await alpineImporter.import(root, s);
  // The one record without any id: heimdal 7.4.0-r0 in v3.6 lists an empty string.
  assert.deepEqual(
    s.warnings.map((w) => [w.file.slice(root.length), w.message]),
    [['/v3.6/main.yaml', 'heimdal 7.4.0-r0: no vulnerability id in "", skipped']],
  );
  const releases = new Set(s.advisories.flatMap((a) => a.affected.map((f) => f.distro!.release)));
  assert.deepEqual([...releases].sort(), ['3.10', '3.11', '3.3', '3.4', '3.5', '3.6', '3.7', '3.8', '3.9']);
  // musl's CVE-2019-14697, fixed in each release's own build.
  const musl = s.byId('CVE-2019-14697')!;
  const fixedIn = Object.fromEntries(musl.affected.map((f) => [f.distro!.release, 'events' in f.ranges[0] ? f.ranges[0].events[1].fixed : '']));
  assert.equal(fixedIn['3.10'], '1.1.22-r3');
  assert.equal(fixedIn['3.9'], '1.1.20-r5');
  // Typos in aports are repaired rather than dropped.
  assert.ok(s.byId('CVE-2019-2426')?.affected.some((f) => f.package === 'openjdk7'));
  assert.ok(s.byId('CVE-2018-16859')?.affected.some((f) => f.package === 'ansible' && f.distro!.release === '3.9'));
  assert.ok(s.byId('WNPA-SEC-2017-18'));
  assert.ok(s.byId('XSA-207'));
  // YAML scalars stay strings: no version key was turned into a number.
  for (const a of s.advisories) for (const f of a.affected) for (const r of f.ranges) if ('events' in r) for (const e of r.events) assert.equal(typeof (e.fixed ?? e.introduced), 'string');
});

test('alpine: ids, comments and releases', () => {
  assert.deepEqual(entryIds('CVE-2024-22195 GHSA-h5c8-rqwp-cp95'), ['CVE-2024-22195', 'GHSA-h5c8-rqwp-cp95']);
  assert.deepEqual(entryIds('CVE-2017-2616 (+ regression fix)'), ['CVE-2017-2616']);
  assert.deepEqual(entryIds('GHSA-h6cc-rqwp-23j4 (+regression fix)'), ['GHSA-h6cc-rqwp-23j4']);
  assert.deepEqual(entryIds('see the mailing list'), []);
  assert.equal(alpineRelease('v3.10'), '3.10');
  assert.equal(alpineRelease('edge'), 'edge');
  assert.equal(alpineRelease('v3.14.2'), '3.14');
  assert.equal(alpineRelease('latest-stable'), undefined);
});

test('alpine: malformed documents are counted warnings naming the file, never a crash', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'triad-secdb-'));
  const bad = join(dir, 'v3.12-main.json');
  writeFileSync(
    bad,
    JSON.stringify({
      distroversion: 'v3.12',
      packages: [
        { pkg: { name: 'ok', secfixes: { '1.0-r1': ['CVE-2020-0001'], '0': ['CVE-2020-0002'] } } },
        { pkg: { secfixes: { '1-r0': ['CVE-2020-0003'] } } },
        { pkg: { name: 'x', secfixes: ['CVE-2020-0004'] } },
        { pkg: { name: 'y', secfixes: { '1-r0': 'CVE-2020-0005', '2-r0': 7 } } },
        'garbage',
      ],
    }),
  );
  writeFileSync(join(dir, 'v3.13-main.json'), '{"distroversion": "v3.13", "packages": [');
  writeFileSync(join(dir, 'v3.14-main.yaml'), 'distroversion: v3.14\npackages: [ {pkg: {name: a, secfixes: {1.10-r0: [CVE-2021-0001]}}} ]\n');
  const s = memorySink();
  await alpineImporter.import(dir, s);
  assert.deepEqual(s.advisories.map((a) => a.id).sort(), ['CVE-2020-0001', 'CVE-2020-0002', 'CVE-2020-0005', 'CVE-2021-0001']);
  assert.equal(s.byId('CVE-2020-0002')!.affected[0].state, 'not-affected');
  // "1.10-r0" stays "1.10-r0" in YAML.
  assert.deepEqual(s.byId('CVE-2021-0001')!.affected[0].ranges, [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.10-r0' }] }]);
  assert.equal(s.warnings.length, 5);
  assert.ok(s.warnings.some((w) => w.file.endsWith('v3.13-main.json') && /JSON/.test(w.message)));
  assert.ok(s.warnings.filter((w) => w.file === bad).length === 4);
});
