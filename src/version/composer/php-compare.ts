// PHP's version_compare(), which Composer (and OSV's Packagist ecosystem) order versions with:
// the string is canonicalised ('-', '_', '+' become '.', and a '.' is put between letter and digit
// runs; other characters stay, as in OSV's reading, so "1.2.3.#" = "1.2.3"), then compared part by part: numbers numerically; words by their rank
// dev < alpha = a < beta = b < RC = rc < (a number) < pl = p, matched as prefixes (so "patch" is p);
// unknown words rank below all of them.

import { compareDigits, isDigit } from '../numeric.ts';

function canonicalize(v: string): string[] {
  let out = '';
  let last = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (i === 0) {
      out = c;
    } else if (c === '-' || c === '_' || c === '+') {
      if (!out.endsWith('.')) out += '.';
    } else if ((last !== '.' && !isDigit(last) && isDigit(c)) || (isDigit(last) && c !== '.' && !isDigit(c))) {
      if (!out.endsWith('.')) out += '.';
      out += c;
    } else {
      out += c;
    }
    last = c;
  }
  return out.split('.');
}

const FORMS: [string, number][] = [
  ['dev', 0], ['alpha', 1], ['a', 1], ['beta', 2], ['b', 2], ['RC', 3], ['rc', 3], ['#', 4], ['pl', 5], ['p', 5],
];
const NUMBER_FORM = '#N#';

function formRank(form: string): number {
  for (const [name, rank] of FORMS) if (form.startsWith(name)) return rank;
  return -1;
}

function compareForms(a: string, b: string): number {
  return Math.sign(formRank(a) - formRank(b));
}

function leadingDigits(s: string): string {
  const m = /^[0-9]*/.exec(s)![0];
  return m === '' ? '0' : m;
}

function comparePartLists(a: string[], b: string[]): number {
  let i = 0;
  for (; i < a.length && i < b.length; i++) {
    const x = a[i];
    const y = b[i];
    const dx = isDigit(x[0]);
    const dy = isDigit(y[0]);
    let c: number;
    if (dx && dy) c = compareDigits(leadingDigits(x), leadingDigits(y));
    else if (!dx && !dy) c = compareForms(x, y);
    else c = dx ? compareForms(NUMBER_FORM, y) : compareForms(x, NUMBER_FORM);
    if (c !== 0) return c;
  }
  // The longer version wins if it goes on with a number; otherwise its next word decides.
  if (i < a.length) return isDigit(a[i][0]) ? 1 : comparePartLists(a.slice(i), [NUMBER_FORM]);
  if (i < b.length) return isDigit(b[i][0]) ? -1 : comparePartLists([NUMBER_FORM], b.slice(i));
  return 0;
}

export function phpVersionCompare(a: string, b: string): number {
  if (a === '' || b === '') return a === b ? 0 : a === '' ? -1 : 1;
  return comparePartLists(canonicalize(a), canonicalize(b));
}
