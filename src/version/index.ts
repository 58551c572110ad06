// Picks the version scheme for an ecosystem (and, for OS packages, the distro family).

import { OS_ECOSYSTEMS, type Ecosystem } from '../model/types.ts';
import { VersionError, type VersionScheme } from './scheme.ts';
import { deb } from './deb.ts';
import { rpm } from './rpm.ts';
import { apk } from './apk.ts';
import { semver } from './semver.ts';
import { npm } from './npm/index.ts';
import { pep440 } from './pep440/index.ts';
import { maven } from './maven.ts';
import { go } from './go.ts';
import { gem } from './gem.ts';
import { composer } from './composer/index.ts';
import { nuget } from './nuget.ts';
import { cargo } from './cargo.ts';

const BY_NAME: Record<string, VersionScheme> = { deb, rpm, apk, semver, npm, pep440, maven, go, gem, composer, nuget, cargo };

const BY_ECOSYSTEM: Record<Ecosystem, VersionScheme> = {
  deb,
  rpm,
  apk,
  npm,
  pypi: pep440,
  maven,
  golang: go,
  gem,
  composer,
  nuget,
  cargo,
};

const DEB_FAMILIES = new Set(['debian', 'ubuntu']);
const APK_FAMILIES = new Set(['alpine', 'wolfi', 'chainguard']);
const RPM_FAMILIES = new Set([
  'rhel', 'centos', 'rocky', 'almalinux', 'fedora', 'amzn', 'ol', 'oracle', 'sles', 'sled', 'suse', 'opensuse',
  'photon', 'mariner', 'azurelinux', 'cbl-mariner', 'openeuler', 'anolis', 'alinux', 'eulerosv2', 'redhat',
]);

/**
 * The scheme that orders versions of `ecosystem`. For OS packages the package format decides
 * (deb for Debian/Ubuntu, rpm for every RPM distro, apk for Alpine/Wolfi/Chainguard); a caller that
 * only knows the distro may pass the family with any OS ecosystem and gets the family's format.
 */
export function schemeFor(ecosystem: Ecosystem, distroFamily?: string): VersionScheme {
  const scheme = BY_ECOSYSTEM[ecosystem];
  if (!scheme) throw new VersionError('scheme', String(ecosystem), 'unknown ecosystem');
  if (distroFamily !== undefined && !OS_ECOSYSTEMS.has(ecosystem)) return scheme;
  if (distroFamily !== undefined) {
    const family = distroFamily.toLowerCase();
    if (DEB_FAMILIES.has(family)) return deb;
    if (APK_FAMILIES.has(family)) return apk;
    if (RPM_FAMILIES.has(family) || family.startsWith('opensuse')) return rpm;
  }
  return scheme;
}

/** The scheme by its own name ('deb', 'pep440', ...), also accepting the ecosystem names. */
export function schemeByName(name: string): VersionScheme {
  const scheme = BY_NAME[name] ?? (BY_ECOSYSTEM as Record<string, VersionScheme>)[name];
  if (!scheme) throw new VersionError('scheme', name, 'unknown version scheme');
  return scheme;
}

export const ALL_SCHEMES: readonly VersionScheme[] = Object.values(BY_NAME);
export { VersionError, type VersionScheme };
