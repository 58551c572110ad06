// Rule files -> compiled rules. The shipped default (rules/default.yaml) is loaded first, then each
// user file in order: a user rule with an existing id replaces it, `disable: [id]` or
// `enabled: false` turns a rule off. Regexes are RE2 (see re2.ts); a rule whose regex cannot be
// translated is left out and reported in `errors` — never dropped silently.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { gitleaksToRuleFile, parseTomlSubset } from './gitleaks-toml.ts';
import { compileRE2, emitRE2, emitRE2Node, parseRE2, RE2SyntaxError, splitLazyPrefix, type Node } from './re2.ts';
import { SECRET_SEVERITIES, type AllowlistSpec, type AllowTarget, type RuleFile, type RuleSpec, type SecretSeverity } from './types.ts';

export const DEFAULT_RULES_PATH = join(dirname(fileURLToPath(import.meta.url)), 'rules', 'default.yaml');
const MAX_RULE_FILE = 8 * 1024 * 1024;

export interface CompiledAllowlist {
  and: boolean;
  target: AllowTarget;
  paths: RegExp[];
  regexes: RegExp[];
  stopwords: string[];
}

export interface CompiledRule {
  id: string;
  title: string;
  severity: SecretSeverity;
  /** Global (`g`) regex; absent for path-only rules. */
  regex?: RegExp;
  /** A leading lazy prefix split off the regex (see splitLazyPrefix): extends match starts back. */
  prefix?: { char: RegExp; max: number };
  path?: RegExp;
  keywords: string[];
  secretGroup?: number;
  entropy?: number;
  requireDigit: boolean;
  /** Reported only when no other rule found the same secret. */
  fallback: boolean;
  /** The regex can span lines (private keys, YAML documents): scanned in wider windows. */
  multiline: boolean;
  /**
   * None of the keywords is part of the pattern (gitleaks' facebook-access-token: keyword
   * "facebook", token digits|letters): the keyword gates the file, and the regex then runs over the
   * whole file, as gitleaks does, instead of in windows around the keyword.
   */
  gated: boolean;
  allowlists: CompiledAllowlist[];
}

export interface RuleSet {
  rules: CompiledRule[];
  allowlists: CompiledAllowlist[];
  /** Rules or allowlist entries left out, each naming the file and rule. */
  errors: string[];
}

/** Reads a rule file: YAML (Triad's format) or TOML (a gitleaks config). */
export function readRuleFile(path: string): RuleFile {
  const text = readFileSync(path, 'utf8');
  if (text.length > MAX_RULE_FILE) throw new Error(`${path}: rule file larger than ${MAX_RULE_FILE} bytes`);
  if (/\.toml$/i.test(path)) return gitleaksToRuleFile(parseTomlSubset(text, path), path);
  const doc = parseYaml(text, { maxAliasCount: 100 }) as unknown;
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`${path}: a rule file is a mapping with rules, allowlists, disable`);
  return doc as RuleFile;
}

/** Default rules plus the user's files (in order). `noDefault` starts from nothing. */
export function loadRules(files: string[] = [], opts: { noDefault?: boolean } = {}): RuleSet {
  const named: Array<{ name: string; file: RuleFile }> = [];
  if (!opts.noDefault) named.push({ name: DEFAULT_RULES_PATH, file: readRuleFile(DEFAULT_RULES_PATH) });
  for (const f of files) named.push({ name: f, file: readRuleFile(f) });
  return compileRuleFiles(named);
}

export function compileRuleFiles(files: Array<{ name: string; file: RuleFile }>): RuleSet {
  const errors: string[] = [];
  const specs = new Map<string, { spec: RuleSpec; from: string }>();
  const disabled = new Set<string>();
  const allowlists: CompiledAllowlist[] = [];
  for (const { name, file } of files) {
    for (const [k, raw] of (file.rules ?? []).entries()) {
      const spec = raw as RuleSpec;
      if (!spec || typeof spec !== 'object' || typeof spec.id !== 'string' || !spec.id) {
        errors.push(`${name}: rule #${k + 1}: missing id`);
        continue;
      }
      specs.set(spec.id, { spec, from: name });
      if (spec.enabled === false) disabled.add(spec.id);
      else disabled.delete(spec.id);
    }
    for (const id of file.disable ?? []) {
      if (!specs.has(String(id))) errors.push(`${name}: disable: no rule ${id}`);
      disabled.add(String(id));
    }
    const globals = [...(file.allowlist ? [file.allowlist] : []), ...(file.allowlists ?? [])];
    for (const a of globals) {
      const c = compileAllowlist(a, `${name}: global allowlist`, errors);
      if (c) allowlists.push(c);
    }
  }
  const rules: CompiledRule[] = [];
  for (const [id, { spec, from }] of specs) {
    if (disabled.has(id)) continue;
    const r = compileRule(spec, `${from}: rule ${id}`, errors);
    if (r) rules.push(r);
  }
  return { rules, allowlists, errors };
}

function compileRule(spec: RuleSpec, where: string, errors: string[]): CompiledRule | undefined {
  if (!spec.regex && !spec.path) return void errors.push(`${where}: needs a regex or a path`);
  if (spec.severity && !SECRET_SEVERITIES.includes(spec.severity)) return void errors.push(`${where}: severity must be one of ${SECRET_SEVERITIES.join(', ')}`);
  let regex: RegExp | undefined;
  let path: RegExp | undefined;
  let multiline = false;
  let prefix: CompiledRule['prefix'];
  try {
    if (spec.regex) {
      if (typeof spec.regex !== 'string') throw new Error('regex must be a string');
      compileRE2(spec.regex); // full pattern must be valid JS too
      const ast = parseRE2(spec.regex);
      const { rest, prefix: pre } = splitLazyPrefix(ast);
      try {
        regex = new RegExp(emitRE2(rest), 'gu');
        if (pre) prefix = { char: new RegExp(`^${emitRE2Node(pre.cls)}$`, 'u'), max: pre.max };
      } catch (e) {
        throw new RE2SyntaxError(`no JavaScript equivalent: ${(e as Error).message}`);
      }
      if (regex.test('')) throw new Error('regex matches the empty string');
      multiline = ast.some((seq) => seq.some((n) => spansLines(n, false)));
    }
    if (spec.path) path = compileRE2(spec.path);
  } catch (e) {
    return void errors.push(`${where}: ${(e as Error).message}`);
  }
  const allowlists: CompiledAllowlist[] = [];
  for (const a of spec.allowlists ?? []) {
    const c = compileAllowlist(a, where, errors);
    if (c) allowlists.push(c);
  }
  const keywords = Array.isArray(spec.keywords) ? spec.keywords.map((k) => String(k).toLowerCase()).filter(Boolean) : [];
  const plain = (spec.regex ?? '').toLowerCase().replace(/\\(.)/g, '$1');
  const gated = keywords.length > 0 && keywords.every((k) => !plain.includes(k));
  return {
    id: spec.id,
    title: spec.title ?? spec.id,
    severity: spec.severity ?? 'HIGH',
    regex,
    prefix,
    path,
    keywords,
    secretGroup: spec.secretGroup,
    entropy: spec.entropy,
    requireDigit: spec.requireDigit === true,
    fallback: spec.fallback === true,
    multiline,
    gated,
    allowlists,
  };
}

function compileAllowlist(a: AllowlistSpec, where: string, errors: string[]): CompiledAllowlist | undefined {
  if (!a || typeof a !== 'object') return void errors.push(`${where}: allowlist must be a mapping`);
  const out: CompiledAllowlist = {
    and: a.condition === 'and',
    target: a.target === 'match' || a.target === 'line' ? a.target : 'secret',
    paths: [],
    regexes: [],
    stopwords: (a.stopwords ?? []).map((s) => String(s).toLowerCase()),
  };
  for (const [list, into] of [
    [a.paths, out.paths],
    [a.regexes, out.regexes],
  ] as const) {
    for (const p of list ?? []) {
      try {
        into.push(compileRE2(String(p)));
      } catch (e) {
        errors.push(`${where}: allowlist ${JSON.stringify(p)}: ${(e as Error).message}`);
      }
    }
  }
  if (!out.paths.length && !out.regexes.length && !out.stopwords.length) return void errors.push(`${where}: empty allowlist`);
  return out;
}

/** Can this part of the pattern run across a newline for more than a few characters? */
function spansLines(n: Node, repeated: boolean): boolean {
  switch (n.t) {
    case 'lit':
      return n.cp === 10;
    case 'dot':
      return n.all && repeated;
    case 'perl':
      return repeated && (n.c === 's' || n.c === 'D' || n.c === 'W' || n.c === 'S');
    case 'class':
      return repeated && (n.neg ? !n.items.some((it) => it.t === 'range' && it.lo <= 10 && it.hi >= 10) : n.items.some((it) => (it.t === 'range' && it.lo <= 10 && it.hi >= 10) || (it.t === 'perl' && 'sDWS'.includes(it.c))));
    case 'group':
      return n.alts.some((seq) => seq.some((x) => spansLines(x, repeated)));
    case 'rep':
      return spansLines(n.node, repeated || n.max > 3);
    default:
      return false;
  }
}
