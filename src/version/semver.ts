// The "semver" scheme: SemVer 2.0.0 precedence for OSV ranges of type SEMVER. OSV data is not always
// strictly SemVer, so like OSV's own tooling this accepts a leading "v", missing minor/patch
// (1.5 = 1.5.0) and extra numeric components (1.2.3.4, ignored for precedence, like build metadata).

import { VersionError, type VersionScheme } from './scheme.ts';
import { compareSemVer, type SemVer } from './semver-core.ts';
import { satisfiesComparators } from './comparators.ts';
import { MAX_VERSION_LENGTH } from './numeric.ts';

const LENIENT =
  /^[vV]?([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?((?:\.[0-9]+)*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

export function parseLenientSemVer(input: string, scheme = 'semver'): SemVer {
  const v = input.trim();
  if (v.length > MAX_VERSION_LENGTH) throw new VersionError(scheme, input, 'version too long');
  const m = LENIENT.exec(v);
  if (!m) throw new VersionError(scheme, input, 'not a semantic version');
  return {
    major: m[1],
    minor: m[2] ?? '0',
    patch: m[3] ?? '0',
    prerelease: m[5] === undefined ? [] : m[5].split('.'),
    build: [...(m[4] ? m[4].slice(1).split('.') : []), ...(m[6] === undefined ? [] : m[6].split('.'))],
  };
}

function compare(a: string, b: string): number {
  return compareSemVer(parseLenientSemVer(a), parseLenientSemVer(b));
}

export const semver: VersionScheme = {
  name: 'semver',
  compare,
  valid(v: string): boolean {
    try {
      parseLenientSemVer(v);
      return true;
    } catch {
      return false;
    }
  },
  satisfies(v: string, constraint: string): boolean {
    return satisfiesComparators('semver', compare, v, constraint);
  },
};
