// Reader for the rpm header blob, the unit every rpmdb backend (sqlite, Berkeley DB, NDB) stores
// one of per installed package. Layout (all integers big-endian, as rpm writes them on every host):
//
//   int32 il                  number of index entries
//   int32 dl                  size of the data store
//   il x { int32 tag, uint32 type, int32 offset, uint32 count }
//   dl bytes of data store    (entries point into it by offset)
//
// The blob comes from an untrusted image, so nothing here trusts a count or an offset: each value is
// checked against the data store before it is read, and a bad entry makes its tag unreadable
// (recorded in `problems`) instead of throwing.

export const TAG = {
  SIGMD5: 261,
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  SIZE: 1009,
  VENDOR: 1011,
  LICENSE: 1014,
  ARCH: 1022,
  OLDFILENAMES: 1027,
  SOURCERPM: 1044,
  PROVIDENAME: 1047,
  REQUIRENAME: 1049,
  DIRINDEXES: 1116,
  BASENAMES: 1117,
  DIRNAMES: 1118,
  LONGSIZE: 5009,
  MODULARITYLABEL: 5096,
} as const;

const T_CHAR = 1;
const T_INT8 = 2;
const T_INT16 = 3;
const T_INT32 = 4;
const T_INT64 = 5;
const T_STRING = 6;
const T_BIN = 7;
const T_STRING_ARRAY = 8;
const T_I18NSTRING = 9;
/** Bytes per element of the fixed-size types, indexed by type. */
const TYPE_SIZE = [0, 1, 1, 2, 4, 8, 0, 1, 0, 0];

// rpm's own sanity limits (hdrblob checks): at most 0xffff tags and 256 MiB of data per header.
const MAX_ENTRIES = 0xffff;
const MAX_DATA = 0x0fffffff;
/**
 * Our own limit on array lengths. The largest real packages list a few hundred thousand files; a
 * crafted count of millions of empty strings would cost gigabytes of memory while staying inside
 * the data store.
 */
const MAX_ARRAY = 1 << 21;

interface Entry {
  type: number;
  offset: number;
  count: number;
}

export class RpmHeader {
  readonly problems: string[] = [];
  readonly #blob: Buffer;
  readonly #dataStart: number;
  readonly #dataEnd: number;
  readonly #entries = new Map<number, Entry>();

  /** Use `parseHeader`, which validates the preamble. */
  constructor(blob: Buffer, il: number, dl: number) {
    this.#blob = blob;
    this.#dataStart = 8 + il * 16;
    this.#dataEnd = this.#dataStart + dl;
    for (let i = 0; i < il; i++) {
      const at = 8 + i * 16;
      const tag = blob.readInt32BE(at);
      const type = blob.readUInt32BE(at + 4);
      const offset = blob.readInt32BE(at + 8);
      const count = blob.readUInt32BE(at + 12);
      // Entries after the immutable region ("dribbles", added at install time) replace region
      // entries with the same tag, as in rpm's own import: later entries simply win.
      this.#entries.set(tag, { type, offset, count });
    }
  }

  has(tag: number): boolean {
    return this.#entries.has(tag);
  }

  /** First string of a STRING, I18NSTRING or STRING_ARRAY tag. */
  string(tag: number): string | undefined {
    const e = this.#entries.get(tag);
    if (!e) return undefined;
    if (e.type !== T_STRING && e.type !== T_I18NSTRING && e.type !== T_STRING_ARRAY) return this.#bad(tag, 'is not a string');
    if (e.count < 1) return this.#bad(tag, 'has no value');
    return this.#strings(tag, e, 1)?.[0];
  }

  strings(tag: number): string[] | undefined {
    const e = this.#entries.get(tag);
    if (!e) return undefined;
    if (e.type === T_STRING) return this.#strings(tag, e, 1);
    if (e.type !== T_STRING_ARRAY && e.type !== T_I18NSTRING) return this.#bad(tag, 'is not a string array');
    return this.#strings(tag, e, e.count);
  }

  /** Unsigned integers of an INT8/16/32/64 (or CHAR) tag. */
  numbers(tag: number): number[] | undefined {
    const e = this.#entries.get(tag);
    if (!e) return undefined;
    if (e.type < T_CHAR || e.type > T_INT64) return this.#bad(tag, 'is not an integer');
    if (e.count > MAX_ARRAY) return this.#bad(tag, `count ${e.count} is implausibly large`);
    const size = TYPE_SIZE[e.type]!;
    const start = this.#range(tag, e, size);
    if (start === undefined) return undefined;
    const b = this.#blob;
    const out = new Array<number>(e.count);
    for (let i = 0, p = start; i < e.count; i++, p += size) {
      out[i] =
        e.type === T_INT32 ? b.readUInt32BE(p)
        : e.type === T_INT16 ? b.readUInt16BE(p)
        : e.type === T_INT64 ? Number(b.readBigUInt64BE(p))
        : b[p]!;
    }
    return out;
  }

  number(tag: number): number | undefined {
    return this.numbers(tag)?.[0];
  }

  bin(tag: number): Buffer | undefined {
    const e = this.#entries.get(tag);
    if (!e) return undefined;
    if (e.type !== T_BIN) return this.#bad(tag, 'is not binary');
    const start = this.#range(tag, e, 1);
    return start === undefined ? undefined : this.#blob.subarray(start, start + e.count);
  }

  /** Start of a fixed-size array, once it is known to lie inside the data store. */
  #range(tag: number, e: Entry, size: number): number | undefined {
    const start = this.#dataStart + e.offset;
    if (e.offset < 0 || e.count * size > this.#dataEnd - start) return this.#bad(tag, `overruns the data store (offset ${e.offset}, count ${e.count})`);
    return start;
  }

  #strings(tag: number, e: Entry, count: number): string[] | undefined {
    const b = this.#blob;
    const end = this.#dataEnd;
    let p = this.#dataStart + e.offset;
    if (e.offset < 0 || p >= end) return this.#bad(tag, `offset ${e.offset} is outside the data store`);
    // Each string takes at least its NUL byte, so a count beyond the remaining bytes is a lie and the
    // loop below stays bounded by the data store either way.
    if (count > end - p) return this.#bad(tag, `count ${count} exceeds the data store`);
    if (count > MAX_ARRAY) return this.#bad(tag, `count ${count} is implausibly large`);
    const out = new Array<string>(count);
    for (let i = 0; i < count; i++) {
      const z = b.indexOf(0, p);
      if (z < 0 || z >= end) return this.#bad(tag, 'has an unterminated string');
      out[i] = b.toString('utf8', p, z);
      p = z + 1;
    }
    return out;
  }

  #bad(tag: number, why: string): undefined {
    this.problems.push(`tag ${tag} ${why}`);
    return undefined;
  }
}

/** Validates the preamble of a header blob; returns the header or why it is unusable. */
export function parseHeader(blob: Buffer): RpmHeader | string {
  if (blob.length < 8) return `header blob too short (${blob.length} bytes)`;
  const il = blob.readUInt32BE(0);
  const dl = blob.readUInt32BE(4);
  if (il < 1 || il > MAX_ENTRIES) return `header has an implausible tag count ${il}`;
  if (dl > MAX_DATA) return `header has an implausible data size ${dl}`;
  const need = 8 + il * 16 + dl;
  if (need > blob.length) return `header blob truncated (needs ${need} bytes, has ${blob.length})`;
  return new RpmHeader(blob, il, dl);
}

/** What the cataloger takes from one header. */
export interface RpmPackageRecord {
  name: string;
  version: string;
  release: string;
  epoch?: number;
  arch?: string;
  sourceRpm?: string;
  license?: string;
  vendor?: string;
  /** Installed size in bytes. */
  size?: number;
  modularityLabel?: string;
  /** Hex MD5 of header+payload as rpm records it (SIGMD5). */
  sigmd5?: string;
  /** Installed paths without the leading '/'. */
  files: string[];
  provides: string[];
  requires: string[];
}

/** Extracts a package; returns a reason string when the header lacks what makes it a package. */
export function headerToPackage(h: RpmHeader, problems: string[] = h.problems): RpmPackageRecord | string {
  const name = h.string(TAG.NAME);
  const version = h.string(TAG.VERSION);
  const release = h.string(TAG.RELEASE);
  if (!name || version === undefined || release === undefined) {
    return `header lacks name/version/release${h.problems.length ? ` (${h.problems.join('; ')})` : ''}`;
  }
  const rec: RpmPackageRecord = { name, version, release, files: fileList(h, problems), provides: h.strings(TAG.PROVIDENAME) ?? [], requires: h.strings(TAG.REQUIRENAME) ?? [] };
  const epoch = h.number(TAG.EPOCH);
  if (epoch !== undefined) rec.epoch = epoch;
  const opt: Array<[keyof RpmPackageRecord & string, number]> = [
    ['arch', TAG.ARCH],
    ['sourceRpm', TAG.SOURCERPM],
    ['license', TAG.LICENSE],
    ['vendor', TAG.VENDOR],
    ['modularityLabel', TAG.MODULARITYLABEL],
  ];
  for (const [key, tag] of opt) {
    const v = h.string(tag);
    if (v) (rec as unknown as Record<string, string>)[key] = v;
  }
  // LONGSIZE replaces SIZE for packages over 4 GiB.
  const size = h.number(TAG.LONGSIZE) ?? h.number(TAG.SIZE);
  if (size !== undefined) rec.size = size;
  const md5 = h.bin(TAG.SIGMD5);
  if (md5?.length === 16) rec.sigmd5 = md5.toString('hex');
  return rec;
}

/**
 * Installed paths. Modern headers store each path as DIRNAMES[DIRINDEXES[i]] + BASENAMES[i] (the
 * directory strings end in '/'); headers from before rpm 4.0 keep whole paths in OLDFILENAMES.
 */
function fileList(h: RpmHeader, problems: string[]): string[] {
  const base = h.strings(TAG.BASENAMES);
  if (!base) return (h.strings(TAG.OLDFILENAMES) ?? []).map(stripRoot).filter((f) => f !== '');
  const dirs = h.strings(TAG.DIRNAMES)?.map(stripRoot);
  const idx = h.numbers(TAG.DIRINDEXES);
  if (!dirs || !idx || idx.length !== base.length) {
    problems.push(`file list is inconsistent (${base.length} basenames, ${idx?.length ?? 0} dir indexes)`);
    return [];
  }
  const out: string[] = [];
  let bad = 0;
  for (let i = 0; i < base.length; i++) {
    const d = dirs[idx[i]!];
    if (d === undefined) bad++;
    else if (d + base[i] !== '') out.push(d + base[i]);
  }
  if (bad) problems.push(`${bad} file(s) point past the ${dirs.length} directory names`);
  return out;
}

function stripRoot(p: string): string {
  let i = 0;
  while (p.charCodeAt(i) === 47 /* '/' */) i++;
  return i ? p.slice(i) : p;
}
