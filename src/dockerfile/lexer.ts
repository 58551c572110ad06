// BuildKit's word rules for the instructions it expands itself: quotes, the escape character and
// variable substitution ($VAR, ${VAR}, ${VAR:-word}, ${VAR-word}, ${VAR:+word}, ${VAR+word},
// ${VAR:?msg}, ${VAR?msg}, plus the prefix/suffix removals #, ##, %, %%). Unset variables expand to
// the empty string and are reported, so checks know when a value is only partly known.

export type Lookup = (name: string) => string | undefined;

export interface Expansion {
  words: string[];
  unresolved: string[];
}

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
/** Bound on nested ${...} defaults: hostile input must not recurse without limit. */
const MAX_DEPTH = 16;

class WordLexer {
  private i = 0;
  readonly unresolved = new Set<string>();
  private readonly s: string;
  private readonly escape: string;
  private readonly lookup: Lookup;
  private readonly depth: number;
  constructor(s: string, escape: string, lookup: Lookup, depth = 0) {
    this.s = s;
    this.escape = escape;
    this.lookup = lookup;
    this.depth = depth;
  }

  /** Splits into words on unquoted whitespace (ProcessWords); with `single`, one word (ProcessWord). */
  words(single: boolean): string[] {
    const out: string[] = [];
    let cur = '';
    let inWord = false;
    const s = this.s;
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (!single && (c === ' ' || c === '\t' || c === '\n' || c === '\r')) {
        if (inWord) out.push(cur);
        cur = '';
        inWord = false;
        this.i++;
        continue;
      }
      inWord = true;
      if (c === this.escape) {
        this.i++;
        if (this.i < s.length) cur += s[this.i++]!;
        continue;
      }
      if (c === "'") {
        const close = s.indexOf("'", this.i + 1);
        const end = close < 0 ? s.length : close;
        cur += s.slice(this.i + 1, end);
        this.i = end + 1;
        continue;
      }
      if (c === '"') {
        this.i++;
        cur += this.doubleQuoted();
        continue;
      }
      if (c === '$') {
        cur += this.dollar();
        continue;
      }
      cur += c;
      this.i++;
    }
    if (inWord || single) out.push(cur);
    return out;
  }

  private doubleQuoted(): string {
    const s = this.s;
    let out = '';
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (c === '"') {
        this.i++;
        return out;
      }
      if (c === this.escape && this.i + 1 < s.length) {
        const n = s[this.i + 1]!;
        // Inside double quotes the escape only protects the quote, `$` and itself.
        if (n === '"' || n === '$' || n === this.escape) {
          out += n;
          this.i += 2;
          continue;
        }
      }
      if (c === '$') {
        out += this.dollar();
        continue;
      }
      out += c;
      this.i++;
    }
    return out;
  }

  private value(name: string): string {
    const v = this.lookup(name);
    if (v === undefined) this.unresolved.add(name);
    return v ?? '';
  }

  /** At a `$`: a variable reference, or a literal dollar. */
  private dollar(): string {
    const s = this.s;
    const n = s[this.i + 1];
    if (n === '{') return this.braced();
    if (n !== undefined && NAME_START.test(n)) {
      let j = this.i + 1;
      while (j < s.length && NAME_CHAR.test(s[j]!)) j++;
      const name = s.slice(this.i + 1, j);
      this.i = j;
      return this.value(name);
    }
    this.i++;
    return '$';
  }

  private braced(): string {
    const s = this.s;
    const start = this.i;
    let j = this.i + 2;
    while (j < s.length && NAME_CHAR.test(s[j]!)) j++;
    const name = s.slice(this.i + 2, j);
    // The word part runs to the matching close brace (nested ${...} allowed).
    let depth = 1;
    let k = j;
    while (k < s.length && depth > 0) {
      if (s[k] === this.escape) k++;
      else if (s[k] === '{') depth++;
      else if (s[k] === '}') depth--;
      if (depth > 0) k++;
    }
    if (k >= s.length || name === '') {
      // Unterminated or empty: BuildKit errors out; keep the text literally.
      this.i = k >= s.length ? s.length : k + 1;
      return s.slice(start, this.i);
    }
    this.i = k + 1;
    const rest = s.slice(j, k);
    if (rest === '') return this.value(name);
    const sub = (w: string) => {
      if (this.depth >= MAX_DEPTH) return w;
      const lx = new WordLexer(w, this.escape, this.lookup, this.depth + 1);
      const r = lx.words(true)[0] ?? '';
      for (const u of lx.unresolved) this.unresolved.add(u);
      return r;
    };
    const raw = this.lookup(name);
    const m = /^(:?[-+?=]|##?|%%?)([\s\S]*)$/.exec(rest);
    if (!m) return s.slice(start, this.i);
    const [, op, word] = m as unknown as [string, string, string];
    const setNonEmpty = raw !== undefined && raw !== '';
    switch (op) {
      case ':-':
      case ':=':
        return setNonEmpty ? raw : sub(word);
      case '-':
      case '=':
        return raw !== undefined ? raw : sub(word);
      case ':+':
        return setNonEmpty ? sub(word) : '';
      case '+':
        return raw !== undefined ? sub(word) : '';
      case ':?':
      case '?':
        if (raw === undefined || (op === ':?' && raw === '')) this.unresolved.add(name);
        return raw ?? '';
      default:
        if (raw === undefined) this.unresolved.add(name);
        return trimPattern(raw ?? '', op, sub(word));
    }
  }
}

/** ${VAR#pat} ${VAR##pat} ${VAR%pat} ${VAR%%pat} with shell globs (* ? and literal text). */
function trimPattern(v: string, op: string, pat: string): string {
  const re = new RegExp(
    '^' +
      pat
        .split('')
        .map((c) => (c === '*' ? '[\\s\\S]*' : c === '?' ? '[\\s\\S]' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        .join('') +
      '$',
  );
  const longest = op.length === 2;
  if (op[0] === '#') {
    const lens = Array.from({ length: v.length + 1 }, (_, i) => i);
    if (longest) lens.reverse();
    for (const n of lens) if (re.test(v.slice(0, n))) return v.slice(n);
  } else {
    const lens = Array.from({ length: v.length + 1 }, (_, i) => i);
    if (!longest) lens.reverse();
    for (const n of lens) if (re.test(v.slice(n))) return v.slice(0, n);
  }
  return v;
}

/** Expands and splits `s` into words (COPY/ADD sources, EXPOSE ports, VOLUME paths ...). */
export function expandWords(s: string, escape: string, lookup: Lookup): Expansion {
  const lx = new WordLexer(s, escape, lookup);
  const words = lx.words(false);
  return { words, unresolved: [...lx.unresolved] };
}

/** Expands `s` as one word (FROM image, USER, WORKDIR, an ENV value). */
export function expandWord(s: string, escape: string, lookup: Lookup): { word: string; unresolved: string[] } {
  const lx = new WordLexer(s, escape, lookup);
  return { word: lx.words(true)[0] ?? '', unresolved: [...lx.unresolved] };
}

/**
 * Splits `key=value key2="v 2"` (ENV, LABEL, ARG) into raw pairs, keeping quotes for the later
 * expansion; the legacy `ENV key value with spaces` form gives one pair.
 */
export function splitPairs(s: string, escape: string, legacy: boolean): Array<{ key: string; value?: string }> {
  const raw = rawWords(s, escape);
  if (legacy && raw.length > 0 && !raw[0]!.includes('=')) {
    const key = raw[0]!;
    const rest = s.trim().slice(key.length).trim();
    return [{ key, value: rest }];
  }
  return raw.map((w) => {
    const eq = w.indexOf('=');
    return eq < 0 ? { key: w } : { key: w.slice(0, eq), value: w.slice(eq + 1) };
  });
}

/** Splits on unquoted whitespace without removing quotes or expanding anything. */
export function rawWords(s: string, escape: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === escape && i + 1 < s.length && quote !== "'") {
      cur += c + s[++i]!;
      continue;
    }
    if (quote) {
      if (c === quote) quote = '';
      cur += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      cur += c;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (cur) out.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  if (cur) out.push(cur);
  return out;
}
