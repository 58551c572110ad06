// The npm scheme: node-semver versions and ranges. Versions are parsed loosely (as npm itself does
// for installed package.json files it reads), ranges with node-semver's default rules.

import { VersionError, type VersionScheme } from '../scheme.ts';
import { compareNpm, parseNpmVersion, tryParseNpmVersion } from './version.ts';
import { parseNpmRange, rangeTest } from './range.ts';

const LOOSE = { loose: true, rejectUnparsable: true };

export const npm: VersionScheme = {
  name: 'npm',
  compare: (a, b) => compareNpm(a, b, LOOSE),
  valid: (v) => tryParseNpmVersion(v, LOOSE) !== undefined,
  satisfies(v: string, constraint: string): boolean {
    const range = parseNpmRange(constraint, LOOSE);
    const version = parseNpmVersion(v, LOOSE);
    return rangeTest(range, version, LOOSE);
  },
};

export { VersionError };
export { npmSatisfies, parseNpmRange } from './range.ts';
export { compareNpm, parseNpmVersion } from './version.ts';
