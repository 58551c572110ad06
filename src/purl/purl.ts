// Package URLs (purl-spec) for every ecosystem, built with packageurl-js, which implements the
// spec's encoding and per-type normalisation rules.
import { PackageURL } from 'packageurl-js';

export interface PurlParts {
  type: string;
  namespace?: string;
  name: string;
  version?: string;
  qualifiers?: Record<string, string | undefined>;
  subpath?: string;
}

export function purl(p: PurlParts): string {
  const q: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.qualifiers ?? {})) if (v !== undefined && v !== '') q[k] = v;
  return new PackageURL(p.type, p.namespace || undefined, p.name, p.version || undefined, Object.keys(q).length ? q : undefined, p.subpath || undefined).toString();
}

export function parsePurl(s: string): PurlParts {
  const u = PackageURL.fromString(s);
  return {
    type: u.type,
    namespace: u.namespace ?? undefined,
    name: u.name,
    version: u.version ?? undefined,
    qualifiers: (u.qualifiers as Record<string, string> | undefined) ?? undefined,
    subpath: u.subpath ?? undefined,
  };
}
