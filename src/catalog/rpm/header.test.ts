import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { sharedData } from '../../../test/shared-data.ts';
import { headerToPackage, parseHeader, RpmHeader, TAG, type RpmPackageRecord } from './header.ts';
import { buildHeader, packageHeader } from './testkit.ts';

function pkg(blob: Buffer): RpmPackageRecord {
  const h = parseHeader(blob);
  assert.ok(h instanceof RpmHeader, String(h));
  const p = headerToPackage(h);
  assert.ok(typeof p !== 'string', String(p));
  return p;
}

test('extracts every field the cataloger uses', () => {
  const md5 = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
  const p = pkg(
    packageHeader({
      name: 'bash',
      version: '5.1.8',
      release: '6.el9',
      epoch: 2,
      arch: 'aarch64',
      extra: [
        { tag: TAG.SIGMD5, type: 7, value: md5 },
        { tag: TAG.SOURCERPM, type: 6, value: 'bash-5.1.8-6.el9.src.rpm' },
        { tag: TAG.LICENSE, type: 6, value: 'GPLv3+' },
        { tag: TAG.VENDOR, type: 6, value: 'Red Hat, Inc.' },
        { tag: TAG.SIZE, type: 4, value: [1234] },
        { tag: TAG.MODULARITYLABEL, type: 6, value: 'bash:5:1:abc' },
        { tag: TAG.DIRNAMES, type: 8, value: ['/usr/bin/', '/etc/'] },
        { tag: TAG.BASENAMES, type: 8, value: ['bash', 'bashrc', 'sh'] },
        { tag: TAG.DIRINDEXES, type: 4, value: [0, 1, 0] },
        { tag: TAG.PROVIDENAME, type: 8, value: ['bash', '/bin/sh'] },
        { tag: TAG.REQUIRENAME, type: 8, value: ['libc.so.6()(64bit)', 'rpmlib(CompressedFileNames)'] },
      ],
    }),
  );
  assert.deepEqual(p, {
    name: 'bash',
    version: '5.1.8',
    release: '6.el9',
    epoch: 2,
    arch: 'aarch64',
    sourceRpm: 'bash-5.1.8-6.el9.src.rpm',
    license: 'GPLv3+',
    vendor: 'Red Hat, Inc.',
    size: 1234,
    modularityLabel: 'bash:5:1:abc',
    sigmd5: '00112233445566778899aabbccddeeff',
    files: ['usr/bin/bash', 'etc/bashrc', 'usr/bin/sh'],
    provides: ['bash', '/bin/sh'],
    requires: ['libc.so.6()(64bit)', 'rpmlib(CompressedFileNames)'],
  });
});

test('LONGSIZE wins over SIZE; pre-4.0 OLDFILENAMES are used when there are no BASENAMES', () => {
  const p = pkg(
    packageHeader({
      name: 'big',
      extra: [
        { tag: TAG.SIZE, type: 4, value: [1] },
        { tag: TAG.LONGSIZE, type: 4, value: [7] },
        { tag: TAG.OLDFILENAMES, type: 8, value: ['/usr/lib/big.so', '/'] },
      ],
    }),
  );
  assert.equal(p.size, 7);
  assert.deepEqual(p.files, ['usr/lib/big.so']);
});

test('an entry repeated after the region (an install-time "dribble") replaces the earlier one', () => {
  const p = pkg(buildHeader([
    { tag: TAG.NAME, type: 6, value: 'old' },
    { tag: TAG.VERSION, type: 6, value: '1' },
    { tag: TAG.RELEASE, type: 6, value: '1' },
    { tag: TAG.NAME, type: 6, value: 'new' },
  ]));
  assert.equal(p.name, 'new');
});

test('a header without name/version/release is not a package', () => {
  const h = parseHeader(buildHeader([{ tag: TAG.NAME, type: 6, value: 'x' }]));
  assert.ok(h instanceof RpmHeader);
  assert.match(String(headerToPackage(h)), /lacks name\/version\/release/);
});

test('rejects preambles that do not fit the blob', () => {
  const good = packageHeader({ name: 'x' });
  assert.match(String(parseHeader(Buffer.alloc(4))), /too short/);
  const zero = Buffer.from(good);
  zero.writeUInt32BE(0, 0);
  assert.match(String(parseHeader(zero)), /tag count 0/);
  const many = Buffer.from(good);
  many.writeUInt32BE(0x7fffffff, 0);
  assert.match(String(parseHeader(many)), /implausible tag count/);
  const huge = Buffer.from(good);
  huge.writeUInt32BE(0x7fffffff, 4);
  assert.match(String(parseHeader(huge)), /implausible data size/);
  assert.match(String(parseHeader(good.subarray(0, good.length - 1))), /truncated/);
});

/** Rewrites field `field` (0 tag, 1 type, 2 offset, 3 count) of index entry `i`. */
function patchEntry(blob: Buffer, i: number, field: number, value: number): Buffer {
  const b = Buffer.from(blob);
  b.writeInt32BE(value, 8 + i * 16 + field * 4);
  return b;
}

test('offsets and counts outside the data store make a tag unreadable, never a crash', () => {
  const base = packageHeader({
    name: 'n',
    extra: [
      { tag: TAG.REQUIRENAME, type: 8, value: ['a', 'b'] },
      { tag: TAG.SIZE, type: 4, value: [5] },
    ],
  });
  const cases: Array<[string, Buffer, (h: RpmHeader) => unknown]> = [
    ['string offset past the end', patchEntry(base, 0, 2, 1 << 20), (h) => h.string(TAG.NAME)],
    ['negative string offset', patchEntry(base, 0, 2, -3), (h) => h.string(TAG.NAME)],
    ['array count past the end', patchEntry(base, 4, 3, 1 << 30), (h) => h.strings(TAG.REQUIRENAME)],
    ['int count past the end', patchEntry(base, 5, 3, 0x10000000), (h) => h.numbers(TAG.SIZE)],
    ['int offset past the end', patchEntry(base, 5, 2, 0x7ffffff0), (h) => h.number(TAG.SIZE)],
    ['type mismatch', patchEntry(base, 5, 1, 6), (h) => h.numbers(TAG.SIZE)],
  ];
  for (const [what, blob, read] of cases) {
    const h = parseHeader(blob);
    assert.ok(h instanceof RpmHeader, what);
    assert.equal(read(h), undefined, what);
    assert.equal(h.problems.length, 1, what);
  }
});

test('arrays of millions of entries are refused even when the data store could hold them', () => {
  const n = (1 << 21) + 1;
  const h = parseHeader(buildHeader([{ tag: TAG.BASENAMES, type: 8, value: new Array<string>(n).fill('') }, { tag: TAG.DIRINDEXES, type: 4, value: new Array<number>(n).fill(0) }]));
  assert.ok(h instanceof RpmHeader);
  assert.equal(h.strings(TAG.BASENAMES), undefined);
  assert.equal(h.numbers(TAG.DIRINDEXES), undefined);
  assert.deepEqual(h.problems, [`tag 1117 count ${n} is implausibly large`, `tag 1116 count ${n} is implausibly large`]);
});

test('an unterminated last string is refused', () => {
  const blob = packageHeader({ name: 'n', extra: [{ tag: TAG.VENDOR, type: 6, value: 'V' }] });
  blob[blob.length - 1] = 0x41; // the vendor's NUL is the last byte of the data store
  const h = parseHeader(blob);
  assert.ok(h instanceof RpmHeader);
  assert.equal(h.string(TAG.VENDOR), undefined);
  assert.match(h.problems[0]!, /unterminated/);
});

test('file entries whose directory index is out of range are dropped and reported', () => {
  const h = parseHeader(
    packageHeader({
      name: 'n',
      extra: [
        { tag: TAG.DIRNAMES, type: 8, value: ['/a/'] },
        { tag: TAG.BASENAMES, type: 8, value: ['x', 'y'] },
        { tag: TAG.DIRINDEXES, type: 4, value: [0, 9] },
      ],
    }),
  );
  assert.ok(h instanceof RpmHeader);
  const p = headerToPackage(h);
  assert.ok(typeof p !== 'string');
  assert.deepEqual(p.files, ['a/x']);
  assert.match(h.problems.join(), /1 file\(s\) point past the 1 directory names/);
});

const BLOB = sharedData('pkgdb/rpmdb/pkg/testdata/blob.bin');

test('real Fedora header blob (its last dir index was tampered with: rpm rejects its digest)', (t) => {
  if (!existsSync(BLOB)) return t.skip('shared test data not present');
  const h = parseHeader(readFileSync(BLOB));
  assert.ok(h instanceof RpmHeader);
  const p = headerToPackage(h);
  assert.ok(typeof p !== 'string');
  assert.equal(`${p.name}-${p.version}-${p.release}.${p.arch}`, 'publicsuffix-list-dafsa-20210518-2.fc35.noarch');
  assert.equal(p.sourceRpm, 'publicsuffix-list-20210518-2.fc35.src.rpm');
  assert.equal(p.license, 'MPLv2.0');
  assert.equal(p.vendor, 'Fedora Project');
  assert.equal(p.size, 68815);
  assert.deepEqual(p.files, ['usr/share/licenses/publicsuffix-list-dafsa', 'usr/share/licenses/publicsuffix-list-dafsa/COPYING', 'usr/share/publicsuffix']);
  assert.deepEqual(h.problems, ['1 file(s) point past the 4 directory names']);
});

test('fuzz: random corruption of a real header never throws', (t) => {
  if (!existsSync(BLOB)) return t.skip('shared test data not present');
  const orig = readFileSync(BLOB);
  let seed = 12345;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (let round = 0; round < 3000; round++) {
    const b = Buffer.from(orig.subarray(0, round % 7 === 0 ? rand(orig.length) : orig.length));
    // Index entries (the first 8 + 69*16 bytes) are where corruption hurts most: aim there often.
    const hits = 1 + rand(8);
    for (let i = 0; i < hits; i++) {
      if (b.length === 0) break;
      const at = rand(2) ? rand(Math.min(b.length, 8 + 69 * 16)) : rand(b.length);
      b[at] = rand(256);
    }
    const h = parseHeader(b);
    if (typeof h !== 'string') headerToPackage(h);
  }
});
