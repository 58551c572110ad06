// A streaming tar reader built for scanning: entries come out of the decompressed chunks without
// copying (bodies are subarrays of the chunks), bodies nobody reads are skipped, and nothing but
// the current header is kept. A general-purpose tar library (streams per entry, buffering) made
// reading a 2 GB image twice as slow and three times as large in memory.
//
// Formats: ustar (with prefix), GNU (long names 'L'/'K', base-256 numbers), pax ('x' per-entry
// records: path, linkpath, size, uid, gid; 'g' global records are ignored like most readers do).

export type TarEntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';

export interface TarHeader {
  name: string;
  type: TarEntryType;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  linkname: string;
}

export interface TarLimits {
  maxEntries: number;
  /** pax / GNU long-name records are read into memory: bound them. */
  maxMetaBytes: number;
}

const BLOCK = 512;

/** Pulls exact byte counts out of an async sequence of chunks. */
class Cursor {
  private buf: Buffer = Buffer.alloc(0);
  private off = 0;
  private readonly it: AsyncIterator<Buffer>;
  constructor(source: AsyncIterable<Buffer>) {
    this.it = source[Symbol.asyncIterator]();
  }
  /** Makes at least one byte available; false at the end of the input. */
  async more(): Promise<boolean> {
    while (this.off >= this.buf.length) {
      const r = await this.it.next();
      if (r.done) return false;
      this.buf = r.value;
      this.off = 0;
    }
    return true;
  }
  /** Exactly n bytes, or fewer at the end of the input. */
  async read(n: number): Promise<Buffer> {
    if (!(await this.more())) return Buffer.alloc(0);
    if (this.buf.length - this.off >= n) {
      const b = this.buf.subarray(this.off, this.off + n);
      this.off += n;
      return b;
    }
    const parts: Buffer[] = [];
    let need = n;
    while (need > 0 && (await this.more())) {
      const take = Math.min(need, this.buf.length - this.off);
      // Copied: a source may reuse its chunk buffers once the next chunk is requested.
      parts.push(Buffer.from(this.buf.subarray(this.off, this.off + take)));
      this.off += take;
      need -= take;
    }
    return Buffer.concat(parts);
  }
  /** Up to n bytes from the current chunk (never copies); empty at the end of the input. */
  async take(n: number): Promise<Buffer> {
    if (!(await this.more())) return Buffer.alloc(0);
    const t = Math.min(n, this.buf.length - this.off);
    const b = this.buf.subarray(this.off, this.off + t);
    this.off += t;
    return b;
  }
  /** Skips n bytes; returns how many were actually there. */
  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0 && (await this.more())) {
      const t = Math.min(left, this.buf.length - this.off);
      this.off += t;
      left -= t;
    }
    return n - left;
  }
  /** Reads and discards everything that is left (so digests see the whole stream). */
  async drain(): Promise<void> {
    this.off = this.buf.length;
    while (!(await this.it.next()).done) {
      /* keep pulling */
    }
  }
}

function num(h: Buffer, off: number, len: number): number {
  if (h[off]! & 0x80) {
    // GNU base-256: big-endian, first byte's top bit is the marker.
    let v = h[off]! & 0x7f;
    for (let i = off + 1; i < off + len; i++) v = v * 256 + h[i]!;
    return v;
  }
  let v = 0;
  let seen = false;
  for (let i = off; i < off + len; i++) {
    const c = h[i]!;
    if (c === 0 || (c === 0x20 && seen)) break;
    if (c === 0x20) continue;
    if (c < 0x30 || c > 0x37) throw new Error(`invalid number in tar header at byte ${i}`);
    v = v * 8 + (c - 0x30);
    seen = true;
  }
  return v;
}

function str(h: Buffer, off: number, len: number): string {
  let end = off;
  while (end < off + len && h[end] !== 0) end++;
  return h.toString('utf8', off, end);
}

function checksumOk(h: Buffer): boolean {
  let stored: number;
  try {
    stored = num(h, 148, 8);
  } catch {
    return false;
  }
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 32 : h[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return stored === unsigned || stored === signed;
}

function isZero(h: Buffer): boolean {
  for (let i = 0; i < h.length; i++) if (h[i] !== 0) return false;
  return true;
}

function parsePax(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    if (sp < 0) break;
    const len = Number(data.toString('latin1', i, sp));
    if (!Number.isInteger(len) || len <= sp - i || i + len > data.length) break;
    const rec = data.toString('utf8', sp + 1, i + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0) out.set(rec.slice(0, eq), rec.slice(eq + 1));
    i += len;
  }
  return out;
}

function typeOf(flag: number): TarEntryType {
  switch (flag) {
    case 0:
    case 0x30: // '0'
    case 0x37: // '7' contiguous
      return 'file';
    case 0x31:
      return 'hardlink';
    case 0x32:
      return 'symlink';
    case 0x35:
      return 'dir';
    default:
      return 'other';
  }
}

/**
 * Calls `onEntry` for every entry, in order. `body` yields the entry's bytes (zero-copy subarrays,
 * valid only until the next chunk is requested: the source may reuse its buffers); what the
 * callback leaves unread is skipped. Returns the number of entries. Throws on corrupt or
 * truncated input.
 */
export async function readTar(
  source: AsyncIterable<Buffer>,
  limits: TarLimits,
  onEntry: (h: TarHeader, body: AsyncIterable<Buffer> | null) => Promise<void>,
): Promise<number> {
  const c = new Cursor(source);
  let entries = 0;
  let longName: string | undefined;
  let longLink: string | undefined;
  let pax: Map<string, string> | undefined;
  for (;;) {
    const h = await c.read(BLOCK);
    if (h.length === 0) break; // no end-of-archive blocks: tolerated, as tar(1) does
    if (h.length < BLOCK) throw new Error('unexpected end of data in a tar header');
    if (isZero(h)) break;
    if (!checksumOk(h)) throw new Error(`invalid tar header (bad checksum) after ${entries} entries`);
    const flag = h[156]!;
    let size = num(h, 124, 12);
    const magic = h.toString('latin1', 257, 263);
    const meta = flag === 0x4c /* L */ || flag === 0x4b /* K */ || flag === 0x78 /* x */ || flag === 0x67; /* g */
    if (meta) {
      if (size > limits.maxMetaBytes) throw new Error(`tar metadata record of ${size} bytes exceeds the limit`);
      const data = await c.read(size);
      if (data.length < size) throw new Error('unexpected end of data in a tar metadata record');
      await c.skip((BLOCK - (size % BLOCK)) % BLOCK);
      if (flag === 0x4c) longName = str(data, 0, data.length);
      else if (flag === 0x4b) longLink = str(data, 0, data.length);
      else if (flag === 0x78) pax = parsePax(data);
      continue;
    }
    let name = str(h, 0, 100);
    if (magic === 'ustar\u0000') {
      const prefix = str(h, 345, 155);
      if (prefix) name = `${prefix}/${name}`;
    }
    let linkname = str(h, 157, 100);
    let uid = num(h, 108, 8);
    let gid = num(h, 116, 8);
    if (longName !== undefined) name = longName;
    if (longLink !== undefined) linkname = longLink;
    if (pax) {
      name = pax.get('path') ?? name;
      linkname = pax.get('linkpath') ?? linkname;
      const ps = pax.get('size');
      if (ps !== undefined && /^\d+$/.test(ps)) size = Number(ps);
      const pu = pax.get('uid');
      if (pu && /^\d+$/.test(pu)) uid = Number(pu);
      const pg = pax.get('gid');
      if (pg && /^\d+$/.test(pg)) gid = Number(pg);
    }
    longName = longLink = undefined;
    pax = undefined;
    if (++entries > limits.maxEntries) throw new Error(`more than ${limits.maxEntries} entries`);
    const type = typeOf(flag);
    // Only regular files carry data that means something; hard links and the rest declare 0, but
    // a hostile header may not: whatever the size says is skipped.
    const header: TarHeader = { name, type, size: type === 'file' ? size : 0, mode: num(h, 100, 8), uid, gid, linkname };
    let left = size;
    let body: AsyncIterable<Buffer> | null = null;
    if (type === 'file') {
      body = {
        [Symbol.asyncIterator]: async function* () {
          while (left > 0) {
            const b = await c.take(left);
            if (b.length === 0) throw new Error(`unexpected end of data in "${name}"`);
            left -= b.length;
            yield b;
          }
        },
      };
    }
    await onEntry(header, body);
    const pad = (BLOCK - (size % BLOCK)) % BLOCK;
    if (left > 0 && (await c.skip(left)) < left) throw new Error(`unexpected end of data in "${name}"`);
    left = 0;
    await c.skip(pad);
  }
  await c.drain();
  return entries;
}
