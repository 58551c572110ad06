// SBOMs from other tools read back into inventories: Trivy's own CycloneDX and SPDX of centos:7
// (from its integration fixtures) matched against the fixture advisories reproduce Trivy's golden
// findings for that image; Triad's own CycloneDX round-trips.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { hasSharedData, sharedData } from '../../test/shared-data.ts';
import { toCycloneDX } from '../sbom/cyclonedx.ts';
import { scanImage } from '../scan/scan.ts';
import { matchInventory } from './matcher.ts';
import { SbomInputError, sbomToInventory } from './sbom-input.ts';
import { buildFixtureDB } from './testing/trivy-fixtures.ts';

const DIR = 'expected/trivy-integration/integration/testdata';
const have = hasSharedData(DIR, 'fixtures', 'sbom');

function goldenKeys(file: string): string[] {
  const g = JSON.parse(readFileSync(sharedData(DIR, file), 'utf8')) as { Results: Array<{ Vulnerabilities?: Array<{ PkgName: string; InstalledVersion: string; VulnerabilityID: string; FixedVersion?: string }> }> };
  return g.Results.flatMap((r) => r.Vulnerabilities ?? []).map((v) => `${v.PkgName} ${v.InstalledVersion} ${v.VulnerabilityID} ${v.FixedVersion ?? ''}`).sort();
}

test("Trivy's CycloneDX and SPDX of centos:7 give Trivy's findings", { skip: !have }, async () => {
  const db = await buildFixtureDB(sharedData(DIR, 'fixtures', 'db'));
  try {
    const cdx = sbomToInventory(readFileSync(sharedData(DIR, 'fixtures/sbom/centos-7-cyclonedx.json'), 'utf8'), 'centos-7-cyclonedx.json');
    assert.equal(cdx.os?.family, 'centos');
    assert.equal(cdx.os?.version, '7.6.1810');
    const ssl = cdx.packages.find((p) => p.name === 'openssl-libs')!;
    assert.equal(ssl.version, '1:1.0.2k-16.el7', 'epoch from the purl qualifier');
    assert.equal(ssl.source?.name, 'openssl');
    const ours = matchInventory(cdx, db).vulnerabilities.map((v) => `${v.packageName} ${v.installedVersion} ${v.id} ${v.fixedVersions.join(', ')}`).sort();
    assert.deepEqual(ours, goldenKeys('centos-7.json.golden'));

    const spdx = sbomToInventory(readFileSync(sharedData(DIR, 'fixtures/sbom/centos-7-spdx.json'), 'utf8'), 'centos-7-spdx.json');
    assert.equal(spdx.os?.family, 'centos');
    const fromSpdx = matchInventory(spdx, db).vulnerabilities.map((v) => `${v.packageName} ${v.installedVersion} ${v.id} ${v.fixedVersions.join(', ')}`).sort();
    assert.deepEqual(fromSpdx, goldenKeys('centos-7.json.golden'));
  } finally {
    db.close();
  }
});

test('Triad CycloneDX round-trips: OS, source packages, owners and layers come back', { skip: !hasSharedData('images/dockle') }, async () => {
  const inv = await scanImage(sharedData('images/dockle/pkg/deckoder/extractor/image/testdata/alpine-310.tar.gz'));
  const back = sbomToInventory(JSON.stringify(toCycloneDX(inv)), 'x.cdx.json');
  assert.deepEqual({ f: back.os?.family, v: back.os?.version }, { f: inv.os?.family, v: inv.os?.version });
  assert.equal(back.packages.length, inv.packages.length);
  const a = inv.packages.find((p) => p.name === 'libssl1.1')!;
  const b = back.packages.find((p) => p.name === 'libssl1.1')!;
  assert.deepEqual([b.version, b.source?.name, b.layer?.diffID, b.ecosystem], [a.version, a.source?.name, a.layer?.diffID, a.ecosystem]);
});

test('bad SBOM input is a clear error naming the file; unusable components are warnings', () => {
  assert.throws(() => sbomToInventory('{', 'bad.json'), (e: Error) => e instanceof SbomInputError && /bad\.json: not JSON/.test(e.message));
  assert.throws(() => sbomToInventory('{"a":1}', 'x.json'), /neither CycloneDX/);
  const inv = sbomToInventory(JSON.stringify({ bomFormat: 'CycloneDX', components: [{ type: 'library', name: 'a', purl: 'not a purl' }, { type: 'library', name: 'b' }, { type: 'library', name: 'c', purl: 'pkg:npm/%40scope/c@1.0.0' }] }), 'w.json');
  assert.equal(inv.packages.length, 1);
  assert.equal(inv.packages[0]!.name, '@scope/c');
  assert.equal(inv.warnings.length, 2, inv.warnings.join('\n'));
});
