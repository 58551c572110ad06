// One package -> the advisory statements that affect its installed version. This is the hot path
// of matching: a fleet of SBOMs asks about the same few thousand (package, version) pairs over and
// over, so the answer is cached per (ecosystem, name, distro, version) and the database is asked
// once per (ecosystem, name, distro) (VulnDB caches that).

import type { Affected } from '../model/advisory.ts';
import { OS_ECOSYSTEMS, type Package } from '../model/types.ts';
import { isAffected } from '../version/affected.ts';
import { schemeFor, type VersionScheme } from '../version/index.ts';
import type { VulnDB } from '../vulndb/store.ts';
import type { DistroKey } from './distro.ts';

/** One advisory statement that affects an installed package. */
export interface RawHit {
  id: string;
  source: string;
  affected: Affected;
  /** The version the statement was compared with (a deb source version, an rpm binary EVR ...). */
  comparedVersion: string;
  /** Index of the distro key it came from (0 = preferred); 0 for language packages. */
  keyRank: number;
}

export interface PackageHits {
  hits: RawHit[];
  /** Advisories that could not be evaluated (unparsable installed or advisory versions). */
  unknown: Array<{ id: string; version: string }>;
  scheme: VersionScheme;
  /** The version fixes are compared with (lowestFixAll). */
  fixBase: string;
}

/** One query: a name to look up and how its rows are compared. */
interface Query {
  name: string;
  version: string;
  /** Keep only rows for which this returns true. */
  keep: (a: Affected) => boolean;
}

const CACHE_LIMIT = 200_000;

/**
 * Runtimes whose core advisories are stored with Affected.runtime: which runtime a package IS, if
 * any. Go binaries record the toolchain as the golang package "stdlib" (see the golang cataloger);
 * a cataloger that finds a Node.js, Ruby or Python interpreter says so with metadata.runtime.
 */
export function runtimeOf(p: Package): string | undefined {
  if (p.ecosystem === 'golang' && p.name === 'stdlib') return 'go';
  const r = p.metadata?.runtime;
  return typeof r === 'string' && r ? r : undefined;
}

function osQueries(p: Package): Query[] {
  const src = p.source?.name || p.name;
  const srcVersion = p.ecosystem === 'rpm' ? (p.source?.version || p.version) : p.source?.version || p.version;
  if (p.ecosystem === 'rpm') {
    // RPM feeds name binary or source packages: the binary name with the installed EVR first,
    // then the source name with the source EVR (the rpm cataloger carries the epoch over).
    const qs: Query[] = [{ name: p.name, version: p.version, keep: () => true }];
    if (src !== p.name) qs.push({ name: src, version: srcVersion, keep: () => true });
    return qs;
  }
  // Debian/Ubuntu/Alpine speak in source packages and source versions; a row about a binary
  // package (bySource false) is compared with the binary's own version.
  if (src === p.name) return [{ name: src, version: srcVersion, keep: () => true }];
  return [
    { name: src, version: srcVersion, keep: (a) => a.bySource !== false },
    { name: p.name, version: p.version, keep: (a) => a.bySource !== true },
  ];
}

export class PackageLookup {
  private readonly db: VulnDB;
  private readonly cache = new Map<string, PackageHits>();

  constructor(db: VulnDB) {
    this.db = db;
  }

  /** OS package against the distro keys (preferred first); a statement id already found under a preferred key wins. */
  osHits(p: Package, keys: DistroKey[]): PackageHits {
    const ck = `o\0${p.ecosystem}\0${p.name}\0${p.version}\0${p.source?.name ?? ''}\0${p.source?.version ?? ''}\0${keys.map((k) => `${k.family}/${k.release}`).join(',')}`;
    const cached = this.cache.get(ck);
    if (cached) return cached;
    const scheme = schemeFor(p.ecosystem, keys[0]?.family);
    const out: PackageHits = { hits: [], unknown: [], scheme, fixBase: osQueries(p)[0]!.version };
    const seen = new Set<string>();
    keys.forEach((key, rank) => {
      const fromThisKey = new Set<string>();
      for (const q of osQueries(p)) {
        for (const m of this.db.affectedFor(p.ecosystem, q.name, key)) {
          const sk = `${m.source}\0${m.id}`;
          if (seen.has(sk) || fromThisKey.has(sk) || !q.keep(m.affected) || m.affected.runtime) continue;
          const r = isAffected(q.version, m.affected, scheme);
          if (r === undefined) {
            out.unknown.push({ id: m.id, version: q.version });
            continue;
          }
          // Not affected under the preferred key is an answer too: a fallback key must not override it.
          fromThisKey.add(sk);
          if (r) out.hits.push({ id: m.id, source: m.source, affected: m.affected, comparedVersion: q.version, keyRank: rank });
        }
      }
      for (const k of fromThisKey) seen.add(k);
    });
    return this.remember(ck, out);
  }

  /** Language package (or runtime) by ecosystem + name. */
  langHits(p: Package): PackageHits {
    const runtime = runtimeOf(p);
    const ck = `l\0${p.ecosystem}\0${p.name}\0${p.version}\0${runtime ?? ''}`;
    const cached = this.cache.get(ck);
    if (cached) return cached;
    const scheme = schemeFor(p.ecosystem);
    const out: PackageHits = { hits: [], unknown: [], scheme, fixBase: p.version };
    for (const m of this.db.affectedFor(p.ecosystem, p.name)) {
      // A registry package never matches a runtime's advisories (the npm package "node", the
      // "cargo" crate), and a runtime only matches its own.
      if ((m.affected.runtime ?? undefined) !== runtime) continue;
      if (runtime === 'go' && m.affected.package !== 'stdlib') continue;
      const r = isAffected(p.version, m.affected, scheme);
      if (r === undefined) out.unknown.push({ id: m.id, version: p.version });
      else if (r) out.hits.push({ id: m.id, source: m.source, affected: m.affected, comparedVersion: p.version, keyRank: 0 });
    }
    return this.remember(ck, out);
  }

  private remember(key: string, v: PackageHits): PackageHits {
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(key, v);
    return v;
  }
}

export function isOsPackage(p: Package): boolean {
  return OS_ECOSYSTEMS.has(p.ecosystem);
}
