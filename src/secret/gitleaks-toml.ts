// Reads gitleaks configuration files (TOML) into Triad's rule-file model, so users can point
// `--secret-config` at an existing gitleaks.toml, and so the shipped default rules can be
// regenerated from gitleaks' own config (src/secret/rules/import-gitleaks.ts).
//
// Only the TOML that gitleaks configs use is understood: `key = value` with basic/literal strings
// ('...', "...", '''...''', """..."""), numbers, booleans, arrays of those (multi-line, trailing
// commas), comments, `[table]` and `[[array.of.tables]]` headers. Anything else is an error naming
// the line; nothing is guessed.
import type { AllowlistSpec, RuleFile, RuleSpec } from './types.ts';

type Value = string | number | boolean | Value[];
type Table = Record<string, unknown>;

export function parseTomlSubset(text: string, name = 'TOML'): Table {
  const root: Table = {};
  let cur: Table = root;
  let i = 0;
  let line = 1;
  const fail = (msg: string): never => {
    throw new Error(`${name}:${line}: ${msg}`);
  };
  const skipWs = (newlines: boolean) => {
    for (;;) {
      const c = text[i];
      if (c === ' ' || c === '\t' || c === '\r') i++;
      else if (c === '\n' && newlines) i++, line++;
      else if (c === '#') while (i < text.length && text[i] !== '\n') i++;
      else return;
    }
  };
  const readKey = (): string => {
    const m = /^[A-Za-z0-9_.-]+/.exec(text.slice(i, i + 200));
    if (!m) fail('expected a key');
    i += m![0].length;
    return m![0];
  };
  const readString = (): string => {
    for (const q of ["'''", '"""']) {
      if (text.startsWith(q, i)) {
        i += 3;
        if (text[i] === '\n') i++, line++;
        const end = text.indexOf(q, i);
        if (end < 0) fail('unterminated multi-line string');
        let s = text.slice(i, end);
        line += s.split('\n').length - 1;
        i = end + 3;
        if (q === '"""') s = unescapeBasic(s, fail);
        return s;
      }
    }
    const q = text[i]!;
    i++;
    let s = '';
    while (i < text.length && text[i] !== q) {
      if (text[i] === '\n') fail('newline in string');
      if (q === '"' && text[i] === '\\') s += text[i]! + text[i + 1]!, (i += 2);
      else s += text[i++];
    }
    if (text[i] !== q) fail('unterminated string');
    i++;
    return q === '"' ? unescapeBasic(s, fail) : s;
  };
  const readValue = (depth: number): Value => {
    if (depth > 8) fail('arrays nested too deeply');
    const c = text[i];
    if (c === "'" || c === '"') return readString();
    if (c === '[') {
      i++;
      const arr: Value[] = [];
      for (;;) {
        skipWs(true);
        if (text[i] === ']') {
          i++;
          return arr;
        }
        arr.push(readValue(depth + 1));
        skipWs(true);
        if (text[i] === ',') i++;
        else if (text[i] !== ']') fail('expected , or ] in array');
      }
    }
    const m = /^(true|false|[+-]?\d+(\.\d+)?)/.exec(text.slice(i, i + 40));
    if (!m) return fail('unsupported value');
    i += m![0].length;
    return m![1] === 'true' ? true : m![1] === 'false' ? false : Number(m![1]);
  };
  const tableAt = (path: string[], arrayOfTables: boolean): Table => {
    let t: Table = root;
    path.forEach((k, idx) => {
      const last = idx === path.length - 1;
      let v = t[k];
      if (last && arrayOfTables) {
        if (v === undefined) t[k] = v = [];
        if (!Array.isArray(v)) fail(`${k} is not an array of tables`);
        const nt: Table = {};
        (v as Table[]).push(nt);
        t = nt;
        return;
      }
      if (v === undefined) t[k] = v = {};
      if (Array.isArray(v)) v = v[v.length - 1];
      if (typeof v !== 'object' || v === null) fail(`${k} is not a table`);
      t = v as Table;
    });
    return t;
  };
  for (;;) {
    skipWs(true);
    if (i >= text.length) return root;
    if (text[i] === '[') {
      const aot = text[i + 1] === '[';
      i += aot ? 2 : 1;
      const key = readKey();
      if (!text.startsWith(aot ? ']]' : ']', i)) fail('bad table header');
      i += aot ? 2 : 1;
      cur = tableAt(key.split('.'), aot);
      continue;
    }
    const key = readKey();
    skipWs(false);
    if (text[i] !== '=') fail('expected =');
    i++;
    skipWs(false);
    if (key in cur) fail(`duplicate key ${key}`);
    cur[key] = readValue(0);
    skipWs(false);
    if (i < text.length && text[i] !== '\n') fail('expected end of line');
  }
}

function unescapeBasic(s: string, fail: (m: string) => never): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/gs, (_, e: string) => {
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', b: '\b', f: '\f' };
    if (e in simple) return simple[e]!;
    if (e[0] === 'u' || e[0] === 'U') return String.fromCodePoint(parseInt(e.slice(1), 16));
    return fail(`invalid escape \\${e}`);
  });
}

const strs = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined);

function allowlistFrom(t: Table): AllowlistSpec {
  const a: AllowlistSpec = {};
  if (typeof t.description === 'string') a.description = t.description;
  if (typeof t.condition === 'string') a.condition = t.condition.toLowerCase() === 'and' ? 'and' : 'or';
  if (t.regexTarget === 'match' || t.regexTarget === 'line') a.target = t.regexTarget;
  if (strs(t.paths)?.length) a.paths = strs(t.paths);
  if (strs(t.regexes)?.length) a.regexes = strs(t.regexes);
  if (strs(t.stopwords)?.length) a.stopwords = strs(t.stopwords);
  return a;
}

/** gitleaks config (parsed TOML) -> Triad rule file. `[extend]` is not followed (reported). */
export function gitleaksToRuleFile(t: Table, name: string): RuleFile {
  if (t.extend) throw new Error(`${name}: gitleaks [extend] is not supported; list the rules in one file`);
  const out: RuleFile = { rules: [] };
  const globals: AllowlistSpec[] = [];
  if (t.allowlist && typeof t.allowlist === 'object') globals.push(allowlistFrom(t.allowlist as Table));
  for (const a of (Array.isArray(t.allowlists) ? t.allowlists : []) as Table[]) globals.push(allowlistFrom(a));
  if (globals.length) out.allowlists = globals;
  for (const r of (Array.isArray(t.rules) ? t.rules : []) as Table[]) {
    const spec: RuleSpec = { id: String(r.id ?? '') };
    if (typeof r.description === 'string') spec.description = r.description;
    if (typeof r.regex === 'string') spec.regex = r.regex;
    if (typeof r.path === 'string') spec.path = r.path;
    if (typeof r.secretGroup === 'number') spec.secretGroup = r.secretGroup;
    if (typeof r.entropy === 'number') spec.entropy = r.entropy;
    if (strs(r.keywords)?.length) spec.keywords = strs(r.keywords)!.map((k) => k.toLowerCase());
    const als: AllowlistSpec[] = [];
    if (r.allowlist && typeof r.allowlist === 'object') als.push(allowlistFrom(r.allowlist as Table));
    for (const a of (Array.isArray(r.allowlists) ? r.allowlists : []) as Table[]) als.push(allowlistFrom(a));
    if (als.length) spec.allowlists = als;
    out.rules!.push(spec);
  }
  return out;
}
