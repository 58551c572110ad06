// Reader for rpm's Berkeley DB "Packages" file (rpm <= 4.15: RHEL/CentOS <= 8, Amazon Linux 2,
// old SUSE). It is a BDB hash database mapping a 4-byte header instance number to a header blob.
// Only the on-disk facts needed to list every record are used:
//
// - Page 0 is the hash metadata page: magic 0x061561 at byte 12 (its byte order is the file's byte
//   order; rpm writes host order, so s390x/ppc64 databases are big-endian), page size at 20,
//   encryption algorithm at 24, page type 8 at 25, last page number at 32, max_bucket at 72 and the
//   32 "spares" at 96. Bucket b lives on page b + spares[ceil(log2(b + 1))].
// - Every page starts with a 26-byte header: pgno at 8, next_pgno at 16, entries at 20,
//   hf_offset at 22, type at 25.
// - Hash pages (type 13, or 2 for the unsorted pages of older BDB) hold `entries` 16-bit item
//   offsets right after the header; items come in key/data pairs, item i spans from its offset to
//   the offset of item i-1 (or the page end). The first byte of an item is its kind: 1 = inline
//   bytes, 3 = "off-page" (pgno at +4, total length at +8) for data on an overflow chain.
// - Overflow pages (type 7) carry hf_offset bytes of data after the header, then link on through
//   next_pgno.
//
// A bucket's pages are chained through next_pgno as well. Every chain is walked with a visited set
// and a bound on the page number, so a hostile file cannot make us loop or read out of bounds.
import { ChunkedReader, type RandomAccess } from './reader.ts';

const HASH_MAGIC = 0x061561;
const BTREE_MAGIC = 0x053162;
const P_HASH_UNSORTED = 2;
const P_OVERFLOW = 7;
const P_HASHMETA = 8;
const P_HASH = 13;
const H_KEYDATA = 1;
const H_OFFPAGE = 3;
const PAGE_HEADER = 26;
/** rpm refuses headers over 256 MiB; no valid record is longer. */
const MAX_RECORD = 0x10000000;

export interface DbRecord {
  /** Header instance number (the database key). */
  key: number;
  blob: Buffer;
}

interface Meta {
  little: boolean;
  pageSize: number;
  lastPgno: number;
}

/** True when the bytes start like a Berkeley DB hash database (either byte order). */
export function isBdbHash(head: Buffer): boolean {
  return head.length >= 16 && (head.readUInt32LE(12) === HASH_MAGIC || head.readUInt32BE(12) === HASH_MAGIC);
}

/** Yields every record of the Packages database; problems go to `warnings`, nothing throws. */
export async function* bdbRecords(src: RandomAccess, warnings: string[]): AsyncGenerator<DbRecord> {
  const r = new ChunkedReader(src);
  const head = await r.read(0, 512);
  if (!head) return void warnings.push('Berkeley DB: file too short for a metadata page');
  let little: boolean;
  if (head.readUInt32LE(12) === HASH_MAGIC) little = true;
  else if (head.readUInt32BE(12) === HASH_MAGIC) little = false;
  else {
    const btree = head.readUInt32LE(12) === BTREE_MAGIC || head.readUInt32BE(12) === BTREE_MAGIC;
    return void warnings.push(`Berkeley DB: ${btree ? 'btree databases are not rpm package databases' : 'not a hash database (bad magic)'}`);
  }
  const u32 = (b: Buffer, o: number) => (little ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const u16 = (b: Buffer, o: number) => (little ? b.readUInt16LE(o) : b.readUInt16BE(o));

  const version = u32(head, 16);
  const pageSize = u32(head, 20);
  if (version < 8 || version > 10) return void warnings.push(`Berkeley DB: unsupported hash version ${version}`);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) return void warnings.push(`Berkeley DB: invalid page size ${pageSize}`);
  if (head[24] !== 0) return void warnings.push('Berkeley DB: encrypted databases are not supported');
  if (head[25] !== P_HASHMETA) return void warnings.push(`Berkeley DB: page 0 has type ${head[25]}, not hash metadata`);
  // Checksummed pages put the checksum between the page header and the item index, a layout rpm
  // never writes (it does not enable DB_CHKSUM): refuse rather than read items from wrong offsets.
  if (head[26]! & 1) return void warnings.push('Berkeley DB: databases with page checksums are not supported');

  // Trust neither last_pgno nor the file size alone: a page must exist in both.
  const lastPgno = Math.min(u32(head, 32), Math.floor(src.size / pageSize) - 1);
  let maxBucket = u32(head, 72);
  if (maxBucket > lastPgno) {
    warnings.push(`Berkeley DB: max_bucket ${maxBucket} exceeds the ${lastPgno + 1} pages; truncating`);
    maxBucket = lastPgno;
  }
  const spares: number[] = [];
  for (let i = 0; i < 32; i++) spares.push(u32(head, 96 + i * 4));
  const meta: Meta = { little, pageSize, lastPgno };

  const seen = new Set<number>();
  for (let bucket = 0; bucket <= maxBucket; bucket++) {
    let pgno = bucket + spares[ceilLog2(bucket + 1)]!;
    while (pgno !== 0) {
      if (pgno > lastPgno) {
        warnings.push(`Berkeley DB: bucket ${bucket} links to page ${pgno} beyond the end of the file`);
        break;
      }
      if (seen.has(pgno)) {
        warnings.push(`Berkeley DB: bucket ${bucket} links back to page ${pgno} (cycle)`);
        break;
      }
      seen.add(pgno);
      const page = await r.read(pgno * pageSize, pageSize);
      if (!page) break;
      const type = page[25];
      if (type !== P_HASH && type !== P_HASH_UNSORTED) {
        warnings.push(`Berkeley DB: bucket ${bucket} page ${pgno} has type ${type}, not a hash page`);
        break;
      }
      yield* pageRecords(page, pgno, meta, r, u16, u32, warnings);
      pgno = u32(page, 16);
    }
  }
}

async function* pageRecords(
  page: Buffer,
  pgno: number,
  meta: Meta,
  r: ChunkedReader,
  u16: (b: Buffer, o: number) => number,
  u32: (b: Buffer, o: number) => number,
  warnings: string[],
): AsyncGenerator<DbRecord> {
  const { pageSize } = meta;
  const entries = u16(page, 20);
  const indexEnd = PAGE_HEADER + 2 * entries;
  if (indexEnd > pageSize) return void warnings.push(`Berkeley DB: page ${pgno} claims ${entries} entries, more than fit`);
  // Item i: [inp[i], inp[i-1]) with inp[-1] = page size. Offsets must decrease and stay past the index.
  const item = (i: number): [number, number] | undefined => {
    const start = u16(page, PAGE_HEADER + 2 * i);
    const end = i === 0 ? pageSize : u16(page, PAGE_HEADER + 2 * (i - 1));
    return start >= indexEnd && start < end && end <= pageSize ? [start, end] : undefined;
  };
  for (let i = 0; i + 1 < entries; i += 2) {
    const k = item(i);
    const d = item(i + 1);
    if (!k || !d) {
      warnings.push(`Berkeley DB: page ${pgno} item ${i} has invalid offsets`);
      return;
    }
    if (page[k[0]] !== H_KEYDATA || k[1] - k[0] !== 5) {
      warnings.push(`Berkeley DB: page ${pgno} item ${i} is not a 4-byte package key`);
      continue;
    }
    const key = u32(page, k[0] + 1);
    // Key 0 holds rpm's next-instance counter, not a header.
    if (key === 0) continue;
    const kind = page[d[0]];
    if (kind === H_KEYDATA) {
      yield { key, blob: Buffer.from(page.subarray(d[0] + 1, d[1])) };
    } else if (kind === H_OFFPAGE && d[1] - d[0] >= 12) {
      const data = await readOverflow(r, meta, u16, u32, u32(page, d[0] + 4), u32(page, d[0] + 8));
      if (typeof data === 'string') warnings.push(`Berkeley DB: record ${key}: ${data}`);
      else yield { key, blob: data };
    } else {
      warnings.push(`Berkeley DB: record ${key} has unsupported item kind ${kind}`);
    }
  }
}

/** Reassembles data stored on an overflow chain; returns a reason on any inconsistency. */
async function readOverflow(
  r: ChunkedReader,
  { pageSize, lastPgno }: Meta,
  u16: (b: Buffer, o: number) => number,
  u32: (b: Buffer, o: number) => number,
  first: number,
  total: number,
): Promise<Buffer | string> {
  if (total === 0 || total > MAX_RECORD || total > r.size) return `implausible overflow length ${total}`;
  const out = Buffer.allocUnsafe(total);
  const seen = new Set<number>();
  let got = 0;
  let pgno = first;
  while (got < total) {
    if (pgno === 0 || pgno > lastPgno) return `overflow chain ends early at ${got} of ${total} bytes`;
    if (seen.has(pgno)) return `overflow chain loops back to page ${pgno}`;
    seen.add(pgno);
    const page = await r.read(pgno * pageSize, pageSize);
    if (!page) return `overflow page ${pgno} is unreadable`;
    if (page[25] !== P_OVERFLOW) return `overflow chain reaches page ${pgno} of type ${page[25]}`;
    // On overflow pages hf_offset is the number of data bytes the page carries.
    const len = Math.min(u16(page, 22), total - got);
    if (len === 0 || PAGE_HEADER + len > pageSize) return `overflow page ${pgno} has invalid length ${u16(page, 22)}`;
    page.copy(out, got, PAGE_HEADER, PAGE_HEADER + len);
    got += len;
    pgno = u32(page, 16);
  }
  return out;
}

/** ceil(log2(n)) for n >= 1, as Berkeley DB computes bucket-to-page spares indexes. */
function ceilLog2(n: number): number {
  let i = 0;
  for (let limit = 1; limit < n; limit *= 2) i++;
  return i;
}
