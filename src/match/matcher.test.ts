// Matching with the real bundled database (built from ../shared/data/advisories) against real
// images and lockfiles, and the known negatives: fixed versions, Debian backports, epochs, owned
// language packages, VEX and ignore-file suppression.

import assert from 'node:assert/strict';
import { mkdtempSync, copyFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type { Inventory, OSInfo, Package } from '../model/types.ts';
import { scanImage } from '../scan/scan.ts';
import { hasSharedData, sharedData } from '../../test/shared-data.ts';
import { installSnapshot, SNAPSHOT_FILE } from '../vulndb/location.ts';
import { openVulnDB, type VulnDB } from '../vulndb/store.ts';
import { parseIgnoreFile } from './ignorefile.ts';
import { matchInventory } from './matcher.ts';
import { parseVex } from './vex.ts';

let db: VulnDB;
const haveSnapshot = existsSync(SNAPSHOT_FILE);

before(async () => {
  if (!haveSnapshot) return;
  const path = join(mkdtempSync(join(tmpdir(), 'triad-match-')), 'db.sqlite');
  await installSnapshot(SNAPSHOT_FILE, path);
  db = openVulnDB(path);
});

function inventory(packages: Array<Partial<Package> & Pick<Package, 'name' | 'version' | 'ecosystem'>>, os?: OSInfo): Inventory {
  return {
    schemaVersion: 1,
    image: { ref: 'test', sourceType: 'test', repoTags: [], repoDigests: [], config: {}, history: [] },
    ...(os ? { os } : {}),
    layers: [],
    packages: packages.map((p, i) => ({ id: `p${i}`, purl: `pkg:${p.ecosystem}/${p.name}@${p.version}`, licenses: [], locations: [], ...p })),
    warnings: [],
    scanner: { name: 'triad', version: 'test' },
    createdAt: new Date(0).toISOString(),
  };
}

const DEBIAN10: OSInfo = { family: 'debian', version: '10', source: 'test' };
const ALPINE310: OSInfo = { family: 'alpine', version: '3.10.2', source: 'test' };

async function scanLockfile(file: string, as: string): Promise<Inventory> {
  const dir = mkdtempSync(join(tmpdir(), 'triad-lock-'));
  copyFileSync(file, join(dir, as));
  return scanImage(`rootfs:${dir}`);
}

test('alpine 3.10 image against Alpine secdb v3.10: its patched packages have no findings; older ones do', { skip: !haveSnapshot || !hasSharedData('images/dockle') }, async () => {
  const inv = await scanImage(sharedData('images/dockle/pkg/deckoder/extractor/image/testdata/alpine-310.tar.gz'));
  assert.equal(inv.os?.family, 'alpine');
  const ssl = inv.packages.find((p) => p.name === 'libssl1.1')!;
  assert.equal(ssl.source?.name, 'openssl');
  assert.ok(db.affectedFor('apk', 'openssl', { family: 'alpine', release: '3.10' }).length >= 5, 'secdb v3.10 knows openssl');
  const r = matchInventory(inv, db);
  assert.deepEqual(r.vulnerabilities.map((v) => `${v.packageName} ${v.id}`), [], 'alpine 3.10.4 carries every fix secdb v3.10 lists');
  assert.deepEqual(r.warnings, []);
  // The same binary packages as alpine 3.10.2 shipped them (Trivy's alpine-310 golden: 1.1.1c-r0).
  const old = { ...inv, packages: inv.packages.map((p) => (p.source?.name === 'openssl' ? { ...p, version: '1.1.1c-r0', source: { name: 'openssl', version: '1.1.1c-r0' } } : p)) };
  const found = matchInventory(old, db).vulnerabilities.filter((v) => v.packageName === 'libssl1.1');
  const cve = found.find((v) => v.id === 'CVE-2019-1549')!;
  assert.ok(cve, found.map((v) => v.id).join(','));
  assert.deepEqual(cve.fixedVersions, ['1.1.1d-r0']);
  assert.equal(cve.status, 'fixed');
  assert.ok(cve.sources.includes('alpine-secdb'));
  assert.equal(cve.layer?.index, 0);
  assert.equal(found.filter((v) => v.id === 'CVE-2019-1549').length, 1, 'one finding per (package, vulnerability)');
  const fix = matchInventory(old, db).fixes.find((f) => f.packageId === ssl.id)!;
  // secdb v3.10's openssl fixes above 1.1.1c are CVE-2019-1547/1549/1563, all in 1.1.1d-r0.
  assert.deepEqual(found.map((v) => v.id).sort(), ['CVE-2019-1547', 'CVE-2019-1549', 'CVE-2019-1563']);
  assert.equal(fix.lowestFixAll, '1.1.1d-r0');
});

test('real lockfiles against RubySec, PyPA/OSV and FriendsOfPHP: known CVEs of pinned versions', { skip: !haveSnapshot || !hasSharedData('pkgdb/osv-detector') }, async () => {
  const locks = sharedData('pkgdb/osv-detector/testdata/locks-e2e');
  const gems = matchInventory(await scanLockfile(join(locks, '1-Gemfile.lock'), 'Gemfile.lock'), db);
  const ap = gems.vulnerabilities.find((v) => v.packageName === 'actionpack' && v.id === 'CVE-2022-23633')!;
  assert.ok(ap, 'actionpack 5.2.6: CVE-2022-23633 (fixed in 5.2.6.2)');
  assert.equal(ap.installedVersion, '5.2.6');
  assert.ok(ap.aliases.includes('GHSA-wh98-p28r-vrc9'));

  const py = matchInventory(await scanLockfile(join(locks, '1-Pipfile.lock'), 'Pipfile.lock'), db);
  const crypto = py.vulnerabilities.filter((v) => v.packageName === 'cryptography' && v.id === 'CVE-2023-49083');
  assert.equal(crypto.length, 1, 'PYSEC and GHSA records of one CVE are one finding');
  assert.deepEqual(crypto[0]!.fixedVersions, ['41.0.6']);
  assert.ok(crypto[0]!.aliases.includes('PYSEC-2023-254'));

  const php = matchInventory(await scanLockfile(join(locks, '1-composer.lock'), 'composer.lock'), db);
  const guzzle = php.vulnerabilities.find((v) => v.packageName === 'guzzlehttp/guzzle' && v.id === 'CVE-2022-29248')!;
  assert.ok(guzzle);
  assert.ok(guzzle.fixedVersions.includes('6.5.6'), guzzle.fixedVersions.join(','));
  assert.equal(guzzle.status, 'fixed');
});

test('known negatives: fixed versions, Debian backports, epochs', { skip: !haveSnapshot }, () => {
  const openssl = (version: string) => ({ name: 'libssl1.1', version, ecosystem: 'deb' as const, source: { name: 'openssl', version } });
  // DLA-3325-1 fixes openssl in buster with the backport 1.1.1n-0+deb10u4.
  const ids = (v: string) => matchInventory(inventory([openssl(v)], DEBIAN10), db).vulnerabilities.flatMap((f) => [f.id, ...f.aliases]);
  assert.ok(ids('1.1.1n-0+deb10u3').includes('DLA-3325-1'), 'one backport earlier is affected');
  assert.ok(!ids('1.1.1n-0+deb10u4').includes('DLA-3325-1'), 'the backport itself fixes it');
  assert.ok(!ids('1.1.1n-0+deb10u5').includes('DLA-3325-1'));
  // An epoch outranks any upstream version: 1:0.9 is newer than every 1.1.1 fix.
  assert.deepEqual(ids('1:0.9-1'), []);
  // Another release's advisories never apply.
  assert.deepEqual(matchInventory(inventory([openssl('1.1.1n-0+deb10u3')], { family: 'debian', version: '3.0', source: 't' }), db).vulnerabilities.filter((f) => f.aliases.includes('DLA-3325-1')), []);
});

test('language packages owned by an OS package are matched through it only', { skip: !haveSnapshot }, () => {
  const owner = { name: 'python3-cryptography', version: '41.0.1-1', ecosystem: 'deb' as const, purl: 'pkg:deb/debian/python3-cryptography@41.0.1-1' };
  const lib = { name: 'cryptography', version: '41.0.1', ecosystem: 'pypi' as const };
  assert.ok(matchInventory(inventory([lib]), db).vulnerabilities.length > 0, 'the same version found by pip is vulnerable');
  const r = matchInventory(inventory([{ ...owner, source: { name: 'python-cryptography' } }, { ...lib, ownedBy: owner }], DEBIAN10), db);
  assert.deepEqual(r.vulnerabilities.filter((v) => v.ecosystem === 'pypi'), []);
});

test('unparsable versions and unknown ecosystems are warnings, never silent', { skip: !haveSnapshot }, () => {
  const r = matchInventory(inventory([{ name: 'cryptography', version: 'not a version!', ecosystem: 'pypi' }, { name: 'x', version: '1', ecosystem: 'hex' as never }]), db);
  assert.equal(r.vulnerabilities.length, 0);
  assert.ok(r.warnings.some((w) => /not a version!.*could not be compared/.test(w)), r.warnings.join('\n'));
  assert.ok(r.warnings.some((w) => /unknown ecosystem "hex"/.test(w)));
  const noOs = matchInventory(inventory([{ name: 'bash', version: '5.0-4', ecosystem: 'deb' }]), db);
  assert.match(noOs.warnings[0]!, /operating system was not identified/);
});

test('VEX not_affected and ignore-file entries suppress; expired entries do not', { skip: !haveSnapshot }, () => {
  const inv = inventory([{ name: 'cryptography', version: '41.0.1', ecosystem: 'pypi', purl: 'pkg:pypi/cryptography@41.0.1' }]);
  const all = matchInventory(inv, db).vulnerabilities;
  assert.ok(all.some((v) => v.id === 'CVE-2023-49083'));
  const openvex = JSON.stringify({
    '@context': 'https://openvex.dev/ns/v0.2.0',
    statements: [{ vulnerability: { name: 'GHSA-jfhm-5ghh-2f97' }, products: [{ '@id': 'pkg:pypi/cryptography' }], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' }],
  });
  const vexed = matchInventory(inv, db, { policy: { vex: parseVex(openvex, 'app.openvex.json') } });
  assert.ok(!vexed.vulnerabilities.some((v) => v.id === 'CVE-2023-49083'), 'suppressed by its GHSA alias and a version-less purl');
  assert.equal(vexed.suppressed.find((s) => s.findingId === 'CVE-2023-49083')?.by, 'vex');
  const cdx = JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', vulnerabilities: [{ id: 'CVE-2023-49083', analysis: { state: 'not_affected' }, affects: [{ ref: 'pkg:pypi/cryptography@41.0.1' }] }] });
  assert.ok(!matchInventory(inv, db, { policy: { vex: parseVex(cdx, 'vex.cdx.json') } }).vulnerabilities.some((v) => v.id === 'CVE-2023-49083'));
  const other = JSON.stringify({ bomFormat: 'CycloneDX', vulnerabilities: [{ id: 'CVE-2023-49083', analysis: { state: 'not_affected' }, affects: [{ ref: 'pkg:pypi/cryptography@40.0.0' }] }] });
  assert.ok(matchInventory(inv, db, { policy: { vex: parseVex(other, 'v.json') } }).vulnerabilities.some((v) => v.id === 'CVE-2023-49083'), 'another version is another product');

  const now = new Date('2025-06-01T00:00:00Z');
  const ignored = (text: string, file = '.triadignore') => matchInventory(inv, db, { policy: { ignore: parseIgnoreFile(text, file), now } }).vulnerabilities.some((v) => v.id === 'CVE-2023-49083');
  assert.equal(ignored('# accepted\nCVE-2023-49083 exp:2025-06-30\n'), false);
  assert.equal(ignored('CVE-2023-49083 exp:2025-05-31\n'), true, 'expired entries stop suppressing');
  assert.equal(ignored('vulnerabilities:\n  - id: PYSEC-2023-254\n    purls: ["pkg:pypi/cryptography"]\n    statement: not reachable\n', '.triadignore.yaml'), false);
  assert.equal(ignored('vulnerabilities:\n  - id: CVE-2023-49083\n    purls: ["pkg:pypi/requests"]\n', 'x.yaml'), true, 'an entry for another package');
  assert.throws(() => parseIgnoreFile('CVE-2023-1 exp:tomorrow\n', '.triadignore'), /\.triadignore:1: expiry/);
});

test('a Node.js runtime found as a binary matches Node.js core advisories; the npm package "node" does not', { skip: !haveSnapshot }, () => {
  const runtime = matchInventory(inventory([{ name: 'node', version: '8.9.0', ecosystem: 'npm', metadata: { runtime: 'node' } }]), db);
  assert.ok(runtime.vulnerabilities.length > 0, 'node 8.9.0 has core advisories in the Node.js security WG data');
  assert.ok(runtime.vulnerabilities.every((v) => v.packageName === 'node'));
  const registry = matchInventory(inventory([{ name: 'node', version: '8.9.0', ecosystem: 'npm' }]), db);
  assert.deepEqual(registry.vulnerabilities.map((v) => v.id), []);
});
