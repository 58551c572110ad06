// NuGet versions (NuGetVersion): SemVer 2.0 plus the legacy fourth "revision" number; missing parts
// are 0 (1.0 = 1.0.0.0); pre-release labels compare case-insensitively; build metadata is ignored.
// Ranges use NuGet's interval notation: "1.0" (= at least 1.0), [1.0], [1.0,2.0), (,1.0], (1.0,).

import { VersionError, type VersionScheme } from './scheme.ts';
import { compareDigits, MAX_VERSION_LENGTH } from './numeric.ts';
import { compareIdentifiers } from './semver-core.ts';

interface NuGetVersion {
  parts: string[];
  prerelease: string[];
}

const VERSION = /^[vV]?([0-9]+(?:\.[0-9]+){0,3})(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

function parse(input: string): NuGetVersion {
  if (input.length > MAX_VERSION_LENGTH) throw new VersionError('nuget', input.slice(0, 64), 'version too long');
  const m = VERSION.exec(input.trim());
  if (!m) throw new VersionError('nuget', input, 'not a NuGet version');
  const parts = m[1].split('.');
  while (parts.length < 4) parts.push('0');
  return { parts, prerelease: m[2] ? m[2].toLowerCase().split('.') : [] };
}

export function compareNuGet(a: string, b: string): number {
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 4; i++) {
    const c = compareDigits(x.parts[i], y.parts[i]);
    if (c !== 0) return c;
  }
  const pa = x.prerelease;
  const pb = y.prerelease;
  if (pa.length === 0 || pb.length === 0) return pa.length === pb.length ? 0 : pa.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    if (i >= pa.length) return -1;
    if (i >= pb.length) return 1;
    const c = compareIdentifiers(pa[i], pb[i]);
    if (c !== 0) return c;
  }
  return 0;
}

interface Interval {
  lower?: string;
  lowerInclusive: boolean;
  upper?: string;
  upperInclusive: boolean;
}

export function parseNuGetRange(input: string): Interval {
  const text = input.trim();
  const bad = (why: string): never => {
    throw new VersionError('nuget', input, why);
  };
  if (text === '' || text.length > 1024) bad('empty or too long range');
  if (!/^[\[(]/.test(text)) {
    parse(text);
    return { lower: text, lowerInclusive: true, upperInclusive: false };
  }
  const m = /^([\[(])\s*([^,\[\]()]*?)\s*(?:(,)\s*([^,\[\]()]*?)\s*)?([\])])$/.exec(text) ?? bad('malformed range');
  const [, open, lo, comma, hi, close] = m;
  if (!comma) {
    if (open !== '[' || close !== ']' || lo === '') bad('an exact version must be written [v]');
    parse(lo);
    return { lower: lo, lowerInclusive: true, upper: lo, upperInclusive: true };
  }
  if (lo === '' && hi === '') bad('a range needs at least one bound');
  if (lo) parse(lo);
  if (hi) parse(hi);
  if (lo && hi && compareNuGet(lo, hi) > 0) bad('lower bound above upper bound');
  return { lower: lo || undefined, lowerInclusive: open === '[', upper: hi || undefined, upperInclusive: close === ']' };
}

function inRange(v: string, r: Interval): boolean {
  if (r.lower !== undefined) {
    const c = compareNuGet(v, r.lower);
    if (c < 0 || (c === 0 && !r.lowerInclusive)) return false;
  }
  if (r.upper !== undefined) {
    const c = compareNuGet(v, r.upper);
    if (c > 0 || (c === 0 && !r.upperInclusive)) return false;
  }
  return true;
}

export const nuget: VersionScheme = {
  name: 'nuget',
  compare: compareNuGet,
  valid(v: string): boolean {
    try {
      parse(v);
      return true;
    } catch {
      return false;
    }
  },
  satisfies(v: string, constraint: string): boolean {
    parse(v);
    // `||` is not NuGet syntax, but GitLab-style advisories join ranges with it.
    return constraint.split('||').some((part) => inRange(v, parseNuGetRange(part)));
  },
};
