// Rust crates from two kinds of evidence: Cargo.lock files (a project or its source shipped in the
// image) and binaries built with cargo-auditable (.dep-v0 section). A Cargo.toml next to a
// Cargo.lock is read only to drop crates that nothing but dev-dependencies pull in.
import type { Cataloger, FileContent, FileMeta, FileResult, FinalizeContext, FoundPackage } from '../cataloger.ts';
import { detectExe, readExe } from '../binary/exe.ts';
import { isCandidateExecutable } from '../binary/executable.ts';
import { errorText, FormatError } from '../binary/source.ts';
import { auditPackages, readAuditData } from './auditable.ts';
import { type CargoManifest, cratePackages, type LockedCrate, parseCargoLock, parseCargoToml, pruneDevOnly } from './cargo.ts';

export const MAX_CARGO_LOCK = 32 * 1024 * 1024;
export const MAX_CARGO_TOML = 4 * 1024 * 1024;
/** Only the ELF headers and the .dep-v0 section are read, so size costs little (see golang). */
export const MAX_RUST_BINARY = 1024 * 1024 * 1024;

const CARGO_CACHE = /(^|\/)\.?cargo\/(registry|git)\//;

type RustData = { kind: 'lock'; crates: LockedCrate[] } | { kind: 'manifest'; manifest: CargoManifest };

const baseName = (p: string) => p.slice(p.lastIndexOf('/') + 1);
const dirName = (p: string) => p.slice(0, Math.max(0, p.lastIndexOf('/')));

async function parseText(content: FileContent, max: number): Promise<string> {
  return (await content.read(0, Math.min(content.size, max))).toString('utf8');
}

export const rustCataloger: Cataloger = {
  name: 'rust',
  ecosystems: ['cargo'],
  wants(meta: FileMeta) {
    const base = baseName(meta.path);
    if (base === 'Cargo.lock' || base === 'Cargo.toml') {
      // Cargo's download caches ($CARGO_HOME: ~/.cargo, /usr/local/cargo in the rust images)
      // hold crate sources, some with their own lock files; a project's crates are in its own.
      if (CARGO_CACHE.test(meta.path)) return false;
      return base === 'Cargo.lock' ? MAX_CARGO_LOCK : MAX_CARGO_TOML;
    }
    return isCandidateExecutable(meta) ? MAX_RUST_BINARY : false;
  },
  async parse(meta: FileMeta, content: FileContent): Promise<FileResult> {
    const warnings: string[] = [];
    const base = baseName(meta.path);
    try {
      if (base === 'Cargo.lock') {
        const crates = parseCargoLock(await parseText(content, MAX_CARGO_LOCK), warnings);
        const data: RustData = { kind: 'lock', crates };
        return result(cratePackages(crates, meta.path), warnings, meta.path, data);
      }
      if (base === 'Cargo.toml') {
        const data: RustData = { kind: 'manifest', manifest: parseCargoToml(await parseText(content, MAX_CARGO_TOML), []) };
        return { data };
      }
      const format = await detectExe(content);
      if (!format) return {};
      const list = await readAuditData(content, await readExe(content, format));
      return list ? result(auditPackages(list, meta.path), warnings, meta.path) : {};
    } catch (e) {
      // Not an ELF file after all, or no usable section: only audit data problems are news.
      if (e instanceof FormatError && !e.message.includes('.dep-v0')) return {};
      return { warnings: [`${meta.path}: ${errorText(e)}`] };
    }
  },
  finalize(ctx: FinalizeContext): FoundPackage[] {
    const manifests = new Map<string, CargoManifest>();
    for (const f of ctx.files) {
      const d = f.result.data as RustData | undefined;
      if (d?.kind === 'manifest') manifests.set(dirName(f.meta.path), d.manifest);
    }
    const out: FoundPackage[] = [];
    for (const f of ctx.files) {
      const d = f.result.data as RustData | undefined;
      const manifest = d?.kind === 'lock' ? manifests.get(dirName(f.meta.path)) : undefined;
      if (d?.kind === 'lock' && manifest) out.push(...cratePackages(pruneDevOnly(d.crates, manifest), f.meta.path));
      else out.push(...(f.result.packages ?? []));
    }
    return out;
  },
};

function result(packages: FoundPackage[], warnings: string[], path: string, data?: RustData): FileResult {
  const r: FileResult = {};
  if (packages.length) r.packages = packages;
  if (warnings.length) r.warnings = warnings.map((w) => `${path}: ${w}`);
  if (data) r.data = data;
  return r;
}
