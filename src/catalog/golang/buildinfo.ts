// Locates and decodes the build information the Go linker embeds in every module-aware binary:
// a 32-byte header starting "\xff Go buildinf:" (16-byte aligned, normally the whole content of
// the .go.buildinfo section) followed by the toolchain version and the module info text. Go 1.18+
// stores both strings inline after the header (varint length + bytes); older toolchains store two
// pointers to Go string headers, which we follow through the ELF address map.
import { addrToOffset, type BinaryFile, findSection, PF_W, PF_X, PT_LOAD } from '../binary/elf.ts';
import { type ByteSource, FormatError, readExact } from '../binary/source.ts';

const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const HEADER = 32;
const ALIGN = 16;
/** Module info of huge binaries (kubelet, terraform) is a few hundred KiB; 16 MiB is generous. */
const MAX_STRING = 16 * 1024 * 1024;
/** How far into the data segment we look for the header when there is no .go.buildinfo section. */
const MAX_SCAN = 4 * 1024 * 1024;
const SCAN_CHUNK = 256 * 1024;

export interface RawBuildInfo {
  /** "go1.22.1", possibly followed by " X:experiment". */
  goVersion: string;
  /** The module info text without its sentinel bytes ('' when the binary has none). */
  modinfo: string;
}

/** Returns undefined when the binary carries no Go build info (a C program, a stripped blob). */
export async function readGoBuildInfo(src: ByteSource, elf: BinaryFile): Promise<RawBuildInfo | undefined> {
  const at = await findHeader(src, elf);
  if (at === undefined) return undefined;
  const head = await readExact(src, at, HEADER, 'Go build info header');
  const ptrSize = head[14]!;
  const flags = head[15]!;
  if (flags & 0x2) {
    // Inline strings; the header's byte order bit is irrelevant for varints.
    const r = new InlineReader(src, at + HEADER);
    const goVersion = await r.bytes();
    const modinfo = await r.bytes();
    return { goVersion: goVersion.toString('utf8'), modinfo: stripSentinels(modinfo) };
  }
  if (ptrSize !== 4 && ptrSize !== 8) throw new FormatError(`Go build info: bad pointer size ${ptrSize}`);
  // Before Go 1.18 byte 15 was just the byte order: 0 little, 1 big endian.
  const bigEndian = (flags & 0x1) !== 0;
  const ptrs = await readExact(src, at + 16, 2 * ptrSize, 'Go build info pointers');
  const ptr = (b: Buffer, o: number): number => readPtr(b, o, ptrSize, bigEndian);
  const goVersion = await readGoString(src, elf, ptr(ptrs, 0), ptrSize, bigEndian);
  const modinfo = await readGoString(src, elf, ptr(ptrs, ptrSize), ptrSize, bigEndian);
  return { goVersion: goVersion.toString('utf8'), modinfo: stripSentinels(modinfo) };
}

/** File offset of the header: the .go.buildinfo section, else a scan of the writable data. */
async function findHeader(src: ByteSource, elf: BinaryFile): Promise<number | undefined> {
  // ELF names the section .go.buildinfo, Mach-O __go_buildinfo; PE has none (start of .data).
  const sec = findSection(elf, '.go.buildinfo') ?? findSection(elf, '__go_buildinfo');
  if (sec?.hasData && sec.size >= HEADER) {
    const b = await readExact(src, sec.offset, MAGIC.length, 'Go build info section');
    if (b.equals(MAGIC)) return sec.offset;
  }
  // Without section headers (stripped with sstrip, or pre-1.13 layouts) and in PE files the header
  // sits near the start of the first writable, non-executable data, where the Go tooling looks.
  const candidates: Array<{ offset: number; size: number; vaddr: number }> = [];
  for (const p of elf.segments) {
    if (p.type === PT_LOAD && (p.flags & (PF_W | PF_X)) === PF_W) candidates.push({ offset: p.offset, size: p.filesz, vaddr: p.vaddr });
  }
  for (const name of ['.noptrdata', '.data', '__noptrdata', '__data']) {
    const s = findSection(elf, name);
    if (s?.hasData) candidates.push({ offset: s.offset, size: s.size, vaddr: s.addr });
  }
  for (const c of candidates.slice(0, 4)) {
    const found = await scan(src, c.offset, Math.min(c.size, MAX_SCAN), c.vaddr);
    if (found !== undefined) return found;
  }
  return undefined;
}

async function scan(src: ByteSource, start: number, len: number, vaddr: number): Promise<number | undefined> {
  // Alignment is of the virtual address; file offset and address agree modulo the page size.
  const skew = ((vaddr % ALIGN) + ALIGN) % ALIGN;
  for (let pos = 0; pos < len; pos += SCAN_CHUNK) {
    const n = Math.min(SCAN_CHUNK + HEADER, len - pos);
    const b = await src.read(start + pos, n);
    let i = b.indexOf(MAGIC);
    while (i >= 0 && i < SCAN_CHUNK) {
      if ((pos + i + skew) % ALIGN === 0 && i + HEADER <= b.length) return start + pos + i;
      i = b.indexOf(MAGIC, i + 1);
    }
  }
  return undefined;
}

function readPtr(b: Buffer, o: number, size: number, be: boolean): number {
  if (size === 4) return be ? b.readUInt32BE(o) : b.readUInt32LE(o);
  const v = be ? b.readBigUInt64BE(o) : b.readBigUInt64LE(o);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new FormatError('Go build info: pointer out of range');
  return Number(v);
}

/** A Go string header (data pointer, length) at `addr`, then the bytes it points to. */
async function readGoString(src: ByteSource, elf: BinaryFile, addr: number, ptrSize: number, be: boolean): Promise<Buffer> {
  if (addr === 0) return Buffer.alloc(0);
  const hOff = addrToOffset(elf, addr, 2 * ptrSize);
  if (hOff === undefined) throw new FormatError('Go build info: string header address not in the file');
  const h = await readExact(src, hOff, 2 * ptrSize, 'Go string header');
  const dataAddr = readPtr(h, 0, ptrSize, be);
  const len = readPtr(h, ptrSize, ptrSize, be);
  if (len === 0) return Buffer.alloc(0);
  if (len > MAX_STRING) throw new FormatError(`Go build info: string of ${len} bytes`);
  const dOff = addrToOffset(elf, dataAddr, len);
  if (dOff === undefined) throw new FormatError('Go build info: string data address not in the file');
  return readExact(src, dOff, len, 'Go string');
}

class InlineReader {
  private readonly src: ByteSource;
  private pos: number;
  constructor(src: ByteSource, pos: number) {
    this.src = src;
    this.pos = pos;
  }
  async bytes(): Promise<Buffer> {
    const b = await this.src.read(this.pos, 10);
    let len = 0;
    let i = 0;
    // Unsigned LEB128, at most 4 bytes needed for MAX_STRING; more is corrupt.
    for (;; i++) {
      if (i >= b.length || i >= 5) throw new FormatError('Go build info: bad string length');
      const c = b[i]!;
      len += (c & 0x7f) * 2 ** (7 * i);
      if (!(c & 0x80)) break;
    }
    if (len > MAX_STRING) throw new FormatError(`Go build info: string of ${len} bytes`);
    this.pos += i + 1;
    const s = await readExact(this.src, this.pos, len, 'Go build info string');
    this.pos += len;
    return s;
  }
}

/**
 * cmd/go wraps the module info in 16 fixed bytes on each side so the runtime can find it; the
 * text proper ends with a newline just before the trailing sentinel.
 */
function stripSentinels(b: Buffer): string {
  if (b.length >= 33 && b[b.length - 17] === 0x0a) return b.toString('utf8', 16, b.length - 16);
  return '';
}
