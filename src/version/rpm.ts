// RPM versions: [epoch:]version[-release], ordered like rpm's rpmVersionCompare: epoch numerically
// (absent = 0), then version and release with rpmvercmp, which splits into alphanumeric segments,
// sorts '~' before anything (pre-releases) and '^' after the base but before any further segment
// (post-release snapshots).

import { VersionError, type VersionScheme } from './scheme.ts';
import { compareDigits, compareStrings, isAsciiLetter, isDigit, MAX_VERSION_LENGTH } from './numeric.ts';
import { satisfiesComparators } from './comparators.ts';

interface Evr {
  epoch: string;
  version: string;
  release?: string;
}

function parse(input: string): Evr {
  const v = input.trim();
  if (v === '') throw new VersionError('rpm', input, 'empty version');
  if (v.length > MAX_VERSION_LENGTH) throw new VersionError('rpm', input, 'version too long');
  if (/\s/.test(v)) throw new VersionError('rpm', input, 'whitespace in version');
  // Like rpm's parseEVR, an epoch is leading digits before a ':'; anything else is all version.
  let epoch = '0';
  let rest = v;
  const e = /^([0-9]*):/.exec(v);
  if (e) {
    epoch = e[1] || '0';
    rest = v.slice(e[0].length);
  }
  const dash = rest.lastIndexOf('-');
  const version = dash >= 0 ? rest.slice(0, dash) : rest;
  const release = dash >= 0 ? rest.slice(dash + 1) : undefined;
  if (version === '') throw new VersionError('rpm', input, 'empty version part');
  // rpmvercmp treats any other character as a separator, so only control characters are refused.
  if (/[\x00-\x1f\x7f]/.test(v)) throw new VersionError('rpm', input, 'control character in version');
  return { epoch, version, release };
}

const isAlnum = (c: string | undefined): boolean => isDigit(c) || isAsciiLetter(c);

/** rpm's rpmvercmp(): -1, 0 or 1. */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(a[i]) && a[i] !== '~' && a[i] !== '^') i++;
    while (j < b.length && !isAlnum(b[j]) && b[j] !== '~' && b[j] !== '^') j++;
    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i++;
      j++;
      continue;
    }
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (i >= a.length || j >= b.length) break;
    const si = i;
    const sj = j;
    const numeric = isDigit(a[i]);
    const inSegment = numeric ? isDigit : isAsciiLetter;
    while (i < a.length && inSegment(a[i])) i++;
    while (j < b.length && inSegment(b[j])) j++;
    // A numeric segment is newer than an alphabetic one.
    if (j === sj) return numeric ? 1 : -1;
    const c = numeric ? compareDigits(a.slice(si, i), b.slice(sj, j)) : compareStrings(a.slice(si, i), b.slice(sj, j));
    if (c !== 0) return c;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

function compare(a: string, b: string): number {
  const va = parse(a);
  const vb = parse(b);
  const e = compareDigits(va.epoch, vb.epoch);
  if (e !== 0) return e;
  const v = rpmvercmp(va.version, vb.version);
  if (v !== 0) return v;
  // A missing release sorts before any release (as OSV orders Red Hat versions), which keeps the
  // order total; rpm's dependency matching would instead treat it as "any release".
  if (va.release === undefined || vb.release === undefined) {
    return va.release === vb.release ? 0 : va.release === undefined ? -1 : 1;
  }
  return rpmvercmp(va.release, vb.release);
}

export const rpm: VersionScheme = {
  name: 'rpm',
  compare,
  valid(v: string): boolean {
    try {
      // rpmbuild only accepts letters, digits and . _ + ~ ^ in a version and a release.
      const evr = parse(v);
      return /^[A-Za-z0-9._+~^]+$/.test(evr.version) && (evr.release === undefined || /^[A-Za-z0-9._+~^]+$/.test(evr.release));
    } catch {
      return false;
    }
  },
  satisfies(v: string, constraint: string): boolean {
    return satisfiesComparators('rpm', compare, v, constraint);
  },
};
