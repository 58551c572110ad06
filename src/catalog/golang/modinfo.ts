// Parses the module info text that `go version -m` prints: tab-separated lines
//   path  <main package path>
//   mod   <main module> <version> [<sum>]
//   dep   <module> <version> [<sum>]
//   =>    <replacement module or local dir> [<version> <sum>]   (replaces the line above)
//   build <key>=<value>    (value Go-quoted when it has spaces, quotes or control characters)
// Unknown lines are ignored so that newer toolchains do not break the parser.

export interface Module {
  path: string;
  version: string;
  sum?: string;
  replace?: Module;
}

export interface ModInfo {
  path?: string;
  main?: Module;
  deps: Module[];
  settings: Array<[string, string]>;
}

const MAX_LINES = 200_000;

export function parseModInfo(text: string): ModInfo {
  const info: ModInfo = { deps: [], settings: [] };
  let last: Module | undefined;
  const lines = text.split('\n', MAX_LINES);
  for (const line of lines) {
    const f = line.split('\t');
    switch (f[0]) {
      case 'path':
        info.path = f[1];
        last = undefined;
        break;
      case 'mod':
        info.main = mod(f);
        last = info.main;
        break;
      case 'dep': {
        const m = mod(f);
        if (m) info.deps.push(m);
        last = m;
        break;
      }
      case '=>':
        if (last && f[1]) last.replace = { path: f[1], version: f[2] ?? '', sum: f[3] || undefined };
        last = undefined;
        break;
      case 'build': {
        const kv = f.slice(1).join('\t');
        const [k, v] = splitSetting(kv);
        if (k) info.settings.push([k, v]);
        break;
      }
      default:
        last = undefined;
    }
  }
  return info;
}

function mod(f: string[]): Module | undefined {
  if (!f[1]) return undefined;
  return { path: f[1], version: f[2] ?? '', sum: f[3] || undefined };
}

/** `key=value` where either side may be a Go double-quoted string. */
function splitSetting(s: string): [string, string] {
  let key: string;
  let rest: string;
  if (s.startsWith('"')) {
    const q = quotedPrefix(s);
    if (q === undefined) return ['', ''];
    key = unquote(q);
    rest = s.slice(q.length);
  } else {
    const eq = s.indexOf('=');
    if (eq < 0) return [s, ''];
    key = s.slice(0, eq);
    rest = s.slice(eq);
  }
  if (!rest.startsWith('=')) return [key, ''];
  const v = rest.slice(1);
  return [key, v.startsWith('"') ? unquote(quotedPrefix(v) ?? v) : v];
}

/** The leading "..." of s, honouring backslash escapes; undefined when unterminated. */
function quotedPrefix(s: string): string | undefined {
  for (let i = 1; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '"') return s.slice(0, i + 1);
  }
  return undefined;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '\\': '\\', '"': '"', "'": "'" };

/** Go strconv.Unquote for double-quoted strings (what cmd/go writes); lenient on bad escapes. */
export function unquote(q: string): string {
  const body = q.startsWith('"') && q.endsWith('"') && q.length >= 2 ? q.slice(1, -1) : q;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\' || i + 1 >= body.length) {
      out += c;
      continue;
    }
    const e = body[++i]!;
    const hexLen = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (hexLen) {
      const h = body.slice(i + 1, i + 1 + hexLen);
      const n = /^[0-9a-fA-F]+$/.test(h) && h.length === hexLen ? parseInt(h, 16) : NaN;
      if (!Number.isNaN(n) && n <= 0x10ffff) {
        out += String.fromCodePoint(n);
        i += hexLen;
        continue;
      }
    } else if (/[0-7]/.test(e) && /^[0-7]{3}$/.test(body.slice(i, i + 3))) {
      out += String.fromCharCode(parseInt(body.slice(i, i + 3), 8));
      i += 2;
      continue;
    }
    out += ESCAPES[e] ?? e;
  }
  return out;
}

/** Splits a flags string the way cmd/go does for -ldflags: spaces separate, quotes group. */
export function splitFlags(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote = '';
  let has = false;
  for (const c of s) {
    if (quote) {
      if (c === quote) quote = '';
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      has = true;
    } else if (/\s/.test(c)) {
      if (has || cur) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
    }
  }
  if (has || cur) out.push(cur);
  return out;
}

/**
 * The version stamped with `-X <pkg>.version=...` (or `.Version`, `.ver`), which projects use
 * because `go build` of a checkout reports the main module as "(devel)". Only values that look
 * like versions count; the result always carries Go's "v" prefix.
 */
export function ldflagsVersion(ldflags: string): string | undefined {
  const args = splitFlags(ldflags);
  for (let i = 0; i < args.length; i++) {
    let a = args[i]!;
    let x: string | undefined;
    const m = /^--?X(=(.*))?$/.exec(a);
    if (m) x = m[2] ?? args[++i];
    if (x === undefined) continue;
    const eq = x.indexOf('=');
    if (eq < 0) continue;
    const key = x.slice(0, eq).toLowerCase();
    const val = x.slice(eq + 1).trim();
    if (!/\.(version|ver)$/.test(key)) continue;
    if (!/^v?\d+(\.\d+){0,2}([-+][0-9A-Za-z.+-]*)?$/.test(val)) continue;
    a = val.startsWith('v') ? val : `v${val}`;
    return a;
  }
  return undefined;
}

/**
 * Go toolchain version to the semver form vulnerability databases use for the standard library:
 * go1.22.1 -> v1.22.1, go1.20 -> v1.20.0, go1.21rc2 -> v1.21.0-rc.2. Experiments (" X:...") and
 * vendor suffixes are dropped; "devel" toolchains have no release version (undefined).
 */
export function stdlibVersion(goVersion: string): string | undefined {
  // Anything else after the number (go1.22-20231128-RC02, a vendor's dated build) is not a release.
  const m = /^go(\d+)\.(\d+)(?:\.(\d+))?(?:(beta|rc)(\d+))?(?:\s|$)/.exec(goVersion.trim());
  if (!m) return undefined;
  const pre = m[4] ? `-${m[4]}.${m[5]}` : '';
  return `v${m[1]}.${m[2]}.${m[3] ?? '0'}${pre}`;
}
