// The composer scheme (Packagist). compare() is OSV's Packagist order (PHP's version_compare with a
// leading v/V dropped); satisfies() evaluates Composer constraints on Composer-normalised versions.
import { VersionError, type VersionScheme } from '../scheme.ts';
import { MAX_VERSION_LENGTH } from '../numeric.ts';
import { phpVersionCompare } from './php-compare.ts';
import { normalizeComposer } from './normalize.ts';
import { composerSatisfies } from './constraint.ts';

function strip(v: string): string {
  const t = v.trim();
  if (t === '' || t.length > MAX_VERSION_LENGTH) throw new VersionError('composer', v, 'empty or too long');
  if (!/^[\x21-\x7e]+$/.test(t)) throw new VersionError('composer', v, 'whitespace or control characters in a version');
  return t.replace(/^[vV](?=[0-9])/, '');
}

export const composer: VersionScheme = {
  name: 'composer',
  compare: (a, b) => phpVersionCompare(strip(a), strip(b)),
  valid(v: string): boolean {
    try {
      normalizeComposer(v);
      return true;
    } catch {
      return false;
    }
  },
  satisfies: composerSatisfies,
};
