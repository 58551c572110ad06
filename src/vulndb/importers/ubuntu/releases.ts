// Ubuntu releases as the security data names them, mapped to os-release VERSION_ID ("22.04").
// Ubuntu Pro (ESM) channels are kept apart as "<version>-pro" (or "-pro-fips…" for FIPS channels):
// their fixed versions (…+esm1) exist only for attached machines, and the public archive's state
// for the same package ("ignored" in 16.04) must not be overwritten by them. Matching uses the
// plain release, and the -pro one only for images with Pro (esm) packages installed.

const CODENAMES: ReadonlyMap<string, string> = new Map([
  ['dapper', '6.06'], ['hardy', '8.04'], ['lucid', '10.04'], ['maverick', '10.10'], ['natty', '11.04'],
  ['oneiric', '11.10'], ['precise', '12.04'], ['quantal', '12.10'], ['raring', '13.04'], ['saucy', '13.10'],
  ['trusty', '14.04'], ['utopic', '14.10'], ['vivid', '15.04'], ['wily', '15.10'], ['xenial', '16.04'],
  ['yakkety', '16.10'], ['zesty', '17.04'], ['artful', '17.10'], ['bionic', '18.04'], ['cosmic', '18.10'],
  ['disco', '19.04'], ['eoan', '19.10'], ['focal', '20.04'], ['groovy', '20.10'], ['hirsute', '21.04'],
  ['impish', '21.10'], ['jammy', '22.04'], ['kinetic', '22.10'], ['lunar', '23.04'], ['mantic', '23.10'],
  ['noble', '24.04'], ['oracular', '24.10'], ['plucky', '25.04'], ['questing', '25.10'], ['resolute', '26.04'],
  ['devel', 'devel'],
]);

export function ubuntuCodenameRelease(codename: string): string | undefined {
  return CODENAMES.get(codename.toLowerCase());
}

/**
 * OSV ecosystem -> release: "Ubuntu:22.04:LTS" -> "22.04", "Ubuntu:24.10" -> "24.10",
 * "Ubuntu:Pro:16.04:LTS" -> "16.04-pro", "Ubuntu:Pro:FIPS-updates:20.04:LTS" -> "20.04-pro-fips-updates".
 */
export function ubuntuEcosystemRelease(ecosystem: string): string | undefined {
  const parts = ecosystem.split(':');
  if (parts[0] !== 'Ubuntu') return undefined;
  const i = parts.findIndex((p) => /^\d{1,2}\.\d{2}$/.test(p));
  if (i < 0) return undefined;
  const channel = parts.slice(1, i).map((p) => p.toLowerCase());
  return channel.length === 0 ? parts[i] : `${parts[i]}-${channel.join('-')}`;
}

/**
 * A purl's distro qualifier -> release: "jammy" -> "22.04", "esm-infra/xenial" and
 * "esm-apps/xenial" -> "16.04-pro", "fips-updates/focal" -> "20.04-pro-fips-updates".
 */
export function ubuntuDistroRelease(distro: string): string | undefined {
  const slash = distro.lastIndexOf('/');
  const version = ubuntuCodenameRelease(slash < 0 ? distro : distro.slice(slash + 1));
  if (!version) return undefined;
  if (slash < 0) return version;
  const channel = distro.slice(0, slash).toLowerCase();
  if (channel.startsWith('esm-')) return `${version}-pro`;
  return `${version}-pro-${channel.replace(/[^a-z0-9]+/g, '-')}`;
}
