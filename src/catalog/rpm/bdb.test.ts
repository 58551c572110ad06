import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { sharedData } from '../../../test/shared-data.ts';
import { bdbRecords, type DbRecord } from './bdb.ts';
import { bufferSource } from './reader.ts';
import { buildBdb, collect } from './testkit.ts';

/** Records of varied sizes: inline-sized, one page, many overflow pages. */
function sampleRecords(n: number): DbRecord[] {
  return Array.from({ length: n }, (_, i) => ({ key: i + 1, blob: Buffer.alloc(40 + ((i * 977) % 9000), i + 1) }));
}

async function read(file: Buffer) {
  const warnings: string[] = [];
  const records = await collect(bdbRecords(bufferSource(file), warnings));
  return { records, warnings };
}

const byKey = (a: DbRecord, b: DbRecord) => a.key - b.key;

for (const little of [true, false]) {
  for (const pageSize of [512, 4096]) {
    test(`round trip: ${little ? 'little' : 'big'}-endian, ${pageSize}-byte pages, 3 buckets, inline and overflow data`, async () => {
      const recs = sampleRecords(60);
      const { file } = buildBdb(recs, { little, pageSize, buckets: 3, inlineMax: 100 });
      const { records, warnings } = await read(file);
      assert.deepEqual(warnings, []);
      assert.deepEqual(records.sort(byKey), recs);
    });
  }
}

test('key 0 (rpm\'s instance counter) is not a package', async () => {
  const { file } = buildBdb([{ key: 0, blob: Buffer.from([0, 0, 0, 9]) }, { key: 5, blob: Buffer.alloc(300, 1) }], { inlineMax: 10 });
  const { records } = await read(file);
  assert.deepEqual(records.map((r) => r.key), [5]);
});

test('a bucket chain that loops back stops with a warning, each record read once', { timeout: 10_000 }, async () => {
  const recs = sampleRecords(200);
  const { file, bucketPages } = buildBdb(recs, { inlineMax: 100 });
  // Find the last page of bucket 0's chain and point it back at the first.
  const pg = (n: number) => file.subarray(n * 4096, (n + 1) * 4096);
  let last = bucketPages[0]!;
  while (pg(last).readUInt32LE(16) !== 0) last = pg(last).readUInt32LE(16);
  assert.notEqual(last, bucketPages[0], 'the fixture must span several hash pages');
  pg(last).writeUInt32LE(bucketPages[0]!, 16);
  const { records, warnings } = await read(file);
  assert.equal(records.length, recs.length);
  assert.match(warnings.join('\n'), /links back to page \d+ \(cycle\)/);
});

test('overflow chains that loop, end early or reach a non-overflow page are refused', { timeout: 10_000 }, async () => {
  const recs = [{ key: 1, blob: Buffer.alloc(20000, 7) }, { key: 2, blob: Buffer.alloc(20000, 8) }, { key: 3, blob: Buffer.alloc(20000, 9) }];
  const { file, overflowStarts, bucketPages } = buildBdb(recs);
  const page = (n: number) => file.subarray(n * 4096, (n + 1) * 4096);
  const lastOf = (first: number) => {
    let p = first;
    while (page(p).readUInt32LE(16) !== 0) p = page(p).readUInt32LE(16);
    return p;
  };
  page(lastOf(overflowStarts[0]!)).writeUInt32LE(overflowStarts[0]!, 16); // loop
  page(overflowStarts[1]!).writeUInt32LE(0, 16); // chain cut after its first page
  page(lastOf(overflowStarts[2]!)).writeUInt32LE(bucketPages[0]!, 16); // into a hash page
  // ... and make record 3 claim more data than its chain holds so the walk reaches that link.
  const bucket = page(bucketPages[0]!);
  const entries = bucket.readUInt16LE(20);
  for (let i = 1; i < entries; i += 2) {
    const at = bucket.readUInt16LE(26 + 2 * i);
    if (bucket.readUInt32LE(at + 4) === overflowStarts[2]) bucket.writeUInt32LE(30000, at + 8);
    if (bucket.readUInt32LE(at + 4) === overflowStarts[0]) bucket.writeUInt32LE(30000, at + 8);
  }
  const { records, warnings } = await read(file);
  assert.deepEqual(records, []);
  const text = warnings.join('\n');
  assert.match(text, /record 1: overflow chain loops back/);
  assert.match(text, /record 2: overflow chain ends early/);
  assert.match(text, /record 3: overflow chain reaches page \d+ of type 13/);
});

test('implausible page contents are reported, not trusted', async () => {
  const { file, bucketPages } = buildBdb(sampleRecords(4), { inlineMax: 100 });
  const bad = Buffer.from(file);
  bad.writeUInt16LE(5000, bucketPages[0]! * 4096 + 20); // more entries than fit on a page
  assert.match((await read(bad)).warnings.join(), /claims 5000 entries/);
  const badOffset = Buffer.from(file);
  badOffset.writeUInt16LE(2, bucketPages[0]! * 4096 + 26); // item inside the page header
  assert.match((await read(badOffset)).warnings.join(), /invalid offsets/);
  const hugeLen = Buffer.from(file);
  const at = bucketPages[0]! * 4096 + hugeLen.readUInt16LE(bucketPages[0]! * 4096 + 26 + 2 * 1);
  hugeLen[at] = 3; // turn the inline item into an off-page reference ...
  hugeLen.writeUInt32LE(0xfffffff0, at + 8); // ... with an absurd length
  assert.match((await read(hugeLen)).warnings.join(), /implausible overflow length/);
});

test('metadata page checks', async () => {
  const { file } = buildBdb(sampleRecords(2));
  const cases: Array<[string, (b: Buffer) => void, RegExp]> = [
    ['magic', (b) => b.writeUInt32LE(0x12345678, 12), /bad magic/],
    ['btree', (b) => b.writeUInt32LE(0x053162, 12), /btree/],
    ['page size', (b) => b.writeUInt32LE(3000, 20), /invalid page size 3000/],
    ['encryption', (b) => (b[24] = 1), /encrypted/],
    ['checksums', (b) => (b[26] = 1), /page checksums are not supported/],
    ['version', (b) => b.writeUInt32LE(2, 16), /unsupported hash version 2/],
    ['page type', (b) => (b[25] = 9), /not hash metadata/],
    ['max bucket', (b) => b.writeUInt32LE(0xffffffff, 72), /max_bucket \d+ exceeds/],
  ];
  for (const [what, patch, re] of cases) {
    const b = Buffer.from(file);
    patch(b);
    assert.match((await read(b)).warnings.join('\n'), re, what);
  }
  assert.match((await read(Buffer.alloc(100))).warnings.join(), /too short/);
});

test('a truncated file yields what is intact and warns about the rest', async () => {
  const recs = sampleRecords(30);
  const { file } = buildBdb(recs, { inlineMax: 100 });
  const { records, warnings } = await read(file.subarray(0, Math.floor(file.length * 0.6)));
  assert.ok(records.length > 0 && records.length < recs.length, `${records.length}`);
  assert.ok(warnings.length > 0);
  for (const r of records) assert.deepEqual(r, recs[r.key - 1]);
});

test('fuzz: random page corruption never throws or hangs', { timeout: 60_000 }, async () => {
  const real = sharedData('pkgdb/rpmdb/pkg/testdata/libuuid/Packages');
  const bases = [buildBdb(sampleRecords(40), { inlineMax: 100, buckets: 2 }).file];
  if (existsSync(real)) bases.push(readFileSync(real));
  let seed = 99;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (const base of bases) {
    for (let round = 0; round < 300; round++) {
      const b = Buffer.from(base);
      for (let i = 0; i < 1 + rand(30); i++) {
        // Page headers and item offsets (first 64 bytes of a page) matter most.
        const page = rand(b.length / 4096);
        b[page * 4096 + (rand(3) ? rand(64) : rand(4096))] = rand(256);
      }
      await read(b);
    }
  }
});
