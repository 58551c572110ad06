// Installed gem specifications (`specifications/*.gemspec`) are Ruby code written by RubyGems
// (`Gem::Specification.new do |s| s.name = "rake".freeze ...`). They are read with regexes over the
// attribute assignments, never evaluated. Literals appear as "x", 'x', %q{x}, %q<x>, %q(x), with
// or without `.freeze`.
import type { FoundPackage } from '../cataloger.ts';
import { purl } from '../../purl/purl.ts';

export function gemPackage(name: string, version: string, location: string, licenses: string[] = [], deps: string[] = [], platform?: string): FoundPackage {
  const p: FoundPackage = {
    name,
    version,
    ecosystem: 'gem',
    purl: purl({ type: 'gem', name, version }),
    licenses,
    locations: [location],
  };
  const d = [...new Set(deps)].sort();
  if (d.length) p.dependsOnNames = d;
  // Platform gems (nokogiri x86_64-linux) are the same release for vulnerability purposes; the
  // platform is kept as a fact rather than a purl qualifier so that matching stays by name@version.
  if (platform && platform !== 'ruby') p.metadata = { platform };
  return p;
}

/** One Ruby string literal at the start of `s` (after optional spaces): its value and length. */
export function rubyString(s: string): string | undefined {
  const t = s.trimStart();
  const q = t[0];
  if (q === '"' || q === "'") {
    let out = '';
    for (let i = 1; i < t.length; i++) {
      const c = t[i]!;
      if (c === q) return out;
      if (c === '\\' && i + 1 < t.length) {
        const n = t[++i]!;
        out += q === "'" ? (n === "'" || n === '\\' ? n : '\\' + n) : n === 'n' ? '\n' : n === 't' ? '\t' : n;
        continue;
      }
      out += c;
    }
    return undefined;
  }
  if (q === '%' && (t[1] === 'q' || t[1] === 'Q')) {
    const end = percentEnd(t);
    return end < 0 ? undefined : t.slice(3, end);
  }
  return undefined;
}

/** Index of the closing delimiter of a `%q{...}`-style literal starting at t[0], or -1. */
function percentEnd(t: string): number {
  const open = t[2];
  if (!open) return -1;
  const close = open === '{' ? '}' : open === '<' ? '>' : open === '(' ? ')' : open === '[' ? ']' : open;
  return t.indexOf(close, 3);
}

/** Every string literal in an array literal `["a".freeze, 'b']` or `%w[a b]`, or a single literal. */
export function rubyStrings(s: string): string[] {
  const t = s.trimStart();
  const w = /^%w([[({<])/.exec(t);
  if (w) {
    const close = { '[': ']', '(': ')', '{': '}', '<': '>' }[w[1] as '[']!;
    const end = t.indexOf(close, 3);
    return end < 0 ? [] : t.slice(3, end).split(/\s+/).filter(Boolean);
  }
  if (t[0] !== '[') {
    const one = rubyString(t);
    return one === undefined ? [] : [one];
  }
  const out: string[] = [];
  let rest = t.slice(1);
  for (;;) {
    rest = rest.trimStart();
    if (!rest || rest[0] === ']') return out;
    const v = rubyString(rest);
    if (v === undefined) return out;
    out.push(v);
    // Skip past this literal and up to the next comma or the closing bracket.
    const lit = rest.trimStart();
    const len = lit[0] === '%' ? percentEnd(lit) + 1 : skipQuoted(lit);
    rest = lit.slice(len);
    const comma = rest.search(/[,\]]/);
    if (comma < 0 || rest[comma] === ']') return out;
    rest = rest.slice(comma + 1);
  }
}

function skipQuoted(t: string): number {
  const q = t[0]!;
  for (let i = 1; i < t.length; i++) {
    if (t[i] === '\\') i++;
    else if (t[i] === q) return i + 1;
  }
  return t.length;
}

export interface GemspecResult {
  pkg?: FoundPackage;
  warning?: string;
}

export function parseGemspec(path: string, text: string): GemspecResult {
  // The block variable (`|s|`, `|spec|`) names the receiver of every attribute; other receivers
  // are not the specification being built.
  const block = /Gem::Specification\.new\b[^\n|]*\|\s*(\w+)\s*\|/.exec(text);
  const recv = block ? block[1]! : '\\w+';
  const attr = (name: string): string | undefined => {
    const m = new RegExp(`^[ \\t]*${recv}\\.${name}[ \\t]*=(?!=)([^\\n]*)`, 'm').exec(text);
    return m ? m[1] : undefined;
  };
  const nameExpr = attr('name');
  const versionExpr = attr('version');
  const name = nameExpr === undefined ? undefined : rubyString(nameExpr);
  const version = versionExpr === undefined ? undefined : (rubyString(versionExpr) ?? /Gem::Version\.new\(\s*(["'][^"']*["'])/.exec(versionExpr)?.[1]?.slice(1, -1));
  if (!name || !version) return { warning: `gemspec without a readable ${name ? 'version' : 'name'}` };
  const licenses: string[] = [];
  const lics = attr('licenses');
  if (lics !== undefined) licenses.push(...rubyStrings(lics));
  const lic = attr('license');
  if (!licenses.length && lic !== undefined) licenses.push(...rubyStrings(lic));
  const platformExpr = attr('platform');
  const platform = platformExpr === undefined ? undefined : rubyString(platformExpr);
  const deps: string[] = [];
  // Development dependencies are not installed with the gem. Older RubyGems wrote an
  // `if respond_to? :add_runtime_dependency ... else add_dependency(every dependency) end` pair, so
  // plain add_dependency only counts when the runtime/development split is absent.
  const split = new RegExp(`^[ \\t]*${recv}\\.add_(?:runtime|development)_dependency\\b`, 'm').test(text);
  const depRe = new RegExp(`^[ \\t]*${recv}\\.add_${split ? 'runtime_' : ''}dependency[ \\t(]+([^\\n]*)`, 'gm');
  for (const m of text.matchAll(depRe)) {
    const d = rubyString(m[1]!);
    if (d) deps.push(d);
  }
  return { pkg: gemPackage(name, version, path, [...new Set(licenses.filter(Boolean))], deps, platform) };
}
