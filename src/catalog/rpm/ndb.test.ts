import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { sharedData } from '../../../test/shared-data.ts';
import type { DbRecord } from './bdb.ts';
import { ndbRecords } from './ndb.ts';
import { bufferSource } from './reader.ts';
import { buildNdb, collect } from './testkit.ts';

async function read(file: Buffer) {
  const warnings: string[] = [];
  const records = await collect(ndbRecords(bufferSource(file), warnings));
  return { records, warnings };
}

const sample = (n: number): DbRecord[] => Array.from({ length: n }, (_, i) => ({ key: 1000 + i, blob: Buffer.alloc(10 + ((i * 131) % 700), i & 0xff) }));

test('round trip over two slot pages, in blob order, skipping free slots', async () => {
  const recs = sample(300);
  const { file, slotOffsets } = buildNdb(recs);
  assert.ok(file.readUInt32LE(12) === 2, 'the fixture must need a second slot page');
  // Free the slot of record 7 (blkoff 0), as rpm does when a package is erased.
  file.writeUInt32LE(0, slotOffsets[7]! + 8);
  // Swap two slots: the listing follows blob offsets, not slot positions.
  const a = Buffer.from(file.subarray(slotOffsets[0]!, slotOffsets[0]! + 16));
  file.copy(file, slotOffsets[0]!, slotOffsets[1]!, slotOffsets[1]! + 16);
  a.copy(file, slotOffsets[1]!);
  const { records, warnings } = await read(file);
  assert.deepEqual(warnings, []);
  assert.deepEqual(records, recs.filter((_, i) => i !== 7));
});

test('invalid slots are skipped with one warning', async () => {
  const { file, slotOffsets } = buildNdb(sample(6));
  file.write('Xlot', slotOffsets[0]!, 'latin1'); // bad magic
  file.writeUInt32LE(3, slotOffsets[1]! + 8); // blob inside the slot pages
  file.writeUInt32LE(0xffffff, slotOffsets[2]! + 12); // runs past the end of the file
  file.writeUInt32LE(0, slotOffsets[3]! + 4); // package index 0
  const { records, warnings } = await read(file);
  assert.deepEqual(records.map((r) => r.key), [1004, 1005]);
  assert.deepEqual(warnings, ['NDB: skipped 4 invalid slot(s)']);
});

test('blob framing is checked: magic, owner, length, trailer', async () => {
  const { file, blobOffsets } = buildNdb(sample(5));
  file.write('XlbS', blobOffsets[0]!, 'latin1');
  file.writeUInt32LE(4242, blobOffsets[1]! + 4);
  file.writeUInt32LE(100000, blobOffsets[2]! + 12);
  const tail3 = (blobOffsets[4] ?? file.length) - 4;
  file.write('XlbE', tail3, 'latin1');
  const { records, warnings } = await read(file);
  assert.deepEqual(records.map((r) => r.key), [1004]);
  assert.deepEqual(warnings, [
    'NDB: package index 1000: bad blob magic',
    'NDB: package index 1001: blob belongs to package index 4242',
    'NDB: package index 1002: blob length 100000 does not fit its 19 blocks',
    'NDB: package index 1003: bad blob trailer',
  ]);
});

test('database header checks', async () => {
  const { file } = buildNdb(sample(1));
  const cases: Array<[(b: Buffer) => void, RegExp]> = [
    [(b) => b.write('XpmP', 0, 'latin1'), /bad magic/],
    [(b) => b.writeUInt32LE(3, 4), /unsupported version 3/],
    [(b) => b.writeUInt32LE(0x7fffffff, 12), /implausible slot page count/],
    [(b) => b.writeUInt32LE(0, 12), /implausible slot page count 0/],
  ];
  for (const [patch, re] of cases) {
    const b = Buffer.from(file);
    patch(b);
    const r = await read(b);
    assert.deepEqual(r.records, []);
    assert.match(r.warnings.join(), re);
  }
});

test('fuzz: random corruption of a real NDB database never throws', { timeout: 60_000 }, async (t) => {
  const real = sharedData('pkgdb/rpmdb/pkg/testdata/sle15-bci/Packages.db');
  if (!existsSync(real)) return t.skip('shared test data not present');
  const base = readFileSync(real);
  let seed = 7;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (let round = 0; round < 200; round++) {
    const b = Buffer.from(base);
    // Slots live in the first page; blob heads are spread over the rest.
    for (let i = 0; i < 1 + rand(20); i++) b[rand(2) ? rand(4096) : rand(b.length)] = rand(256);
    await read(round % 10 === 0 ? b.subarray(0, rand(b.length)) : b);
  }
});
