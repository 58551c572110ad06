// Go versions: module versions are semver with a "v" prefix (v1.2.3, v2.0.0+incompatible, pseudo-
// versions v0.0.0-20191109021931-daa7c04131f5, which are ordinary pre-releases); OSV's Go data writes
// them without the "v". The toolchain/stdlib spells releases go1.21.3, go1.21 (= 1.21.0), go1.22rc1
// and go1.9beta2 (pre-releases). Constraints: the plain comparator language (>=v1.2.0, <1.3.0 || ...).

import { VersionError, type VersionScheme } from './scheme.ts';
import { compareSemVer, parseStrictSemVer, type SemVer } from './semver-core.ts';
import { satisfiesComparators } from './comparators.ts';
import { MAX_VERSION_LENGTH } from './numeric.ts';

const TOOLCHAIN = /^go(0|[1-9][0-9]*)(?:\.(0|[1-9][0-9]*))?(?:\.(0|[1-9][0-9]*))?(?:(rc|beta|alpha)(0|[1-9][0-9]*))?$/;

export function parseGo(input: string): SemVer {
  const v = input.trim();
  if (v.length > MAX_VERSION_LENGTH) throw new VersionError('go', input.slice(0, 64), 'version too long');
  const t = TOOLCHAIN.exec(v);
  if (t) {
    return {
      major: t[1],
      minor: t[2] ?? '0',
      patch: t[3] ?? '0',
      prerelease: t[4] ? [t[4], t[5]] : [],
      build: [],
    };
  }
  // Go's semver accepts the shorthands v1 and v1.2 (= v1.0.0, v1.2.0) without pre-release or build.
  const short = /^v?(0|[1-9][0-9]*)(?:\.(0|[1-9][0-9]*))?$/.exec(v);
  if (short) return { major: short[1], minor: short[2] ?? '0', patch: '0', prerelease: [], build: [] };
  const s = parseStrictSemVer(v.replace(/^v/, ''));
  if (!s) throw new VersionError('go', input, 'not a Go module or toolchain version');
  return s;
}

function compare(a: string, b: string): number {
  return compareSemVer(parseGo(a), parseGo(b));
}

export const go: VersionScheme = {
  name: 'go',
  compare,
  valid(v: string): boolean {
    try {
      parseGo(v);
      return true;
    } catch {
      return false;
    }
  },
  satisfies(v: string, constraint: string): boolean {
    return satisfiesComparators('go', compare, v, constraint);
  },
};
