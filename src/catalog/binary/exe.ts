// Native executables of the three formats Go and Rust emit: ELF (Linux), PE (Windows images) and
// thin Mach-O (binaries copied from macOS builds). All are reduced to one shape, named sections
// plus loadable segments, so the Go and Rust readers do not care which format they look at.
import { type BinaryFile, type ElfSection, type ElfSegment, ELF_MAGIC, PF_W, PF_X, PT_LOAD, readElf } from './elf.ts';
import { type ByteSource, FormatError, readExact } from './source.ts';

export type ExeFormat = 'elf' | 'pe' | 'macho';

const MAX_SECTIONS = 4096;
const MAX_LOAD_COMMANDS = 4096;
const MAX_COMMANDS_SIZE = 16 * 1024 * 1024;

/** The format from the first four bytes, or undefined for anything else (cheap pre-check). */
export async function detectExe(src: ByteSource): Promise<ExeFormat | undefined> {
  if (src.size < 64) return undefined;
  const b = await src.read(0, 4);
  if (b.length < 4) return undefined;
  if (b.equals(ELF_MAGIC)) return 'elf';
  if (b[0] === 0x4d && b[1] === 0x5a) return 'pe';
  const m = b.readUInt32LE(0);
  if (m === 0xfeedface || m === 0xfeedfacf || m === 0xcefaedfe || m === 0xcffaedfe) return 'macho';
  return undefined;
}

export async function readExe(src: ByteSource, format: ExeFormat): Promise<BinaryFile> {
  if (format === 'elf') return readElf(src);
  if (format === 'pe') return readPe(src);
  return readMachO(src);
}

async function readPe(src: ByteSource): Promise<BinaryFile> {
  const mz = await readExact(src, 0, 64, 'PE DOS header');
  const peAt = mz.readUInt32LE(0x3c);
  const coff = await readExact(src, peAt, 24, 'PE header');
  if (coff.readUInt32LE(0) !== 0x00004550) throw new FormatError('not a PE file');
  const machine = coff.readUInt16LE(4);
  const nsect = coff.readUInt16LE(6);
  const symtab = coff.readUInt32LE(12);
  const nsyms = coff.readUInt32LE(16);
  const optSize = coff.readUInt16LE(20);
  if (nsect > MAX_SECTIONS) throw new FormatError(`PE file with ${nsect} sections`);
  const opt = await readExact(src, peAt + 24, Math.min(optSize, 32), 'PE optional header');
  if (opt.length < 2) throw new FormatError('PE file without optional header');
  const is64 = opt.readUInt16LE(0) === 0x20b;
  // Section addresses are relative to the image base; the Go build info pointers are absolute.
  const imageBase = is64 ? (opt.length >= 32 ? Number(opt.readBigUInt64LE(24)) : 0) : opt.length >= 32 ? opt.readUInt32LE(28) : 0;
  const table = await readExact(src, peAt + 24 + optSize, nsect * 40, 'PE section table');
  // Names longer than 8 bytes are "/<offset>" into the COFF string table after the symbols.
  let strtab: Buffer | undefined;
  const strAt = symtab + nsyms * 18;
  if (symtab > 0 && strAt + 4 <= src.size) {
    const len = (await readExact(src, strAt, 4, 'PE string table')).readUInt32LE(0);
    if (len > 4 && len <= 4 * 1024 * 1024 && strAt + len <= src.size) strtab = await readExact(src, strAt, len, 'PE string table');
  }
  const sections: ElfSection[] = [];
  const segments: ElfSegment[] = [];
  for (let i = 0; i < nsect; i++) {
    const o = i * 40;
    let name = cstr(table.subarray(o, o + 8));
    if (name.startsWith('/') && strtab) name = cstr(strtab.subarray(Number(name.slice(1)) || 0));
    const vsize = table.readUInt32LE(o + 8);
    const rva = table.readUInt32LE(o + 12);
    const rawSize = table.readUInt32LE(o + 16);
    const rawPtr = table.readUInt32LE(o + 20);
    const flags = table.readUInt32LE(o + 36);
    // The file holds SizeOfRawData bytes (padded); VirtualSize is the real length when smaller,
    // and the only length of a section with no file bytes (.bss).
    const size = rawSize === 0 || (vsize > 0 && vsize < rawSize) ? vsize : rawSize;
    const hasData = rawPtr > 0 && rawSize > 0 && rawPtr + size <= src.size;
    sections.push({ name, type: 0, addr: imageBase + rva, offset: rawPtr, size, hasData });
    const segFlags = (flags & 0x80000000 ? PF_W : 0) | (flags & 0x20000000 ? PF_X : 0);
    if (hasData && flags & 0x40) segments.push({ type: PT_LOAD, flags: segFlags, offset: rawPtr, vaddr: imageBase + rva, filesz: size });
  }
  return { is64, littleEndian: true, machine, sections, segments };
}

async function readMachO(src: ByteSource): Promise<BinaryFile> {
  const head = await readExact(src, 0, 32, 'Mach-O header');
  const m = head.readUInt32LE(0);
  const le = m === 0xfeedface || m === 0xfeedfacf;
  const is64 = m === 0xfeedfacf || m === 0xcffaedfe;
  const u32 = (b: Buffer, o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const u64 = (b: Buffer, o: number) => {
    const v = le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(v);
  };
  const machine = u32(head, 4);
  const ncmds = u32(head, 16);
  const cmdsSize = u32(head, 20);
  if (ncmds > MAX_LOAD_COMMANDS || cmdsSize > MAX_COMMANDS_SIZE) throw new FormatError('Mach-O load commands over the limit');
  const cmds = await readExact(src, is64 ? 32 : 28, cmdsSize, 'Mach-O load commands');
  const sections: ElfSection[] = [];
  const segments: ElfSegment[] = [];
  let p = 0;
  for (let i = 0; i < ncmds && p + 8 <= cmds.length; i++) {
    const cmd = u32(cmds, p);
    const size = u32(cmds, p + 4);
    if (size < 8 || p + size > cmds.length) throw new FormatError('Mach-O load command runs past the table');
    const seg64 = cmd === 0x19;
    if (seg64 || cmd === 0x1) {
      const [hdr, sectLen] = seg64 ? [72, 80] : [56, 68];
      if (size < hdr) throw new FormatError('Mach-O segment command too short');
      const w = seg64 ? 8 : 4;
      const num = (o: number) => (seg64 ? u64(cmds, o) : u32(cmds, o));
      const vmaddr = num(p + 24);
      const fileoff = num(p + 24 + 2 * w);
      const filesize = num(p + 24 + 3 * w);
      const initprot = u32(cmds, p + 24 + 4 * w + 4);
      const nsects = u32(cmds, p + 24 + 4 * w + 8);
      if (vmaddr >= 0 && fileoff >= 0 && filesize > 0) {
        const flags = (initprot & 2 ? PF_W : 0) | (initprot & 4 ? PF_X : 0);
        segments.push({ type: PT_LOAD, flags, offset: fileoff, vaddr: vmaddr, filesz: filesize });
      }
      for (let s = 0; s < nsects && hdr + (s + 1) * sectLen <= size && sections.length < MAX_SECTIONS; s++) {
        const o = p + hdr + s * sectLen;
        const addr = num(o + 32);
        const len = num(o + 32 + w);
        const offset = u32(cmds, o + 32 + 2 * w);
        const type = u32(cmds, o + 32 + 2 * w + 16) & 0xff;
        // Zero-fill sections (bss, thread-local bss) occupy no file bytes.
        const zerofill = type === 0x1 || type === 0xc || type === 0x12;
        const hasData = !zerofill && offset > 0 && len >= 0 && offset + len <= src.size;
        sections.push({ name: cstr(cmds.subarray(o, o + 16)), type, addr, offset, size: len, hasData });
      }
    }
    p += size;
  }
  return { is64, littleEndian: le, machine, sections, segments };
}

function cstr(b: Buffer): string {
  const end = b.indexOf(0);
  return b.toString('latin1', 0, end < 0 ? b.length : end);
}
