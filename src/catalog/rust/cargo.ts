// Cargo.lock -> crates, with the dependency edges the lock file records, and the Cargo.toml facts
// needed to drop crates that only dev-dependencies pull in (what Trivy does for a project with
// both files side by side).
import type { FoundPackage } from '../cataloger.ts';
import { purl } from '../../purl/purl.ts';
import { parseToml, type TomlTable, type TomlValue } from './toml.ts';

export interface LockedCrate {
  name: string;
  version: string;
  source?: string;
  checksum?: string;
  /** Resolved "name@version" of each dependency. */
  deps: string[];
}

const MAX_CRATES = 100_000;

const str = (v: TomlValue | undefined): string | undefined => (typeof v === 'string' ? v : undefined);
const tbl = (v: TomlValue | undefined): TomlTable | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? v : undefined);

export function parseCargoLock(text: string, warnings: string[]): LockedCrate[] {
  const doc = parseToml(text, warnings);
  const raw = Array.isArray(doc.package) ? doc.package.slice(0, MAX_CRATES) : [];
  const crates: Array<LockedCrate & { rawDeps: string[] }> = [];
  for (const p of raw) {
    const t = tbl(p);
    const name = str(t?.name);
    const version = str(t?.version);
    if (!t || !name || !version) {
      warnings.push(`[[package]] ${name ?? '(no name)'} has no ${name ? 'version' : 'name'}; skipped`);
      continue;
    }
    const rawDeps = Array.isArray(t.dependencies) ? t.dependencies.filter((d): d is string => typeof d === 'string') : [];
    crates.push({ name, version, source: str(t.source), checksum: str(t.checksum), deps: [], rawDeps });
  }
  const byName = new Map<string, LockedCrate[]>();
  for (const c of crates) {
    const list = byName.get(c.name);
    if (list) list.push(c);
    else byName.set(c.name, [c]);
  }
  for (const c of crates) {
    for (const d of c.rawDeps) {
      const target = resolve(d, byName);
      if (target) c.deps.push(`${target.name}@${target.version}`);
      else warnings.push(`${c.name}@${c.version}: dependency "${d}" is not in the lock file`);
    }
  }
  return crates.map(({ rawDeps: _, ...c }) => c);
}

/**
 * Dependency references are "name" when only one version is locked, "name version" otherwise,
 * and "name version (source)" in the old (v1) format or when two sources lock the same version.
 */
function resolve(ref: string, byName: Map<string, LockedCrate[]>): LockedCrate | undefined {
  const m = /^(\S+)(?: (\S+))?(?: \((.+)\))?$/.exec(ref.trim());
  if (!m) return undefined;
  const candidates = byName.get(m[1]!) ?? [];
  return candidates.find((c) => (!m[2] || c.version === m[2]) && (!m[3] || c.source === m[3]));
}

export function cratePackages(crates: LockedCrate[], location: string): FoundPackage[] {
  return crates.map((c) => {
    const metadata: Record<string, string | boolean> = {};
    if (c.source) metadata.source = c.source;
    else metadata.local = true; // a workspace member or path dependency
    if (c.checksum) metadata.checksum = c.checksum;
    return {
      name: c.name,
      version: c.version,
      ecosystem: 'cargo',
      purl: cargoPurl(c.name, c.version),
      licenses: [],
      locations: [location],
      metadata,
      dependsOnNames: c.deps,
    };
  });
}

export function cargoPurl(name: string, version: string): string {
  try {
    return purl({ type: 'cargo', name, version });
  } catch {
    return `pkg:cargo/${encodeURIComponent(name)}@${encodeURIComponent(version)}`;
  }
}

/** What a Cargo.toml says about its package: its name and the crates it needs outside tests. */
export interface CargoManifest {
  packageName?: string;
  /** True for a workspace root: members have their own manifests, so no pruning is attempted. */
  workspace: boolean;
  /** Crate names (after `package = "..."` renames) of normal and build dependencies, all targets. */
  needed: string[];
}

export function parseCargoToml(text: string, warnings: string[]): CargoManifest {
  const doc = parseToml(text, warnings);
  const needed: string[] = [];
  const collect = (t: TomlTable | undefined) => {
    if (!t) return;
    for (const kind of ['dependencies', 'build-dependencies']) {
      const deps = tbl(t[kind]);
      for (const [key, spec] of Object.entries(deps ?? {})) needed.push(str(tbl(spec)?.package) ?? key);
    }
  };
  collect(doc);
  for (const target of Object.values(tbl(doc.target) ?? {})) collect(tbl(target));
  return { packageName: str(tbl(doc.package)?.name), workspace: tbl(doc.workspace) !== undefined, needed };
}

/**
 * Keeps the crates reachable from the root package through its normal/build dependencies; those
 * only dev-dependencies reach (test frameworks, benchmarks) are not in the built program. Returns
 * the input unchanged when the root cannot be identified.
 */
export function pruneDevOnly(crates: LockedCrate[], manifest: CargoManifest): LockedCrate[] {
  if (manifest.workspace || !manifest.packageName) return crates;
  const root = crates.find((c) => c.name === manifest.packageName && !c.source);
  if (!root) return crates;
  const needed = new Set(manifest.needed);
  const byId = new Map(crates.map((c) => [`${c.name}@${c.version}`, c]));
  const rootDeps = root.deps.filter((d) => needed.has(d.slice(0, d.lastIndexOf('@'))));
  const keep = new Set<string>([`${root.name}@${root.version}`]);
  const queue = [...rootDeps];
  while (queue.length) {
    const id = queue.pop()!;
    if (keep.has(id)) continue;
    keep.add(id);
    queue.push(...(byId.get(id)?.deps ?? []));
  }
  return crates.filter((c) => keep.has(`${c.name}@${c.version}`)).map((c) => (c === root ? { ...c, deps: rootDeps } : c));
}
