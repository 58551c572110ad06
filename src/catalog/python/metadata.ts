// Installed Python distributions: the core-metadata header block of `*.dist-info/METADATA`,
// `*.egg-info/PKG-INFO` (or an `*.egg-info` file) and `*.egg/EGG-INFO/PKG-INFO`. Only the headers
// matter; the long description after the first blank line is never parsed.
import type { FoundPackage } from '../cataloger.ts';
import { purl } from '../../purl/purl.ts';

/** PEP 503 normalised name: lower case, runs of '-', '_' and '.' become one '-'. */
export function normalizeName(name: string): string {
  return name.trim().toLowerCase().replace(/[-_.]+/g, '-');
}

export function pypiPackage(name: string, version: string, location: string, licenses: string[] = [], deps: string[] = []): FoundPackage {
  const p: FoundPackage = {
    name,
    version,
    ecosystem: 'pypi',
    purl: purl({ type: 'pypi', name: normalizeName(name), version }),
    licenses,
    locations: [location],
  };
  const d = [...new Set(deps.map(normalizeName))].sort();
  if (d.length) p.dependsOnNames = d;
  return p;
}

/** Header fields; repeated headers (Classifier, Requires-Dist) keep every value. */
export function parseHeaders(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let key: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    // A blank line ends the headers, except inside an old-style Description header (the README
    // folded into the headers, no body): copies with trailing whitespace stripped have truly empty
    // lines there, and the Classifier headers still follow.
    if (line === '') {
      if (!out.has('description')) break;
      continue;
    }
    if ((line[0] === ' ' || line[0] === '\t') && key) {
      // Folded continuation; setuptools prefixes multi-line values with 7-8 spaces and '|'.
      const list = out.get(key)!;
      let cont = line.trim();
      if (cont.startsWith('|')) cont = cont.slice(1).trimStart();
      list[list.length - 1] += '\n' + cont;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      key = undefined;
      continue;
    }
    key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const list = out.get(key);
    if (list) list.push(value);
    else out.set(key, [value]);
  }
  return out;
}

const NO_LICENSE = new Set(['', 'unknown', 'none', 'null', 'n/a', 'license']);

/**
 * Licences in order of authority: License-Expression (PEP 639, an SPDX expression), a short License
 * field, then the licence classifiers. A License field that holds the whole licence text (common) is
 * not an identifier and is dropped in favour of the classifiers.
 */
export function pythonLicenses(h: Map<string, string[]>): string[] {
  const expr = h.get('license-expression')?.[0]?.trim();
  if (expr) return [expr];
  const lic = h.get('license')?.[0]?.trim() ?? '';
  if (lic && !lic.includes('\n') && lic.length <= 100 && !NO_LICENSE.has(lic.toLowerCase())) return [lic];
  const fromClassifiers: string[] = [];
  for (const c of h.get('classifier') ?? []) {
    const parts = c.split('::').map((s) => s.trim());
    if (parts[0] !== 'License' || parts.length < 2) continue;
    const last = parts[parts.length - 1]!;
    if (last === 'OSI Approved' || NO_LICENSE.has(last.toLowerCase())) continue;
    fromClassifiers.push(last);
  }
  return [...new Set(fromClassifiers)];
}

/** Names of Requires-Dist entries that are always installed (extras are optional). */
export function requiredNames(h: Map<string, string[]>): string[] {
  const out: string[] = [];
  for (const r of h.get('requires-dist') ?? []) {
    const semi = r.indexOf(';');
    if (semi >= 0 && /\bextra\s*==/.test(r.slice(semi))) continue;
    const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(r);
    if (m) out.push(m[1]!);
  }
  return out;
}

export interface MetadataResult {
  pkg?: FoundPackage;
  warning?: string;
}

/** The directory holding the .dist-info/.egg-info (site-packages, dist-packages, a lib/pythonX.Y ...). */
function containingDir(path: string): string {
  let p = path;
  if (p.endsWith('/METADATA') || p.endsWith('/PKG-INFO')) p = p.slice(0, p.lastIndexOf('/'));
  if (p.endsWith('/EGG-INFO')) p = p.slice(0, p.lastIndexOf('/'));
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

/**
 * Metadata that describes the interpreter or its standard library rather than an installed
 * distribution: CPython's own Python-X.Y.egg-info in lib-dynload and stdlib egg-infos such as
 * wsgiref.egg-info sitting directly in lib/pythonX.Y.
 */
export function isInterpreterMetadata(path: string, name: string): boolean {
  const dir = containingDir(path);
  const base = dir.slice(dir.lastIndexOf('/') + 1);
  const stdlibDir = base === 'lib-dynload' || (base.startsWith('python') && /^python\d/.test(base));
  return stdlibDir || (normalizeName(name) === 'python' && !/(site|dist)-packages/.test(path));
}

export function parseMetadata(path: string, text: string): MetadataResult {
  const h = parseHeaders(text);
  const name = h.get('name')?.[0]?.trim();
  const version = h.get('version')?.[0]?.trim();
  if (!name || !version) return { warning: 'metadata without Name or Version' };
  if (isInterpreterMetadata(path, name)) return {};
  return { pkg: pypiPackage(name, version, path, pythonLicenses(h), requiredNames(h)) };
}

export { containingDir };
