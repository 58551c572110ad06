// Alpine (apk-tools) versions: digit{.digit}...{letter}{_suffix{number}}...{~hash}{-r#}.
// Ordered token by token as apk-tools 3 does: the first number numerically, later numbers
// numerically unless either has a leading zero (then as strings, Gentoo-style), pre-release
// suffixes (_alpha _beta _pre _rc) before the bare version, post-release ones (_cvs _svn _git _hg _p)
// after it; when one version runs out, the longer one is newer unless it continues with a
// pre-release suffix. A malformed tail is a token of its own that sorts before the end (apk-tools
// compares such versions too), but valid() rejects them, and a version that does not even start
// with a number is a VersionError.

import { VersionError, type VersionScheme } from './scheme.ts';
import { compareDigits, compareStrings, isDigit, MAX_VERSION_LENGTH, sign } from './numeric.ts';
import { parseComparatorConstraint, testOperator } from './comparators.ts';

// Token kinds in apk's order: a version that ends sorts after one whose next token is a lower kind.
const INITIAL_DIGIT = 0;
const DIGIT = 1;
const LETTER = 2;
const SUFFIX = 3;
const SUFFIX_NO = 4;
const COMMIT_HASH = 5;
const REVISION_NO = 6;
const END = 7;
const INVALID = 8;

const SUFFIXES: Record<string, number> = { alpha: 1, beta: 2, pre: 3, rc: 4, cvs: 6, svn: 7, git: 8, hg: 9, p: 10 };
const NO_SUFFIX = 5;

interface Token {
  kind: number;
  text: string;
  suffix: number;
}

/** Splits a version into tokens; the last is END or INVALID. `strict` is false when apk would reject it. */
function tokenize(v: string): { tokens: Token[]; strict: boolean } {
  const tokens: Token[] = [];
  let strict = true;
  let i = 0;
  let prev = -1;
  const digitsFrom = (start: number): number => {
    let k = start;
    while (k < v.length && isDigit(v[k])) k++;
    return k;
  };
  const push = (kind: number, text: string, suffix = 0): void => {
    tokens.push({ kind, text, suffix });
    prev = kind;
  };
  while (true) {
    if (i >= v.length) {
      if (prev === -1) strict = false;
      push(END, '');
      break;
    }
    const c = v[i];
    if (prev === -1) {
      const e = digitsFrom(i);
      if (e === i) break;
      push(INITIAL_DIGIT, v.slice(i, e));
      i = e;
      continue;
    }
    const afterNumber = prev === INITIAL_DIGIT || prev === DIGIT;
    if (c === '.' && afterNumber) {
      const e = digitsFrom(i + 1);
      if (e === i + 1) break;
      push(DIGIT, v.slice(i + 1, e));
      i = e;
    } else if (c >= 'a' && c <= 'z' && afterNumber) {
      push(LETTER, c);
      i++;
    } else if (c === '_' && prev <= SUFFIX_NO) {
      let e = i + 1;
      while (e < v.length && v[e] >= 'a' && v[e] <= 'z') e++;
      const value = SUFFIXES[v.slice(i + 1, e)];
      if (value === undefined) break;
      push(SUFFIX, v.slice(i + 1, e), value);
      i = e;
    } else if (isDigit(c) && prev === LETTER) {
      // apk-tools 2 read "1.2p1" as 1.2 p .1; apk-tools 3 rejects it, but such versions are in
      // Alpine's own older advisory data, so they still order (and valid() says false).
      strict = false;
      const e = digitsFrom(i);
      push(DIGIT, v.slice(i, e));
      i = e;
    } else if (isDigit(c) && prev === SUFFIX) {
      const e = digitsFrom(i);
      push(SUFFIX_NO, v.slice(i, e));
      i = e;
    } else if (c === '~' && prev < COMMIT_HASH) {
      let e = i + 1;
      while (e < v.length && /[0-9a-f]/.test(v[e])) e++;
      if (e === i + 1) break;
      push(COMMIT_HASH, v.slice(i + 1, e));
      i = e;
    } else if (c === '-' && v[i + 1] === 'r' && prev < REVISION_NO) {
      const e = digitsFrom(i + 2);
      if (e === i + 2) break;
      push(REVISION_NO, v.slice(i + 2, e));
      i = e;
    } else {
      break;
    }
  }
  if (tokens.length === 0 || tokens[tokens.length - 1].kind !== END) {
    strict = false;
    push(INVALID, v.slice(i));
  }
  return { tokens, strict };
}

function tokenCompare(a: Token, b: Token): number {
  switch (a.kind) {
    case DIGIT:
      // Leading zeros make a component a string (so 8.2.0 < 8.2.001 < 8.2.002).
      if (a.text[0] === '0' || b.text[0] === '0') return compareStrings(a.text, b.text);
      return compareDigits(a.text, b.text);
    case INITIAL_DIGIT:
    case SUFFIX_NO:
    case REVISION_NO:
      return compareDigits(a.text, b.text);
    case SUFFIX:
      return sign(a.suffix - b.suffix);
    default:
      return compareStrings(a.text, b.text);
  }
}

function checkInput(v: string): string {
  if (v.length > MAX_VERSION_LENGTH) throw new VersionError('apk', v, 'version too long');
  return v.trim();
}

/** apk's comparison; with `fuzzy`, a matching prefix equal to all of `b` counts as equal (`~`). */
export function apkCompare(a: string, b: string, fuzzy = false): number {
  const ta = tokenize(checkInput(a)).tokens;
  const tb = tokenize(checkInput(b)).tokens;
  if (ta[0].kind !== INITIAL_DIGIT) throw new VersionError('apk', a, 'version does not start with a number');
  if (tb[0].kind !== INITIAL_DIGIT) throw new VersionError('apk', b, 'version does not start with a number');
  let k = 0;
  for (; ; k++) {
    const x = ta[k];
    const y = tb[k];
    if (x.kind !== y.kind) break;
    if (x.kind === END) return 0;
    // Both malformed at the same point: apk-tools calls them equal.
    if (x.kind === INVALID) return 0;
    const c = tokenCompare(x, y);
    if (c !== 0) return c;
  }
  const x = ta[k];
  const y = tb[k];
  if (fuzzy && y.kind === END) return 0;
  if (x.kind === SUFFIX && x.suffix < NO_SUFFIX) return -1;
  if (y.kind === SUFFIX && y.suffix < NO_SUFFIX) return 1;
  return x.kind > y.kind ? -1 : 1;
}

export function apkValid(v: string): boolean {
  if (v.length > MAX_VERSION_LENGTH) return false;
  return tokenize(v).strict;
}

const compare = (a: string, b: string): number => apkCompare(a, b);

export const apk: VersionScheme = {
  name: 'apk',
  compare,
  valid: apkValid,
  satisfies(v: string, constraint: string): boolean {
    // apk's own dependency syntax allows `~1.2` (fuzzy: same prefix); the rest is the comparator language.
    const groups = parseComparatorConstraint('apk', constraint.replace(/(^|[\s,|])~(?!=)/g, '$1=~'));
    return groups.some((group) =>
      group.every((c) => {
        if (c.version.startsWith('~')) return apkCompare(v, c.version.slice(1), true) === 0;
        return testOperator(c.op, compare(v, c.version));
      }),
    );
  },
};
