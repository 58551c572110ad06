import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { hasSharedData, sharedData } from '../../../test/shared-data.ts';
import type { OSInfo } from '../../model/types.ts';
import { fileMeta, readImageFiles, runCataloger } from '../osrelease/testing.ts';
import { apkCataloger } from './index.ts';
import { parseApkLicense } from './installed.ts';

const TRIVY_APK = 'pkgdb/trivy-os/pkg/fanal/analyzer/pkg/apk/testdata/apk';
const ALPINE_IMAGE = 'images/snyk/test/fixtures/containerd-archives/alpine.tar';
const DB = 'lib/apk/db/installed';

test('wants', () => {
  assert.ok(apkCataloger.wants(fileMeta('lib/apk/db/installed', 1)));
  assert.ok(apkCataloger.wants(fileMeta('usr/lib/apk/db/installed', 1)));
  for (const p of ['lib/apk/db/installed.old', 'lib/apk/db/triggers', 'etc/apk/world', 'x/lib/apk/db/installed']) assert.equal(apkCataloger.wants(fileMeta(p, 1)), false, p);
});

test('licence field', () => {
  assert.deepEqual(parseApkLicense('MIT'), ['MIT']);
  assert.deepEqual(parseApkLicense('ISC AND (BSD-3-Clause OR MIT)'), ['ISC AND (BSD-3-Clause OR MIT)']);
  assert.deepEqual(parseApkLicense('MIT BSD GPL2+'), ['MIT', 'BSD', 'GPL-2.0-or-later']);
  assert.deepEqual(parseApkLicense('MPL 2.0 GPL2+'), ['MPL-2.0', 'GPL-2.0-or-later']);
  assert.deepEqual(parseApkLicense(''), []);
});

test("Trivy's installed database: 15 packages, provides-based dependencies", async (t) => {
  if (!hasSharedData(TRIVY_APK)) return t.skip('shared data absent');
  const os: OSInfo = { family: 'alpine', version: '3.4.6', source: 'etc/alpine-release' };
  const r = await runCataloger(apkCataloger, [[DB, readFileSync(sharedData(TRIVY_APK))]], os);
  assert.equal(r.packages.length, 15);
  assert.equal(r.warnings.length, 1); // P:invalidPackageWithoutAVersion
  assert.match(r.warnings[0], /invalidPackageWithoutAVersion/);
  const by = new Map(r.packages.map((p) => [p.name, p]));
  const musl = by.get('musl')!;
  assert.deepEqual(
    { ...musl, installedFiles: musl.installedFiles },
    {
      name: 'musl',
      version: '1.1.14-r10',
      ecosystem: 'apk',
      purl: 'pkg:apk/alpine/musl@1.1.14-r10?arch=x86_64&distro=3.4.6',
      licenses: ['MIT'],
      locations: [DB],
      source: { name: 'musl', version: '1.1.14-r10' },
      arch: 'x86_64',
      metadata: { maintainer: 'Timo Teräs <timo.teras@iki.fi>', installedSize: 569344, url: 'http://www.musl-libc.org/' },
      installedFiles: ['lib/libc.musl-x86_64.so.1', 'lib/ld-musl-x86_64.so.1'],
    },
  );
  // so: dependencies resolve to their provider; the conflict "!uclibc-utils" is not a dependency.
  assert.deepEqual(by.get('musl-utils')?.dependsOnNames, ['musl', 'scanelf']);
  assert.deepEqual(by.get('apk-tools')?.dependsOnNames, ['libcrypto1.0', 'libssl1.0', 'musl', 'zlib']);
  assert.deepEqual(by.get('test')?.dependsOnNames, ['pkgconf', 'sqlite-libs']); // "pkgconfig" is provided by pkgconf
  assert.equal(by.get('musl')?.dependsOnNames, undefined);
  assert.deepEqual(by.get('libssl1.0')?.source, { name: 'openssl', version: '1.0.2h-r1' });
  assert.deepEqual(by.get('musl-utils')?.licenses, ['MIT', 'BSD', 'GPL-2.0-or-later']);
  assert.deepEqual(by.get('ada-libs')?.licenses, ['( Apache-2.0 OR MIT ) AND MPL-2.0']);
  assert.equal(by.get('test')?.version, '2.9.11_pre20061021-r2');
  assert.ok(by.get('busybox')?.installedFiles?.includes('bin/busybox'));
  // Without an OS: Alpine namespace, no distro.
  const bare = await runCataloger(apkCataloger, [[DB, readFileSync(sharedData(TRIVY_APK))]]);
  assert.equal(bare.packages[0].purl, 'pkg:apk/alpine/musl@1.1.14-r10?arch=x86_64');
  // Wolfi/Chainguard: namespace follows the OS family.
  const wolfi = await runCataloger(apkCataloger, [[DB, readFileSync(sharedData(TRIVY_APK))]], { family: 'wolfi', version: '20230201', source: 'etc/os-release' });
  assert.equal(wolfi.packages[0].purl, 'pkg:apk/wolfi/musl@1.1.14-r10?arch=x86_64&distro=20230201');
});

test('real image: alpine 3.14.9 (containerd export)', async (t) => {
  if (!hasSharedData(ALPINE_IMAGE)) return t.skip('shared data absent');
  const files = await readImageFiles(sharedData(ALPINE_IMAGE), (p) => apkCataloger.wants(fileMeta(p, 0)) !== false);
  const os: OSInfo = { family: 'alpine', version: '3.14.9', source: 'etc/alpine-release' };
  const r = await runCataloger(apkCataloger, files, os);
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(
    r.packages.map((p) => `${p.name}@${p.version}`),
    [
      'musl@1.2.2-r3',
      'busybox@1.33.1-r8',
      'alpine-baselayout@3.2.0-r16',
      'alpine-keys@2.4-r0',
      'libcrypto1.1@1.1.1t-r0',
      'libssl1.1@1.1.1t-r0',
      'ca-certificates-bundle@20220614-r0',
      'libretls@3.3.3p1-r3',
      'ssl_client@1.33.1-r8',
      'zlib@1.2.12-r3',
      'apk-tools@2.12.7-r0',
      'scanelf@1.3.2-r0',
      'musl-utils@1.2.2-r3',
      'libc-utils@0.7.2-r3',
    ],
  );
  const by = new Map(r.packages.map((p) => [p.name, p]));
  assert.equal(by.get('libssl1.1')?.purl, 'pkg:apk/alpine/libssl1.1@1.1.1t-r0?arch=x86_64&distro=3.14.9');
  assert.deepEqual(by.get('libretls')?.licenses, ['ISC AND (BSD-3-Clause OR MIT)']);
  // alpine-baselayout depends on /bin/sh, which busybox provides.
  assert.ok(by.get('alpine-baselayout')?.dependsOnNames?.includes('busybox'));
  assert.deepEqual(by.get('apk-tools')?.dependsOnNames, ['libcrypto1.1', 'libssl1.1', 'musl', 'zlib']);
  assert.ok(by.get('busybox')?.installedFiles?.includes('bin/busybox'));
  // Every R: line is a file of exactly one package here.
  const owners = new Map<string, string>();
  for (const p of r.packages) for (const f of p.installedFiles ?? []) {
    assert.ok(!owners.has(f), `${f} owned twice`);
    owners.set(f, p.name);
  }
  const text = files.get(DB)!.toString('utf8');
  assert.equal(owners.size, (text.match(/^R:/gm) ?? []).length);
});

test('malformed databases do not throw', async () => {
  const cases: Array<[string, number, number]> = [
    ['', 0, 0],
    ['P:a\nV:1.0-r0\r\nA:x86_64\r\n\r\nP:b\nV:2.0-r0\n', 2, 0], // CRLF, no trailing blank line
    ['garbage\nP:a\nV:1.0-r0\nR:orphan-file\n\nV:3.0\n\nP:bad name\nV:1\n', 1, 2],
    ['P:a\nV:1.0-r0\n\nP:a\nV:2.0-r0\n', 1, 1], // duplicate: first wins
    ['P:a\nV:1.#\n', 0, 1],
  ];
  for (const [text, n, w] of cases) {
    const r = await runCataloger(apkCataloger, [[DB, text]]);
    assert.equal(r.packages.length, n, text);
    assert.equal(r.warnings.length, w, text);
  }
  const orphan = await runCataloger(apkCataloger, [[DB, 'P:a\nV:1.0-r0\nR:orphan-file\n']]);
  assert.deepEqual(orphan.packages[0].installedFiles, ['orphan-file']);
  const bin = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
  await runCataloger(apkCataloger, [[DB, bin]]);
  // lib/ wins over usr/lib/ when both are regular files.
  const both = await runCataloger(apkCataloger, [
    ['usr/lib/apk/db/installed', 'P:x\nV:2.0-r0\n'],
    [DB, 'P:x\nV:1.0-r0\n'],
  ]);
  assert.deepEqual(both.packages.map((p) => [p.version, p.locations?.[0]]), [['1.0-r0', DB]]);
});
