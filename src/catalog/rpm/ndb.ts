// Reader for rpm's NDB package database (Packages.db; SUSE since 15 SP3 / openSUSE). All integers
// are little-endian. The facts used:
//
// - Bytes 0..31 are the database header: magic "RpmP" at 0, version 0 at 4, generation at 8,
//   number of slot pages at 12 (pages are 4096 bytes and begin the file).
// - The slot pages are an array of 16-byte slots { "Slot", pkgidx, blkoff, blkcnt }, starting after
//   the 32-byte header (slot 2). blkoff == 0 marks a free slot; offsets and counts are in 16-byte
//   blocks, and a used slot's blob starts after the slot pages.
// - A blob is { "BlbS", pkgidx, timestamp, bloblen } + bloblen bytes of header + zero padding +
//   { adler32, bloblen, "BlbE" }, occupying exactly ceil((16 + bloblen + 12) / 16) blocks.
//
// rpm lists packages in blob-offset order, and so do we. rpm itself does not verify the adler32 on
// ordinary reads, so neither do we; the framing (magics, pkgidx, lengths) is checked for every blob.
import { ChunkedReader, type RandomAccess } from './reader.ts';
import type { DbRecord } from './bdb.ts';

const DB_MAGIC = 0x506d7052; // "RpmP"
const SLOT_MAGIC = 0x746f6c53; // "Slot"
const BLOB_HEAD_MAGIC = 0x53626c42; // "BlbS"
const BLOB_TAIL_MAGIC = 0x45626c42; // "BlbE"
const PAGE = 4096;
const SLOT = 16;
const BLK = 16;
const HEAD = 16;
const TAIL = 12;
const FIRST_SLOT = 2;

interface Slot {
  pkgidx: number;
  blkoff: number;
  blkcnt: number;
}

export function isNdb(head: Buffer): boolean {
  return head.length >= 4 && head.readUInt32LE(0) === DB_MAGIC;
}

/** Yields every package blob of an NDB Packages.db; problems go to `warnings`, nothing throws. */
export async function* ndbRecords(src: RandomAccess, warnings: string[]): AsyncGenerator<DbRecord> {
  const r = new ChunkedReader(src);
  const head = await r.read(0, 32);
  if (!head || head.readUInt32LE(0) !== DB_MAGIC) return void warnings.push('NDB: bad magic');
  const version = head.readUInt32LE(4);
  if (version !== 0) return void warnings.push(`NDB: unsupported version ${version}`);
  const slotPages = head.readUInt32LE(12);
  if (slotPages < 1 || slotPages * PAGE > src.size) return void warnings.push(`NDB: implausible slot page count ${slotPages}`);
  const slotArea = await r.read(0, slotPages * PAGE);
  if (!slotArea) return void warnings.push('NDB: slot pages are unreadable');

  const fileBlocks = Math.floor(src.size / BLK);
  const minBlock = (slotPages * PAGE) / BLK;
  const slots: Slot[] = [];
  let bad = 0;
  for (let o = FIRST_SLOT * SLOT; o < slotArea.length; o += SLOT) {
    if (slotArea.readUInt32LE(o) !== SLOT_MAGIC) {
      bad++;
      continue;
    }
    const blkoff = slotArea.readUInt32LE(o + 8);
    if (blkoff === 0) continue; // free slot
    const slot = { pkgidx: slotArea.readUInt32LE(o + 4), blkoff, blkcnt: slotArea.readUInt32LE(o + 12) };
    if (!slot.pkgidx || !slot.blkcnt || slot.blkoff < minBlock || slot.blkoff + slot.blkcnt > fileBlocks) bad++;
    else slots.push(slot);
  }
  if (bad) warnings.push(`NDB: skipped ${bad} invalid slot(s)`);
  slots.sort((a, b) => a.blkoff - b.blkoff);

  for (const s of slots) {
    const blob = await readBlob(r, s);
    if (typeof blob === 'string') warnings.push(`NDB: package index ${s.pkgidx}: ${blob}`);
    else yield { key: s.pkgidx, blob };
  }
}

async function readBlob(r: ChunkedReader, s: Slot): Promise<Buffer | string> {
  const start = s.blkoff * BLK;
  const head = await r.read(start, HEAD);
  if (!head) return 'blob is outside the file';
  if (head.readUInt32LE(0) !== BLOB_HEAD_MAGIC) return 'bad blob magic';
  if (head.readUInt32LE(4) !== s.pkgidx) return `blob belongs to package index ${head.readUInt32LE(4)}`;
  const len = head.readUInt32LE(12);
  if (s.blkcnt !== Math.ceil((HEAD + len + TAIL) / BLK)) return `blob length ${len} does not fit its ${s.blkcnt} blocks`;
  const tail = await r.read(start + s.blkcnt * BLK - TAIL, TAIL);
  if (!tail || tail.readUInt32LE(4) !== len || tail.readUInt32LE(8) !== BLOB_TAIL_MAGIC) return 'bad blob trailer';
  const data = await r.read(start + HEAD, len);
  return data ? Buffer.from(data) : 'blob data is unreadable';
}
