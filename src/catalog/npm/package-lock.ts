// package-lock.json (and npm-shrinkwrap.json): v1 nests `dependencies`, v2 carries both forms, v3 only
// the flat `packages` map keyed by install path. The flat map is preferred whenever it is present
// because it records the real name of aliased packages and the real version of git dependencies.
import type { FoundPackage } from '../cataloger.ts';
import { decodeText, isLocalRef, isRecord, keysOf, npmPackage, PackageSet, parseJSON, str } from './common.ts';
import { npmLicenses } from './installed.ts';

export interface LockOptions {
  includeDev?: boolean;
}

export interface LockResult {
  packages: FoundPackage[];
  warnings: string[];
}

const NM = 'node_modules/';

export function parsePackageLock(path: string, buf: Buffer, opts: LockOptions = {}): LockResult {
  const parsed = parseJSON(decodeText(buf));
  if (!parsed.ok) return { packages: [], warnings: [parsed.error] };
  const doc = parsed.value;
  if (!isRecord(doc)) return { packages: [], warnings: ['package-lock is not a JSON object'] };
  const set = new PackageSet();
  if (isRecord(doc.packages)) fromPackages(path, doc.packages, set, opts);
  else if (isRecord(doc.dependencies)) fromDependencies(path, doc.dependencies, set, opts, 0);
  return { packages: set.list(), warnings: [] };
}

function fromPackages(path: string, packages: Record<string, unknown>, set: PackageSet, opts: LockOptions): void {
  for (const [key, entry] of Object.entries(packages)) {
    if (!isRecord(entry)) continue;
    // '' is the project itself; paths without node_modules are workspace sources (the project's
    // own code), and `link` entries point at one of those.
    const nm = key.lastIndexOf(NM);
    if (nm < 0 || entry.link === true) continue;
    if (entry.dev === true && !opts.includeDev) continue;
    const version = str(entry.version);
    if (!version || isLocalRef(version)) continue;
    // An aliased install (`"x": "npm:y@1"`) lives under the alias but records the real name.
    const name = str(entry.name) ?? key.slice(nm + NM.length);
    if (!name) continue;
    set.add(
      npmPackage({
        name,
        version,
        location: path,
        // npm copies the manifest's licence, legacy array forms included.
        licenses: npmLicenses(entry),
        deps: [...keysOf(entry.dependencies), ...keysOf(entry.optionalDependencies)],
        metadata: entry.dev === true ? { dev: true } : undefined,
      }),
    );
  }
}

/** Lockfile v1: `{name: {version, dev, requires, dependencies: {...nested}}}`. */
function fromDependencies(path: string, deps: Record<string, unknown>, set: PackageSet, opts: LockOptions, depth: number): void {
  // Real lockfiles nest a handful of levels; the bound only stops hostile input from recursing forever.
  if (depth > 64) return;
  for (const [key, entry] of Object.entries(deps)) {
    if (!isRecord(entry)) continue;
    if (isRecord(entry.dependencies)) fromDependencies(path, entry.dependencies, set, opts, depth + 1);
    if (entry.dev === true && !opts.includeDev) continue;
    let version = str(entry.version);
    if (!version || isLocalRef(version)) continue;
    let name = key;
    // `"alias": {"version": "npm:real-name@1.2.3"}`
    if (version.startsWith('npm:')) {
      const spec = version.slice(4);
      const at = spec.lastIndexOf('@');
      if (at <= 0) continue;
      name = spec.slice(0, at);
      version = spec.slice(at + 1);
    }
    set.add(
      npmPackage({
        name,
        version,
        location: path,
        deps: keysOf(entry.requires),
        metadata: entry.dev === true ? { dev: true } : undefined,
      }),
    );
  }
}
