// Test helper: random strings that a parsed RE2 pattern matches (the way gitleaks' own rule tests
// make their true positives), from a seeded generator so failures reproduce.
import type { ClassItem, Node } from './re2.ts';

export function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

const PRINTABLE = Array.from({ length: 95 }, (_, k) => 32 + k);
const PERL: Record<string, number[]> = {
  d: PRINTABLE.filter((c) => c >= 48 && c <= 57),
  w: PRINTABLE.filter((c) => /\w/.test(String.fromCharCode(c))),
  s: [32],
};
const perlSet = (c: string): number[] => {
  const base = PERL[c.toLowerCase()]!;
  return c === c.toLowerCase() ? base : PRINTABLE.filter((x) => !base.includes(x) && x !== 32);
};

function classChars(items: ClassItem[], neg: boolean): number[] {
  const inItem = (cp: number) =>
    items.some((it) => (it.t === 'range' ? cp >= it.lo && cp <= it.hi : it.t === 'perl' ? perlSet(it.c).includes(cp) : false));
  const pool = neg ? PRINTABLE.filter((c) => !inItem(c)) : PRINTABLE.filter(inItem);
  // Prefer letters and digits when the class has them: samples look like tokens, with high entropy.
  const alnum = pool.filter((c) => /[A-Za-z0-9]/.test(String.fromCharCode(c)));
  return alnum.length >= 8 ? alnum : pool.length ? pool : [65];
}

/** A random string matching `alts` (assertions are not enforced: callers check with the real regex). */
export function sample(alts: Node[][], rnd: () => number): string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const gen = (n: Node): string => {
    switch (n.t) {
      case 'lit':
        return String.fromCodePoint(n.cp);
      case 'dot':
        // Unescaped dots in rules are mostly meant as dots (hooks.slack.com): '.' matches either way.
        return n.all ? pick([' ', '\n']) : rnd() < 0.5 ? '.' : String.fromCharCode(pick(PRINTABLE.filter((c) => /[A-Za-z0-9]/.test(String.fromCharCode(c)))));
      case 'perl':
        return String.fromCharCode(pick(perlSet(n.c)));
      case 'prop':
        return 'a';
      case 'class':
        return String.fromCharCode(pick(classChars(n.items, n.neg)));
      case 'assert':
      case 'flags':
        return '';
      case 'group':
        return pick(n.alts).map(gen).join('');
      case 'rep': {
        // Identifier prefixes and gaps (lazy or optional) stay short; token bodies get their length.
        const hi = n.max === Infinity ? n.min + 8 : n.max;
        // A lazy gap sometimes gets one character (patterns like `kind: secret(?s:.){0,200}?\bdata:` need a separator).
        const count = n.lazy || n.min === 0 ? n.min + (hi > n.min && rnd() < 0.5 ? 1 : 0) : n.min + Math.floor(rnd() * (Math.min(hi, n.min + 16) - n.min + 1));
        let s = '';
        for (let k = 0; k < count; k++) s += gen(n.node);
        return s;
      }
    }
  };
  return pick(alts).map(gen).join('');
}
