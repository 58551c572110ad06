// Helpers shared by the npm parsers: package construction (purl, scope), text decoding and the
// small path tests that decide which package.json files are installed packages.
import type { FoundPackage } from '../cataloger.ts';
import { purl } from '../../purl/purl.ts';

export interface NpmPackageInput {
  name: string;
  version: string;
  location: string;
  licenses?: string[];
  deps?: Iterable<string>;
  metadata?: Record<string, string | number | boolean | string[]>;
}

export function npmPackage(p: NpmPackageInput): FoundPackage {
  const slash = p.name.startsWith('@') ? p.name.indexOf('/') : -1;
  const namespace = slash > 0 ? p.name.slice(0, slash) : undefined;
  const bare = slash > 0 ? p.name.slice(slash + 1) : p.name;
  const out: FoundPackage = {
    name: p.name,
    version: p.version,
    ecosystem: 'npm',
    purl: purl({ type: 'npm', namespace, name: bare, version: p.version }),
    licenses: p.licenses ?? [],
    locations: [p.location],
  };
  if (namespace) out.namespace = namespace;
  const deps = p.deps ? [...new Set(p.deps)].sort() : [];
  if (deps.length) out.dependsOnNames = deps;
  if (p.metadata && Object.keys(p.metadata).length) out.metadata = p.metadata;
  return out;
}

/** UTF-8 text without a BOM (editors and some tools write one into JSON and YAML). */
export { decodeText } from '../text.ts';

export type ParseOutcome<T> = { ok: true; value: T } | { ok: false; error: string };

export function parseJSON(text: string): ParseOutcome<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, error: `invalid JSON: ${(e as Error).message}` };
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Keys of an object-valued field (dependencies maps), or nothing. */
export function keysOf(v: unknown): string[] {
  return isRecord(v) ? Object.keys(v) : [];
}

const NM = 'node_modules/';

/**
 * Length of the global module directory `path` starts with, or -1. Debian's node-* debs install
 * modules straight into node's global paths, without a node_modules folder:
 * usr/share/nodejs/<name>, usr/lib/nodejs/<name> and usr/lib/<triplet>/nodejs/<name> (arch-specific
 * modules). /usr/lib/node_modules and /usr/local/lib/node_modules are node_modules folders already.
 */
export function globalModulesRoot(path: string): number {
  if (path.startsWith('usr/share/nodejs/')) return 17;
  if (path.startsWith('usr/lib/nodejs/')) return 15;
  if (!path.startsWith('usr/lib/')) return -1;
  const j = path.indexOf('/', 8);
  const dash = path.indexOf('-', 8);
  // A multiarch triplet (x86_64-linux-gnu, i386-gnu ...): one segment with a '-'.
  if (j <= 8 || dash < 0 || dash > j || !path.startsWith('/nodejs/', j)) return -1;
  return j + 8;
}

/**
 * `<name>` or `@scope/<name>` where <name> does not start with '.' (that excludes .bin, .pnpm's own
 * bookkeeping and the like). A bare '@scope' directory is a namespace, never a package.
 */
function isModuleDir(rest: string): boolean {
  if (rest === '' || rest.charCodeAt(0) === 46 /* '.' */) return false;
  const slash = rest.indexOf('/');
  if (slash < 0) return rest.charCodeAt(0) !== 64 /* '@' */;
  return rest.charCodeAt(0) === 64 /* '@' */ && slash > 1 && slash < rest.length - 1 && rest.indexOf('/', slash + 1) < 0;
}

/**
 * True for `<...>/node_modules/<name>/package.json` and `<...>/node_modules/@scope/<name>/package.json`,
 * and for the same directly below a global module directory (globalModulesRoot: Debian's
 * usr/share/nodejs/<name>/package.json); other package.json files inside a module (test fixtures,
 * sub-packages) are not packages. Only indexOf/slice: it runs for every file of every layer.
 */
export function isInstalledManifest(path: string): boolean {
  if (!path.endsWith('/package.json')) return false;
  const end = path.length - '/package.json'.length;
  const i = path.lastIndexOf(NM);
  if (i >= 0 && (i === 0 || path.charCodeAt(i - 1) === 47 /* '/' */)) return isModuleDir(path.slice(i + NM.length, end));
  const g = globalModulesRoot(path);
  return g >= 0 && g <= end && isModuleDir(path.slice(g, end));
}

/** True when any path segment is node_modules (lockfiles shipped inside installed packages). */
export function insideNodeModules(path: string): boolean {
  return path.startsWith(NM) || path.includes('/' + NM);
}

/** True for files inside installed packages: below a node_modules folder or a global module directory. */
export function insideInstalledPackage(path: string): boolean {
  return insideNodeModules(path) || globalModulesRoot(path) >= 0;
}

/**
 * The project directory an installed package belongs to: everything before the first node_modules;
 * for a module in a global module directory (no node_modules above it) its own directory, so
 * copies of one name@version in different debs stay separate.
 */
export function projectRoot(path: string): string {
  if (path.startsWith(NM)) return '';
  const i = path.indexOf('/' + NM);
  return i < 0 ? dirOf(path) : path.slice(0, i);
}

export function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

export function baseOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Splits `name@range` / `@scope/name@range` at the '@' that ends the name. */
export function splitNameAt(spec: string): { name: string; rest: string } | undefined {
  const at = spec.indexOf('@', 1);
  if (at <= 0) return undefined;
  return { name: spec.slice(0, at), rest: spec.slice(at + 1) };
}

/** Lockfile versions that name local code rather than a published package. */
export function isLocalRef(v: string): boolean {
  return v.startsWith('file:') || v.startsWith('link:') || v.startsWith('workspace:') || v.startsWith('portal:');
}

/**
 * Packages that only dev roots reach: everything reachable from `devRoots` minus everything
 * reachable from `prodRoots`. Packages reachable from neither stay (better a false positive than a
 * hidden dependency when the graph is incomplete).
 */
export function devOnly(prodRoots: string[], devRoots: string[], edges: (key: string) => string[]): Set<string> {
  const walk = (roots: string[]) => {
    const seen = new Set<string>();
    const stack = [...roots];
    while (stack.length) {
      const k = stack.pop()!;
      if (seen.has(k)) continue;
      seen.add(k);
      for (const n of edges(k)) if (!seen.has(n)) stack.push(n);
    }
    return seen;
  };
  const prod = walk(prodRoots);
  const dev = walk(devRoots);
  for (const k of prod) dev.delete(k);
  return dev;
}

/** Merges packages with the same name@version (one lockfile lists a version under several specifiers). */
export class PackageSet {
  private readonly byKey = new Map<string, FoundPackage>();
  add(p: FoundPackage): void {
    const key = `${p.name}@${p.version}`;
    const had = this.byKey.get(key);
    if (!had) {
      this.byKey.set(key, p);
      return;
    }
    if (p.dependsOnNames) had.dependsOnNames = [...new Set([...(had.dependsOnNames ?? []), ...p.dependsOnNames])].sort();
    if (!had.licenses.length && p.licenses.length) had.licenses = p.licenses;
  }
  list(): FoundPackage[] {
    return [...this.byKey.values()];
  }
}
