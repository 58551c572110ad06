// dpkg's package database (var/lib/dpkg/status, and distroless' var/lib/dpkg/status.d/<pkg>):
// which stanzas are installed packages, and their fields in the shape Triad needs.
import { parseStanzas } from './stanza.ts';

export interface DebRecord {
  name: string;
  /** Full version as written: [epoch:]upstream[-revision]. */
  version: string;
  arch?: string;
  /** The Status field when it is not the usual "install ok installed" (e.g. "hold ok installed"). */
  status?: string;
  sourceName: string;
  sourceVersion: string;
  maintainer?: string;
  /** Installed-Size, in KiB as dpkg records it. */
  installedSize?: number;
  /** Depends + Pre-Depends: one entry per comma group, each the alternatives' package names in order. */
  depends?: string[][];
  /** Virtual package names this package provides (Provides:). */
  provides?: string[];
}

const KEEP = new Set(['package', 'status', 'version', 'architecture', 'source', 'maintainer', 'installed-size', 'depends', 'pre-depends', 'provides']);

/**
 * Which states of the Status field ("<want> <flag> <state>") count as installed.
 *
 * The state word decides, not the selection ("want": install/hold/deinstall/purge is what the admin
 * asked for next; a held or to-be-removed package is still on disk). Counted: installed,
 * triggers-awaited, triggers-pending, half-configured and unpacked: in all of them the package's
 * files are unpacked on disk, so its vulnerabilities are present. Not counted: config-files (only
 * conffiles remain), half-installed (an unpack or removal was interrupted; files are in an unknown
 * state) and not-installed. This matches `dpkg-query -W` restricted to the status letters i, W,
 * t, F and U. Trivy counts only "install ok installed", so it drops held packages ("hold ok
 * installed") that we report.
 *
 * A stanza without any Status field counts as installed: distroless' status.d files are written
 * by the image builder from the package index and some generators omit Status.
 */
const INSTALLED_STATES = new Set(['installed', 'triggers-awaited', 'triggers-pending', 'half-configured', 'unpacked']);

export function isInstalled(status: string | undefined): boolean {
  if (status === undefined) return true;
  const words = status.trim().split(/\s+/);
  return INSTALLED_STATES.has(words[words.length - 1].toLowerCase());
}

/**
 * Debian version syntax (deb-version(7)): optional numeric epoch, upstream version starting with
 * an alphanumeric, optional revision after the last hyphen. Used to drop corrupt stanzas
 * ("Version: 1:5.#"), not to compare versions.
 */
const DEB_VERSION = /^(?:[0-9]+:)?[A-Za-z0-9][A-Za-z0-9.+~:-]*$/;
const PKG_NAME = /^[a-z0-9][a-z0-9.+-]*$/;

export function isValidDebVersion(v: string): boolean {
  if (!DEB_VERSION.test(v) || v.endsWith('-')) return false;
  // A colon in the upstream part is only legal when there is an epoch.
  const firstColon = v.indexOf(':');
  return firstColon < 0 || /^[0-9]+$/.test(v.slice(0, firstColon));
}

/** "gcc-5 (5.1.1-12ubuntu1)" -> name and version; "pam" -> name only. */
export function parseSource(field: string): { name: string; version?: string } {
  const m = /^\s*(\S+)(?:\s*\(\s*([^()]*?)\s*\))?/.exec(field);
  return m ? { name: m[1], version: m[2] || undefined } : { name: '' };
}

/**
 * Depends-style relation list: "libc6 (>= 2.14), debconf (>= 0.5) | debconf-2.0, python3:any".
 * Version constraints, architecture lists "[amd64]", build profiles "<!nocheck>" and arch
 * qualifiers ":any" are dropped; only names remain.
 */
export function parseRelations(field: string | undefined): string[][] {
  if (!field) return [];
  const out: string[][] = [];
  for (const group of field.replace(/\n/g, ' ').split(',')) {
    const alts: string[] = [];
    for (const alt of group.split('|')) {
      const name = alt.replace(/\([^)]*\)|\[[^\]]*\]|<[^>]*>/g, ' ').trim().split(/\s+/)[0]?.split(':')[0]?.toLowerCase() ?? '';
      if (name && PKG_NAME.test(name)) alts.push(name);
    }
    if (alts.length) out.push(alts);
  }
  return out;
}

export interface StatusParse {
  records: DebRecord[];
  warnings: string[];
}

export function parseStatus(text: string, label: string): StatusParse {
  const { stanzas, warnings } = parseStanzas(text, KEEP, label);
  const records: DebRecord[] = [];
  let noName = 0;
  const invalid: string[] = [];
  for (const { fields: f } of stanzas) {
    const name = f.get('package')?.trim().toLowerCase();
    const version = f.get('version')?.trim();
    const status = f.get('status')?.replace(/\s+/g, ' ').trim();
    // Not-installed stanzas (config-files, purged) are normal: no warning.
    if (!isInstalled(status)) continue;
    if (!name || !PKG_NAME.test(name)) {
      noName++;
      continue;
    }
    if (!version || !isValidDebVersion(version)) {
      invalid.push(`${name} ${JSON.stringify(version ?? '')}`);
      continue;
    }
    const src = parseSource(f.get('source') ?? '');
    let sourceVersion = src.version ?? version;
    if (!isValidDebVersion(sourceVersion)) {
      warnings.push(`${label}: ${name}: invalid source version ${JSON.stringify(sourceVersion)}, using the binary version`);
      sourceVersion = version;
    }
    const rec: DebRecord = { name, version, sourceName: src.name && PKG_NAME.test(src.name) ? src.name : name, sourceVersion };
    const arch = f.get('architecture')?.trim();
    if (arch) rec.arch = arch;
    if (status !== undefined && status !== 'install ok installed') rec.status = status;
    const maint = f.get('maintainer')?.trim();
    if (maint) rec.maintainer = maint.replace(/\s*\n\s*/g, ' ');
    const size = Number.parseInt(f.get('installed-size') ?? '', 10);
    if (Number.isFinite(size) && size >= 0) rec.installedSize = size;
    const depends = [...parseRelations(f.get('pre-depends')), ...parseRelations(f.get('depends'))];
    if (depends.length) rec.depends = depends;
    const provides = parseRelations(f.get('provides')).flat();
    if (provides.length) rec.provides = provides;
    records.push(rec);
  }
  if (noName) warnings.push(`${label}: ${noName} stanza(s) without a valid Package field ignored`);
  if (invalid.length) warnings.push(`${label}: ${invalid.length} package(s) with a missing or invalid Version ignored: ${invalid.slice(0, 5).join(', ')}${invalid.length > 5 ? ', ...' : ''}`);
  return { records, warnings };
}
