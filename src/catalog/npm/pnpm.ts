// pnpm-lock.yaml, lockfile versions 5.x, 6.x and 9.x. Keys changed shape between them:
//   v5  /name/1.0.0_peer@2.0.0     /@scope/name/1.0.0     registry.example/name/1.0.0
//   v6  /name@1.0.0(peer@2.0.0)    /@scope/name@1.0.0
//   v9  name@1.0.0                 (peers only in the separate `snapshots` map)
// v5/v6 flag dev packages per entry; v9 does not, so dev-only packages are found by walking the
// snapshot graph from the importers' dependency lists.
import { parseAllDocuments } from 'yaml';
import type { FoundPackage } from '../cataloger.ts';
import { decodeText, devOnly, isLocalRef, isRecord, npmPackage, PackageSet, splitNameAt, str } from './common.ts';

export interface PnpmOptions {
  includeDev?: boolean;
}

export interface PnpmResult {
  packages: FoundPackage[];
  warnings: string[];
}

/** Strips the peer-dependency suffix pnpm appends to a resolved version or key. */
function stripPeers(s: string, major: number): string {
  const paren = s.indexOf('(');
  if (paren > 0) s = s.slice(0, paren);
  if (major < 6) {
    const us = s.indexOf('_');
    if (us > 0) s = s.slice(0, us);
  }
  return s;
}

/** Name and version (or other reference) from a packages/snapshots key. */
export function splitPnpmKey(key: string, major: number): { name: string; ref: string } | undefined {
  let k = key;
  if (major < 6) {
    // v5: '/name/version', or 'host/name/version' for packages from another registry.
    if (k.startsWith('/')) k = k.slice(1);
    else {
      const slash = k.indexOf('/');
      if (slash < 0 || !k.slice(0, slash).includes('.')) return undefined;
      k = k.slice(slash + 1);
    }
    k = stripPeers(k, major);
    const last = k.lastIndexOf('/');
    if (last <= 0) return undefined;
    const name = k.slice(0, last);
    if (name.startsWith('@') ? name.split('/').length !== 2 : name.includes('/')) return undefined;
    return { name, ref: k.slice(last + 1) };
  }
  if (k.startsWith('/')) k = k.slice(1);
  const s = splitNameAt(stripPeers(k, major));
  return s ? { name: s.name, ref: s.rest } : undefined;
}

function lockMajor(v: unknown): number {
  const n = Number.parseFloat(String(v ?? ''));
  return Number.isFinite(n) ? Math.floor(n) : 0;
}

const looksLikeVersion = (v: string) => /^\d/.test(v);

export function parsePnpmLock(path: string, buf: Buffer, opts: PnpmOptions = {}): PnpmResult {
  const warnings: string[] = [];
  const set = new PackageSet();
  let docs;
  try {
    docs = parseAllDocuments(decodeText(buf), { uniqueKeys: false });
  } catch (e) {
    return { packages: [], warnings: [`invalid pnpm-lock.yaml: ${(e as Error).message}`] };
  }
  for (const d of Array.isArray(docs) ? docs : [docs]) {
    if (d.errors.length) {
      warnings.push(`invalid pnpm-lock.yaml: ${d.errors[0]!.message}`);
      continue;
    }
    // Lockfiles never use YAML aliases; yaml's default alias budget stops "billion laughs" input.
    let doc: unknown;
    try {
      doc = d.toJS();
    } catch (e) {
      warnings.push(`invalid pnpm-lock.yaml: ${(e as Error).message}`);
      continue;
    }
    if (isRecord(doc)) fromDocument(path, doc, set, opts);
    else if (doc !== null && doc !== undefined) warnings.push('pnpm-lock.yaml is not a YAML mapping');
  }
  return { packages: set.list(), warnings };
}

function fromDocument(path: string, doc: Record<string, unknown>, set: PackageSet, opts: PnpmOptions): void {
  const major = lockMajor(doc.lockfileVersion);
  const packages = isRecord(doc.packages) ? doc.packages : {};
  const snapshots = isRecord(doc.snapshots) ? doc.snapshots : undefined;
  const excluded = major >= 9 && !opts.includeDev ? v9DevOnly(doc, snapshots ?? {}, major) : new Set<string>();
  for (const [key, value] of Object.entries(packages)) {
    const entry = isRecord(value) ? value : {};
    if (major < 9 && entry.dev === true && !opts.includeDev) continue;
    const split = splitPnpmKey(key, major);
    // Tarball and git entries carry the real name/version as fields.
    const name = str(entry.name) ?? split?.name;
    let version = entry.version !== undefined ? String(entry.version) : split?.ref;
    if (!name || !version) continue;
    // Local directories are the project's own code, not published packages.
    if (isRecord(entry.resolution) && entry.resolution.type === 'directory') continue;
    if (isLocalRef(version) || !looksLikeVersion(version)) {
      if (!entry.version) continue;
      version = String(entry.version);
    }
    const nodeKey = split ? `${split.name}@${split.ref}` : key;
    if (excluded.has(nodeKey)) continue;
    const snap = snapshotFor(snapshots, key, major);
    const deps = [...depNames(entry), ...(snap ? depNames(snap) : [])];
    set.add(npmPackage({ name, version, location: path, deps }));
  }
}

function depNames(entry: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const f of ['dependencies', 'optionalDependencies']) if (isRecord(entry[f])) out.push(...Object.keys(entry[f]));
  return out;
}

function snapshotFor(snapshots: Record<string, unknown> | undefined, key: string, major: number): Record<string, unknown> | undefined {
  if (!snapshots || major < 9) return undefined;
  const s = snapshots[key];
  return isRecord(s) ? s : undefined;
}

/**
 * v9: packages reached only through devDependencies (or the package manager's own
 * packageManagerDependencies/configDependencies) of the importers. Graph nodes are
 * `name@ref` with peer suffixes stripped, matching the `packages` keys.
 */
function v9DevOnly(doc: Record<string, unknown>, snapshots: Record<string, unknown>, major: number): Set<string> {
  const node = (name: string, ver: string): string | undefined => {
    if (ver.startsWith('link:')) return undefined;
    const v = stripPeers(ver, major);
    // Aliases resolve to 'real-name@version'.
    const alias = v.includes(':') ? undefined : splitNameAt(v);
    return alias ? `${alias.name}@${alias.rest}` : `${name}@${v}`;
  };
  const edges = new Map<string, string[]>();
  for (const [key, value] of Object.entries(snapshots)) {
    const split = splitPnpmKey(key, major);
    if (!split || !isRecord(value)) continue;
    const from = `${split.name}@${split.ref}`;
    const list = edges.get(from) ?? [];
    for (const f of ['dependencies', 'optionalDependencies']) {
      const deps = value[f];
      if (!isRecord(deps)) continue;
      for (const [dn, dv] of Object.entries(deps)) {
        const n = node(dn, String(dv));
        if (n) list.push(n);
      }
    }
    edges.set(from, list);
  }
  const prod: string[] = [];
  const dev: string[] = [];
  const importers = isRecord(doc.importers) ? Object.values(doc.importers) : [];
  for (const imp of importers) {
    if (!isRecord(imp)) continue;
    for (const [field, into] of [
      ['dependencies', prod],
      ['optionalDependencies', prod],
      ['devDependencies', dev],
      ['packageManagerDependencies', dev],
      ['configDependencies', dev],
    ] as const) {
      const deps = imp[field];
      if (!isRecord(deps)) continue;
      for (const [dn, spec] of Object.entries(deps)) {
        const ver = isRecord(spec) ? spec.version : spec;
        const n = ver === undefined || ver === null ? undefined : node(dn, String(ver));
        if (n) into.push(n);
      }
    }
  }
  return devOnly(prod, dev, (k) => edges.get(k) ?? []);
}
