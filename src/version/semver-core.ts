// Semantic Versioning 2.0.0 precedence, shared by the semver, npm, go and cargo schemes.
// Components are kept as digit strings so that arbitrarily large numbers still order correctly.

import { compareDigits, compareStrings } from './numeric.ts';

export interface SemVer {
  major: string;
  minor: string;
  patch: string;
  /** Dot-separated pre-release identifiers (empty for a release). */
  prerelease: string[];
  /** Build metadata identifiers: kept for display, ignored by precedence. */
  build: string[];
}

const NUMERIC = /^[0-9]+$/;

/** Pre-release identifier order: numeric ones numerically and before alphanumeric ones (ASCII order). */
export function compareIdentifiers(a: string, b: string): number {
  const na = NUMERIC.test(a);
  const nb = NUMERIC.test(b);
  if (na && nb) return compareDigits(a, b);
  if (na) return -1;
  if (nb) return 1;
  return compareStrings(a, b);
}

export function compareMain(a: SemVer, b: SemVer): number {
  return compareDigits(a.major, b.major) || compareDigits(a.minor, b.minor) || compareDigits(a.patch, b.patch);
}

export function comparePrerelease(a: SemVer, b: SemVer): number {
  const pa = a.prerelease;
  const pb = b.prerelease;
  if (pa.length === 0 || pb.length === 0) return pa.length === pb.length ? 0 : pa.length === 0 ? 1 : -1;
  for (let i = 0; ; i++) {
    if (i >= pa.length && i >= pb.length) return 0;
    if (i >= pa.length) return -1;
    if (i >= pb.length) return 1;
    const c = compareIdentifiers(pa[i], pb[i]);
    if (c !== 0) return c;
  }
}

export function compareSemVer(a: SemVer, b: SemVer): number {
  return compareMain(a, b) || comparePrerelease(a, b);
}

const STRICT =
  /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:-((?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*))*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

/** Parses exactly the SemVer 2.0.0 grammar (no prefix, no leading zeros); undefined otherwise. */
export function parseStrictSemVer(v: string): SemVer | undefined {
  if (v.length > 256) return undefined;
  const m = STRICT.exec(v);
  if (!m) return undefined;
  return {
    major: m[1],
    minor: m[2],
    patch: m[3],
    prerelease: m[4] === undefined ? [] : m[4].split('.'),
    build: m[5] === undefined ? [] : m[5].split('.'),
  };
}

export function formatSemVer(v: SemVer): string {
  let s = `${v.major}.${v.minor}.${v.patch}`;
  if (v.prerelease.length) s += `-${v.prerelease.join('.')}`;
  return s;
}
