// Python lockfiles: requirements.txt (pinned `==` lines only), Pipfile.lock, poetry.lock, uv.lock.
// Used only for projects without installed metadata (see index.ts). Dev packages are left out by
// default: Pipfile.lock's `develop` section, poetry's dev category/groups and packages only uv's
// dev-dependencies pull in.
import type { FoundPackage } from '../cataloger.ts';
import { normalizeName, pypiPackage } from './metadata.ts';
import { parseToml } from './toml.ts';

export interface LockOptions {
  includeDev?: boolean;
}

export interface LockResult {
  packages: FoundPackage[];
  warnings: string[];
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** UTF-8 or UTF-16 (pip reads BOM-marked UTF-16 requirement files; Windows tools write them). */
export function decodeText(buf: Buffer): string {
  if (buf[0] === 0xff && buf[1] === 0xfe) return buf.subarray(2).toString('utf16le');
  if (buf[0] === 0xfe && buf[1] === 0xff) {
    const swapped = Buffer.from(buf.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  const s = buf.toString('utf8');
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}

function dedupe(pkgs: FoundPackage[]): FoundPackage[] {
  const seen = new Map<string, FoundPackage>();
  for (const p of pkgs) {
    const key = `${normalizeName(p.name)}@${p.version}`;
    if (!seen.has(key)) seen.set(key, p);
  }
  return [...seen.values()];
}

const REQ = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*===?\s*([A-Za-z0-9][A-Za-z0-9.!+_-]*)\s*$/;

export function parseRequirements(path: string, buf: Buffer): LockResult {
  // Continuations first, then comments (that is pip's order: a '#' ends the joined line).
  const joined = decodeText(buf).replace(/\r\n/g, '\n').replace(/\\\n/g, '');
  const pkgs: FoundPackage[] = [];
  for (let line of joined.split('\n')) {
    const hash = line.search(/(^|\s)#/);
    if (hash >= 0) line = line.slice(0, hash);
    line = line.trim();
    if (!line || line.startsWith('-')) continue;
    // Per-requirement options (--hash=...) and environment markers follow the requirement.
    const opt = line.search(/\s--?[a-z]/);
    if (opt >= 0) line = line.slice(0, opt);
    const semi = line.indexOf(';');
    if (semi >= 0) line = line.slice(0, semi);
    const m = REQ.exec(line.trim());
    if (m) pkgs.push(pypiPackage(m[1]!, m[2]!, path));
  }
  return { packages: dedupe(pkgs), warnings: [] };
}

export function parsePipfileLock(path: string, buf: Buffer, opts: LockOptions = {}): LockResult {
  let doc: unknown;
  try {
    doc = JSON.parse(decodeText(buf));
  } catch (e) {
    return { packages: [], warnings: [`invalid JSON: ${(e as Error).message}`] };
  }
  if (!isRec(doc)) return { packages: [], warnings: ['Pipfile.lock is not a JSON object'] };
  const pkgs: FoundPackage[] = [];
  for (const section of opts.includeDev ? ['default', 'develop'] : ['default']) {
    const deps = doc[section];
    if (!isRec(deps)) continue;
    for (const [name, entry] of Object.entries(deps)) {
      const v = isRec(entry) ? str(entry.version) : undefined;
      // Unpinned entries (git/path/editable sources) have no version to report.
      if (!v) continue;
      pkgs.push(pypiPackage(name, v.replace(/^===?/, ''), path));
    }
  }
  return { packages: dedupe(pkgs), warnings: [] };
}

function toml(buf: Buffer): { doc?: Rec; warning?: string } {
  try {
    return { doc: parseToml(decodeText(buf)) };
  } catch (e) {
    return { warning: `invalid TOML: ${(e as Error).message}` };
  }
}

export function parsePoetryLock(path: string, buf: Buffer, opts: LockOptions = {}): LockResult {
  const { doc, warning } = toml(buf);
  if (!doc) return { packages: [], warnings: [warning!] };
  const pkgs: FoundPackage[] = [];
  for (const p of Array.isArray(doc.package) ? doc.package : []) {
    if (!isRec(p)) continue;
    const name = str(p.name);
    const version = str(p.version);
    if (!name || !version) continue;
    // poetry < 1.2 writes `category = "dev"`; poetry 2 lists the groups that need the package.
    const dev = p.category === 'dev' || (Array.isArray(p.groups) && p.groups.length > 0 && !p.groups.includes('main'));
    if (dev && !opts.includeDev) continue;
    pkgs.push(pypiPackage(name, version, path, [], isRec(p.dependencies) ? Object.keys(p.dependencies) : []));
  }
  return { packages: dedupe(pkgs), warnings: [] };
}

export function parseUvLock(path: string, buf: Buffer, opts: LockOptions = {}): LockResult {
  const { doc, warning } = toml(buf);
  if (!doc) return { packages: [], warnings: [warning!] };
  interface Node {
    name: string;
    version: string;
    root: boolean;
    deps: Rec[];
    devDeps: Rec[];
  }
  const nodes: Node[] = [];
  const depList = (v: unknown): Rec[] => (Array.isArray(v) ? v.filter(isRec) : []);
  const groups = (v: unknown): Rec[] => (isRec(v) ? Object.values(v).flatMap(depList) : []);
  for (const p of Array.isArray(doc.package) ? doc.package : []) {
    if (!isRec(p)) continue;
    const name = str(p.name);
    if (!name) continue;
    const source = isRec(p.source) ? p.source : {};
    // Workspace members (the project itself) are `virtual` or `editable` sources.
    const root = 'virtual' in source || 'editable' in source;
    const version = str(p.version) ?? '';
    nodes.push({ name, version, root, deps: [...depList(p.dependencies), ...groups(p['optional-dependencies'])], devDeps: groups(p['dev-dependencies']) });
    if (root) nodes[nodes.length - 1]!.deps = depList(p.dependencies);
  }
  const byName = new Map<string, Node[]>();
  for (const n of nodes) {
    const k = normalizeName(n.name);
    byName.set(k, [...(byName.get(k) ?? []), n]);
  }
  const targets = (d: Rec): Node[] => {
    const cands = byName.get(normalizeName(String(d.name ?? ''))) ?? [];
    const v = str(d.version);
    return v ? cands.filter((c) => c.version === v) : cands;
  };
  const reach = (start: Node[]): Set<Node> => {
    const seen = new Set<Node>();
    const stack = [...start];
    while (stack.length) {
      const n = stack.pop()!;
      if (seen.has(n)) continue;
      seen.add(n);
      for (const d of n.deps) stack.push(...targets(d));
    }
    return seen;
  };
  const roots = nodes.filter((n) => n.root);
  const prod = reach(roots.flatMap((r) => r.deps.flatMap(targets)));
  const devOnly = reach(roots.flatMap((r) => r.devDeps.flatMap(targets)));
  for (const n of prod) devOnly.delete(n);
  const pkgs: FoundPackage[] = [];
  for (const n of nodes) {
    if (n.root || !n.version) continue;
    if (devOnly.has(n) && !opts.includeDev) continue;
    pkgs.push(pypiPackage(n.name, n.version, path, [], n.deps.map((d) => String(d.name ?? '')).filter(Boolean)));
  }
  return { packages: dedupe(pkgs), warnings: [] };
}
