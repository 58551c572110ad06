// Rust binaries built with cargo-auditable carry their full crate list in a section named .dep-v0
// (ELF and PE; __DATA,.dep-v0 in Mach-O): zlib-compressed JSON {"packages":[{name, version, source, kind, dependencies:[index],
// root}]}. Only runtime crates are reported: build-time ones (build scripts, proc macros) are not
// linked into the program.
import { inflateSync, constants } from 'node:zlib';
import type { FoundPackage } from '../cataloger.ts';
import { type BinaryFile, findSection, readSection } from '../binary/elf.ts';
import { type ByteSource, FormatError } from '../binary/source.ts';
import { cargoPurl } from './cargo.ts';

/** The compressed section is a few KiB even for large programs; the JSON a few hundred KiB. */
const MAX_COMPRESSED = 8 * 1024 * 1024;
const MAX_JSON = 64 * 1024 * 1024;
const MAX_PACKAGES = 100_000;

interface AuditPackage {
  name: string;
  version: string;
  source: string;
  kind: string;
  root: boolean;
  dependencies: number[];
}

/** undefined when the binary has no .dep-v0 section. */
export async function readAuditData(src: ByteSource, elf: BinaryFile): Promise<AuditPackage[] | undefined> {
  const sec = findSection(elf, '.dep-v0');
  if (!sec) return undefined;
  const compressed = await readSection(src, sec, MAX_COMPRESSED);
  let json: Buffer;
  try {
    // Sync flush accepts a stream without its final checksum, which some writers leave out.
    json = inflateSync(compressed, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: MAX_JSON });
  } catch {
    throw new FormatError('.dep-v0: not zlib data or larger than the limit');
  }
  let doc: unknown;
  try {
    doc = JSON.parse(json.toString('utf8'));
  } catch {
    throw new FormatError('.dep-v0: not JSON');
  }
  const list = (doc as { packages?: unknown }).packages;
  if (!Array.isArray(list)) throw new FormatError('.dep-v0: no packages list');
  const out: AuditPackage[] = [];
  for (const p of list.slice(0, MAX_PACKAGES)) {
    const o = (p ?? {}) as Record<string, unknown>;
    const name = typeof o.name === 'string' ? o.name : '';
    const version = typeof o.version === 'string' ? o.version : '';
    const deps = Array.isArray(o.dependencies) ? o.dependencies.filter((d): d is number => Number.isInteger(d)) : [];
    out.push({
      name,
      version,
      source: typeof o.source === 'string' ? o.source : '',
      kind: typeof o.kind === 'string' ? o.kind : 'runtime',
      root: o.root === true,
      dependencies: deps,
    });
  }
  return out;
}

export function auditPackages(list: AuditPackage[], location: string): FoundPackage[] {
  const runtime = (i: number) => {
    const p = list[i];
    return p !== undefined && p.kind !== 'build' && p.name !== '' && p.version !== '';
  };
  const out: FoundPackage[] = [];
  list.forEach((p, i) => {
    if (!runtime(i)) return;
    const metadata: Record<string, string | boolean> = { source: p.source };
    if (p.root) metadata.root = true;
    out.push({
      name: p.name,
      version: p.version,
      ecosystem: 'cargo',
      purl: cargoPurl(p.name, p.version),
      licenses: [],
      locations: [location],
      metadata,
      dependsOnNames: [...new Set(p.dependencies.filter(runtime).map((d) => `${list[d]!.name}@${list[d]!.version}`))],
    });
  });
  return out;
}
