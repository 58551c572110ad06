// Just enough ELF to find named sections and to map virtual addresses to file offsets: the Go
// build info and Rust's cargo-auditable data live in sections, and old Go binaries point at their
// build strings by address. Header tables are read once, bounded; all values are checked against
// the file size before use.
import { type ByteSource, FormatError, readExact } from './source.ts';

export const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
export const PT_LOAD = 1;
export const PF_X = 1;
export const PF_W = 2;
const SHT_NOBITS = 8;
const MAX_SECTIONS = 8192;
const MAX_SEGMENTS = 4096;
const MAX_SHSTRTAB = 4 * 1024 * 1024;

export interface ElfSection {
  name: string;
  type: number;
  /** Virtual address (0 for non-allocated sections); -1 when it does not fit a JS number. */
  addr: number;
  offset: number;
  size: number;
  /** False for SHT_NOBITS (.bss): no bytes in the file. */
  hasData: boolean;
}

export interface ElfSegment {
  type: number;
  flags: number;
  offset: number;
  vaddr: number;
  filesz: number;
}

/** An executable reduced to sections and loadable segments (ELF here; PE and Mach-O in exe.ts). */
export interface BinaryFile {
  is64: boolean;
  littleEndian: boolean;
  machine: number;
  sections: ElfSection[];
  segments: ElfSegment[];
}

export type ElfFile = BinaryFile;

/** True when the first bytes are the ELF magic (cheap pre-check before reading headers). */
export async function isElf(src: ByteSource): Promise<boolean> {
  if (src.size < 52) return false;
  const b = await src.read(0, 4);
  return b.length === 4 && b.equals(ELF_MAGIC);
}

class Fields {
  readonly b: Buffer;
  readonly le: boolean;
  readonly is64: boolean;
  constructor(b: Buffer, le: boolean, is64: boolean) {
    this.b = b;
    this.le = le;
    this.is64 = is64;
  }
  u16(o: number): number {
    return this.le ? this.b.readUInt16LE(o) : this.b.readUInt16BE(o);
  }
  u32(o: number): number {
    return this.le ? this.b.readUInt32LE(o) : this.b.readUInt32BE(o);
  }
  /** A 64-bit field; values past 2^53 become -1 (no real file offset or size is that big). */
  u64(o: number): number {
    const v = this.le ? this.b.readBigUInt64LE(o) : this.b.readBigUInt64BE(o);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(v);
  }
  /** Address-sized field: 32 or 64 bits by class. */
  addr(o: number): number {
    return this.is64 ? this.u64(o) : this.u32(o);
  }
}

export async function readElf(src: ByteSource): Promise<ElfFile> {
  const head = await readExact(src, 0, Math.min(src.size, 64), 'ELF header');
  if (head.length < 52 || !head.subarray(0, 4).equals(ELF_MAGIC)) throw new FormatError('not an ELF file');
  const cls = head[4];
  const data = head[5];
  if ((cls !== 1 && cls !== 2) || (data !== 1 && data !== 2)) throw new FormatError('bad ELF class or data encoding');
  const is64 = cls === 2;
  if (is64 && head.length < 64) throw new FormatError('truncated ELF header');
  const h = new Fields(head, data === 1, is64);
  const machine = h.u16(18);
  const phoff = h.addr(is64 ? 32 : 28);
  const shoff = h.addr(is64 ? 40 : 32);
  const phentsize = h.u16(is64 ? 54 : 42);
  let phnum = h.u16(is64 ? 56 : 44);
  const shentsize = h.u16(is64 ? 58 : 46);
  let shnum = h.u16(is64 ? 60 : 48);
  let shstrndx = h.u16(is64 ? 62 : 50);
  const minSh = is64 ? 64 : 40;
  const minPh = is64 ? 56 : 32;

  // Extended numbering: counts that overflow 16 bits live in section header 0.
  if (shoff > 0 && shentsize >= minSh && shoff + shentsize <= src.size && (shnum === 0 || shstrndx === 0xffff || phnum === 0xffff)) {
    const s0 = new Fields(await readExact(src, shoff, shentsize, 'ELF section 0'), h.le, is64);
    if (shnum === 0) shnum = s0.addr(is64 ? 32 : 20);
    if (shstrndx === 0xffff) shstrndx = s0.u32(is64 ? 40 : 24);
    if (phnum === 0xffff) phnum = s0.u32(is64 ? 44 : 28);
  }

  const segments: ElfSegment[] = [];
  if (phoff > 0 && phentsize >= minPh && phnum > 0 && phnum <= MAX_SEGMENTS && phoff + phnum * phentsize <= src.size) {
    const t = new Fields(await readExact(src, phoff, phnum * phentsize, 'ELF program headers'), h.le, is64);
    for (let i = 0; i < phnum; i++) {
      const o = i * phentsize;
      const seg = is64
        ? { type: t.u32(o), flags: t.u32(o + 4), offset: t.u64(o + 8), vaddr: t.u64(o + 16), filesz: t.u64(o + 32) }
        : { type: t.u32(o), flags: t.u32(o + 24), offset: t.u32(o + 4), vaddr: t.u32(o + 8), filesz: t.u32(o + 16) };
      if (seg.offset >= 0 && seg.filesz >= 0 && seg.vaddr >= 0) segments.push(seg);
    }
  }

  const sections: ElfSection[] = [];
  if (shoff > 0 && shentsize >= minSh && shnum > 0 && shnum <= MAX_SECTIONS && shoff + shnum * shentsize <= src.size) {
    const t = new Fields(await readExact(src, shoff, shnum * shentsize, 'ELF section headers'), h.le, is64);
    const raw: Array<{ nameOff: number } & Omit<ElfSection, 'name'>> = [];
    for (let i = 0; i < shnum; i++) {
      const o = i * shentsize;
      const type = t.u32(o + 4);
      raw.push({
        nameOff: t.u32(o),
        type,
        addr: t.addr(o + (is64 ? 16 : 12)),
        offset: t.addr(o + (is64 ? 24 : 16)),
        size: t.addr(o + (is64 ? 32 : 20)),
        hasData: type !== SHT_NOBITS,
      });
    }
    let names: Buffer | undefined;
    const strtab = raw[shstrndx];
    if (strtab && strtab.offset >= 0 && strtab.size > 0 && strtab.size <= MAX_SHSTRTAB && strtab.offset + strtab.size <= src.size) {
      names = await readExact(src, strtab.offset, strtab.size, 'ELF section names');
    }
    for (const { nameOff, ...s } of raw) {
      if (s.offset < 0 || s.size < 0) continue;
      // A section whose bytes lie outside the file is kept by name but marked empty.
      if (s.hasData && s.offset + s.size > src.size) s.hasData = false;
      sections.push({ name: names ? cString(names, nameOff) : '', ...s });
    }
  }
  return { is64, littleEndian: h.le, machine, sections, segments };
}

function cString(b: Buffer, off: number): string {
  if (off >= b.length) return '';
  const end = b.indexOf(0, off);
  return b.toString('latin1', off, end < 0 ? b.length : end);
}

export function findSection(elf: BinaryFile, name: string): ElfSection | undefined {
  return elf.sections.find((s) => s.name === name);
}

/** Reads a section's bytes, refusing sections larger than `max`. */
export async function readSection(src: ByteSource, s: ElfSection, max: number): Promise<Buffer> {
  if (!s.hasData) throw new FormatError(`section ${s.name} has no data in the file`);
  if (s.size > max) throw new FormatError(`section ${s.name} is ${s.size} bytes (limit ${max})`);
  return readExact(src, s.offset, s.size, `section ${s.name}`);
}

/**
 * File offset of virtual address `addr` with at least `len` bytes available there, via the loadable
 * segments first and the allocated sections second (some binaries have only one of the two tables).
 */
export function addrToOffset(elf: BinaryFile, addr: number, len: number): number | undefined {
  for (const p of elf.segments) {
    if (p.type === PT_LOAD && addr >= p.vaddr && addr + len <= p.vaddr + p.filesz) return p.offset + (addr - p.vaddr);
  }
  for (const s of elf.sections) {
    if (s.hasData && s.addr > 0 && addr >= s.addr && addr + len <= s.addr + s.size) return s.offset + (addr - s.addr);
  }
  return undefined;
}
