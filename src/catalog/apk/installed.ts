// apk's installed database (lib/apk/db/installed): one paragraph per package of "X:value" lines
// (https://wiki.alpinelinux.org/wiki/Apk_spec), paragraphs separated by blank lines. The file
// lines F: (directory) and R: (file in the last F: directory) list what the package installed.
import { normalizeLicense } from '../dpkg/copyright.ts';

export interface ApkRecord {
  name: string;
  version: string;
  arch?: string;
  /** o: the origin (source) package. */
  origin?: string;
  licenses: string[];
  maintainer?: string;
  /** I: installed size in bytes. */
  installedSize?: number;
  url?: string;
  /** D: tokens with version constraints removed ("so:libc.musl-x86_64.so.1", "musl"); conflicts ("!x") dropped. */
  depends?: string[];
  /** p: tokens with their "=version" removed ("so:libcrypto.so.3", "cmd:openssl", "/bin/sh"). */
  provides?: string[];
  /** Installed regular files, '\n'-joined (compact; see dpkg/filelist.ts for why). */
  files: string;
}

/**
 * apk versions ("1.2.2-r3", "2.6.4_git20230101-r0", "20220614-r0"). Lenient on purpose: apk
 * wrote these; only values no version could have (spaces, '#', empty) mark a corrupt record.
 */
const APK_VERSION = /^[0-9][0-9A-Za-z._+~-]*$/;
const APK_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/;

/** "so:libssl.so.3=3.0.8" -> "so:libssl.so.3"; "musl>=1.2" -> "musl"; "busybox~1.36" -> "busybox". */
function stripConstraint(token: string): string {
  const i = token.search(/[<>=~]/);
  return i < 0 ? token : token.slice(0, i);
}

/**
 * L: is an SPDX expression on current Alpine/Wolfi ("ISC AND (BSD-3-Clause OR MIT)"), kept whole;
 * older packages list names separated by spaces ("MIT BSD GPL2+", "MPL 2.0 GPL2+"), split into
 * names with a bare version number joined to the name before it.
 */
export function parseApkLicense(value: string): string[] {
  const v = value.trim();
  if (v === '') return [];
  if (/\b(AND|OR|WITH)\b|[()]/.test(v)) return [v];
  const out: string[] = [];
  for (const tok of v.split(/\s+/)) {
    if (/^(and|or)$/i.test(tok)) continue;
    if (/^\d+(\.\d+)*\+?$/.test(tok) && out.length > 0) out[out.length - 1] = normalizeLicense(`${out[out.length - 1]}-${tok}`);
    else out.push(normalizeLicense(tok));
  }
  return [...new Set(out)];
}

export interface InstalledParse {
  records: ApkRecord[];
  warnings: string[];
}

interface Draft {
  name?: string;
  version?: string;
  arch?: string;
  origin?: string;
  license?: string;
  maintainer?: string;
  installedSize?: number;
  url?: string;
  depends?: string[];
  provides?: string[];
  files: string[];
  dir: string;
  line: number;
}

export function parseInstalled(text: string, label: string): InstalledParse {
  const records: ApkRecord[] = [];
  const warnings: string[] = [];
  const names = new Set<string>();
  let bad = 0;
  let firstBad = 0;
  const invalid: string[] = [];
  let duplicates = 0;
  let d: Draft | undefined;

  const finish = () => {
    if (!d) return;
    const cur = d;
    d = undefined;
    if (!cur.name || !APK_NAME.test(cur.name)) {
      invalid.push(`line ${cur.line}: no valid P:`);
      return;
    }
    if (!cur.version || !APK_VERSION.test(cur.version)) {
      invalid.push(`${cur.name} ${JSON.stringify(cur.version ?? '')}`);
      return;
    }
    // apk never records a name twice; if a damaged file does, the first wins (as Trivy does).
    if (names.has(cur.name)) {
      duplicates++;
      return;
    }
    names.add(cur.name);
    const r: ApkRecord = { name: cur.name, version: cur.version, licenses: parseApkLicense(cur.license ?? ''), files: cur.files.join('\n') };
    if (cur.arch) r.arch = cur.arch;
    if (cur.origin) r.origin = cur.origin;
    if (cur.maintainer) r.maintainer = cur.maintainer;
    if (cur.installedSize !== undefined) r.installedSize = cur.installedSize;
    if (cur.url) r.url = cur.url;
    if (cur.depends?.length) r.depends = cur.depends;
    if (cur.provides?.length) r.provides = cur.provides;
    records.push(r);
  };

  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim() === '') {
      finish();
      continue;
    }
    if (line.length < 2 || line[1] !== ':') {
      bad++;
      firstBad ||= i + 1;
      continue;
    }
    d ??= { files: [], dir: '', line: i + 1 };
    const value = line.slice(2);
    switch (line[0]) {
      case 'P':
        d.name = value.trim();
        break;
      case 'V':
        d.version = value.trim();
        break;
      case 'A':
        d.arch = value.trim() || undefined;
        break;
      case 'o':
        d.origin = value.trim() || undefined;
        break;
      case 'L':
        d.license = value;
        break;
      case 'm':
        d.maintainer = value.trim() || undefined;
        break;
      case 'U':
        d.url = value.trim() || undefined;
        break;
      case 'I': {
        const n = Number.parseInt(value, 10);
        if (Number.isFinite(n) && n >= 0) d.installedSize = n;
        break;
      }
      case 'D':
        d.depends = value.split(/\s+/).filter((t) => t !== '' && !t.startsWith('!')).map(stripConstraint).filter(Boolean);
        break;
      case 'p':
        d.provides = value.split(/\s+/).filter(Boolean).map(stripConstraint).filter(Boolean);
        break;
      case 'F':
        d.dir = value.trim().replace(/^\/+|\/+$/g, '');
        break;
      case 'R': {
        const f = value.trim();
        if (f) d.files.push(d.dir ? `${d.dir}/${f}` : f);
        break;
      }
      // Other fields (C checksum, S size, T description, t build time, c commit, a/M/Z file
      // metadata, r replaces, i install_if, q/k priorities ...) are not needed.
    }
  }
  finish();
  if (bad) warnings.push(`${label}: ${bad} malformed line(s) ignored (first at line ${firstBad})`);
  if (invalid.length) warnings.push(`${label}: ${invalid.length} record(s) without a valid name or version ignored: ${invalid.slice(0, 5).join(', ')}${invalid.length > 5 ? ', ...' : ''}`);
  if (duplicates) warnings.push(`${label}: ${duplicates} duplicate package record(s) ignored`);
  return { records, warnings };
}
