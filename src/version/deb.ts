// Debian package versions, ordered as dpkg does (deb-version(7)): [epoch:]upstream[-revision],
// compared epoch numerically, then upstream and revision with dpkg's verrevcmp: alternating
// non-digit runs (letters before non-letters, '~' before everything, even the end) and digit runs.

import { VersionError, type VersionScheme } from './scheme.ts';
import { compareDigits, isAsciiLetter, isDigit, MAX_VERSION_LENGTH } from './numeric.ts';
import { satisfiesComparators } from './comparators.ts';

interface DebVersion {
  epoch: string;
  upstream: string;
  revision: string;
}

const UPSTREAM_CHARS = /^[A-Za-z0-9.+~:-]+$/;
const REVISION_CHARS = /^[A-Za-z0-9.+~]+$/;

function parse(input: string): DebVersion {
  const v = input.trim();
  if (v === '') throw new VersionError('deb', input, 'empty version');
  if (v.length > MAX_VERSION_LENGTH) throw new VersionError('deb', input, 'version too long');
  let epoch = '0';
  let rest = v;
  const colon = v.indexOf(':');
  if (colon >= 0) {
    epoch = v.slice(0, colon);
    if (!/^[0-9]+$/.test(epoch)) throw new VersionError('deb', input, 'epoch is not a number');
    rest = v.slice(colon + 1);
  }
  let upstream = rest;
  let revision = '';
  const dash = rest.lastIndexOf('-');
  if (dash >= 0) {
    upstream = rest.slice(0, dash);
    revision = rest.slice(dash + 1);
    if (revision === '' || !REVISION_CHARS.test(revision)) throw new VersionError('deb', input, 'invalid revision');
  }
  if (upstream === '') throw new VersionError('deb', input, 'empty upstream version');
  if (!UPSTREAM_CHARS.test(upstream)) throw new VersionError('deb', input, 'invalid character in version');
  // dpkg only warns about an upstream version not starting with a digit and still orders it; so do we.
  return { epoch, upstream, revision };
}

/** dpkg's character weight within a non-digit run. */
function weight(c: string | undefined): number {
  if (c === undefined || isDigit(c)) return 0;
  if (isAsciiLetter(c)) return c.charCodeAt(0);
  if (c === '~') return -1;
  return c.charCodeAt(0) + 256;
}

/** dpkg's verrevcmp over one upstream or revision string. */
export function debPartCompare(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const wa = weight(a[i]);
      const wb = weight(b[j]);
      if (wa !== wb) return wa < wb ? -1 : 1;
      i++;
      j++;
    }
    let si = i;
    while (i < a.length && isDigit(a[i])) i++;
    let sj = j;
    while (j < b.length && isDigit(b[j])) j++;
    const c = compareDigits(a.slice(si, i) || '0', b.slice(sj, j) || '0');
    if (c !== 0) return c;
  }
  return 0;
}

function compare(a: string, b: string): number {
  const va = parse(a);
  const vb = parse(b);
  return (
    compareDigits(va.epoch, vb.epoch) ||
    debPartCompare(va.upstream, vb.upstream) ||
    debPartCompare(va.revision, vb.revision)
  );
}

export const deb: VersionScheme = {
  name: 'deb',
  compare,
  valid(v: string): boolean {
    try {
      // dpkg only warns about an upstream part that does not start with a digit; valid() is strict.
      return /^[0-9]/.test(parse(v).upstream);
    } catch {
      return false;
    }
  },
  satisfies(v: string, constraint: string): boolean {
    return satisfiesComparators('deb', compare, v, constraint);
  },
};
