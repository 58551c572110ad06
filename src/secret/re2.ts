// Go RE2 syntax -> JavaScript RegExp source (compiled with the `u` flag). Rule files are written in
// RE2 (the syntax of gitleaks' rules, so they can be shared), and the two dialects differ in ways
// that silently change meaning if copied verbatim: inline flags mid-pattern (`a(?i)b|c` applies to
// the rest of the group, across `|`), `(?P<name>`, `\z`, `\A`, `\Q..\E`, POSIX classes, `\x{..}`,
// octal escapes, `.` matching `\r`, a literal `]` first in a class, literal `{`/`}`, and escaped
// punctuation that JS's `u` mode rejects. The pattern is parsed into a small tree (also used by
// the tests to generate matching samples) and re-emitted; anything without a faithful JS
// equivalent (ungreedy `(?U)`, lookarounds, backreferences) is an error, never dropped silently.

export type ClassItem =
  | { t: 'range'; lo: number; hi: number }
  | { t: 'perl'; c: string }
  | { t: 'prop'; name: string; neg: boolean };

export type Node =
  | { t: 'lit'; cp: number }
  | { t: 'dot'; all: boolean }
  | { t: 'class'; neg: boolean; items: ClassItem[] }
  | { t: 'perl'; c: string }
  | { t: 'prop'; name: string; neg: boolean }
  | { t: 'assert'; k: 'b' | 'B' | '^' | '$' | 'A' | 'z' }
  | { t: 'group'; cap: boolean; name?: string; on: string; off: string; alts: Node[][] }
  | { t: 'rep'; node: Node; min: number; max: number; lazy: boolean }
  | { t: 'flags'; on: string; off: string };

export class RE2SyntaxError extends Error {}

const POSIX: Record<string, Array<[number, number]>> = {
  alnum: [[48, 57], [65, 90], [97, 122]],
  alpha: [[65, 90], [97, 122]],
  ascii: [[0, 127]],
  blank: [[9, 9], [32, 32]],
  cntrl: [[0, 31], [127, 127]],
  digit: [[48, 57]],
  graph: [[33, 126]],
  lower: [[97, 122]],
  print: [[32, 126]],
  punct: [[33, 47], [58, 64], [91, 96], [123, 126]],
  space: [[9, 13], [32, 32]],
  upper: [[65, 90]],
  word: [[48, 57], [65, 90], [95, 95], [97, 122]],
  xdigit: [[48, 57], [65, 70], [97, 102]],
};

const SIMPLE_ESCAPES: Record<string, number> = { n: 10, t: 9, r: 13, f: 12, v: 11, a: 7 };
const MAX_PATTERN = 20_000;

/** Parses an RE2 pattern; throws RE2SyntaxError naming the offset. */
export function parseRE2(src: string): Node[][] {
  if (src.length > MAX_PATTERN) throw new RE2SyntaxError(`pattern longer than ${MAX_PATTERN} characters`);
  const cps = Array.from(src, (c) => c.codePointAt(0)!);
  let i = 0;
  const fail = (msg: string): never => {
    throw new RE2SyntaxError(`${msg} at offset ${i}`);
  };
  const peek = (k = 0) => (i + k < cps.length ? String.fromCodePoint(cps[i + k]!) : '');

  // Effective dotAll flag (s) per open group; inline `(?s)` changes it for the rest of the group.
  const parseAlts = (dotAll: boolean, depth: number): Node[][] => {
    if (depth > 200) fail('groups nested too deeply');
    const alts: Node[][] = [];
    let seq: Node[] = [];
    let s = dotAll;
    // Net inline flag changes in this group so far: re-applied at the start of each alternative.
    const inline = new Map<string, boolean>();
    for (;;) {
      if (i >= cps.length || peek() === ')') {
        alts.push(seq);
        return alts;
      }
      const c = peek();
      if (c === '|') {
        i++;
        alts.push(seq);
        seq = [];
        if (inline.size) seq.push(flagsNode(inline));
        continue;
      }
      if (c === '*' || c === '+' || c === '?' || (c === '{' && quantifierAt(i))) {
        const last = seq[seq.length - 1];
        if (!last || last.t === 'flags' || last.t === 'rep') fail(last?.t === 'rep' ? 'bad repetition operator' : 'missing argument to repetition operator');
        seq[seq.length - 1] = parseQuantifier(last!);
        continue;
      }
      if (c === '(') {
        i++;
        if (peek() === '?') {
          i++;
          let name: string | undefined;
          if (peek() === 'P' && peek(1) === '<') i += 2, (name = readName());
          else if (peek() === '<') i++, (name = readName());
          else if (peek() === '=' || peek() === '!' || (peek() === '<' && (peek(1) === '=' || peek(1) === '!'))) fail('lookaround is not RE2 syntax');
          if (name !== undefined) {
            const alts2 = parseAlts(s, depth + 1);
            expect(')');
            seq.push({ t: 'group', cap: true, name, on: '', off: '', alts: alts2 });
            continue;
          }
          // Flags: (?flags) or (?flags:...)
          let on = '';
          let off = '';
          let neg = false;
          for (;;) {
            const f = peek();
            if (f === '-') {
              if (neg) fail('bad flag syntax');
              neg = true;
            } else if (f === 'i' || f === 'm' || f === 's') {
              if (neg) off += f;
              else on += f;
            } else if (f === 'U') fail('ungreedy flag (?U) has no JavaScript equivalent');
            else if (f === ':' || f === ')') break;
            else fail(`unknown group flag ${JSON.stringify(f)}`);
            i++;
          }
          if (neg && !off) fail('bad flag syntax');
          if (peek() === ')') {
            i++;
            for (const f of on) inline.set(f, true);
            for (const f of off) inline.set(f, false);
            if (on.includes('s')) s = true;
            if (off.includes('s')) s = false;
            seq.push({ t: 'flags', on, off });
            continue;
          }
          i++; // ':'
          const inner = on.includes('s') ? true : off.includes('s') ? false : s;
          const alts2 = parseAlts(inner, depth + 1);
          expect(')');
          seq.push({ t: 'group', cap: false, on, off, alts: alts2 });
          continue;
        }
        const alts2 = parseAlts(s, depth + 1);
        expect(')');
        seq.push({ t: 'group', cap: true, on: '', off: '', alts: alts2 });
        continue;
      }
      if (c === '[') {
        seq.push(parseClass());
        continue;
      }
      i++;
      if (c === '.') seq.push({ t: 'dot', all: s });
      else if (c === '^') seq.push({ t: 'assert', k: '^' });
      else if (c === '$') seq.push({ t: 'assert', k: '$' });
      else if (c === '\\') {
        if (peek() === 'Q') {
          i++;
          while (i < cps.length && !(peek() === '\\' && peek(1) === 'E')) seq.push({ t: 'lit', cp: cps[i++]! });
          if (i < cps.length) i += 2;
          continue;
        }
        seq.push(parseEscape(false) as Node);
      } else seq.push({ t: 'lit', cp: cps[i - 1]! });
    }
  };

  const flagsNode = (inline: Map<string, boolean>): Node => {
    let on = '';
    let off = '';
    for (const [f, v] of inline) v ? (on += f) : (off += f);
    return { t: 'flags', on, off };
  };

  const expect = (c: string) => {
    if (peek() !== c) fail(c === ')' ? 'missing closing )' : `expected ${c}`);
    i++;
  };

  const readName = (): string => {
    let name = '';
    while (i < cps.length && /\w/.test(peek())) name += peek(), i++;
    if (!name || peek() !== '>') fail('invalid named capture');
    i++;
    return name;
  };

  const quantifierAt = (at: number): boolean => /^\{\d+(,\d*)?\}/.test(String.fromCodePoint(...cps.slice(at, at + 24)));

  const parseQuantifier = (node: Node): Node => {
    let min: number;
    let max: number;
    const c = peek();
    i++;
    if (c === '*') (min = 0), (max = Infinity);
    else if (c === '+') (min = 1), (max = Infinity);
    else if (c === '?') (min = 0), (max = 1);
    else {
      const m = /^(\d+)(,(\d*))?\}/.exec(String.fromCodePoint(...cps.slice(i, i + 24)))!;
      i += m[0].length;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      if (min > 1000 || (max !== Infinity && max > 1000)) fail('repeat count above 1000');
      if (max < min) fail('invalid repeat count');
    }
    let lazy = false;
    if (peek() === '?') (lazy = true), i++;
    return { t: 'rep', node, min, max, lazy };
  };

  const hex = (digits: string): number => {
    const v = parseInt(digits, 16);
    if (!/^[0-9a-fA-F]+$/.test(digits) || v > 0x10ffff) fail('invalid hex escape');
    return v;
  };

  // After the backslash. Returns a node (outside classes) or class item material.
  const parseEscape = (inClass: boolean): Node | ClassItem => {
    const c = peek();
    if (!c) fail('trailing backslash');
    i++;
    if ('dDwWsS'.includes(c)) return { t: 'perl', c };
    if (c === 'p' || c === 'P') {
      let name: string;
      if (peek() === '{') {
        const end = cps.indexOf(125, i);
        if (end < 0) fail('unterminated \\p{');
        name = String.fromCodePoint(...cps.slice(i + 1, end));
        i = end + 1;
      } else name = peek(), i++;
      let neg = c === 'P';
      if (name.startsWith('^')) (neg = !neg), (name = name.slice(1));
      if (!/^\w+$/.test(name)) fail('invalid Unicode class');
      return { t: 'prop', name, neg };
    }
    if (!inClass) {
      if (c === 'b' || c === 'B' || c === 'A' || c === 'z') return { t: 'assert', k: c };
      if (c === 'C') return { t: 'dot', all: true };
    }
    if (c in SIMPLE_ESCAPES) return { t: 'lit', cp: SIMPLE_ESCAPES[c]! };
    if (c === 'x') {
      if (peek() === '{') {
        const end = cps.indexOf(125, i);
        if (end < 0) fail('unterminated \\x{');
        const v = hex(String.fromCodePoint(...cps.slice(i + 1, end)));
        i = end + 1;
        return { t: 'lit', cp: v };
      }
      const v = hex(peek() + peek(1));
      i += 2;
      return { t: 'lit', cp: v };
    }
    if (c >= '0' && c <= '7') {
      // RE2: \0 and \1-\7 followed by another octal digit are octal codes; a lone \1-\9 is a backreference (unsupported).
      if (c !== '0' && !(peek() >= '0' && peek() <= '7')) fail('backreferences are not RE2 syntax');
      let digits = c;
      while (digits.length < 3 && peek() >= '0' && peek() <= '7') digits += peek(), i++;
      return { t: 'lit', cp: parseInt(digits, 8) };
    }
    if (c === '8' || c === '9') fail('backreferences are not RE2 syntax');
    const cp = c.codePointAt(0)!;
    if (cp < 128 && !/[A-Za-z0-9_]/.test(c)) return { t: 'lit', cp };
    return fail(`invalid escape \\${c}`);
  };

  const parseClass = (): Node => {
    i++; // '['
    let neg = false;
    if (peek() === '^') (neg = true), i++;
    const items: ClassItem[] = [];
    let first = true;
    let negPosixOnly = false;
    for (;;) {
      if (i >= cps.length) fail('missing closing ]');
      const c = peek();
      if (c === ']' && !first) {
        i++;
        break;
      }
      first = false;
      if (c === '[' && peek(1) === ':') {
        const rest = String.fromCodePoint(...cps.slice(i, i + 12));
        const m = /^\[:(\^?)([a-z]+):\]/.exec(rest);
        if (m) {
          const ranges = POSIX[m[2]!];
          if (!ranges) fail(`unknown POSIX class ${m[2]}`);
          i += m[0].length;
          if (m[1]) {
            // [[:^alpha:]] alone is [^a-zA-Z]; mixed with other items JS has no way to say it.
            if (items.length || peek() !== ']') fail('negated POSIX class mixed with other class items');
            neg = !neg;
            negPosixOnly = true;
          }
          for (const [lo, hi] of ranges!) items.push({ t: 'range', lo, hi });
          continue;
        }
      }
      let lo: ClassItem | { t: 'lit'; cp: number };
      i++;
      if (c === '\\') {
        const e = parseEscape(true);
        lo = e as ClassItem | { t: 'lit'; cp: number };
      } else lo = { t: 'lit', cp: c.codePointAt(0)! };
      if (lo.t === 'lit' && peek() === '-' && peek(1) !== ']' && peek(1) !== '') {
        i++;
        const hc = peek();
        i++;
        let hi: number;
        if (hc === '\\') {
          const e = parseEscape(true) as { t: string; cp?: number };
          if (e.t !== 'lit') fail('bad character class range');
          hi = e.cp!;
        } else hi = hc.codePointAt(0)!;
        if (hi < lo.cp) fail('bad character class range');
        items.push({ t: 'range', lo: lo.cp, hi });
        continue;
      }
      if (lo.t === 'lit') items.push({ t: 'range', lo: lo.cp, hi: lo.cp });
      else items.push(lo as ClassItem);
    }
    void negPosixOnly;
    return { t: 'class', neg, items };
  };

  const alts = parseAlts(false, 0);
  if (i < cps.length) fail('unexpected )');
  return alts;
}

const JS_SYNTAX = new Set('^$\\.*+?()[]{}|/');

function emitChar(cp: number, inClass: boolean): string {
  const c = String.fromCodePoint(cp);
  if (inClass) {
    if ('\\]^-['.includes(c)) return '\\' + c;
  } else if (JS_SYNTAX.has(c)) return '\\' + c;
  if (cp >= 0x20 && cp < 0x7f) return c;
  return `\\u{${cp.toString(16)}}`;
}

function emitProp(name: string, neg: boolean): string {
  // RE2 names general categories (L, Lu, N ...) and scripts (Greek, Latin) the same way.
  const isCategory = /^[A-Z][a-z]?$/.test(name) || name === 'Any';
  const body = name === 'Any' ? 'Any' : isCategory ? name : `Script=${name}`;
  return `\\${neg ? 'P' : 'p'}{${body}}`;
}

function emitClassItem(it: ClassItem): string {
  if (it.t === 'perl') return '\\' + it.c;
  if (it.t === 'prop') return emitProp(it.name, it.neg);
  return it.lo === it.hi ? emitChar(it.lo, true) : `${emitChar(it.lo, true)}-${emitChar(it.hi, true)}`;
}

/** JS modifier text for RE2 flags: `s` is dropped (dots are emitted explicitly), `i` and `m` kept. */
function modifiers(on: string, off: string): string {
  const keep = (f: string) => [...new Set(f)].filter((x) => x === 'i' || x === 'm').join('');
  const a = keep(on);
  const b = keep(off).split('').filter((x) => !a.includes(x)).join('');
  return a || b ? `${a}${b ? '-' + b : ''}` : '';
}

function emitSeq(seq: Node[]): string {
  let out = '';
  for (let k = 0; k < seq.length; k++) {
    const n = seq[k]!;
    if (n.t === 'flags') {
      // A bare (?i) applies to the rest of the sequence: wrap it (JS only has scoped modifiers).
      const m = modifiers(n.on, n.off);
      const rest = emitSeq(seq.slice(k + 1));
      return out + (m ? `(?${m}:${rest})` : `(?:${rest})`);
    }
    out += emitNode(n);
  }
  return out;
}

function emitAlts(alts: Node[][]): string {
  return alts.map(emitSeq).join('|');
}

function emitNode(n: Node): string {
  switch (n.t) {
    case 'lit':
      return emitChar(n.cp, false);
    case 'dot':
      // RE2's `.` matches everything but \n (JS's also excludes \r, U+2028, U+2029).
      return n.all ? '[\\s\\S]' : '[^\\n]';
    case 'perl':
      return '\\' + n.c;
    case 'prop':
      return emitProp(n.name, n.neg);
    case 'class':
      if (!n.items.length) return n.neg ? '[\\s\\S]' : '[]';
      return `[${n.neg ? '^' : ''}${n.items.map(emitClassItem).join('')}]`;
    case 'assert':
      return n.k === 'A' ? '(?<![\\s\\S])' : n.k === 'z' ? '(?![\\s\\S])' : n.k === 'b' || n.k === 'B' ? '\\' + n.k : n.k;
    case 'group': {
      const body = emitAlts(n.alts);
      if (n.cap) return n.name !== undefined ? `(?<${n.name}>${body})` : `(${body})`;
      const m = modifiers(n.on, n.off);
      return m ? `(?${m}:${body})` : `(?:${body})`;
    }
    case 'rep': {
      const inner = emitNode(n.node);
      const atom = n.node.t === 'lit' || n.node.t === 'dot' || n.node.t === 'class' || n.node.t === 'perl' || n.node.t === 'prop' || n.node.t === 'group' ? inner : `(?:${inner})`;
      const q = n.min === 0 && n.max === Infinity ? '*' : n.min === 1 && n.max === Infinity ? '+' : n.min === 0 && n.max === 1 ? '?' : n.max === Infinity ? `{${n.min},}` : n.min === n.max ? `{${n.min}}` : `{${n.min},${n.max}}`;
      return atom + q + (n.lazy ? '?' : '');
    }
    case 'flags':
      return '';
  }
}

/** RE2 source -> JS source for `new RegExp(source, 'u' + more)`. Throws RE2SyntaxError. */
export function re2ToJS(src: string): string {
  return emitAlts(parseRE2(src));
}

/** JS source of a parsed pattern (or of a single node). */
export function emitRE2(alts: Node[][]): string {
  return emitAlts(alts);
}
export function emitRE2Node(n: Node): string {
  return emitNode(n);
}

/**
 * Splits off a leading lazy, bounded character-class repetition (`[\w.-]{0,50}?`, gitleaks'
 * "identifier before the keyword" prefix, sometimes nested twice). With leftmost-match semantics
 * such a prefix only moves the match start back over up to `max` class characters; it never decides
 * whether there is a match. Running it costs up to `max` attempts at every position of the text
 * (hundreds of ms per MiB per rule), so the scanner runs the rest and extends the start itself.
 */
export function splitLazyPrefix(alts: Node[][]): { rest: Node[][]; prefix?: { cls: Node; max: number } } {
  let max = 0;
  let cls: Node | undefined;
  const strip = (seq: Node[]): Node[] => {
    let k = 0;
    const out: Node[] = [];
    while (k < seq.length && seq[k]!.t === 'flags') out.push(seq[k++]!);
    const first = seq[k];
    if (first?.t === 'rep' && first.lazy && first.min === 0 && first.max !== Infinity && (first.node.t === 'class' || first.node.t === 'perl')) {
      const key = emitNode(first.node);
      if (cls && emitNode(cls) !== key) return seq;
      cls = first.node;
      max += first.max;
      return [...out, ...strip(seq.slice(k + 1))];
    }
    if (first?.t === 'group' && !first.cap && first.alts.length === 1) {
      const inner = strip(first.alts[0]!);
      if (inner !== first.alts[0]) return [...out, { ...first, alts: [inner] }, ...seq.slice(k + 1)];
    }
    return seq;
  };
  if (alts.length !== 1) return { rest: alts };
  const rest = strip(alts[0]!);
  return cls ? { rest: [rest], prefix: { cls, max } } : { rest: alts };
}

/** Translates and compiles; errors (RE2 or JS) come back as RE2SyntaxError naming the pattern. */
export function compileRE2(src: string, flags = ''): RegExp {
  const js = re2ToJS(src);
  try {
    return new RegExp(js, 'u' + flags);
  } catch (e) {
    throw new RE2SyntaxError(`no JavaScript equivalent: ${(e as Error).message}`);
  }
}
