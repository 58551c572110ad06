// End to end: real images and a real dpkg database through the real scanner, then through the
// writers, then through the official schemas. Skips what this machine does not have.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { hasSharedData, sharedData } from '../../test/shared-data.ts';
import { dpkgCataloger } from '../catalog/dpkg/index.ts';
import { npmCataloger } from '../catalog/npm/index.ts';
import { identifyOS, osReleaseCataloger } from '../catalog/osrelease/index.ts';
import { openImage } from '../image/open.ts';
import type { Inventory } from '../model/types.ts';
import { buildInventory } from '../scan/inventory.ts';
import { walkImage } from '../walker/walk.ts';
import { toCycloneDX } from './cyclonedx.ts';
import { renderJSON } from './json.ts';
import { toSPDX } from './spdx.ts';
import { renderLayerTable, renderPackageTable } from './table.ts';
import { cycloneDXValidator, formatErrors, spdxValidator } from './tests/validate.ts';

const set = { catalogers: [osReleaseCataloger, dpkgCataloger, npmCataloger], identifyOS, osCataloger: osReleaseCataloger.name };

async function scan(ref: string): Promise<Inventory> {
  const src = await openImage(ref);
  try {
    return await buildInventory(src, await walkImage(src, set.catalogers), set);
  } finally {
    await src.close();
  }
}

function checkAll(inv: Inventory): void {
  const cdx = cycloneDXValidator();
  const spdx = spdxValidator();
  const b = toCycloneDX(inv, { uuid: '00000000-0000-4000-8000-000000000001' }) as { components: Array<{ 'bom-ref': string }>; metadata: { component: { 'bom-ref': string } }; dependencies: Array<{ ref: string; dependsOn: string[] }> };
  assert.ok(cdx(b), formatErrors(cdx.errors));
  const refs = new Set([b.metadata.component['bom-ref'], ...b.components.map((c) => c['bom-ref'])]);
  for (const d of b.dependencies) for (const r of [d.ref, ...d.dependsOn]) assert.ok(refs.has(r), r);
  const d = toSPDX(inv, { uuid: '00000000-0000-4000-8000-000000000001' }) as { SPDXID: string; packages: Array<{ SPDXID: string }>; relationships: Array<{ spdxElementId: string; relatedSpdxElement: string }> };
  assert.ok(spdx(d), formatErrors(spdx.errors));
  const ids = new Set([d.SPDXID, ...d.packages.map((p) => p.SPDXID)]);
  assert.equal(ids.size, d.packages.length + 1);
  for (const r of d.relationships) assert.ok(ids.has(r.spdxElementId) && ids.has(r.relatedSpdxElement));
  assert.equal(JSON.parse(renderJSON(inv)).packages.length, inv.packages.length);
  assert.ok(renderPackageTable(inv, { width: 100, color: false }).split('\n').every((l) => [...l].length <= 100));
  assert.ok(renderLayerTable(inv, { width: 100, color: false }).length > 0);
}

test('a real npm image (shared data) gives valid CycloneDX and SPDX', async (t) => {
  const tar = 'images/snyk/test/fixtures/npm/npm-without-lockfiles/yarn-with-node-modules-only.tar';
  if (!hasSharedData(tar)) return t.skip('shared data absent');
  const inv = await scan(`docker-archive:${sharedData(tar)}`);
  assert.ok(inv.packages.length > 10);
  checkAll(inv);
});

test("this machine's dpkg database, scanned as a rootfs, gives valid CycloneDX and SPDX", async (t) => {
  if (!existsSync('/var/lib/dpkg/status') || !existsSync('/etc/os-release')) return t.skip('no dpkg database here');
  const root = mkdtempSync(join(tmpdir(), 'triad-sbom-'));
  try {
    mkdirSync(join(root, 'var/lib/dpkg'), { recursive: true });
    mkdirSync(join(root, 'etc'));
    copyFileSync('/var/lib/dpkg/status', join(root, 'var/lib/dpkg/status'));
    copyFileSync('/etc/os-release', join(root, 'etc/os-release'));
    const inv = await scan(`rootfs:${root}`);
    assert.ok(inv.packages.length > 10);
    assert.ok(inv.packages.some((p) => p.dependsOn?.length), 'dpkg dependencies resolved');
    checkAll(inv);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
