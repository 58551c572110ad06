// The pep440 scheme (PyPI).
import type { VersionScheme } from '../scheme.ts';
import { comparePythonVersions, parsePep440 } from './version.ts';
import { pep440Satisfies } from './specifier.ts';

export const pep440: VersionScheme = {
  name: 'pep440',
  compare: comparePythonVersions,
  // Only PEP 440 versions are valid; legacy ones still order (before all valid ones) for old data.
  valid: (v) => parsePep440(v) !== undefined,
  satisfies: pep440Satisfies,
};
