// OS package parity with another scanner (snyk-docker-plugin) on the same real archives: its
// expected results are jest snapshots in ../shared/data/expected/snyk. These fixtures were
// hand-edited by their authors (layers cut out of manifest.json, digests not updated), so they
// are read with digest verification off, as that scanner reads them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultCatalogSet } from '../../src/catalog/index.ts';
import { scanImage } from '../../src/scan/scan.ts';
import { hasSharedData, sharedData } from '../shared-data.ts';
import { snapshotPackages } from './snyk-snapshots.ts';

const CASES: Array<{ snapshot: string; title: string; archive: string }> = [
  { snapshot: 'image-type/__snapshots__/docker-archive.spec.ts.snap', title: 'docker archive scanning should correctly scan a docker archive 1', archive: 'docker-archives/docker-save/nginx.tar' },
  { snapshot: 'image-type/__snapshots__/compressed-archive.spec.ts.snap', title: 'compressed archive scanning should correctly scan a compressed archive 1', archive: 'docker-archives/skopeo-copy/nginx-compressed-layers.tar' },
  { snapshot: 'image-type/__snapshots__/oci-archive.spec.ts.snap', title: 'oci archive scanning should correctly scan an oci archive 1', archive: 'oci-archives/alpine-3.12.0.tar' },
  { snapshot: 'image-type/__snapshots__/kaniko-archive.spec.ts.snap', title: 'kaniko archive scanning should correctly scan a kaniko archive 1', archive: 'kaniko-archives/kaniko-busybox.tar' },
];

for (const c of CASES) {
  test(`OS packages of ${c.archive} equal snyk's expected result`, { skip: !hasSharedData('expected/snyk') }, async () => {
    const expected = snapshotPackages(sharedData('expected/snyk/test/system', c.snapshot)).get(c.title);
    assert.ok(expected, `snapshot "${c.title}" not found`);
    const set = defaultCatalogSet(['dpkg', 'apk', 'rpm']);
    const inv = await scanImage(sharedData('images/snyk/test/fixtures', c.archive), { verifyDigests: false, catalogs: set });
    const got = new Set(inv.packages.map((p) => `${p.name} ${p.version}`));
    const missing = [...expected].filter((x) => !got.has(x));
    const extra = [...got].filter((x) => !expected.has(x));
    assert.deepEqual({ missing, extra }, { missing: [], extra: [] });
  });
}
