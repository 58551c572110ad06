// Debian packages (dpkg). Files read, each parsed on its own:
//   var/lib/dpkg/status                 the package database (see status.ts for what counts as installed)
//   var/lib/dpkg/status.d/<pkg>         distroless: one stanza file per package
//   var/lib/dpkg/status.d/<pkg>.md5sums distroless: the package's files (there is no info/ directory)
//   var/lib/dpkg/info/<pkg>[:arch].list the package's files
//   usr/share/doc/<pkg>/copyright       licences (copyright.ts)
// finalize joins them over the final filesystem: installed files, licences, the OS-specific PURL,
// and dependency names resolved against what is installed.
import type { OSInfo } from '../../model/types.ts';
import type { Cataloger, FileContent, FileMeta, FileResult, FinalizeContext, FoundPackage, ParsedFile } from '../cataloger.ts';
import { purl } from '../../purl/purl.ts';
import { licensesFromCopyright } from './copyright.ts';
import { parseList, parseMd5sums, splitPaths } from './filelist.ts';
import { parseStatus, type DebRecord } from './status.ts';

export const STATUS_FILE = 'var/lib/dpkg/status';
const STATUS_DIR = 'var/lib/dpkg/status.d/';
const INFO_DIR = 'var/lib/dpkg/info/';
const DOC_DIR = 'usr/share/doc/';

// Size bounds. The status file of a large desktop-like image is ~10 MB; the bounds only stop
// absurd files from being read into memory.
const MAX_STATUS = 256 * 1024 * 1024;
const MAX_STATUS_D = 16 * 1024 * 1024;
const MAX_LIST = 64 * 1024 * 1024;
const MAX_COPYRIGHT = 4 * 1024 * 1024;

/** Relations of a parsed package, aligned with FileResult.packages (kept out of FoundPackage). */
interface Relations {
  depends?: string[][];
  provides?: string[];
}

type DpkgData =
  | { kind: 'status'; relations: Relations[] }
  | { kind: 'list' | 'md5sums'; key: string; paths: string }
  | { kind: 'copyright'; pkg: string; licenses: string[] };

function baseName(path: string, dir: string): string | undefined {
  const rest = path.slice(dir.length);
  return rest !== '' && !rest.includes('/') ? rest : undefined;
}

/** The doc directory name of usr/share/doc/<pkg>/copyright, not deeper copyright files. */
function copyrightPackage(path: string): string | undefined {
  if (!path.startsWith(DOC_DIR) || !path.endsWith('/copyright')) return undefined;
  const pkg = path.slice(DOC_DIR.length, path.length - '/copyright'.length);
  return pkg !== '' && !pkg.includes('/') ? pkg : undefined;
}

function debPurl(rec: { name: string; version: string; arch?: string }, os: OSInfo | undefined): string {
  return purl({
    type: 'deb',
    // The namespace is the vendor (debian, ubuntu, ...): without an identified OS, Debian.
    namespace: os?.family || 'debian',
    name: rec.name,
    version: rec.version,
    qualifiers: { arch: rec.arch, distro: os?.family && os.version ? `${os.family}-${os.version}` : undefined },
  });
}

function toFound(rec: DebRecord, location: string, os: OSInfo | undefined): FoundPackage {
  const p: FoundPackage = {
    name: rec.name,
    version: rec.version,
    ecosystem: 'deb',
    purl: debPurl(rec, os),
    licenses: [],
    locations: [location],
    source: { name: rec.sourceName, version: rec.sourceVersion },
  };
  if (rec.arch) p.arch = rec.arch;
  const md: Record<string, string | number> = {};
  if (rec.maintainer) md.maintainer = rec.maintainer;
  if (rec.installedSize !== undefined) md.installedSize = rec.installedSize;
  if (rec.status) md.status = rec.status;
  if (Object.keys(md).length) p.metadata = md;
  return p;
}

async function readText(content: FileContent): Promise<string> {
  return (await content.readAll()).toString('utf8');
}

export const dpkgCataloger: Cataloger = {
  name: 'dpkg',
  ecosystems: ['deb'],

  wants(meta: FileMeta): number | false {
    const p = meta.path;
    if (p === STATUS_FILE) return MAX_STATUS;
    if (p.startsWith(STATUS_DIR)) return baseName(p, STATUS_DIR) ? MAX_STATUS_D : false;
    if (p.startsWith(INFO_DIR)) return p.endsWith('.list') && baseName(p, INFO_DIR) ? MAX_LIST : false;
    if (p.startsWith(DOC_DIR)) return copyrightPackage(p) ? MAX_COPYRIGHT : false;
    return false;
  },

  async parse(meta: FileMeta, content: FileContent): Promise<FileResult> {
    const p = meta.path;
    let text: string;
    try {
      text = await readText(content);
    } catch (e) {
      return { warnings: [`${p}: unreadable: ${(e as Error).message}`] };
    }
    if (p.startsWith(INFO_DIR)) {
      const key = p.slice(INFO_DIR.length, -'.list'.length);
      return { data: { kind: 'list', key, paths: parseList(text) } satisfies DpkgData };
    }
    const doc = copyrightPackage(p);
    if (doc !== undefined) {
      const licenses = licensesFromCopyright(text);
      return licenses.length ? { data: { kind: 'copyright', pkg: doc, licenses } satisfies DpkgData } : {};
    }
    if (p.startsWith(STATUS_DIR) && p.endsWith('.md5sums')) {
      const key = p.slice(STATUS_DIR.length, -'.md5sums'.length);
      return { data: { kind: 'md5sums', key, paths: parseMd5sums(text) } satisfies DpkgData };
    }
    // The status file or a status.d stanza file. Packages are returned here already (without the
    // OS-specific PURL parts) because the framework tracks them per layer to attribute them.
    const { records, warnings } = parseStatus(text, p);
    const packages = records.map((r) => toFound(r, p, undefined));
    const relations = records.map((r): Relations => ({ depends: r.depends, provides: r.provides }));
    const res: FileResult = { packages, data: { kind: 'status', relations } satisfies DpkgData };
    if (warnings.length) res.warnings = warnings;
    return res;
  },

  finalize(ctx: FinalizeContext): FoundPackage[] {
    return joinDpkg(ctx.files, ctx.os);
  },
};

/** The cross-file join, separate from the cataloger object for tests. */
export function joinDpkg(files: ParsedFile[], os: OSInfo | undefined): FoundPackage[] {
  const lists = new Map<string, string>();
  const md5sums = new Map<string, string>();
  const copyrights = new Map<string, string[]>();
  const statusFiles: Array<{ path: string; packages: FoundPackage[]; relations: Relations[] }> = [];
  for (const f of files) {
    const d = f.result.data as DpkgData | undefined;
    if (!d) continue;
    if (d.kind === 'list') lists.set(d.key, d.paths);
    else if (d.kind === 'md5sums') md5sums.set(d.key, d.paths);
    else if (d.kind === 'copyright') copyrights.set(d.pkg, d.licenses);
    else if (d.kind === 'status') statusFiles.push({ path: f.meta.path, packages: f.result.packages ?? [], relations: d.relations });
  }
  // The status file first, then status.d in path order: when an image has both and they disagree,
  // dpkg itself only reads the status file.
  statusFiles.sort((a, b) => (a.path === STATUS_FILE ? -1 : b.path === STATUS_FILE ? 1 : a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  const out: FoundPackage[] = [];
  const rels: Relations[] = [];
  const seen = new Set<string>();
  for (const sf of statusFiles) {
    const stem = sf.path.startsWith(STATUS_DIR) ? sf.path.slice(STATUS_DIR.length) : undefined;
    sf.packages.forEach((pkg, i) => {
      // One package per name and architecture (Multi-Arch: same allows libc6:amd64 + libc6:i386).
      const key = `${pkg.name}\u0000${pkg.arch ?? ''}`;
      if (seen.has(key)) return;
      seen.add(key);
      const p: FoundPackage = { ...pkg, purl: debPurl(pkg, os), licenses: [...(copyrights.get(pkg.name) ?? [])] };
      // info/<name>:<arch>.list for Multi-Arch: same packages, info/<name>.list otherwise; in
      // distroless, status.d/<file>.md5sums next to the package's own status.d file.
      const paths =
        (pkg.arch ? lists.get(`${pkg.name}:${pkg.arch}`) : undefined) ??
        lists.get(pkg.name) ??
        (stem !== undefined && sf.packages.length === 1 ? md5sums.get(stem) : undefined) ??
        md5sums.get(pkg.name);
      const installed = splitPaths(paths);
      if (installed) p.installedFiles = installed;
      out.push(p);
      rels.push(sf.relations[i] ?? {});
    });
  }

  // Binary packages without their own copyright file (doc directory symlinked to a sibling's,
  // which only reaches us as a symlink) share the licence of their source package: Debian builds
  // every binary of a source from one debian/copyright.
  const bySource = new Map<string, string[]>();
  for (const p of out) if (p.licenses.length && p.source && !bySource.has(p.source.name)) bySource.set(p.source.name, p.licenses);
  for (const p of out) {
    if (p.licenses.length === 0 && p.source) {
      const l = bySource.get(p.source.name);
      if (l) p.licenses = [...l];
    }
  }

  resolveDepends(out, rels);
  return out;
}

/**
 * Depends/Pre-Depends to installed package names. Each comma group is satisfied by its first
 * alternative that is installed, either as a real package or as a virtual one some installed
 * package Provides (debconf-2.0 -> debconf, awk -> mawk). Groups nothing satisfies are dropped
 * (optional in practice, or a broken install that the SBOM should not invent edges for).
 */
function resolveDepends(pkgs: FoundPackage[], rels: Relations[]): void {
  const installed = new Set(pkgs.map((p) => p.name));
  const providers = new Map<string, string>();
  pkgs.forEach((p, i) => {
    for (const v of rels[i]?.provides ?? []) if (!providers.has(v)) providers.set(v, p.name);
  });
  pkgs.forEach((p, i) => {
    const groups = rels[i]?.depends;
    if (!groups?.length) return;
    const names = new Set<string>();
    for (const alts of groups) {
      for (const a of alts) {
        const target = installed.has(a) ? a : providers.get(a);
        if (target === undefined) continue;
        if (target !== p.name) names.add(target);
        break;
      }
    }
    if (names.size) p.dependsOnNames = [...names].sort();
  });
}
