// A small ZIP reader over random access: we only need the central directory (names, sizes) and
// the content of a few entries (manifests, pom.properties, nested jars), so nothing is streamed
// and nothing is extracted to disk. Input is hostile: every count, offset and size is checked
// against the file and against caller limits before it is used, and inflation is capped so a
// zip bomb stops at the cap instead of filling memory.
import { inflateRawSync } from 'node:zlib';
import { type ByteSource, bufferSource, FormatError, readExact } from './source.ts';

const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  uncompressedSize: number;
  /** Offset of the local header, already shifted by any data prepended to the archive. */
  localHeaderOffset: number;
}

export interface ZipLimits {
  /** Central directory entries accepted per archive. */
  maxEntries: number;
  /** Bytes of central directory read at once. */
  maxCentralDirectory: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxEntries: 200_000, maxCentralDirectory: 64 * 1024 * 1024 };

export interface ZipDirectory {
  entries: ZipEntry[];
  /** Bytes found before the archive proper (a launcher script in a "fully executable" jar). */
  prefix: number;
}

interface EndRecord {
  entries: number;
  cdSize: number;
  cdOffset: number;
  /** Where the record that gave these numbers starts (EOCD or zip64 EOCD). */
  at: number;
}

/** Finds the end of central directory record, trying the last candidate in the tail first. */
async function findEnd(src: ByteSource): Promise<EndRecord> {
  if (src.size < EOCD_SIZE) throw new FormatError('not a zip archive (too small)');
  const tailLen = Math.min(src.size, EOCD_SIZE + MAX_COMMENT);
  const tailStart = src.size - tailLen;
  const tail = await readExact(src, tailStart, tailLen, 'zip tail');
  for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
    if (tail.readUInt32LE(i) !== SIG_EOCD) continue;
    const commentLen = tail.readUInt16LE(i + 20);
    // The comment must end at (or, for sloppy writers, before) the end of the file.
    if (i + EOCD_SIZE + commentLen > tail.length) continue;
    const at = tailStart + i;
    const rec: EndRecord = {
      entries: tail.readUInt16LE(i + 10),
      cdSize: tail.readUInt32LE(i + 12),
      cdOffset: tail.readUInt32LE(i + 16),
      at,
    };
    if (rec.entries === 0xffff || rec.cdSize === 0xffffffff || rec.cdOffset === 0xffffffff) {
      return (await findZip64End(src, at)) ?? rec;
    }
    return rec;
  }
  throw new FormatError('not a zip archive (no end of central directory)');
}

async function findZip64End(src: ByteSource, eocdAt: number): Promise<EndRecord | undefined> {
  if (eocdAt < 20) return undefined;
  const loc = await readExact(src, eocdAt - 20, 20, 'zip64 locator');
  if (loc.readUInt32LE(0) !== SIG_ZIP64_LOCATOR) return undefined;
  const recAt = u64(loc, 8);
  if (recAt + 56 > src.size) throw new FormatError('zip64 end record outside the file');
  const rec = await readExact(src, recAt, 56, 'zip64 end record');
  if (rec.readUInt32LE(0) !== SIG_ZIP64_EOCD) throw new FormatError('bad zip64 end record signature');
  return { entries: u64(rec, 32), cdSize: u64(rec, 40), cdOffset: u64(rec, 48), at: recAt };
}

/** 64-bit little-endian value; anything past 2^53 cannot be a real offset here, so it is an error. */
function u64(b: Buffer, off: number): number {
  const v = b.readBigUInt64LE(off);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new FormatError('64-bit zip field out of range');
  return Number(v);
}

export async function readZipDirectory(src: ByteSource, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<ZipDirectory> {
  const end = await findEnd(src);
  if (end.entries > limits.maxEntries) throw new FormatError(`zip has ${end.entries} entries (limit ${limits.maxEntries})`);
  if (end.cdSize > limits.maxCentralDirectory) throw new FormatError(`zip central directory of ${end.cdSize} bytes is over the limit`);
  // The directory ends where the end record starts; if the recorded offset says otherwise the
  // difference is data prepended to the archive, and every recorded offset is shifted by it.
  const cdStart = end.at - end.cdSize;
  if (cdStart < 0) throw new FormatError('zip central directory larger than the file');
  const prefix = cdStart - end.cdOffset;
  if (prefix < 0) throw new FormatError('zip central directory offset past its end record');
  const cd = await readExact(src, cdStart, end.cdSize, 'zip central directory');
  const entries: ZipEntry[] = [];
  let p = 0;
  // Trust the bytes, not the count: stop at the first non-entry (the count may lie either way).
  while (p + 46 <= cd.length && entries.length < limits.maxEntries) {
    if (cd.readUInt32LE(p) !== SIG_CENTRAL) break;
    const flags = cd.readUInt16LE(p + 8);
    const method = cd.readUInt16LE(p + 10);
    let compressedSize = cd.readUInt32LE(p + 20);
    let uncompressedSize = cd.readUInt32LE(p + 24);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    let localHeaderOffset = cd.readUInt32LE(p + 42);
    const nameStart = p + 46;
    const extraStart = nameStart + nameLen;
    const next = extraStart + extraLen + commentLen;
    if (next > cd.length) throw new FormatError('zip central directory entry runs past the directory');
    // Bit 11: the name is UTF-8; otherwise it is CP437, of which we only trust the ASCII half.
    const name = cd.toString(flags & 0x800 ? 'utf8' : 'latin1', nameStart, extraStart);
    if (compressedSize === 0xffffffff || uncompressedSize === 0xffffffff || localHeaderOffset === 0xffffffff) {
      // Zip64 extended information: only the fields that overflowed are present, in this order.
      const z = zip64Extra(cd.subarray(extraStart, extraStart + extraLen));
      let q = 0;
      const take = (): number => {
        if (!z || q + 8 > z.length) throw new FormatError(`zip64 extra field missing for ${name}`);
        const v = u64(z, q);
        q += 8;
        return v;
      };
      if (uncompressedSize === 0xffffffff) uncompressedSize = take();
      if (compressedSize === 0xffffffff) compressedSize = take();
      if (localHeaderOffset === 0xffffffff) localHeaderOffset = take();
    }
    entries.push({ name, method, flags, compressedSize, uncompressedSize, localHeaderOffset: localHeaderOffset + prefix });
    p = next;
  }
  return { entries, prefix };
}

function zip64Extra(extra: Buffer): Buffer | undefined {
  let p = 0;
  while (p + 4 <= extra.length) {
    const id = extra.readUInt16LE(p);
    const len = extra.readUInt16LE(p + 2);
    if (p + 4 + len > extra.length) return undefined;
    if (id === 0x0001) return extra.subarray(p + 4, p + 4 + len);
    p += 4 + len;
  }
  return undefined;
}

export function isDirectory(e: ZipEntry): boolean {
  return e.name.endsWith('/');
}

/**
 * The inflated content of one entry, at most `maxSize` bytes (larger entries are refused, whatever
 * their header claims). Stored and deflated entries only; encrypted ones are refused.
 */
export async function readZipEntry(src: ByteSource, e: ZipEntry, maxSize: number): Promise<Buffer> {
  const dataStart = await entryDataStart(src, e, maxSize);
  if (e.method === 0) return readExact(src, dataStart, e.compressedSize, e.name);
  return inflateEntry(src, e, dataStart, maxSize);
}

/**
 * An entry as a random-access source: a window onto the archive for stored entries (Spring Boot
 * stores its nested jars uncompressed, so nothing is copied), inflated into memory otherwise.
 * `inflated` says whether memory was spent.
 */
export async function openZipEntry(src: ByteSource, e: ZipEntry, maxSize: number): Promise<{ source: ByteSource; inflated: boolean }> {
  const dataStart = await entryDataStart(src, e, maxSize);
  if (e.method === 0) {
    if (dataStart + e.compressedSize > src.size) throw new FormatError(`${e.name}: data runs past the archive`);
    return { source: windowSource(src, dataStart, e.compressedSize), inflated: false };
  }
  return { source: bufferSource(await inflateEntry(src, e, dataStart, maxSize)), inflated: true };
}

function windowSource(src: ByteSource, start: number, size: number): ByteSource {
  return {
    size,
    read(offset: number, length: number) {
      if (offset < 0 || length <= 0 || offset >= size) return Promise.resolve(Buffer.alloc(0));
      return src.read(start + offset, Math.min(length, size - offset));
    },
  };
}

async function entryDataStart(src: ByteSource, e: ZipEntry, maxSize: number): Promise<number> {
  if (e.flags & 0x1) throw new FormatError(`${e.name}: encrypted entry`);
  if (e.method !== 0 && e.method !== 8) throw new FormatError(`${e.name}: unsupported compression method ${e.method}`);
  if (e.uncompressedSize > maxSize) throw new FormatError(`${e.name}: ${e.uncompressedSize} bytes is over the ${maxSize}-byte limit`);
  if (e.method === 0 && e.compressedSize !== e.uncompressedSize) throw new FormatError(`${e.name}: stored entry with differing sizes`);
  // Deflate never expands data by more than a few bytes per 16 KiB block, so anything bigger
  // cannot inflate to within the limit: refuse before reading it into memory.
  if (e.compressedSize > maxSize + Math.floor(maxSize / 16) + 1024) throw new FormatError(`${e.name}: compressed data over the limit`);
  const lh = await readExact(src, e.localHeaderOffset, 30, `${e.name}: local header`);
  if (lh.readUInt32LE(0) !== SIG_LOCAL) throw new FormatError(`${e.name}: bad local header signature`);
  // The local name/extra lengths may differ from the central ones (they often do for the extra).
  return e.localHeaderOffset + 30 + lh.readUInt16LE(26) + lh.readUInt16LE(28);
}

async function inflateEntry(src: ByteSource, e: ZipEntry, dataStart: number, maxSize: number): Promise<Buffer> {
  const raw = await readExact(src, dataStart, e.compressedSize, e.name);
  try {
    // maxOutputLength makes zlib stop (and throw) at the cap: the declared size may be a lie.
    return inflateRawSync(raw, { maxOutputLength: Math.max(1, maxSize) });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
      throw new FormatError(`${e.name}: inflates past the ${maxSize}-byte limit`);
    }
    throw new FormatError(`${e.name}: corrupt deflate data`);
  }
}
