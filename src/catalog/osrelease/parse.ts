// Parsers for the files that say which distribution an image is. Each parser looks at one file on
// its own and returns what that file claims; `identify.ts` decides between the claims.
import type { OSInfo } from '../../model/types.ts';

/** Which kind of release file a path is, or undefined when it is none we read. */
export type ReleaseKind =
  | 'os-release'
  | 'alpine-release'
  | 'lsb-release'
  | 'debian_version'
  | 'suse-release'
  /** "<Name> release <version> (<codename>)" one-liners: redhat/centos/oracle/rocky/... and amazon's system-release. */
  | 'rpm-release';

/** Image paths (no leading '/') we read, with their kind. */
export const RELEASE_FILES: ReadonlyMap<string, ReleaseKind> = new Map<string, ReleaseKind>([
  // etc/os-release is usually a symlink to ../usr/lib/os-release; only regular files reach us, so
  // both are wanted and identify.ts prefers etc/ when both are regular files (os-release(5)).
  ['etc/os-release', 'os-release'],
  ['usr/lib/os-release', 'os-release'],
  ['etc/alpine-release', 'alpine-release'],
  ['etc/lsb-release', 'lsb-release'],
  ['etc/debian_version', 'debian_version'],
  ['etc/SuSE-release', 'suse-release'],
  ['etc/redhat-release', 'rpm-release'],
  ['etc/centos-release', 'rpm-release'],
  ['etc/system-release', 'rpm-release'],
  // Vendor files that exist next to a regular-file redhat-release on old releases without
  // os-release (Oracle Linux 6 ships both, and its redhat-release claims RHEL).
  ['etc/oracle-release', 'rpm-release'],
  ['etc/rocky-release', 'rpm-release'],
  ['etc/almalinux-release', 'rpm-release'],
  ['etc/fedora-release', 'rpm-release'],
]);

/**
 * Spellings of the same distribution that os-release IDs and release files use, mapped to one
 * family so that matching and PURLs see a single name.
 */
function normalizeFamily(id: string, version: string): string {
  const f = id.toLowerCase();
  switch (f) {
    // SLE Micro was briefly rebranded "SL Micro" (6.0) and has a "for Rancher" variant: same product.
    case 'sl-micro':
    case 'sle-micro-rancher':
      return 'sle-micro';
    // openSUSE Leap 42.x still said ID=opensuse; Leap 15 says opensuse-leap. Older openSUSE 13.x
    // (not Leap) also says opensuse and is left alone.
    case 'opensuse':
      return /^42\./.test(version) ? 'opensuse-leap' : f;
    default:
      return f;
  }
}

/** Splits text into lines, tolerating CRLF, a UTF-8 BOM and NUL padding. */
export function textLines(text: string): string[] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return text.replace(/\0+$/, '').split(/\r?\n|\r/);
}

/**
 * Reads a shell-style KEY=VALUE file (os-release(5), lsb-release). Values may be double- or
 * single-quoted with backslash escapes; lines that are not assignments are ignored, since
 * these files are sometimes edited by hand.
 */
export function parseKeyValues(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of textLines(text)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) continue;
    out.set(key, unquote(line.slice(eq + 1).trim()));
  }
  return out;
}

function unquote(v: string): string {
  const q = v[0];
  if ((q === '"' || q === "'") && v.length >= 2 && v.endsWith(q)) {
    const inner = v.slice(1, -1);
    // Single quotes are literal in shell; double quotes honour \" \\ \$ \`.
    return q === "'" ? inner : inner.replace(/\\(["\\$`])/g, '$1');
  }
  // An unbalanced quote: keep what is there without the stray quote characters.
  return v.replace(/^["']|["']$/g, '');
}

/** "12 (bookworm)" -> "bookworm"; Ubuntu's "22.04.3 LTS (Jammy Jellyfish)" -> "Jammy Jellyfish". */
function codenameFromVersion(version: string | undefined): string | undefined {
  const m = version ? /\(([^()]+)\)\s*$/.exec(version) : null;
  return m ? m[1].trim() : undefined;
}

function nonEmpty(s: string | undefined): string | undefined {
  return s !== undefined && s.trim() !== '' ? s.trim() : undefined;
}

function clean(info: OSInfo): OSInfo {
  // Leave optional fields out rather than undefined, so results compare and serialise cleanly.
  for (const k of Object.keys(info) as (keyof OSInfo)[]) if (info[k] === undefined) delete info[k];
  return info;
}

/** os-release(5). Without ID the file identifies nothing (the spec's default "linux" says nothing useful). */
export function parseOsRelease(text: string, source: string): OSInfo | undefined {
  const kv = parseKeyValues(text);
  const id = nonEmpty(kv.get('ID'));
  if (!id) return undefined;
  const version = nonEmpty(kv.get('VERSION_ID')) ?? '';
  const idLike = nonEmpty(kv.get('ID_LIKE'))?.toLowerCase().split(/\s+/);
  return clean({
    family: normalizeFamily(id, version),
    version,
    // An explicit empty VERSION_CODENAME (Fedora) means "none": do not guess from VERSION then.
    codename: kv.has('VERSION_CODENAME')
      ? nonEmpty(kv.get('VERSION_CODENAME'))
      : (nonEmpty(kv.get('UBUNTU_CODENAME')) ?? codenameFromVersion(kv.get('VERSION'))),
    name: nonEmpty(kv.get('NAME')),
    prettyName: nonEmpty(kv.get('PRETTY_NAME')),
    idLike,
    source,
  });
}

/** lsb-release: DISTRIB_ID=Ubuntu, DISTRIB_RELEASE=22.04, DISTRIB_CODENAME=jammy. */
export function parseLsbRelease(text: string, source: string): OSInfo | undefined {
  const kv = parseKeyValues(text);
  const id = nonEmpty(kv.get('DISTRIB_ID'));
  if (!id) return undefined;
  const version = nonEmpty(kv.get('DISTRIB_RELEASE')) ?? '';
  return clean({
    family: normalizeFamily(id.replace(/\s+/g, '-'), version),
    version,
    codename: nonEmpty(kv.get('DISTRIB_CODENAME')),
    prettyName: nonEmpty(kv.get('DISTRIB_DESCRIPTION')),
    source,
  });
}

function firstLine(text: string): string | undefined {
  for (const l of textLines(text)) if (l.trim() !== '') return l.trim();
  return undefined;
}

/** etc/alpine-release holds the full release, "3.14.2" (edge: "3.20.0_alpha20240329"). */
export function parseAlpineRelease(text: string, source: string): OSInfo | undefined {
  const v = firstLine(text);
  // Guard against non-release content (a file someone wrote by hand, binary garbage).
  if (!v || !/^[0-9][0-9A-Za-z._+~-]{0,63}$/.test(v)) return undefined;
  return { family: 'alpine', version: v, source };
}

/**
 * etc/debian_version: "12.5" on stable releases, "trixie/sid" on testing/unstable. Ubuntu ships
 * one too ("bookworm/sid"), which is why identify.ts only uses it when nothing better exists.
 */
export function parseDebianVersion(text: string, source: string): OSInfo | undefined {
  const v = firstLine(text);
  if (!v || !/^[0-9A-Za-z][0-9A-Za-z./+~_-]{0,63}$/.test(v)) return undefined;
  const codename = /^[a-z]+\/sid$/.test(v) ? v.slice(0, v.indexOf('/')) : undefined;
  return clean({ family: 'debian', version: v, codename, source });
}

/** Vendor names in "<Name> release <version>" files, most specific first. */
const RPM_VENDORS: ReadonlyArray<[RegExp, string]> = [
  [/^centos/i, 'centos'],
  [/^red hat enterprise linux/i, 'rhel'],
  [/^rocky linux/i, 'rocky'],
  [/^almalinux/i, 'almalinux'],
  [/^oracle linux/i, 'ol'],
  [/^enterprise linux/i, 'ol'], // Oracle Linux 5 called itself "Enterprise Linux Enterprise Linux Server"
  [/^fedora/i, 'fedora'],
  [/^amazon linux/i, 'amzn'],
  [/^scientific linux/i, 'scientific'],
  [/^cbl-mariner/i, 'mariner'],
  [/^(microsoft )?azure linux/i, 'azurelinux'],
  [/^euleros/i, 'euleros'],
  [/^openeuler/i, 'openeuler'],
  [/^anolis/i, 'anolis'],
  [/^alibaba cloud linux/i, 'alinux'],
  [/^vmware photon/i, 'photon'],
];

/**
 * "CentOS Linux release 7.9.2009 (Core)", "Red Hat Enterprise Linux Server release 6.10 (Santiago)",
 * "Amazon Linux AMI release 2018.03", "Amazon Linux release 2 (Karoo)", "Fedora release 39 (Thirty Nine)".
 */
export function parseRpmRelease(text: string, source: string): OSInfo | undefined {
  const line = firstLine(text);
  if (!line) return undefined;
  const m = /^(.*?)\s+release\s+([0-9][0-9A-Za-z._-]*)\s*(?:\(([^()]*)\))?/i.exec(line);
  if (!m) return undefined;
  const vendor = RPM_VENDORS.find(([re]) => re.test(m[1]));
  if (!vendor) return undefined;
  return clean({ family: vendor[1], version: m[2], codename: nonEmpty(m[3]), prettyName: line, source });
}

/**
 * etc/SuSE-release (SLES 11/12, openSUSE 13 and older, before os-release):
 *   SUSE Linux Enterprise Server 11 (x86_64)
 *   VERSION = 11
 *   PATCHLEVEL = 4
 */
export function parseSuseRelease(text: string, source: string): OSInfo | undefined {
  const head = firstLine(text);
  if (!head) return undefined;
  const fields = new Map<string, string>();
  for (const l of textLines(text)) {
    const m = /^\s*([A-Z_]+)\s*=\s*(.*?)\s*$/.exec(l);
    if (m) fields.set(m[1], m[2]);
  }
  let family: string;
  if (/^SUSE Linux Enterprise Server/i.test(head)) family = 'sles';
  else if (/^SUSE Linux Enterprise Desktop/i.test(head)) family = 'sled';
  else if (/^openSUSE/i.test(head)) family = 'opensuse';
  else return undefined;
  const major = fields.get('VERSION');
  if (!major || !/^[0-9][0-9.]*$/.test(major)) return undefined;
  const patch = fields.get('PATCHLEVEL');
  const version = patch && /^[0-9]+$/.test(patch) && !major.includes('.') ? `${major}.${patch}` : major;
  return clean({ family: normalizeFamily(family, version), version, codename: nonEmpty(fields.get('CODENAME')), prettyName: head, source });
}

/** Parses one release file by kind. */
export function parseReleaseFile(kind: ReleaseKind, text: string, source: string): OSInfo | undefined {
  switch (kind) {
    case 'os-release':
      return parseOsRelease(text, source);
    case 'alpine-release':
      return parseAlpineRelease(text, source);
    case 'lsb-release':
      return parseLsbRelease(text, source);
    case 'debian_version':
      return parseDebianVersion(text, source);
    case 'suse-release':
      return parseSuseRelease(text, source);
    case 'rpm-release':
      return parseRpmRelease(text, source);
  }
}
