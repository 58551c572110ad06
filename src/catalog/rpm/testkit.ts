// Test helpers: writers for small synthetic header blobs, Berkeley DB and NDB files (so tests can
// build exactly the malformed structure they need), and a runner for the system `rpm` as an oracle.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DbRecord } from './bdb.ts';

export type HeaderValue = string | string[] | number[] | Buffer;
export interface HeaderEntrySpec {
  tag: number;
  /** rpm type: 4 INT32, 6 STRING, 7 BIN, 8 STRING_ARRAY ... */
  type: number;
  value: HeaderValue;
}

/** A header blob as the databases store it (no magic), entries in the given order. */
export function buildHeader(entries: HeaderEntrySpec[]): Buffer {
  const parts: Buffer[] = [];
  let dl = 0;
  const index = Buffer.alloc(entries.length * 16);
  entries.forEach((e, i) => {
    let data: Buffer;
    let count: number;
    if (e.type === 6) [data, count] = [Buffer.from(`${e.value as string}\0`), 1];
    else if (e.type === 8 || e.type === 9) [data, count] = [Buffer.from((e.value as string[]).map((s) => `${s}\0`).join('')), (e.value as string[]).length];
    else if (e.type === 7) [data, count] = [e.value as Buffer, (e.value as Buffer).length];
    else if (e.type === 4) {
      const v = e.value as number[];
      const pad = (4 - (dl % 4)) % 4;
      if (pad) {
        parts.push(Buffer.alloc(pad));
        dl += pad;
      }
      data = Buffer.alloc(v.length * 4);
      v.forEach((n, j) => data.writeUInt32BE(n, j * 4));
      count = v.length;
    } else throw new Error(`unsupported type ${e.type} in test builder`);
    index.writeInt32BE(e.tag, i * 16);
    index.writeUInt32BE(e.type, i * 16 + 4);
    index.writeInt32BE(dl, i * 16 + 8);
    index.writeUInt32BE(count, i * 16 + 12);
    parts.push(data);
    dl += data.length;
  });
  const pre = Buffer.alloc(8);
  pre.writeUInt32BE(entries.length, 0);
  pre.writeUInt32BE(dl, 4);
  return Buffer.concat([pre, index, ...parts]);
}

/** A minimal package header. */
export function packageHeader(p: { name: string; version?: string; release?: string; epoch?: number; arch?: string; extra?: HeaderEntrySpec[] }): Buffer {
  const e: HeaderEntrySpec[] = [
    { tag: 1000, type: 6, value: p.name },
    { tag: 1001, type: 6, value: p.version ?? '1.0' },
    { tag: 1002, type: 6, value: p.release ?? '1' },
  ];
  if (p.epoch !== undefined) e.push({ tag: 1003, type: 4, value: [p.epoch] });
  e.push({ tag: 1022, type: 6, value: p.arch ?? 'x86_64' });
  return buildHeader([...e, ...(p.extra ?? [])]);
}

export interface BdbOptions {
  pageSize?: number;
  little?: boolean;
  buckets?: number;
  /** Store data up to this length inline on the hash page instead of on an overflow chain. */
  inlineMax?: number;
}

/** Writes a Berkeley DB hash file holding `records`; returns the file and the page layout for tampering. */
export function buildBdb(records: DbRecord[], opts: BdbOptions = {}): { file: Buffer; bucketPages: number[]; overflowStarts: number[] } {
  const pageSize = opts.pageSize ?? 4096;
  const little = opts.little ?? true;
  const buckets = opts.buckets ?? 1;
  const pages: Buffer[] = [Buffer.alloc(pageSize)];
  const w32 = (b: Buffer, v: number, o: number) => (little ? b.writeUInt32LE(v, o) : b.writeUInt32BE(v, o));
  const w16 = (b: Buffer, v: number, o: number) => (little ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o));
  const newPage = (type: number) => {
    const p = Buffer.alloc(pageSize);
    w32(p, pages.length, 8);
    p[25] = type;
    pages.push(p);
    return pages.length - 1;
  };
  const bucketPages: number[] = [];
  for (let b = 0; b < buckets; b++) bucketPages.push(newPage(13));
  const tails = [...bucketPages];
  const fill = new Map<number, { entries: number; low: number }>();
  const overflowStarts: number[] = [];
  // Both items of a key/data pair go on the same page; a new page is chained when they do not fit.
  const put = (bucket: number, pair: Buffer[]) => {
    let pg = tails[bucket]!;
    let st = fill.get(pg) ?? { entries: 0, low: pageSize };
    const need = pair[0]!.length + pair[1]!.length;
    if (26 + 2 * (st.entries + 2) > st.low - need) {
      const next = newPage(13);
      w32(pages[pg]!, next, 16);
      w32(pages[next]!, pg, 12);
      tails[bucket] = pg = next;
      st = { entries: 0, low: pageSize };
    }
    for (const item of pair) {
      st.low -= item.length;
      item.copy(pages[pg]!, st.low);
      w16(pages[pg]!, st.low, 26 + 2 * st.entries);
      st.entries++;
    }
    w16(pages[pg]!, st.entries, 20);
    w16(pages[pg]!, st.low, 22);
    fill.set(pg, st);
  };
  records.forEach((r, i) => {
    const bucket = i % buckets;
    const key = Buffer.alloc(5);
    key[0] = 1;
    w32(key, r.key, 1);
    const inline = r.blob.length <= (opts.inlineMax ?? 0);
    let data: Buffer;
    if (inline) data = Buffer.concat([Buffer.from([1]), r.blob]);
    else {
      const per = pageSize - 26;
      let first = 0;
      let prev = 0;
      for (let off = 0; off < r.blob.length; off += per) {
        const pg = newPage(7);
        const n = Math.min(per, r.blob.length - off);
        r.blob.copy(pages[pg]!, 26, off, off + n);
        w16(pages[pg]!, n, 22);
        w16(pages[pg]!, 1, 20);
        if (prev) w32(pages[prev]!, pg, 16);
        else first = pg;
        prev = pg;
      }
      overflowStarts.push(first);
      data = Buffer.alloc(12);
      data[0] = 3;
      w32(data, first, 4);
      w32(data, r.blob.length, 8);
    }
    put(bucket, [key, data]);
  });
  const meta = pages[0]!;
  w32(meta, 0x061561, 12);
  w32(meta, 9, 16);
  w32(meta, pageSize, 20);
  meta[25] = 8;
  w32(meta, pages.length - 1, 32);
  w32(meta, buckets - 1, 72);
  // Bucket b lives on page b + 1: every spares entry is 1.
  for (let i = 0; i < 32; i++) w32(meta, 1, 96 + i * 4);
  return { file: Buffer.concat(pages), bucketPages, overflowStarts };
}

/** Writes an NDB Packages.db holding `records` (key = pkgidx); returns the file and slot offsets. */
export function buildNdb(records: DbRecord[]): { file: Buffer; slotOffsets: number[]; blobOffsets: number[] } {
  const slotPages = Math.max(1, Math.ceil((2 + records.length) / 256));
  const blobs: Buffer[] = [];
  const slots = Buffer.alloc(slotPages * 4096);
  for (let o = 0; o < slots.length; o += 16) slots.write('Slot', o, 'latin1');
  slots.write('RpmP', 0, 'latin1');
  slots.writeUInt32LE(0, 4);
  slots.writeUInt32LE(1, 8);
  slots.writeUInt32LE(slotPages, 12);
  slots.writeUInt32LE(records.length + 1, 16);
  let blk = slotPages * 256;
  const slotOffsets: number[] = [];
  const blobOffsets: number[] = [];
  records.forEach((r, i) => {
    const cnt = Math.ceil((16 + r.blob.length + 12) / 16);
    const b = Buffer.alloc(cnt * 16);
    b.write('BlbS', 0, 'latin1');
    b.writeUInt32LE(r.key, 4);
    b.writeUInt32LE(1700000000, 8);
    b.writeUInt32LE(r.blob.length, 12);
    r.blob.copy(b, 16);
    b.writeUInt32LE(r.blob.length, b.length - 8);
    b.write('BlbE', b.length - 4, 'latin1');
    const so = (2 + i) * 16;
    slots.writeUInt32LE(r.key, so + 4);
    slots.writeUInt32LE(blk, so + 8);
    slots.writeUInt32LE(cnt, so + 12);
    slotOffsets.push(so);
    blobOffsets.push(blk * 16);
    blobs.push(b);
    blk += cnt;
  });
  return { file: Buffer.concat([slots, ...blobs]), slotOffsets, blobOffsets };
}

export async function collect<T>(gen: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of gen) out.push(x);
  return out;
}

let rpmOk: boolean | undefined;
/** True when the system rpm (the independent oracle) can be run. */
export function hasRpm(): boolean {
  rpmOk ??= spawnSync('rpm', ['--version'], { encoding: 'utf8' }).status === 0;
  return rpmOk;
}

/**
 * Runs `rpm QUERY --qf FORMAT` (default `-qa`) against a copy of `dbFile` stored as `name` (rpm picks
 * its backend from the file name, and may write next to the database, so never against the fixture
 * itself). Returns undefined when rpm printed nothing (it cannot read the format). The exit status
 * is not checked: `--whatprovides` exits non-zero when some capability has no provider.
 */
export function rpmQuery(dbFile: string, name: string, qf: string, query: string[] = ['-qa']): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'triad-rpm-oracle-'));
  try {
    copyFileSync(dbFile, join(dir, name));
    const r = spawnSync('rpm', ['--dbpath', dir, '--qf', qf, ...query], { encoding: 'utf8', maxBuffer: 1 << 30 });
    return r.stdout ? r.stdout : undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** rpm's sqlite index tables; rpm refuses a read-only database that lacks them. */
const RPM_INDEX_TABLES =
  'Name Basenames Group Requirename Providename Conflictname Obsoletename Triggername Dirnames Installtid Sigmd5 Sha1header Filetriggername Transfiletriggername Recommendname Suggestname Supplementname Enhancename';

/** Writes header blobs into a new rpmdb.sqlite that rpm itself can query (indexes left empty). */
export function writeRpmSqlite(path: string, blobs: Buffer[]): void {
  const db = new DatabaseSync(path);
  try {
    db.exec("CREATE TABLE 'Packages' (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)");
    for (const t of RPM_INDEX_TABLES.split(' ')) {
      db.exec(`CREATE TABLE '${t}' (key 'TEXT' NOT NULL, hnum INTEGER NOT NULL, idx INTEGER NOT NULL, FOREIGN KEY (hnum) REFERENCES 'Packages'(hnum))`);
    }
    const ins = db.prepare('INSERT INTO Packages (blob) VALUES (?)');
    for (const b of blobs) ins.run(b);
  } finally {
    db.close();
  }
}
