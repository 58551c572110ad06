// yarn.lock: classic v1 (yarn's own indented format) and berry (v2+, YAML with __metadata).
// Both map "name@range" specifiers to a resolved entry. The lockfile does not record which
// dependencies are dev-only, so the parse keeps a small specifier graph that `finalize` walks from
// the project's package.json (the same join Trivy does).
import { parse as parseYaml } from 'yaml';
import type { FoundPackage } from '../cataloger.ts';
import { decodeText, isLocalRef, isRecord, npmPackage, PackageSet, splitNameAt, str } from './common.ts';

/** Plain data kept for finalize: specifier -> name@version, and name@version -> dependency name@versions. */
export interface YarnGraph {
  specs: Record<string, string>;
  edges: Record<string, string[]>;
}

export interface YarnResult {
  packages: FoundPackage[];
  graph: YarnGraph;
  warnings: string[];
}

interface Entry {
  specs: string[];
  name: string;
  version: string;
  deps: Array<[string, string]>;
}

export function parseYarnLock(path: string, buf: Buffer): YarnResult {
  const text = decodeText(buf);
  const warnings: string[] = [];
  let entries: Entry[];
  if (/^__metadata:/m.test(text)) {
    entries = berryEntries(text, warnings);
  } else {
    entries = classicEntries(text, warnings);
  }
  const graph: YarnGraph = { specs: Object.create(null), edges: Object.create(null) };
  for (const e of entries) for (const s of e.specs) graph.specs[s] = `${e.name}@${e.version}`;
  const set = new PackageSet();
  for (const e of entries) {
    const key = `${e.name}@${e.version}`;
    const targets: string[] = [];
    const names: string[] = [];
    for (const [dn, range] of e.deps) {
      const t = resolveSpec(graph, dn, range);
      if (t) targets.push(t);
      names.push(t ? t.slice(0, t.lastIndexOf('@')) : dn);
    }
    graph.edges[key] = [...new Set([...(graph.edges[key] ?? []), ...targets])];
    set.add(npmPackage({ name: e.name, version: e.version, location: path, deps: names }));
  }
  return { packages: set.list(), graph, warnings };
}

/** A dependency range as written in package.json or a lock entry, looked up among the specifiers. */
export function resolveSpec(graph: YarnGraph, name: string, range: string): string | undefined {
  return graph.specs[`${name}@${range}`] ?? graph.specs[`${name}@npm:${range}`];
}

/** Real package name of a specifier, following `alias@npm:real@range`. */
function realName(spec: string): string | undefined {
  const s = splitNameAt(spec);
  if (!s) return undefined;
  if (s.rest.startsWith('npm:')) {
    const inner = splitNameAt(s.rest.slice(4));
    if (inner) return inner.name;
  }
  return s.name;
}

function unquote(s: string): string {
  if (s.length >= 2 && s.startsWith('"') && s.endsWith('"')) {
    try {
      return JSON.parse(s) as string;
    } catch {
      return s.slice(1, -1);
    }
  }
  return s;
}

/** Splits a classic line body into its key and value: `key "value"`, `"key" value`, `key:`. */
function keyValue(body: string): [string, string] {
  let end: number;
  if (body.startsWith('"')) {
    end = 1;
    while (end < body.length && body[end] !== '"') end += body[end] === '\\' ? 2 : 1;
    end++;
  } else {
    end = 0;
    while (end < body.length && body[end] !== ' ' && body[end] !== ':') end++;
  }
  const key = unquote(body.slice(0, end));
  let rest = body.slice(end);
  if (rest.startsWith(':')) rest = rest.slice(1);
  return [key, unquote(rest.trim())];
}

function classicEntries(text: string, warnings: string[]): Entry[] {
  const out: Entry[] = [];
  let cur: (Entry & { local: boolean }) | undefined;
  let block: 'deps' | 'other' | undefined;
  const flush = () => {
    if (!cur) return;
    if (!cur.version) warnings.push(`yarn.lock entry ${cur.specs.join(', ')} has no version`);
    else if (!cur.local) out.push(cur);
    cur = undefined;
  };
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const indent = line.length - line.trimStart().length;
    const body = line.trim();
    if (indent === 0) {
      flush();
      block = undefined;
      if (!body.endsWith(':')) continue;
      const specs = body.slice(0, -1).split(/,\s*/).map((s) => unquote(s.trim())).filter(Boolean);
      const name = specs.length ? realName(specs[0]!) : undefined;
      if (!name) {
        warnings.push(`yarn.lock: cannot read entry header ${JSON.stringify(body.slice(0, 120))}`);
        continue;
      }
      // Local directories and tarballs are the project's own code, not published packages.
      const local = specs.every((s) => isLocalRef(splitNameAt(s)?.rest ?? ''));
      cur = { specs, name, version: '', deps: [], local };
    } else if (cur && indent <= 2) {
      const [k, v] = keyValue(body);
      block = undefined;
      if (k === 'version') cur.version = v;
      else if (k === 'dependencies' || k === 'optionalDependencies') block = 'deps';
      else if (v === '') block = 'other';
    } else if (cur && block === 'deps') {
      const [k, v] = keyValue(body);
      if (k && v) cur.deps.push([k, v]);
    }
  }
  flush();
  return out;
}

function berryEntries(text: string, warnings: string[]): Entry[] {
  let doc: unknown;
  try {
    // yaml's default alias budget stays on: lockfiles never use aliases, hostile files might.
    doc = parseYaml(text, { uniqueKeys: false });
  } catch (e) {
    warnings.push(`invalid yarn.lock YAML: ${(e as Error).message}`);
    return [];
  }
  if (!isRecord(doc)) return [];
  const out: Entry[] = [];
  for (const [key, value] of Object.entries(doc)) {
    if (key === '__metadata' || !isRecord(value)) continue;
    const resolution = str(value.resolution);
    const version = value.version === undefined || value.version === null ? undefined : String(value.version);
    if (!resolution || !version) continue;
    const res = splitNameAt(resolution);
    if (!res) continue;
    const protocol = res.rest.slice(0, res.rest.indexOf(':') + 1);
    if (protocol === 'workspace:' || isLocalRef(protocol)) continue;
    const deps: Array<[string, string]> = [];
    for (const field of ['dependencies', 'optionalDependencies']) {
      const d = value[field];
      if (isRecord(d)) for (const [dn, r] of Object.entries(d)) if (r !== null && r !== undefined) deps.push([dn, String(r)]);
    }
    const specs = key.split(/,\s*/).map((s) => s.trim()).filter(Boolean);
    out.push({ specs, name: res.name, version, deps });
  }
  return out;
}
