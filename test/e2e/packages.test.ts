// Deb packages of the real Debian image of recipe.ts against dpkg-query run inside it, and the same
// image read through every kind of source (docker-archive, oci-archive, docker-daemon, a real
// registry behind basic auth) giving the same SBOM.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PackageURL } from 'packageurl-js';
import type { Inventory } from '../../src/model/types.ts';
import { scanImage, type ScanOptions } from '../../src/scan/scan.ts';
import { registryUnavailable, startRegistry } from '../infra/registry.ts';
import { assertIncludes, assertSameSet, BUILD_TIMEOUT, e2eCleanup, e2eImage, e2eInventory, e2eLoaded, e2eUnavailable, imageUnavailable, ofEcosystem, TEST_TIMEOUT } from './fixture.ts';
import { dpkgPackages } from './oracles.ts';
import { PURGED, RECIPE } from './recipe.ts';

const why = e2eUnavailable();
// Tests that read only the cached archives run without a Docker engine.
const noImage = imageUnavailable();

before(async () => {
  if (!noImage) await e2eInventory();
}, { timeout: BUILD_TIMEOUT });
after(() => e2eCleanup(), { timeout: TEST_TIMEOUT });

test('deb packages are exactly what dpkg-query lists inside the image (name, full version, arch)', { skip: why, timeout: TEST_TIMEOUT }, async () => {
  const inv = await e2eInventory();
  const truth = await dpkgPackages();
  // A purge leaves no trace in dpkg's database; anything not "installed" (half-installed,
  // config-files) would make the comparison ambiguous, so the image must not have any.
  assert.deepEqual(truth.filter((t) => t.status !== 'installed'), [], 'packages dpkg does not consider installed');
  const line = (p: { name: string; version: string; arch?: string }) => `${p.name} ${p.version} ${p.arch ?? '(no arch)'}`;
  const installed = truth.map((t) => t.name);
  assertIncludes('dpkg-query', installed, 'base-files', 'dpkg', ...RECIPE.packages.flat().filter((p) => !PURGED.includes(p)));
  for (const p of PURGED) assert.ok(!installed.includes(p), `${p} was purged by the recipe but dpkg still lists it: the image is not what recipe.ts says`);
  assertSameSet('deb packages', ofEcosystem(inv, 'deb').map(line), truth.map(line));
});

test('deb purls carry the same name, version (with epoch) and arch as the package', { skip: noImage, timeout: TEST_TIMEOUT }, async () => {
  const inv = await e2eInventory();
  const debs = ofEcosystem(inv, 'deb');
  // The image must hold epochs for this test to mean anything (bookworm's base has several).
  assert.ok(debs.some((p) => /^\d+:/.test(p.version)), 'no package with an epoch');
  const bad: string[] = [];
  for (const p of debs) {
    const u = PackageURL.fromString(p.purl);
    const arch = u.qualifiers?.arch;
    if (u.type !== 'deb' || u.namespace !== 'debian' || u.name !== p.name || u.version !== p.version || arch !== p.arch) {
      bad.push(`${p.purl} for ${p.name} ${p.version} ${p.arch}`);
    }
  }
  assert.deepEqual(bad, [], `purls that disagree with their package:\n${bad.join('\n')}`);
});

/**
 * What must not depend on where the image was read from: each package (purl, multiplicity), the
 * layer it is attributed to, its owner, and the layer table itself.
 */
function signature(inv: Inventory): string[] {
  const seen = new Map<string, number>();
  const out: string[] = [];
  for (const p of inv.packages) {
    const s = `${p.purl} layer=${p.layer?.index ?? '-'} owner=${p.ownedBy?.purl ?? '-'}`;
    const n = (seen.get(s) ?? 0) + 1;
    seen.set(s, n);
    out.push(n === 1 ? s : `${s} (copy ${n})`);
  }
  for (const l of inv.layers) out.push(`layer ${l.index} ${l.diffID} +${l.packagesAdded} -${l.packagesRemoved} ${l.createdBy ?? ''}`);
  return out;
}

async function assertSameAsArchive(ref: string, opts: ScanOptions): Promise<void> {
  const base = await e2eInventory();
  const inv = await scanImage(ref, opts);
  assert.ok(base.packages.length > 100, `only ${base.packages.length} packages in the docker-archive scan`);
  assertSameSet(`${ref} vs docker-archive`, signature(inv), signature(base), [ref.slice(0, ref.indexOf(':')), 'docker-archive']);
  assert.deepEqual(inv.warnings, base.warnings, `${ref}: warnings differ`);
}

test('oci-archive (skopeo, gzip layers) gives the same SBOM as docker-archive', { skip: noImage, timeout: TEST_TIMEOUT }, async () => {
  const image = await e2eImage();
  await assertSameAsArchive(`oci-archive:${image.ociArchive}`, {});
});

test('docker-daemon gives the same SBOM as docker-archive', { skip: why, timeout: TEST_TIMEOUT }, async () => {
  const { docker, image } = await e2eLoaded();
  await assertSameAsArchive(`docker-daemon:${image.imageName}`, { dockerHost: docker.host });
});

const regWhy = why ?? registryUnavailable('basic');

test('a real registry behind basic auth gives the same SBOM as docker-archive', { skip: regWhy, timeout: TEST_TIMEOUT }, async () => {
  const { image } = await e2eLoaded();
  const reg = await startRegistry({ auth: 'basic', users: { e2e: 'ground-truth' } });
  try {
    await reg.push(`docker-archive:${image.dockerArchive}`, 'e2e/ground-truth:1', { creds: 'e2e:ground-truth' });
    await assertSameAsArchive(`registry:${reg.host}/e2e/ground-truth:1`, { username: 'e2e', password: 'ground-truth' });
  } finally {
    await reg.stop();
  }
});
