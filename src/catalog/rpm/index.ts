// The rpm cataloger: lists the packages of an rpm database in any of its three on-disk formats
// (sqlite, NDB, Berkeley DB), or of the package manifest that Mariner/Azure Linux distroless images
// carry instead of a database. parse() turns each database file into packages (with a provisional purl, since the OS is not
// known yet); finalize() picks the live database, builds the final purls from the identified OS and
// resolves each package's requirements to the packages that provide them.
import type { Cataloger, FileContent, FileMeta, FileResult, FinalizeContext, FoundPackage } from '../cataloger.ts';
import { bdbRecords, isBdbHash, type DbRecord } from './bdb.ts';
import { headerToPackage, parseHeader, type RpmPackageRecord } from './header.ts';
import { majorityVendorNamespace, namespaceForOs, parseSourceRpm, rpmPurl, rpmVersion } from './naming.ts';
import { parseRpmManifest } from './manifest.ts';
import { isNdb, ndbRecords } from './ndb.ts';
import type { RandomAccess } from './reader.ts';
import { isSqlite, sqliteRecords } from './sqlite.ts';
import { resolveDependencies } from './deps.ts';

/** The three database formats, and the text manifest of Mariner/Azure Linux distroless images. */
export type RpmDbFormat = 'sqlite' | 'ndb' | 'bdb' | 'manifest';

/** Where rpm keeps its database: /var/lib/rpm historically, /usr/lib/sysimage/rpm on newer systems. */
const DB_FILES = new Set<string>();
for (const dir of ['var/lib/rpm/', 'usr/lib/sysimage/rpm/']) for (const f of ['rpmdb.sqlite', 'Packages.db', 'Packages']) DB_FILES.add(dir + f);
const MANIFEST = 'var/lib/rpmmanifest/container-manifest-2';

/** Databases are read in place through random access, never whole, so the bound is generous. */
const MAX_DB_SIZE = 4 * 1024 ** 3;
/** The manifest is read whole; a thousand-package listing is ~100 KiB. */
const MAX_MANIFEST_SIZE = 16 * 1024 ** 2;
const MAX_WARNINGS = 20;

/** Per-package facts finalize() needs but that are not part of FoundPackage. Parallel to `packages`. */
export interface RpmPackageExtra {
  name: string;
  epoch?: number;
  version: string;
  release: string;
  arch?: string;
  vendor?: string;
  provides: string[];
  requires: string[];
}

export interface RpmDbData {
  format: RpmDbFormat;
  extras: RpmPackageExtra[];
}

const READERS: Record<Exclude<RpmDbFormat, 'manifest'>, (src: RandomAccess, warnings: string[]) => AsyncGenerator<DbRecord>> = {
  sqlite: sqliteRecords,
  ndb: ndbRecords,
  bdb: bdbRecords,
};

/** The content decides the format, not the file name: each format starts with its own magic. */
function detectFormat(head: Buffer): Exclude<RpmDbFormat, 'manifest'> | undefined {
  if (isSqlite(head)) return 'sqlite';
  if (isNdb(head)) return 'ndb';
  if (isBdbHash(head)) return 'bdb';
  return undefined;
}

interface ReadState {
  format?: RpmDbFormat;
  records: RpmPackageRecord[];
  warnings: string[];
}

async function readRecords(path: string, content: RandomAccess, st: ReadState): Promise<void> {
  if (path === MANIFEST) {
    st.format = 'manifest';
    st.records = parseRpmManifest((await content.read(0, content.size)).toString('utf8'), st.warnings);
    return;
  }
  const format = detectFormat(await content.read(0, Math.min(512, content.size)));
  if (!format) return void st.warnings.push('not an rpm database (unknown format)');
  st.format = format;
  for await (const rec of READERS[format](content, st.warnings)) {
    const h = parseHeader(rec.blob);
    const p = typeof h === 'string' ? h : headerToPackage(h);
    if (typeof p === 'string') st.warnings.push(`record ${rec.key}: ${p}`);
    else {
      if (typeof h !== 'string' && h.problems.length) st.warnings.push(`${p.name}: ${h.problems.join('; ')}`);
      st.records.push(p);
    }
  }
}

export async function readRpmDb(path: string, content: RandomAccess): Promise<{ packages: FoundPackage[]; data?: RpmDbData; warnings: string[] }> {
  const st: ReadState = { records: [], warnings: [] };
  // An empty file is a database rpm created but never filled: nothing to report.
  if (content.size === 0) return { packages: [], warnings: [] };
  try {
    await readRecords(path, content, st);
  } catch (e) {
    // The readers report problems as warnings; this only guards against a bug turning bad input
    // into a thrown error. What was read so far is kept.
    st.warnings.push(`internal error: ${(e as Error).message}`);
  }
  // gpg-pubkey "packages" are imported signing keys, not software.
  const records = st.records.filter((r) => r.name !== 'gpg-pubkey');
  // The purl is provisional until finalize() knows the OS: the vendors' namespace, no distro.
  const namespace = majorityVendorNamespace(records.map((r) => r.vendor));
  const packages = records.map((r) => toFound(r, path, namespace));
  const extras = records.map(({ name, epoch, version, release, arch, vendor, provides, requires }) => ({ name, epoch, version, release, arch, vendor, provides, requires }));
  const warnings = capWarnings(st.warnings).map((w) => `${path}: ${w}`);
  return st.format ? { packages, data: { format: st.format, extras }, warnings } : { packages, warnings };
}

function toFound(p: RpmPackageRecord, path: string, namespace: string | undefined): FoundPackage {
  const pkg: FoundPackage = {
    name: p.name,
    version: rpmVersion(p.epoch, p.version, p.release),
    ecosystem: 'rpm',
    purl: rpmPurl(p, namespace, undefined),
    licenses: p.license ? [p.license] : [],
    locations: [path],
    installedFiles: p.files,
  };
  if (p.arch) pkg.arch = p.arch;
  const src = parseSourceRpm(p.sourceRpm);
  // SOURCERPM carries no epoch; the binary's epoch is the source's epoch (the source package built
  // it), and advisories compare source versions with it included.
  if (src) pkg.source = { name: src.name, version: rpmVersion(p.epoch, src.version, src.release) };
  const meta: Record<string, string | number> = {};
  if (p.vendor) meta.vendor = p.vendor;
  if (p.modularityLabel) meta.modularitylabel = p.modularityLabel;
  if (p.size !== undefined) meta.installedSize = p.size;
  if (p.sigmd5) meta.digest = `md5:${p.sigmd5}`;
  if (Object.keys(meta).length) pkg.metadata = meta;
  return pkg;
}

function capWarnings(w: string[]): string[] {
  return w.length <= MAX_WARNINGS ? w : [...w.slice(0, MAX_WARNINGS), `... and ${w.length - MAX_WARNINGS} more problems`];
}

const FORMAT_RANK: Record<RpmDbFormat, number> = { sqlite: 4, ndb: 3, bdb: 2, manifest: 1 };

/**
 * rpm reads one database. When an image holds several (a converted database left behind, both the
 * old and the new directory populated), the newest format wins, because rpm only ever migrates
 * forward (bdb -> ndb/sqlite); on a tie /usr/lib/sysimage/rpm, the newer home, wins. A real
 * database always beats the distroless manifest, which is only a build-time summary.
 */
function pickDatabase(files: FinalizeContext['files']): FinalizeContext['files'][number] | undefined {
  const rank = (f: FinalizeContext['files'][number]) => {
    const data = f.result.data as RpmDbData | undefined;
    return (data ? FORMAT_RANK[data.format] * 10 : 0) + (f.meta.path.startsWith('usr/') ? 1 : 0) + (f.result.packages?.length ? 100 : 0);
  };
  let best: FinalizeContext['files'][number] | undefined;
  for (const f of files) if (!best || rank(f) > rank(best)) best = f;
  return best;
}

export function finalizeRpm(ctx: FinalizeContext): FoundPackage[] {
  const chosen = pickDatabase(ctx.files);
  const packages = chosen?.result.packages ?? [];
  const data = chosen?.result.data as RpmDbData | undefined;
  const extras = data?.extras;
  // Defensive: the extras must line up with the packages they were produced with.
  if (!extras || extras.length !== packages.length || extras.some((x, i) => x.name !== packages[i]!.name)) return packages;
  const namespace = namespaceForOs(ctx.os) ?? majorityVendorNamespace(extras.map((x) => x.vendor));
  const deps = resolveDependencies(
    extras.map((x, i) => ({ name: x.name, provides: x.provides, requires: x.requires, files: packages[i]!.installedFiles ?? [] })),
  );
  return packages.map((p, i) => {
    const out: FoundPackage = { ...p, purl: rpmPurl(extras[i]!, namespace, ctx.os) };
    if (deps[i]!.length) out.dependsOnNames = deps[i];
    return out;
  });
}

export const rpmCataloger: Cataloger = {
  name: 'rpm',
  ecosystems: ['rpm'],
  wants(meta: FileMeta): number | false {
    return DB_FILES.has(meta.path) ? MAX_DB_SIZE : meta.path === MANIFEST ? MAX_MANIFEST_SIZE : false;
  },
  async parse(meta: FileMeta, content: FileContent): Promise<FileResult> {
    const { packages, data, warnings } = await readRpmDb(meta.path, content);
    const result: FileResult = { packages };
    if (data) result.data = data;
    if (warnings.length) result.warnings = warnings;
    return result;
  },
  finalize: finalizeRpm,
};
