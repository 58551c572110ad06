// Random access to the members of an image archive (a tar file) or an image directory (an OCI
// layout on disk), so that manifests are read first and layers are streamed straight from their
// byte range: nothing is unpacked.
import { createReadStream, promises as fs, type ReadStream } from 'node:fs';
import { join, sep } from 'node:path';
import { normalizeImagePath } from '../paths.ts';

export interface BlobStore {
  /** Human-readable name of the archive/dir for messages. */
  readonly label: string;
  has(name: string): boolean;
  size(name: string): number | undefined;
  open(name: string): ReadStream;
  readText(name: string, maxBytes?: number): Promise<string>;
  names(): string[];
  /** Where a member's bytes lie on disk, for readers that can use the file directly. */
  range?(name: string): { file: string; start: number; end: number } | undefined;
  close(): Promise<void>;
}

interface Member {
  offset: number;
  size: number;
}

const BLOCK = 512;
const MAX_MEMBERS = 1_000_000;
const MAX_META = 1024 * 1024;

function octal(buf: Buffer, off: number, len: number): number {
  // GNU base-256 for large sizes.
  if (buf[off]! & 0x80) {
    let v = 0;
    for (let i = off + 1; i < off + len; i++) v = v * 256 + buf[i]!;
    return v;
  }
  const s = buf.toString('latin1', off, off + len).replace(/\0.*$/s, '').trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new Error(`invalid tar header number "${s}"`);
  return parseInt(s, 8);
}

function cstr(buf: Buffer, off: number, len: number): string {
  const end = buf.indexOf(0, off);
  return buf.toString('utf8', off, end >= 0 && end < off + len ? end : off + len);
}

function checksumOk(h: Buffer): boolean {
  let stored: number;
  try {
    stored = octal(h, 148, 8);
  } catch {
    return false;
  }
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
  return sum === stored;
}

function paxPath(data: Buffer): string | undefined {
  let i = 0;
  let found: string | undefined;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    if (sp < 0) break;
    const len = parseInt(data.toString('latin1', i, sp), 10);
    if (!Number.isFinite(len) || len <= 0) break;
    const rec = data.toString('utf8', sp + 1, i + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0 && rec.slice(0, eq) === 'path') found = rec.slice(eq + 1);
    i += len;
  }
  return found;
}

/** Indexes a tar file by reading only its headers. */
export class TarBlobStore implements BlobStore {
  readonly label: string;
  private readonly file: string;
  private readonly members = new Map<string, Member>();
  private constructor(file: string) {
    this.file = file;
    this.label = file;
  }

  static async open(file: string): Promise<TarBlobStore> {
    const store = new TarBlobStore(file);
    const fh = await fs.open(file, 'r');
    try {
      const { size: total } = await fh.stat();
      const h = Buffer.alloc(BLOCK);
      let pos = 0;
      let longName: string | undefined;
      while (pos + BLOCK <= total) {
        const { bytesRead } = await fh.read(h, 0, BLOCK, pos);
        if (bytesRead < BLOCK) break;
        if (h.every((b) => b === 0)) break;
        if (!checksumOk(h)) throw new Error(`not a tar archive or corrupt header at offset ${pos}`);
        const size = octal(h, 124, 12);
        const type = String.fromCharCode(h[156]! || 0x30);
        const magic = h.toString('latin1', 257, 263);
        let name = cstr(h, 0, 100);
        if (magic.startsWith('ustar')) {
          const prefix = cstr(h, 345, 155);
          if (prefix && magic === 'ustar\0') name = `${prefix}/${name}`;
        }
        const dataOff = pos + BLOCK;
        if (dataOff + size > total) throw new Error(`truncated: member "${name}" needs ${size} bytes at offset ${dataOff}, file has ${total}`);
        pos = dataOff + Math.ceil(size / BLOCK) * BLOCK;
        if (type === 'L' || type === 'x') {
          if (size > MAX_META) throw new Error(`oversized tar metadata header (${size} bytes)`);
          const data = Buffer.alloc(size);
          await fh.read(data, 0, size, dataOff);
          longName = type === 'L' ? data.toString('utf8').replace(/\0+$/, '') : (paxPath(data) ?? longName);
          continue;
        }
        if (type === 'g') continue;
        if (longName !== undefined) {
          name = longName;
          longName = undefined;
        }
        if (type === '0' || type === '\0' || type === '7') {
          const key = normalizeImagePath(name);
          store.members.set(key, { offset: dataOff, size });
          if (store.members.size > MAX_MEMBERS) throw new Error('too many members');
        }
      }
    } finally {
      await fh.close();
    }
    return store;
  }

  has(name: string): boolean {
    return this.members.has(normalizeImagePath(name));
  }
  size(name: string): number | undefined {
    return this.members.get(normalizeImagePath(name))?.size;
  }
  names(): string[] {
    return [...this.members.keys()];
  }
  range(name: string): { file: string; start: number; end: number } | undefined {
    const m = this.members.get(normalizeImagePath(name));
    return m && { file: this.file, start: m.offset, end: m.offset + m.size - 1 };
  }
  open(name: string): ReadStream {
    const m = this.members.get(normalizeImagePath(name));
    if (!m) throw new Error(`archive member "${name}" not found`);
    if (m.size === 0) return createReadStream(this.file, { start: 1, end: 0 });
    return createReadStream(this.file, { start: m.offset, end: m.offset + m.size - 1, highWaterMark: 1024 * 1024 });
  }
  async readText(name: string, maxBytes = 64 * 1024 * 1024): Promise<string> {
    const m = this.members.get(normalizeImagePath(name));
    if (!m) throw new Error(`archive member "${name}" not found`);
    if (m.size > maxBytes) throw new Error(`archive member "${name}" is too large (${m.size} bytes)`);
    const fh = await fs.open(this.file, 'r');
    try {
      const buf = Buffer.alloc(m.size);
      await fh.read(buf, 0, m.size, m.offset);
      return buf.toString('utf8');
    } finally {
      await fh.close();
    }
  }
  async close(): Promise<void> {}
}

/** An image directory (OCI layout). Member names may not escape the directory, even via symlinks. */
export class DirBlobStore implements BlobStore {
  readonly label: string;
  private readonly root: string;
  private readonly sizes = new Map<string, number>();
  private constructor(root: string) {
    this.root = root;
    this.label = root;
  }
  static async open(dir: string): Promise<DirBlobStore> {
    const root = await fs.realpath(dir);
    const store = new DirBlobStore(root);
    const walk = async (rel: string, depth: number) => {
      if (depth > 8) return;
      for (const d of await fs.readdir(join(root, rel), { withFileTypes: true })) {
        const r = rel ? `${rel}/${d.name}` : d.name;
        // Symlinks are not followed: an image directory has no reason to contain any.
        if (d.isDirectory()) await walk(r, depth + 1);
        else if (d.isFile()) store.sizes.set(r, (await fs.stat(join(root, r))).size);
        if (store.sizes.size > MAX_MEMBERS) throw new Error('too many files');
      }
    };
    await walk('', 0);
    return store;
  }
  private path(name: string): string {
    const key = normalizeImagePath(name);
    if (!this.sizes.has(key)) throw new Error(`"${name}" not found in ${this.root}`);
    const p = join(this.root, ...key.split('/'));
    if (!p.startsWith(this.root + sep)) throw new Error(`"${name}" escapes ${this.root}`);
    return p;
  }
  has(name: string): boolean {
    return this.sizes.has(normalizeImagePath(name));
  }
  size(name: string): number | undefined {
    return this.sizes.get(normalizeImagePath(name));
  }
  names(): string[] {
    return [...this.sizes.keys()];
  }
  range(name: string): { file: string; start: number; end: number } | undefined {
    const size = this.size(name);
    return size === undefined ? undefined : { file: this.path(name), start: 0, end: size - 1 };
  }
  open(name: string): ReadStream {
    return createReadStream(this.path(name), { highWaterMark: 1024 * 1024 });
  }
  async readText(name: string, maxBytes = 64 * 1024 * 1024): Promise<string> {
    const s = this.size(name) ?? 0;
    if (s > maxBytes) throw new Error(`"${name}" is too large (${s} bytes)`);
    return fs.readFile(this.path(name), 'utf8');
  }
  async close(): Promise<void> {}
}
