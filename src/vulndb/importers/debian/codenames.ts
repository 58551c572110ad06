// Debian codenames as the security tracker writes them, mapped to the release Triad identifies
// images with (os-release VERSION_ID: "12"; woody and sarge predate integer releases and their
// debian_version reads "3.0"/"3.1"). Unstable stays "sid", as the tracker and os-release say.

const DEBIAN_RELEASES: ReadonlyMap<string, string> = new Map([
  ['buzz', '1.1'],
  ['rex', '1.2'],
  ['bo', '1.3'],
  ['hamm', '2.0'],
  ['slink', '2.1'],
  ['potato', '2.2'],
  ['woody', '3.0'],
  ['sarge', '3.1'],
  ['etch', '4'],
  ['lenny', '5'],
  ['squeeze', '6'],
  ['wheezy', '7'],
  ['jessie', '8'],
  ['stretch', '9'],
  ['buster', '10'],
  ['bullseye', '11'],
  ['bookworm', '12'],
  ['trixie', '13'],
  ['forky', '14'],
  ['duke', '15'],
  ['sid', 'sid'],
  ['unstable', 'sid'],
]);

/**
 * "bookworm" -> "12". Suites such as "bookworm-security" are the same release. Unknown codenames
 * (a release named after this table was written) return undefined: the caller keeps the codename
 * as written and says so, rather than guessing a number.
 */
export function debianRelease(codename: string): string | undefined {
  const c = codename.trim().toLowerCase().replace(/-(security|updates|backports|proposed-updates|lts)$/, '');
  return DEBIAN_RELEASES.get(c);
}
