// Matching an Inventory against the vulnerability database. The inventory is stored and matched
// separately (Clair's model): matching reads only the Inventory and the database, so re-matching a
// stored SBOM when the data changes is cheap. A Matcher keeps its caches across inventories.
//
// Rules (the README's "Matching" section):
// - OS packages match their distro's advisories by source package and release, compared with the
//   distro's version scheme; 'not-affected' never matches; unfixed states are reported as such.
// - Language packages an OS package installed (Package.ownedBy) are matched through that OS
//   package only: the distro's advisories know its backports, the language advisories do not.
// - Language packages match by ecosystem + normalised name; Go binaries' "stdlib" matches the Go
//   standard library advisories; runtimes match their core advisories (Affected.runtime).
// - Nothing unknown is silent: unparsable versions and ecosystems or OSes without data are warnings.

import type { PackageFix, Suppressed, VulnFinding } from '../model/finding.ts';
import { applyPolicy, type Policy } from './policy.ts';
import type { Inventory, Package } from '../model/types.ts';
import { baseLayerCount } from '../misconfig/image/base.ts';
import { schemeFor } from '../version/index.ts';
import { lowestFixAll } from '../version/affected.ts';
import type { VersionScheme } from '../version/index.ts';
import type { VulnDB } from '../vulndb/store.ts';
import { distroTarget, type DistroKey, type DistroTarget } from './distro.ts';
import { AdvisoryCache, buildTemplates, type FindingTemplate } from './findings.ts';
import { isOsPackage, PackageLookup, type PackageHits } from './lookup.ts';

export interface MatchOptions {
  /** Report informational advisories (RustSec "unmaintained", "unsound") as findings too. */
  includeInformational?: boolean;
  /** --severity, --ignore-unfixed, ignore file, VEX: applied before the fixes are computed. */
  policy?: Policy;
}

export interface MatchResult {
  vulnerabilities: VulnFinding[];
  fixes: PackageFix[];
  warnings: string[];
  /** Findings the policy suppressed (empty without a policy). */
  suppressed: Suppressed[];
}

const MAX_WARNINGS = 200;
const KNOWN_ECOSYSTEMS = new Set(['deb', 'apk', 'rpm', 'npm', 'pypi', 'maven', 'golang', 'cargo', 'gem', 'composer', 'nuget']);

/** Per package: the scheme and version its fixes are compared with (for lowestFixAll). */
interface FixBase {
  scheme: VersionScheme;
  version: string;
}

export class Matcher {
  readonly db: VulnDB;
  private readonly lookup: PackageLookup;
  private readonly advisories: AdvisoryCache;
  private readonly templates = new Map<PackageHits, FindingTemplate[]>();
  private readonly distroData = new Map<string, boolean>();
  /** lowestFixAll per statement set (no policy: every finding of the package counts). */
  private readonly fixCache = new Map<PackageHits, PackageFix['lowestFixAll'] | null>();

  constructor(db: VulnDB) {
    this.db = db;
    this.lookup = new PackageLookup(db);
    this.advisories = new AdvisoryCache(db);
  }

  private hasData = (k: DistroKey): boolean => {
    const key = `${k.family}\0${k.release}`;
    let v = this.distroData.get(key);
    if (v === undefined) {
      v = this.db.db.prepare('SELECT 1 FROM affected WHERE distro_family = ? AND distro_release = ? LIMIT 1').get(k.family, k.release) !== undefined;
      this.distroData.set(key, v);
    }
    return v;
  };

  private templatesFor(hits: PackageHits, os: boolean, opts: MatchOptions): FindingTemplate[] {
    if (hits.hits.length === 0) return [];
    if (opts.includeInformational) return buildTemplates(hits.hits, os, this.advisories, opts);
    let t = this.templates.get(hits);
    if (!t) {
      t = buildTemplates(hits.hits, os, this.advisories, opts);
      if (this.templates.size > 200_000) this.templates.clear();
      this.templates.set(hits, t);
    }
    return t;
  }

  match(inv: Inventory, opts: MatchOptions = {}): MatchResult {
    const warnings: string[] = [];
    const warn = (w: string) => {
      if (warnings.length < MAX_WARNINGS) warnings.push(w);
      else if (warnings.length === MAX_WARNINGS) warnings.push('more matching warnings left out');
    };
    const base = baseLayerCount(inv.image?.history ?? [], inv.layers?.length ?? 0).count;
    const osPackages = inv.packages.filter(isOsPackage);
    let target: DistroTarget | undefined;
    if (osPackages.length) {
      if (!inv.os) warn(`${osPackages.length} OS packages not matched: the operating system was not identified`);
      else {
        target = distroTarget(inv.os, inv.packages, this.hasData);
        if (!target) warn(`${osPackages.length} OS packages not matched: no advisory rule for ${inv.os.family} ${inv.os.version}`);
        else if (!target.keys.some(this.hasData)) warn(`no advisories in the database for ${target.label}: its ${osPackages.length} OS packages were not matched`);
      }
    }

    const vulnerabilities: VulnFinding[] = [];
    const fixBases = new Map<string, FixBase>();
    const hitsOf = new Map<string, PackageHits>();
    for (const p of inv.packages) {
      // Matched through the OS package that installed it: the distro's advisories know its
      // backports, the language advisories do not.
      if (p.ownedBy && !isOsPackage(p)) continue;
      if (!KNOWN_ECOSYSTEMS.has(p.ecosystem)) {
        warn(`${p.purl || p.name}: unknown ecosystem ${JSON.stringify(p.ecosystem)}, not matched`);
        continue;
      }
      if (!p.version) {
        warn(`${p.purl || p.name}: no version, not matched`);
        continue;
      }
      const os = isOsPackage(p);
      if (os && !target) continue;
      let hits: PackageHits;
      try {
        hits = os ? this.lookup.osHits(p, target!.keys) : this.lookup.langHits(p);
      } catch (e) {
        warn(`${p.purl || p.name}: not matched: ${(e as Error).message}`);
        continue;
      }
      if (hits.unknown.length) {
        const ids = [...new Set(hits.unknown.map((u) => u.id))];
        warn(`${p.purl || `${p.name}@${p.version}`}: version ${JSON.stringify(hits.unknown[0]!.version)} could not be compared with ${ids.length} advisories (${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', ...' : ''}) by the ${hits.scheme.name} scheme; those were not matched`);
      }
      const templates = this.templatesFor(hits, os, opts);
      if (templates.length === 0) continue;
      fixBases.set(p.id, { scheme: hits.scheme, version: hits.fixBase });
      hitsOf.set(p.id, hits);
      for (const t of templates) vulnerabilities.push(toFinding(t, p, base));
    }
    if (!opts.policy) return { vulnerabilities, fixes: this.cachedFixes(vulnerabilities, fixBases, hitsOf), warnings, suppressed: [] };
    const kept = applyPolicy(vulnerabilities, opts.policy);
    return { vulnerabilities: kept.vulnerabilities, fixes: computeFixes(kept.vulnerabilities, fixBases), warnings, suppressed: kept.suppressed };
  }

  /** Without a policy a package's fix depends only on its statements: computed once per statement set. */
  private cachedFixes(findings: VulnFinding[], bases: Map<string, FixBase>, hitsOf: Map<string, PackageHits>): PackageFix[] {
    const out: PackageFix[] = [];
    const done = new Set<string>();
    for (const f of findings) {
      if (done.has(f.packageId)) continue;
      done.add(f.packageId);
      const hits = hitsOf.get(f.packageId)!;
      let fix = this.fixCache.get(hits);
      if (fix === undefined) {
        fix = computeFixes(findings.filter((x) => x.packageId === f.packageId), bases)[0]?.lowestFixAll ?? null;
        if (this.fixCache.size > 200_000) this.fixCache.clear();
        this.fixCache.set(hits, fix);
      }
      out.push(fix ? { packageId: f.packageId, lowestFixAll: fix } : { packageId: f.packageId });
    }
    return out;
  }
}

function toFinding(t: FindingTemplate, p: Package, baseLayers: number): VulnFinding {
  const f: VulnFinding = {
    ...t,
    aliases: [...t.aliases],
    fixedVersions: [...t.fixedVersions],
    packageId: p.id,
    packageName: p.name,
    ecosystem: p.ecosystem,
    purl: p.purl,
    installedVersion: p.version,
    locations: p.locations,
  };
  if (p.layer) {
    f.layer = p.layer;
    f.inBaseImage = p.layer.index < baseLayers;
  }
  return f;
}

/**
 * The lowest version fixing every finding of each package. `bases` gives the scheme/version to
 * compare with; packages without one (findings built elsewhere) use their ecosystem's scheme.
 */
export function computeFixes(findings: VulnFinding[], bases: Map<string, FixBase> = new Map()): PackageFix[] {
  const byPkg = new Map<string, VulnFinding[]>();
  for (const f of findings) {
    const list = byPkg.get(f.packageId);
    if (list) list.push(f);
    else byPkg.set(f.packageId, [f]);
  }
  const out: PackageFix[] = [];
  for (const [packageId, list] of byPkg) {
    const base = bases.get(packageId);
    let fix: string | undefined;
    try {
      const scheme = base?.scheme ?? schemeFor(list[0]!.ecosystem);
      fix = lowestFixAll(scheme, list.map((f) => f.fixedVersions), base?.version ?? list[0]!.installedVersion);
    } catch {
      fix = undefined;
    }
    out.push(fix ? { packageId, lowestFixAll: fix } : { packageId });
  }
  return out;
}

const matchers = new WeakMap<VulnDB, Matcher>();

/** Matches one inventory; the database's Matcher (and its caches) is reused across calls. */
export function matchInventory(inv: Inventory, db: VulnDB, opts: MatchOptions = {}): MatchResult {
  let m = matchers.get(db);
  if (!m) {
    m = new Matcher(db);
    matchers.set(db, m);
  }
  return m.match(inv, opts);
}
