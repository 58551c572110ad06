// Cargo (crates.io): strict SemVer versions and Cargo's requirement syntax: comma-separated
// comparators (AND), where a bare version means caret (1.2.3 = ^1.2.3), plus ~, *, 1.* wildcards,
// = > >= < <=. Caret/tilde/wildcard bounds and the pre-release rule (a pre-release only matches a
// comparator naming a pre-release of the same major.minor.patch) are the same as npm's, so the
// requirement is rewritten into a node-semver range and evaluated by that engine.

import { VersionError, type VersionScheme } from './scheme.ts';
import { compareSemVer, parseStrictSemVer } from './semver-core.ts';
import { parseNpmRange, rangeTest } from './npm/range.ts';

const STRICT = { rejectUnparsable: true };
const COMPARATOR = /^(=|>=|<=|>|<|~|\^)?\s*((?:0|[1-9][0-9]*|\*|x|X)(?:\.(?:0|[1-9][0-9]*|\*|x|X)){0,2}(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)$/;

function parseCargoVersion(input: string) {
  const v = parseStrictSemVer(input.trim());
  if (!v) throw new VersionError('cargo', input, 'not a SemVer version');
  return v;
}

function toNpmRange(requirement: string): string {
  if (requirement.length > 4096) throw new VersionError('cargo', requirement.slice(0, 64), 'requirement too long');
  const parts = requirement.split(',').map((p) => p.trim());
  return parts
    .map((p) => {
      const m = COMPARATOR.exec(p);
      if (!m) throw new VersionError('cargo', requirement, `invalid comparator ${JSON.stringify(p)}`);
      const [, op, version] = m;
      if (op === undefined && !/^[*xX]/.test(version)) return `^${version}`;
      return `${op ?? ''}${version}`;
    })
    .join(' ');
}

export const cargo: VersionScheme = {
  name: 'cargo',
  compare: (a, b) => compareSemVer(parseCargoVersion(a), parseCargoVersion(b)),
  valid: (v) => parseStrictSemVer(v.trim()) !== undefined,
  satisfies(v: string, constraint: string): boolean {
    const version = parseCargoVersion(v);
    let range;
    try {
      range = parseNpmRange(toNpmRange(constraint), STRICT);
    } catch (e) {
      throw e instanceof VersionError ? new VersionError('cargo', constraint, e.message) : e;
    }
    return rangeTest(range, version, STRICT);
  },
};
