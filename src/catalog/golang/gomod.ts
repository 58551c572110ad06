// go.mod files: the modules a Go source tree requires. Since Go 1.17 a go.mod lists every module the
// build needs (indirect ones marked `// indirect`), so it is the whole dependency set of source
// trees shipped in images (toolchain sources, vendored projects, build stages left behind).
// `replace` directives are applied as the go command applies them: a module replaced by another
// module version is reported as that one; one replaced by a local directory has no upstream version
// and is left out. Before Go 1.17 a go.mod listed direct requirements only; for such a module the
// go.sum beside it stands in for the rest, as Trivy does: each module it names, at the highest
// version it has a checksum for (the version minimal version selection most likely picked).
import { posix } from 'node:path';
import type { Cataloger, FileContent, FileMeta, FileResult, FinalizeContext, FoundPackage } from '../cataloger.ts';
import { purl } from '../../purl/purl.ts';
import { schemeByName } from '../../version/index.ts';
import { decodeText } from '../text.ts';

const MAX_GOMOD = 4 * 1024 * 1024;

interface Requirement {
  path: string;
  version: string;
  indirect: boolean;
}

interface Replacement {
  from: string;
  fromVersion?: string;
  to: string;
  toVersion?: string;
}

export interface GoMod {
  module?: string;
  go?: string;
  requires: Requirement[];
  replaces: Replacement[];
}

/** Splits a go.mod line into tokens: quoted strings (Go syntax) and bare words. */
function tokens(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|`([^`]*)`|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? m[3]!));
  return out;
}

function isLocalPath(p: string): boolean {
  return p === '.' || p === '..' || /^\.{1,2}[/\\]/.test(p) || p.startsWith('/') || /^[A-Za-z]:[/\\]/.test(p);
}

export function parseGoMod(text: string, warnings: string[]): GoMod {
  const mod: GoMod = { requires: [], replaces: [] };
  let block: string | undefined;
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n]!;
    const c = raw.indexOf('//');
    const comment = c >= 0 ? raw.slice(c + 2).trim() : '';
    const line = (c >= 0 ? raw.slice(0, c) : raw).trim();
    if (!line) continue;
    let verb: string;
    let args: string[];
    if (block !== undefined) {
      if (line === ')') {
        block = undefined;
        continue;
      }
      verb = block;
      args = tokens(line);
    } else {
      const t = tokens(line);
      verb = t[0]!;
      args = t.slice(1);
      if (args.length === 1 && args[0] === '(') {
        block = verb;
        continue;
      }
    }
    switch (verb) {
      case 'module':
        mod.module = args[0];
        break;
      case 'go':
        mod.go = args[0];
        break;
      case 'require':
        if (args.length < 2 || !/^v\d/.test(args[1]!)) warnings.push(`line ${n + 1}: require needs a module and a vN.N.N version`);
        else mod.requires.push({ path: args[0]!, version: args[1]!, indirect: /(^|;)\s*indirect\b/.test(comment) });
        break;
      case 'replace': {
        const arrow = args.indexOf('=>');
        if (arrow < 1 || arrow > 2 || args.length < arrow + 2) {
          warnings.push(`line ${n + 1}: malformed replace`);
          break;
        }
        mod.replaces.push({ from: args[0]!, fromVersion: arrow === 2 ? args[1] : undefined, to: args[arrow + 1]!, toVersion: args[arrow + 2] });
        break;
      }
      default:
        // exclude, retract, toolchain, godebug, tool: nothing installed.
        break;
    }
  }
  return mod;
}

function goPurl(path: string, version: string): string {
  const i = path.lastIndexOf('/');
  const parts = { type: 'golang', namespace: i > 0 ? path.slice(0, i) : undefined, name: i > 0 ? path.slice(i + 1) : path };
  try {
    return purl({ ...parts, version });
  } catch {
    return purl(parts);
  }
}

/** The modules a go.mod requires, after its replace directives. */
export function goModPackages(location: string, mod: GoMod): FoundPackage[] {
  const out: FoundPackage[] = [];
  const seen = new Set<string>();
  for (const r of mod.requires) {
    // A versioned replace applies to that version only; an unversioned one to every version.
    const rep = mod.replaces.find((x) => x.from === r.path && x.fromVersion === r.version) ?? mod.replaces.find((x) => x.from === r.path && x.fromVersion === undefined);
    let path = r.path;
    let version = r.version;
    const metadata: Record<string, string | boolean> = {};
    if (rep) {
      if (isLocalPath(rep.to) || !rep.toVersion) continue;
      metadata.replaces = `${r.path}@${r.version}`;
      path = rep.to;
      version = rep.toVersion;
    }
    if (r.indirect) metadata.indirect = true;
    const key = `${path}@${version}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const p: FoundPackage = { name: path, version, ecosystem: 'golang', purl: goPurl(path, version), licenses: [], locations: [location] };
    if (Object.keys(metadata).length) p.metadata = metadata;
    out.push(p);
  }
  return out;
}

/** go.sum: module -> the highest version it records (a `/go.mod`-only line counts too). */
export function parseGoSum(text: string): Map<string, string> {
  const go = schemeByName('go');
  const best = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const [mod, ver] = line.trim().split(/\s+/);
    if (!mod || !ver) continue;
    const v = ver.replace(/\/go\.mod$/, '');
    if (!go.valid(v)) continue;
    const cur = best.get(mod);
    if (cur === undefined || go.compare(v, cur) > 0) best.set(mod, v);
  }
  return best;
}

/** `go 1.16` and older: go.mod lists direct requirements only. */
function before117(go: string | undefined): boolean {
  const m = go?.match(/^1\.(\d+)/);
  return m !== null && m !== undefined && Number(m[1]) < 17;
}

interface GoModData {
  mod?: GoMod;
  sum?: Map<string, string>;
}

export const goModCataloger: Cataloger = {
  name: 'gomod',
  ecosystems: ['golang'],
  wants(meta: FileMeta) {
    const base = meta.path.slice(meta.path.lastIndexOf('/') + 1);
    return base === 'go.mod' || base === 'go.sum' ? MAX_GOMOD : false;
  },
  async parse(meta: FileMeta, content: FileContent): Promise<FileResult> {
    const text = decodeText(await content.readAll());
    if (meta.path.endsWith('go.sum')) return { data: { sum: parseGoSum(text) } satisfies GoModData };
    const warnings: string[] = [];
    const mod = parseGoMod(text, warnings);
    const result: FileResult = { packages: goModPackages(meta.path, mod), data: { mod } satisfies GoModData };
    if (warnings.length) result.warnings = warnings.map((w) => `${meta.path}: ${w}`);
    return result;
  },
  finalize(ctx: FinalizeContext): FoundPackage[] {
    const sums = new Map<string, Map<string, string>>();
    for (const f of ctx.files) {
      const d = f.result.data as GoModData | undefined;
      if (d?.sum) sums.set(posix.dirname(f.meta.path), d.sum);
    }
    const out: FoundPackage[] = [];
    for (const f of ctx.files) {
      const d = f.result.data as GoModData | undefined;
      if (!d?.mod) continue;
      const direct = f.result.packages ?? [];
      out.push(...direct);
      const sum = sums.get(posix.dirname(f.meta.path));
      if (!sum || !before117(d.mod.go)) continue;
      const have = new Set([...d.mod.requires.map((r) => r.path), ...direct.map((p) => p.name)]);
      for (const [path, version] of sum) {
        if (have.has(path) || path === d.mod.module) continue;
        const i = path.lastIndexOf('/');
        let p: string;
        try {
          p = purl({ type: 'golang', namespace: i > 0 ? path.slice(0, i) : undefined, name: i > 0 ? path.slice(i + 1) : path, version });
        } catch {
          continue;
        }
        out.push({ name: path, version, ecosystem: 'golang', purl: p, licenses: [], locations: [posix.join(posix.dirname(f.meta.path), 'go.sum')], metadata: { indirect: true, fromGoSum: true } });
      }
    }
    return out;
  },
};
