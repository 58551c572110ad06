import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { hasSharedData, sharedData } from '../../../test/shared-data.ts';
import type { OSInfo } from '../../model/types.ts';
import { fileMeta, readImageFiles, readTxtar, runCataloger } from '../osrelease/testing.ts';
import { dpkgCataloger } from './index.ts';
import { isInstalled, isValidDebVersion, parseRelations, parseSource } from './status.ts';

const TRIVY_DPKG = 'pkgdb/trivy-os/pkg/fanal/analyzer/pkg/dpkg/testdata';
const UBUNTU: OSInfo = { family: 'ubuntu', version: '18.04', source: 'etc/os-release' };
const DEBIAN: OSInfo = { family: 'debian', version: '12', source: 'etc/os-release' };

function fixture(name: string): Map<string, Buffer> {
  return readTxtar(sharedData(TRIVY_DPKG, name));
}

test('wants', () => {
  const yes = ['var/lib/dpkg/status', 'var/lib/dpkg/status.d/libc6', 'var/lib/dpkg/status.d/libc6.md5sums', 'var/lib/dpkg/info/bash.list', 'var/lib/dpkg/info/libc6:amd64.list', 'usr/share/doc/bash/copyright'];
  const no = ['var/lib/dpkg/status-old', 'var/lib/dpkg/available', 'var/lib/dpkg/info/bash.md5sums', 'var/lib/dpkg/info/x/y.list', 'var/lib/dpkg/status.d/', 'var/lib/dpkg/status.d/a/b', 'usr/share/doc/ca-certificates/examples/debian/copyright', 'usr/share/doc/copyright', 'usr/share/doc/bash/copyright.gz', 'opt/var/lib/dpkg/status'];
  for (const p of yes) assert.ok(dpkgCataloger.wants(fileMeta(p, 1)), p);
  for (const p of no) assert.equal(dpkgCataloger.wants(fileMeta(p, 1)), false, p);
});

test('status field parts', () => {
  assert.ok(isInstalled('install ok installed'));
  assert.ok(isInstalled('hold ok installed'));
  assert.ok(isInstalled('deinstall ok installed')); // selected for removal, still on disk
  assert.ok(isInstalled('install ok half-configured'));
  assert.ok(isInstalled('install ok unpacked'));
  assert.ok(isInstalled('install ok triggers-pending'));
  assert.ok(isInstalled(undefined)); // distroless status.d
  assert.ok(!isInstalled('deinstall ok config-files'));
  assert.ok(!isInstalled('purge ok not-installed'));
  assert.ok(!isInstalled('install reinstreq half-installed'));
  for (const v of ['1.0', '1:2.31.1-0.4ubuntu3.1', '5:20.10.7~3-0~debian-buster', '2:1.02.155-3', '0.0~r131-2ubuntu3', '1.2.11.dfsg-0ubuntu2', '1:1.0+git:20200101-1']) assert.ok(isValidDebVersion(v), v);
  for (const v of ['', '1:5.#', 'a:1.0', '1.0-', ':1', '-1', '1.0 2', '1.0+git:2020-1']) assert.ok(!isValidDebVersion(v), v);
  assert.deepEqual(parseSource('gcc-5 (5.1.1-12ubuntu1)'), { name: 'gcc-5', version: '5.1.1-12ubuntu1' });
  assert.deepEqual(parseSource('pam'), { name: 'pam', version: undefined });
  assert.deepEqual(parseRelations('libc6 (>= 2.14), debconf (>= 0.5) | debconf-2.0,\n python3:any, foo [amd64] <!nocheck>, , (garbage)'), [['libc6'], ['debconf', 'debconf-2.0'], ['python3'], ['foo']]);
});

test("Trivy's valid status: 90 installed of 91 stanzas, with sources, deps and purls", async (t) => {
  if (!hasSharedData(TRIVY_DPKG)) return t.skip('shared data absent');
  const r = await runCataloger(dpkgCataloger, fixture('valid.txtar'), UBUNTU);
  assert.equal(r.packages.length, 90);
  assert.deepEqual(r.warnings, []);
  assert.ok(!r.packages.some((p) => p.name === 'git')); // "deinstall ok config-files"
  const by = new Map(r.packages.map((p) => [p.name, p]));
  assert.deepEqual(by.get('bsdutils'), {
    name: 'bsdutils',
    version: '1:2.31.1-0.4ubuntu3.1',
    ecosystem: 'deb',
    purl: 'pkg:deb/ubuntu/bsdutils@1:2.31.1-0.4ubuntu3.1?arch=amd64&distro=ubuntu-18.04',
    licenses: [],
    locations: ['var/lib/dpkg/status'],
    source: { name: 'util-linux', version: '2.31.1-0.4ubuntu3.1' },
    arch: 'amd64',
    metadata: { maintainer: 'Ubuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>', installedSize: 264 },
    dependsOnNames: ['libc6', 'libsystemd0'], // Pre-Depends (Trivy reads only Depends)
  });
  // Same dependency sets as Trivy's expectations for this file.
  assert.deepEqual(by.get('apt')?.dependsOnNames, ['adduser', 'gpgv', 'libapt-pkg5.0', 'libc6', 'libgcc1', 'libgnutls30', 'libseccomp2', 'libstdc++6', 'ubuntu-keyring']);
  assert.deepEqual(by.get('adduser')?.dependsOnNames, ['debconf', 'passwd']);
  assert.deepEqual(by.get('fdisk')?.dependsOnNames, ['libc6', 'libfdisk1', 'libmount1', 'libncursesw5', 'libsmartcols1', 'libtinfo5']);
  // Pre-Depends count, and a virtual package resolves to its installed provider (mawk Provides awk).
  assert.ok(by.get('base-files')?.dependsOnNames?.includes('mawk'));
  assert.deepEqual(by.get('tar')?.dependsOnNames, ['libacl1', 'libc6', 'libselinux1']);
  assert.deepEqual(by.get('coreutils')?.dependsOnNames, ['libacl1', 'libattr1', 'libc6', 'libselinux1']); // all Pre-Depends
  assert.equal(by.get('libpam-runtime')?.source?.name, 'pam');
});

test("Trivy's corrupted status: bad stanzas dropped with warnings, the rest kept", async (t) => {
  if (!hasSharedData(TRIVY_DPKG)) return t.skip('shared data absent');
  const r = await runCataloger(dpkgCataloger, fixture('corrupsed.txtar'), UBUNTU);
  assert.deepEqual(r.packages.map((p) => p.name), ['libpam-runtime', 'libpam-modules-bin', 'makedev', 'libgcc1']);
  assert.equal(r.warnings.length, 1);
  assert.match(r.warnings[0], /2 package\(s\) with a missing or invalid Version/);
  const gcc = r.packages[3];
  assert.equal(gcc.version, '1:5.1.1-12ubuntu1');
  assert.deepEqual(gcc.source, { name: 'gcc-5', version: '5.1.1-12ubuntu1' });
  assert.equal(gcc.purl, 'pkg:deb/ubuntu/libgcc1@1:5.1.1-12ubuntu1?arch=amd64&distro=ubuntu-18.04');
  assert.deepEqual(gcc.dependsOnNames, undefined); // gcc-5-base, libc6, multiarch-support: none installed
});

test("Trivy's other status fixtures", async (t) => {
  if (!hasSharedData(TRIVY_DPKG)) return t.skip('shared data absent');
  const third = await runCataloger(dpkgCataloger, fixture('third-party.txtar'), UBUNTU);
  assert.deepEqual(third.packages.map((p) => `${p.name}@${p.version}`), ['docker-ce@5:20.10.7~3-0~debian-buster', 'apt@1.6.3ubuntu0.1']);
  // available is not read; md5sums in info/ are not needed when .list exists (and is absent here).
  const digest = await runCataloger(dpkgCataloger, fixture('digest.txtar'));
  assert.deepEqual(digest.packages.map((p) => p.purl), ['pkg:deb/debian/sed@4.4-2?arch=amd64', 'pkg:deb/debian/tar@1.34+dfsg-1?arch=amd64']);
  const md5 = await runCataloger(dpkgCataloger, fixture('md5sums.txtar'));
  assert.equal(md5.packages.length, 1);
  assert.equal(md5.packages[0].installedFiles, undefined);
  const apt = await runCataloger(dpkgCataloger, fixture('only-apt.txtar'), UBUNTU);
  assert.equal(apt.packages.length, 1);
  assert.equal(apt.packages[0].dependsOnNames, undefined);
});

test('malformed input: CRLF, truncation, garbage, binary', async (t) => {
  if (!hasSharedData(TRIVY_DPKG)) return t.skip('shared data absent');
  const valid = fixture('valid.txtar').get('var/lib/dpkg/status')!.toString('utf8');
  const crlf = await runCataloger(dpkgCataloger, [['var/lib/dpkg/status', valid.replace(/\n/g, '\r\n')]]);
  assert.equal(crlf.packages.length, 90);
  // Cut in the middle of a stanza: everything before survives, the cut stanza if it has a version.
  const cut = valid.slice(0, valid.indexOf('Package: libcom-err2') + 40);
  const c = await runCataloger(dpkgCataloger, [['var/lib/dpkg/status', cut]]);
  assert.equal(c.packages.length, 3);
  const garbage = 'this is not a status file\n  stray continuation\nPackage: ok\nStatus: install ok installed\nVersion: 1.0\nPackage: dup\n\nno colon here\n';
  const g = await runCataloger(dpkgCataloger, [['var/lib/dpkg/status', garbage]]);
  assert.deepEqual(g.packages.map((p) => `${p.name}@${p.version}`), ['ok@1.0']);
  assert.equal(g.warnings.length, 1);
  const bin = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
  for (const p of ['var/lib/dpkg/status', 'var/lib/dpkg/info/x.list', 'usr/share/doc/x/copyright', 'var/lib/dpkg/status.d/x.md5sums']) {
    await runCataloger(dpkgCataloger, [[p, bin]]);
  }
  assert.deepEqual((await runCataloger(dpkgCataloger, [['var/lib/dpkg/status', '']])).packages, []);
});

test('joins .list files, copyright licences and distroless status.d', async () => {
  const status = [
    'Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nMulti-Arch: same\nSource: glibc\nVersion: 2.36-9+deb12u4\n',
    'Package: libc-bin\nStatus: install ok installed\nArchitecture: amd64\nSource: glibc\nVersion: 2.36-9+deb12u4\nDepends: libc6 (>> 2.36), libc6 (<< 2.37)\n',
    'Package: mawk\nStatus: hold ok installed\nArchitecture: amd64\nVersion: 1.3.4.20200120-3.1\nProvides: awk\n',
    'Package: base-files\nStatus: install ok installed\nArchitecture: amd64\nVersion: 12.4+deb12u5\nPre-Depends: awk\nDepends: gawk | awk, base-files\n',
  ].join('\n');
  const files: Array<[string, string]> = [
    ['var/lib/dpkg/status', status],
    ['var/lib/dpkg/info/libc6:amd64.list', '/.\n/etc\n/etc/ld.so.conf.d\n/etc/ld.so.conf.d/x86_64-linux-gnu.conf\n/usr\n/usr/lib\n/usr/lib/x86_64-linux-gnu\n/usr/lib/x86_64-linux-gnu/libc.so.6\n'],
    ['var/lib/dpkg/info/mawk.list', '/.\r\n/usr\r\n/usr/bin\r\n/usr/bin/mawk\r\n'],
    ['usr/share/doc/libc6/copyright', 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nCopyright: FSF\nLicense: LGPL-2.1+\n'],
    ['usr/share/doc/mawk/copyright', 'mawk is distributed under the GNU General Public License, version 2.\nSee /usr/share/common-licenses/GPL-2\n'],
  ];
  const r = await runCataloger(dpkgCataloger, files, DEBIAN);
  const by = new Map(r.packages.map((p) => [p.name, p]));
  assert.deepEqual(by.get('libc6')?.installedFiles, ['etc/ld.so.conf.d/x86_64-linux-gnu.conf', 'usr/lib/x86_64-linux-gnu/libc.so.6']);
  assert.deepEqual(by.get('mawk')?.installedFiles, ['usr/bin/mawk']);
  assert.equal(by.get('libc-bin')?.installedFiles, undefined);
  assert.deepEqual(by.get('libc6')?.licenses, ['LGPL-2.1-or-later']);
  assert.deepEqual(by.get('libc-bin')?.licenses, ['LGPL-2.1-or-later']); // from its source package glibc
  assert.deepEqual(by.get('mawk')?.licenses, ['GPL-2.0-only']);
  assert.deepEqual(by.get('mawk')?.metadata, { status: 'hold ok installed' });
  assert.deepEqual(by.get('libc-bin')?.dependsOnNames, ['libc6']);
  assert.deepEqual(by.get('base-files')?.dependsOnNames, ['mawk']); // awk via Provides; self-dependency dropped
  assert.equal(by.get('libc6')?.purl, 'pkg:deb/debian/libc6@2.36-9+deb12u4?arch=amd64&distro=debian-12');

  // distroless: one stanza file per package (no Status field), file lists in *.md5sums.
  const distroless = await runCataloger(
    dpkgCataloger,
    [
      ['var/lib/dpkg/status.d/libssl3', 'Package: libssl3\nVersion: 3.0.11-1~deb12u2\nArchitecture: amd64\nSource: openssl\n'],
      ['var/lib/dpkg/status.d/libssl3.md5sums', 'a3b2c1d4e5f60718293a4b5c6d7e8f90  usr/lib/x86_64-linux-gnu/libssl.so.3\n'],
      ['var/lib/dpkg/status.d/tzdata', 'Package: tzdata\nVersion: 2024a-0+deb12u1\nArchitecture: all\n'],
      ['usr/share/doc/libssl3/copyright', 'License: Apache-2.0\n'],
    ],
    DEBIAN,
  );
  assert.deepEqual(distroless.packages.map((p) => [p.name, p.locations?.[0], p.installedFiles, p.licenses]), [
    ['libssl3', 'var/lib/dpkg/status.d/libssl3', ['usr/lib/x86_64-linux-gnu/libssl.so.3'], ['Apache-2.0']],
    ['tzdata', 'var/lib/dpkg/status.d/tzdata', undefined, []],
  ]);

  // The status file wins over a status.d copy of the same package.
  const both = await runCataloger(dpkgCataloger, [
    ['var/lib/dpkg/status.d/mawk', 'Package: mawk\nVersion: 1.0\nArchitecture: amd64\n'],
    ['var/lib/dpkg/status', status],
  ]);
  assert.equal(both.packages.filter((p) => p.name === 'mawk').length, 1);
  assert.equal(both.packages.find((p) => p.name === 'mawk')?.version, '1.3.4.20200120-3.1');
});

test('real image: nginx on Debian 10 (snyk fixture)', async (t) => {
  const tarPath = sharedData('images/snyk/test/fixtures/docker-archives/docker-save/nginx.tar');
  if (!existsSync(tarPath)) return t.skip('shared data absent');
  const files = await readImageFiles(tarPath, (p) => dpkgCataloger.wants(fileMeta(p, 0)) !== false);
  const r = await runCataloger(dpkgCataloger, files, { family: 'debian', version: '10', codename: 'buster', source: 'etc/os-release' });
  assert.equal(r.packages.length, 84);
  const libc6 = r.packages.find((p) => p.name === 'libc6');
  assert.equal(libc6?.purl, 'pkg:deb/debian/libc6@2.28-10?arch=amd64&distro=debian-10');
  assert.deepEqual(libc6?.source, { name: 'glibc', version: '2.28-10' });
  assert.deepEqual(libc6?.dependsOnNames, ['libgcc1']);
});

/** Status letters of dpkg-query's db:Status-Abbrev that status.ts counts as installed. */
const INSTALLED_ABBREV = new Set(['i', 'W', 't', 'F', 'U']);

test('this host: var/lib/dpkg/status agrees with dpkg-query, .list files with the disk', async (t) => {
  if (!existsSync('/var/lib/dpkg/status') || !existsSync('/usr/bin/dpkg-query')) return t.skip('not a dpkg host');
  const files: Array<[string, Buffer]> = [];
  const query = () =>
    execFileSync('dpkg-query', ['-W', '-f', '${db:Status-Abbrev}|${Package}|${Version}|${Architecture}\n'], { encoding: 'utf8', maxBuffer: 64 << 20 })
      .split('\n')
      .filter((l) => l && INSTALLED_ABBREV.has(l[1]))
      .map((l) => l.split('|').slice(1).join(' '))
      .sort();
  // Other processes may install packages meanwhile: read both sides until they are taken at the same state.
  let expected: string[] = [];
  let got: string[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    const before = query();
    files.length = 0;
    files.push(['var/lib/dpkg/status', readFileSync('/var/lib/dpkg/status')]);
    for (const f of readdirSync('/var/lib/dpkg/info')) if (f.endsWith('.list')) files.push([`var/lib/dpkg/info/${f}`, readFileSync(`/var/lib/dpkg/info/${f}`)]);
    const r = await runCataloger(dpkgCataloger, files, DEBIAN);
    got = r.packages.map((p) => `${p.name} ${p.version} ${p.arch}`).sort();
    expected = query();
    if (expected.join() === before.join()) break;
  }
  assert.ok(expected.length > 50);
  assert.deepEqual(got, expected);

  // installedFiles of a few packages = their .list minus entries that are directories on disk,
  // except directories the package ships empty (bash's usr/share/info): a .list cannot tell those
  // from files, so they stay (harmless for ownership lookups).
  const r = await runCataloger(dpkgCataloger, files, DEBIAN);
  const isDir = (p: string) => {
    try {
      return statSync(p).isDirectory();
    } catch {
      return false; // listed but absent (removed by hand): still the package's file
    }
  };
  for (const name of ['coreutils', 'bash', 'dpkg']) {
    const p = r.packages.find((x) => x.name === name);
    if (!p) continue;
    const listPath = [`/var/lib/dpkg/info/${name}:${p.arch}.list`, `/var/lib/dpkg/info/${name}.list`].find(existsSync)!;
    const listed = readFileSync(listPath, 'utf8').split('\n').filter((l) => l && l !== '/.');
    const files = new Set(listed.filter((l) => !isDir(l)).map((l) => l.slice(1)));
    const got = new Set(p.installedFiles);
    for (const f of files) assert.ok(got.has(f), `${name}: ${f} missing`);
    for (const f of got) assert.ok(files.has(f) || isDir('/' + f), `${name}: ${f} is neither a file nor a directory of the package`);
    assert.ok(got.size - files.size <= 10, `${name}: too many directories kept`);
  }
});
