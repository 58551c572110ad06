// npm versions as node-semver parses them: strict SemVer with an optional leading "v" (and, in loose
// mode, "=" and spaces, leading zeros, and a pre-release without its "-").

import { VersionError } from '../scheme.ts';
import { compareSemVer, type SemVer } from '../semver-core.ts';
import { LOOSE_GRAMMAR, STRICT_GRAMMAR } from './grammar.ts';

export interface NpmOptions {
  loose?: boolean;
  includePrerelease?: boolean;
  /** Triad's own stricter mode: a comparator that does not parse is an error instead of being dropped. */
  rejectUnparsable?: boolean;
}

const MAX_LENGTH = 256;

/** Parses like `new SemVer(v, options)`; throws VersionError where node-semver throws. */
export function parseNpmVersion(input: string, options: NpmOptions = {}): SemVer {
  if (typeof input !== 'string') throw new VersionError('npm', String(input), 'not a string');
  if (input.length > MAX_LENGTH) throw new VersionError('npm', input.slice(0, 64), `longer than ${MAX_LENGTH} characters`);
  const m = (options.loose ? LOOSE_GRAMMAR : STRICT_GRAMMAR).version.exec(input.trim());
  if (!m) throw new VersionError('npm', input, 'invalid version');
  for (const n of [m[1], m[2], m[3]]) {
    if (Number(n) > Number.MAX_SAFE_INTEGER) throw new VersionError('npm', input, 'component too large');
  }
  // node-semver turns numeric identifiers into numbers: "01" in loose mode becomes 1.
  const prerelease =
    m[4] === undefined ? [] : m[4].split('.').map((id) => (/^[0-9]+$/.test(id) && Number(id) < Number.MAX_SAFE_INTEGER ? String(Number(id)) : id));
  return {
    major: String(Number(m[1])),
    minor: String(Number(m[2])),
    patch: String(Number(m[3])),
    prerelease,
    build: m[5] === undefined ? [] : m[5].split('.'),
  };
}

export function tryParseNpmVersion(input: string, options: NpmOptions = {}): SemVer | undefined {
  try {
    return parseNpmVersion(input, options);
  } catch {
    return undefined;
  }
}

export function compareNpm(a: string, b: string, options: NpmOptions = {}): number {
  return compareSemVer(parseNpmVersion(a, options), parseNpmVersion(b, options));
}
