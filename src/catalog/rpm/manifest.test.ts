import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { sharedData } from '../../../test/shared-data.ts';
import type { FileMeta, FoundPackage } from '../cataloger.ts';
import { rpmCataloger } from './index.ts';
import { parseRpmManifest } from './manifest.ts';
import { bufferSource } from './reader.ts';
import { hasRpm, rpmQuery } from './testkit.ts';

const PATH = 'var/lib/rpmmanifest/container-manifest-2';
const meta = (path: string, size: number): FileMeta => ({ path, size, mode: 0o644 });
/** The query format the Azure Linux toolkit writes the manifest with. */
const MANIFEST_QF = '%{NAME}\\t%{VERSION}-%{RELEASE}\\t%{INSTALLTIME}\\t%{BUILDTIME}\\t%{VENDOR}\\t%{EPOCH}\\t%{SIZE}\\t%{ARCH}\\t%{EPOCHNUM}\\t%{SOURCERPM}\\n';

test('parses manifest lines; "(none)" means unset; bad lines are reported', () => {
  const warnings: string[] = [];
  const recs = parseRpmManifest(
    [
      'mariner-release\t2.0-12.cm2\t1653816591\t1653753130\tMicrosoft Corporation\t(none)\t580\tnoarch\t0\tmariner-release-2.0-12.cm2.src.rpm',
      'tzdata\t2022a-1.cm2\t1\t2\t(none)\t3\t99\tnoarch\t3\t(none)\r',
      'short\t1.0-1',
      '',
      'broken-no-release\t1.0\t1',
      '\tno-name-1',
    ].join('\n'),
    warnings,
  );
  assert.deepEqual(recs, [
    { name: 'mariner-release', version: '2.0', release: '12.cm2', files: [], provides: [], requires: [], epoch: 0, vendor: 'Microsoft Corporation', size: 580, arch: 'noarch', sourceRpm: 'mariner-release-2.0-12.cm2.src.rpm' },
    { name: 'tzdata', version: '2022a', release: '1.cm2', files: [], provides: [], requires: [], epoch: 3, size: 99, arch: 'noarch' },
    { name: 'short', version: '1.0', release: '1', files: [], provides: [], requires: [] },
  ]);
  assert.deepEqual(warnings, ['line 5: not a "name<TAB>version-release..." entry', 'line 6: not a "name<TAB>version-release..." entry']);
});

const MARINER = sharedData('pkgdb/rpmdb/pkg/testdata/cbl-mariner-2.0/rpmdb.sqlite');

test('a manifest written by rpm from the Mariner database lists the same packages as the database', async (t) => {
  if (!existsSync(MARINER)) return t.skip('fixture not present');
  if (!hasRpm()) return t.skip('rpm not installed');
  const manifest = Buffer.from(rpmQuery(MARINER, 'rpmdb.sqlite', MANIFEST_QF) ?? '');
  assert.ok(manifest.length > 0);
  const fromManifest = await rpmCataloger.parse(meta(PATH, manifest.length), bufferSource(manifest));
  const db = readFileSync(MARINER);
  const fromDb = await rpmCataloger.parse(meta('var/lib/rpm/rpmdb.sqlite', db.length), bufferSource(db));
  assert.equal(fromManifest.warnings, undefined);
  // The manifest has no files, licences or dependencies; everything else must agree.
  const strip = (p: FoundPackage) => ({ name: p.name, version: p.version, arch: p.arch, purl: p.purl, source: p.source, vendor: p.metadata?.vendor, size: p.metadata?.installedSize });
  assert.equal(fromManifest.packages!.length, 129);
  assert.deepEqual(fromManifest.packages!.map(strip), fromDb.packages!.map(strip));
  for (const p of fromManifest.packages!) assert.deepEqual(p.locations, [PATH]);

  // When both exist, the database wins.
  const both = await rpmCataloger.finalize!({
    files: [
      { meta: meta(PATH, manifest.length), result: fromManifest },
      { meta: meta('var/lib/rpm/rpmdb.sqlite', db.length), result: fromDb },
    ],
    exists: () => true,
  });
  assert.ok(both.every((p) => p.locations?.[0] === 'var/lib/rpm/rpmdb.sqlite'));
  assert.equal(both.length, 129);
});

test('wants the manifest with a bound of its own', () => {
  assert.ok(rpmCataloger.wants(meta(PATH, 0)));
  assert.equal(rpmCataloger.wants(meta('var/lib/rpmmanifest/container-manifest-1', 0)), false);
});
