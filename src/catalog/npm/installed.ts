// Installed npm packages: one node_modules/<name>/package.json each. Also reads project manifests
// (package.json outside node_modules) for the few fields the yarn.lock dev filter needs.
import type { FoundPackage } from '../cataloger.ts';
import { decodeText, isRecord, keysOf, npmPackage, parseJSON, str } from './common.ts';

/**
 * Licence declarations as written: the `license` string, the legacy `{type}` object, and the
 * legacy `licenses` array (of strings or `{type}` objects). Anything else (numbers, null, objects
 * without a type) yields nothing rather than a made-up value.
 */
export function npmLicenses(doc: Record<string, unknown>): string[] {
  const out: string[] = [];
  const one = (v: unknown) => {
    if (typeof v === 'string') {
      const t = v.trim();
      if (t) out.push(t);
    } else if (isRecord(v) && typeof v.type === 'string' && v.type.trim()) {
      out.push(v.type.trim());
    }
  };
  const visit = (v: unknown) => (Array.isArray(v) ? v.forEach(one) : one(v));
  visit(doc.license);
  if (!out.length) visit(doc.licenses);
  return [...new Set(out)];
}

export interface InstalledResult {
  pkg?: FoundPackage;
  warning?: string;
}

export function parseInstalledManifest(path: string, buf: Buffer): InstalledResult {
  const parsed = parseJSON(decodeText(buf));
  if (!parsed.ok) return { warning: parsed.error };
  const doc = parsed.value;
  if (!isRecord(doc)) return { warning: 'package.json is not a JSON object' };
  const name = str(doc.name)?.trim();
  const version = str(doc.version)?.trim();
  // npm itself ignores such manifests for installation purposes; so does every scanner.
  if (!name || !version) return {};
  const pkg = npmPackage({
    name,
    version,
    location: path,
    licenses: npmLicenses(doc),
    deps: [...keysOf(doc.dependencies), ...keysOf(doc.optionalDependencies)],
  });
  return { pkg };
}

/** What the yarn.lock dev filter needs from the project's own package.json. */
export interface ProjectManifest {
  prod: Array<[string, string]>;
  dev: Array<[string, string]>;
}

function entries(v: unknown): Array<[string, string]> {
  if (!isRecord(v)) return [];
  return Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string');
}

export function parseProjectManifest(buf: Buffer): ProjectManifest | undefined {
  const parsed = parseJSON(decodeText(buf));
  if (!parsed.ok || !isRecord(parsed.value)) return undefined;
  const doc = parsed.value;
  return {
    prod: [...entries(doc.dependencies), ...entries(doc.optionalDependencies)],
    dev: entries(doc.devDependencies),
  };
}
