// Does a purl from a VEX statement or an ignore entry name this package? A pattern without a
// version names every version; qualifiers in the pattern must all be present with the same value
// (so "pkg:deb/debian/openssl" and "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64" both
// name pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12).

import { parsePurl, type PurlParts } from '../purl/purl.ts';

const cache = new Map<string, PurlParts | null>();

function parse(s: string): PurlParts | null {
  let p = cache.get(s);
  if (p === undefined) {
    try {
      p = parsePurl(s);
    } catch {
      p = null;
    }
    if (cache.size > 50_000) cache.clear();
    cache.set(s, p);
  }
  return p;
}

export function purlMatches(pattern: string, purl: string): boolean {
  if (!pattern || !purl) return false;
  if (pattern === purl) return true;
  const a = parse(pattern);
  const b = parse(purl);
  if (!a || !b) return false;
  if (a.type !== b.type || (a.namespace ?? '') !== (b.namespace ?? '') || a.name !== b.name) return false;
  if (a.version && a.version !== b.version) return false;
  for (const [k, v] of Object.entries(a.qualifiers ?? {})) if (v !== undefined && b.qualifiers?.[k] !== v) return false;
  return true;
}
