// Alpine-family packages (apk: Alpine, Wolfi, Chainguard, postmarketOS ...), from the installed
// database. One file holds everything (names, origins, licences, dependencies, files), so parse
// does the work; finalize only adds the OS-specific PURL and resolves dependencies, which can name
// a package, or something a package provides (so:libc.musl-x86_64.so.1, cmd:sh, /bin/sh, pc:zlib).
import type { OSInfo } from '../../model/types.ts';
import type { Cataloger, FileContent, FileMeta, FileResult, FinalizeContext, FoundPackage, ParsedFile } from '../cataloger.ts';
import { purl } from '../../purl/purl.ts';
import { parseInstalled, type ApkRecord } from './installed.ts';

/**
 * The database's paths. apk-tools 3 on usr-merged systems keeps it under usr/lib with lib/apk a
 * symlink, and only regular files reach catalogers, so both are read; lib/ wins when both are
 * regular files (that is where apk 2 reads).
 */
export const INSTALLED_PATHS: readonly string[] = ['lib/apk/db/installed', 'usr/lib/apk/db/installed'];
const MAX_INSTALLED = 256 * 1024 * 1024;

/** What finalize needs beyond FoundPackage, aligned with FileResult.packages. */
interface Extra {
  depends?: string[];
  provides?: string[];
  files: string;
}

interface ApkData {
  extras: Extra[];
}

function apkPurl(r: { name: string; version: string; arch?: string }, os: OSInfo | undefined): string {
  return purl({
    type: 'apk',
    // The namespace is the distribution (alpine, wolfi, chainguard ...); Alpine when unknown.
    namespace: os?.family || 'alpine',
    name: r.name,
    version: r.version,
    // Alpine's convention (and Trivy's): distro is the bare release, "3.14.9".
    qualifiers: { arch: r.arch, distro: os?.version || undefined },
  });
}

function toFound(r: ApkRecord, location: string): FoundPackage {
  const p: FoundPackage = {
    name: r.name,
    version: r.version,
    ecosystem: 'apk',
    purl: apkPurl(r, undefined),
    licenses: r.licenses,
    locations: [location],
    // The origin is built at the same version as its subpackages.
    source: { name: r.origin ?? r.name, version: r.version },
  };
  if (r.arch) p.arch = r.arch;
  const md: Record<string, string | number> = {};
  if (r.maintainer) md.maintainer = r.maintainer;
  if (r.installedSize !== undefined) md.installedSize = r.installedSize;
  if (r.url) md.url = r.url;
  if (Object.keys(md).length) p.metadata = md;
  return p;
}

async function readText(content: FileContent): Promise<string> {
  return (await content.readAll()).toString('utf8');
}

export const apkCataloger: Cataloger = {
  name: 'apk',
  ecosystems: ['apk'],

  wants(meta: FileMeta): number | false {
    return INSTALLED_PATHS.includes(meta.path) ? MAX_INSTALLED : false;
  },

  async parse(meta: FileMeta, content: FileContent): Promise<FileResult> {
    let text: string;
    try {
      text = await readText(content);
    } catch (e) {
      return { warnings: [`${meta.path}: unreadable: ${(e as Error).message}`] };
    }
    const { records, warnings } = parseInstalled(text, meta.path);
    const data: ApkData = { extras: records.map((r) => ({ depends: r.depends, provides: r.provides, files: r.files })) };
    const res: FileResult = { packages: records.map((r) => toFound(r, meta.path)), data };
    if (warnings.length) res.warnings = warnings;
    return res;
  },

  finalize(ctx: FinalizeContext): FoundPackage[] {
    return joinApk(ctx.files, ctx.os);
  },
};

export function joinApk(files: ParsedFile[], os: OSInfo | undefined): FoundPackage[] {
  // One database per root: the first of INSTALLED_PATHS present.
  const db = INSTALLED_PATHS.map((p) => files.find((f) => f.meta.path === p)).find((f) => f !== undefined);
  if (!db) return [];
  const pkgs = db.result.packages ?? [];
  const extras = (db.result.data as ApkData | undefined)?.extras ?? [];

  const out: FoundPackage[] = pkgs.map((p, i) => {
    const q: FoundPackage = { ...p, purl: apkPurl(p, os) };
    const files = extras[i]?.files;
    if (files) q.installedFiles = files.split('\n');
    return q;
  });

  // Dependency names: a D: token is a package name or anything some package provides (p:).
  // First provider wins, as apk prefers the already-installed provider and only one usually is.
  const provider = new Map<string, string>();
  out.forEach((p) => provider.set(p.name, p.name));
  out.forEach((p, i) => {
    for (const v of extras[i]?.provides ?? []) if (!provider.has(v)) provider.set(v, p.name);
  });
  out.forEach((p, i) => {
    const deps = extras[i]?.depends;
    if (!deps?.length) return;
    const names = new Set<string>();
    for (const d of deps) {
      const n = provider.get(d);
      if (n !== undefined && n !== p.name) names.add(n);
    }
    if (names.size) p.dependsOnNames = [...names].sort();
  });
  return out;
}
