// The version-scheme extension point: one implementation per ecosystem's version order and
// constraint syntax. Matching only ever compares versions through this interface.

import type { Ecosystem } from '../model/types.ts';

/** Thrown for a version or constraint the scheme cannot parse; names the offending input. */
export class VersionError extends Error {
  readonly input: string;
  readonly scheme: string;
  constructor(scheme: string, input: string, message: string) {
    super(`${scheme}: ${JSON.stringify(input)}: ${message}`);
    this.name = 'VersionError';
    this.scheme = scheme;
    this.input = input;
  }
}

export interface VersionScheme {
  /** 'deb' | 'rpm' | 'apk' | 'semver' | 'npm' | 'pep440' | 'maven' | 'go' | 'gem' | 'composer' | 'nuget' | 'cargo' */
  readonly name: string;
  /** Negative, zero or positive, as a sorts before, equal to or after b. Throws VersionError. */
  compare(a: string, b: string): number;
  /** Whether `v` parses as a version of this scheme. */
  valid(v: string): boolean;
  /** Whether `v` satisfies a constraint in the ecosystem's own syntax. Throws VersionError. */
  satisfies(v: string, constraint: string): boolean;
}
