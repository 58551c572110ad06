import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { sharedData } from '../../../test/shared-data.ts';
import type { FileMeta, FileResult, FoundPackage, ParsedFile } from '../cataloger.ts';
import type { OSInfo } from '../../model/types.ts';
import { TAG } from './header.ts';
import { rpmCataloger, type RpmDbData } from './index.ts';
import { bufferSource } from './reader.ts';
import { buildBdb, buildNdb, hasRpm, packageHeader, rpmQuery, type HeaderEntrySpec } from './testkit.ts';

const meta = (path: string, size = 0): FileMeta => ({ path, size, mode: 0o644 });
const os = (family: string, version: string): OSInfo => ({ family, version, source: 'etc/os-release' });

function header(name: string, o: { epoch?: number; version?: string; release?: string; vendor?: string; license?: string; src?: string; provides?: string[]; requires?: string[]; files?: string[] } = {}): Buffer {
  const extra: HeaderEntrySpec[] = [];
  if (o.vendor) extra.push({ tag: TAG.VENDOR, type: 6, value: o.vendor });
  if (o.license) extra.push({ tag: TAG.LICENSE, type: 6, value: o.license });
  if (o.src) extra.push({ tag: TAG.SOURCERPM, type: 6, value: o.src });
  extra.push({ tag: TAG.PROVIDENAME, type: 8, value: o.provides ?? [name] });
  if (o.requires) extra.push({ tag: TAG.REQUIRENAME, type: 8, value: o.requires });
  if (o.files?.length) {
    extra.push({ tag: TAG.DIRNAMES, type: 8, value: ['/'] });
    extra.push({ tag: TAG.BASENAMES, type: 8, value: o.files.map((f) => f.replace(/^\//, '')) });
    extra.push({ tag: TAG.DIRINDEXES, type: 4, value: o.files.map(() => 0) });
  }
  return packageHeader({ name, epoch: o.epoch, version: o.version, release: o.release, extra });
}

async function parse(path: string, blobs: Buffer[], format: 'bdb' | 'ndb' = 'bdb'): Promise<ParsedFile> {
  const records = blobs.map((blob, i) => ({ key: i + 1, blob }));
  const file = format === 'bdb' ? buildBdb(records).file : buildNdb(records).file;
  const result = await rpmCataloger.parse(meta(path, file.length), bufferSource(file));
  return { meta: meta(path, file.length), result };
}

async function finalize(files: ParsedFile[], o?: OSInfo): Promise<FoundPackage[]> {
  return rpmCataloger.finalize!({ files, os: o, exists: () => true });
}

test('wants exactly the rpm database files', () => {
  for (const p of ['var/lib/rpm/Packages', 'var/lib/rpm/rpmdb.sqlite', 'var/lib/rpm/Packages.db', 'usr/lib/sysimage/rpm/Packages', 'usr/lib/sysimage/rpm/rpmdb.sqlite', 'usr/lib/sysimage/rpm/Packages.db']) {
    assert.ok(rpmCataloger.wants(meta(p)), p);
  }
  for (const p of ['var/lib/rpm/Name', 'var/lib/rpm/rpmdb.sqlite-wal', 'opt/x/var/lib/rpm/Packages', 'var/lib/rpm/Packages.bak', 'Packages']) {
    assert.equal(rpmCataloger.wants(meta(p)), false, p);
  }
});

test('package fields: version with epoch, source, licences, metadata; gpg-pubkey skipped', async () => {
  const f = await parse('var/lib/rpm/Packages', [
    header('openssl-libs', { epoch: 1, version: '3.0.7', release: '27.el9', vendor: 'Red Hat, Inc.', license: 'ASL 2.0', src: 'openssl-3.0.7-27.el9.src.rpm' }),
    header('gpg-pubkey', { version: 'fd431d51', release: '4ae0493b' }),
    header('nolicense', { epoch: 0 }),
  ]);
  assert.equal(f.result.warnings, undefined);
  const [ssl, nolic] = f.result.packages!;
  assert.equal(f.result.packages!.length, 2);
  assert.deepEqual(ssl, {
    name: 'openssl-libs',
    version: '1:3.0.7-27.el9',
    ecosystem: 'rpm',
    purl: 'pkg:rpm/redhat/openssl-libs@3.0.7-27.el9?arch=x86_64&epoch=1',
    licenses: ['ASL 2.0'],
    locations: ['var/lib/rpm/Packages'],
    installedFiles: [],
    arch: 'x86_64',
    source: { name: 'openssl', version: '1:3.0.7-27.el9' },
    metadata: { vendor: 'Red Hat, Inc.' },
  });
  // An explicit epoch 0 is the same as none.
  assert.equal(nolic!.version, '1.0-1');
  assert.deepEqual(nolic!.licenses, []);
  assert.equal(nolic!.source, undefined);
});

test('finalize: purl namespace and distro from the OS', async () => {
  const f = await parse('var/lib/rpm/Packages', [header('curl', { epoch: 2, version: '7.76.1', release: '26.el9', vendor: 'Rocky Enterprise Software Foundation' })]);
  const cases: Array<[OSInfo | undefined, string]> = [
    [os('rhel', '9.3'), 'pkg:rpm/redhat/curl@7.76.1-26.el9?arch=x86_64&distro=rhel-9.3&epoch=2'],
    [os('amzn', '2023'), 'pkg:rpm/amazon/curl@7.76.1-26.el9?arch=x86_64&distro=amzn-2023&epoch=2'],
    [os('opensuse-leap', '15.5'), 'pkg:rpm/opensuse/curl@7.76.1-26.el9?arch=x86_64&distro=opensuse-leap-15.5&epoch=2'],
    [os('sles', '15.3'), 'pkg:rpm/suse/curl@7.76.1-26.el9?arch=x86_64&distro=sles-15.3&epoch=2'],
    [os('ol', '8.9'), 'pkg:rpm/oracle/curl@7.76.1-26.el9?arch=x86_64&distro=ol-8.9&epoch=2'],
    [os('mariner', '2.0'), 'pkg:rpm/mariner/curl@7.76.1-26.el9?arch=x86_64&distro=mariner-2.0&epoch=2'],
    [os('eurolinux', '9'), 'pkg:rpm/eurolinux/curl@7.76.1-26.el9?arch=x86_64&distro=eurolinux-9&epoch=2'],
    // No OS identified: the packages' vendor decides the namespace, and there is no distro.
    [undefined, 'pkg:rpm/rocky/curl@7.76.1-26.el9?arch=x86_64&epoch=2'],
  ];
  for (const [o, want] of cases) assert.equal((await finalize([f], o))[0]!.purl, want, o?.family);
});

test('finalize: one database wins when several survive (newest format, then /usr/lib/sysimage)', async () => {
  const oldBdb = await parse('var/lib/rpm/Packages', [header('stale')]);
  const ndb = await parse('usr/lib/sysimage/rpm/Packages.db', [header('from-ndb')], 'ndb');
  const sqliteLike: ParsedFile = { ...(await parse('var/lib/rpm/rpmdb.sqlite', [header('from-sqlite')])) };
  (sqliteLike.result.data as RpmDbData).format = 'sqlite';
  assert.deepEqual((await finalize([oldBdb, ndb])).map((p) => [p.name, p.locations]), [['from-ndb', ['usr/lib/sysimage/rpm/Packages.db']]]);
  assert.deepEqual((await finalize([oldBdb, sqliteLike, ndb])).map((p) => p.name), ['from-sqlite']);
  const sysimage = await parse('usr/lib/sysimage/rpm/Packages', [header('sysimage')]);
  assert.deepEqual((await finalize([oldBdb, sysimage])).map((p) => p.name), ['sysimage']);
  assert.deepEqual(await finalize([]), []);
});

test('finalize: requirements resolve to providers by capability and by file', async () => {
  const f = await parse('var/lib/rpm/Packages', [
    header('glibc', { provides: ['glibc', 'libc.so.6()(64bit)'], requires: ['rpmlib(CompressedFileNames)', 'glibc-common'] }),
    header('glibc-common', { requires: ['glibc', '/bin/sh'] }),
    header('bash', { files: ['/bin/bash', '/bin/sh'], requires: ['libc.so.6()(64bit)', '/bin/sh', 'bash', 'missing-cap', '(foo if bar)'] }),
    header('app', { requires: ['libc.so.6()(64bit)', '/bin/sh', 'glibc', '/usr/bin/none'] }),
  ]);
  const deps = Object.fromEntries((await finalize([f])).map((p) => [p.name, p.dependsOnNames]));
  assert.deepEqual(deps, { glibc: ['glibc-common'], 'glibc-common': ['bash', 'glibc'], bash: ['glibc'], app: ['bash', 'glibc'] });
});

test('parse never throws: garbage, empty files, failing reads, floods of bad records', async () => {
  const garbage = await rpmCataloger.parse(meta('var/lib/rpm/Packages'), bufferSource(Buffer.from('not a database at all')));
  assert.deepEqual(garbage, { packages: [], warnings: ['var/lib/rpm/Packages: not an rpm database (unknown format)'] });
  assert.deepEqual(await rpmCataloger.parse(meta('var/lib/rpm/Packages'), bufferSource(Buffer.alloc(0))), { packages: [] });
  const failing = { size: 10000, read: async () => Promise.reject(new Error('disk on fire')), readAll: async () => Promise.reject(new Error('x')) };
  assert.deepEqual((await rpmCataloger.parse(meta('var/lib/rpm/Packages'), failing)).warnings, ['var/lib/rpm/Packages: internal error: disk on fire']);
  const bad = Array.from({ length: 50 }, () => Buffer.from([0, 0, 0, 1, 0, 0, 0, 0]));
  const flood = await parse('var/lib/rpm/Packages', [...bad, header('survivor')]);
  assert.deepEqual(flood.result.packages!.map((p) => p.name), ['survivor']);
  assert.equal(flood.result.warnings!.length, 21);
  assert.match(flood.result.warnings![20]!, /and 30 more problems/);
});

const MARINER = sharedData('pkgdb/rpmdb/pkg/testdata/cbl-mariner-2.0/rpmdb.sqlite');

test('cbl-mariner-2.0: every dependency edge is one rpm --whatprovides agrees with', async (t) => {
  if (!existsSync(MARINER)) return t.skip('fixture not present');
  if (!hasRpm()) return t.skip('rpm not installed');
  const buf = readFileSync(MARINER);
  const result: FileResult = await rpmCataloger.parse(meta('var/lib/rpm/rpmdb.sqlite', buf.length), bufferSource(buf));
  const pkgs = await finalize([{ meta: meta('var/lib/rpm/rpmdb.sqlite', buf.length), result }], os('mariner', '2.0'));
  const extras = (result.data as RpmDbData).extras;
  // Ask rpm for the providers of every requirement in one run; a sentinel that nothing provides
  // separates the answers.
  const caps = [...new Set(extras.flatMap((x) => x.requires))].filter((r) => !r.startsWith('rpmlib('));
  const args = caps.flatMap((c, i) => [c, `triad-sentinel-${i}`]);
  const out = rpmQuery(MARINER, 'rpmdb.sqlite', '%{NAME}\\n', ['-q', '--whatprovides', ...args]);
  assert.ok(out, 'rpm --whatprovides failed');
  const providers = new Map<string, Set<string>>();
  let current: string[] = [];
  let i = 0;
  for (const line of out.split('\n')) {
    if (line === `no package provides triad-sentinel-${i}`) {
      providers.set(caps[i]!, new Set(current.filter((l) => !l.startsWith('no package provides '))));
      current = [];
      i++;
    } else if (line) current.push(line);
  }
  assert.equal(i, caps.length, 'every capability answered');
  let edges = 0;
  pkgs.forEach((p, k) => {
    const expectedSets = extras[k]!.requires.map((r) => providers.get(r)).filter((s): s is Set<string> => !!s && s.size > 0 && !s.has(p.name));
    const ours = new Set(p.dependsOnNames ?? []);
    for (const s of expectedSets) assert.ok([...s].some((n) => ours.has(n)), `${p.name}: none of ${[...s]} in ${[...ours]}`);
    for (const d of ours) assert.ok(expectedSets.some((s) => s.has(d)), `${p.name}: ${d} provides nothing it requires`);
    edges += ours.size;
  });
  assert.ok(edges > 200, `only ${edges} edges`);

});
