// .NET: `<app>.deps.json` (written by the SDK next to every built/published app: what the host
// loads) and NuGet's `packages.lock.json` (the project's resolved graph).
import type { FoundPackage } from '../cataloger.ts';
import { purl } from '../../purl/purl.ts';
import { parseJSONFile } from '../text.ts';

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface ParseResult {
  packages: FoundPackage[];
  warnings: string[];
}

export function nugetPackage(name: string, version: string, location: string, deps: string[] = []): FoundPackage {
  const p: FoundPackage = {
    name,
    version,
    ecosystem: 'nuget',
    purl: purl({ type: 'nuget', name, version }),
    licenses: [],
    locations: [location],
  };
  const d = [...new Set(deps)].sort();
  if (d.length) p.dependsOnNames = d;
  return p;
}

/** True when a target entry ships files: managed runtime assemblies, RID-specific or native assets. */
function hasAssets(entry: Rec): boolean {
  for (const k of ['runtime', 'runtimeTargets', 'native']) {
    const v = entry[k];
    if (isRec(v) && Object.keys(v).length) return true;
  }
  return false;
}

const RUNTIMEPACK = 'runtimepack.';

/**
 * Libraries of type "package" (NuGet packages), and "runtimepack" (the .NET runtime a
 * self-contained app carries, reported under its NuGet name, e.g.
 * Microsoft.NETCore.App.Runtime.linux-x64, which is how advisories name it). "project" entries are
 * the app's own assemblies. When the runtime target does not list a library, or lists it without
 * any asset, nothing of it is deployed (reference-only or framework-provided packages) and it is
 * left out; when the runtime target itself is missing every package library is kept.
 */
export function parseDepsJson(path: string, buf: Buffer): ParseResult {
  const { doc, warning } = parseJSONFile(buf);
  if (warning) return { packages: [], warnings: [warning] };
  if (!isRec(doc)) return { packages: [], warnings: ['deps.json is not a JSON object'] };
  if (!isRec(doc.libraries)) return { packages: [], warnings: [] };
  const targets = isRec(doc.targets) ? doc.targets : {};
  const rtName = isRec(doc.runtimeTarget) && typeof doc.runtimeTarget.name === 'string' ? doc.runtimeTarget.name : undefined;
  const target = rtName !== undefined && isRec(targets[rtName]) ? (targets[rtName] as Rec) : undefined;
  const out: FoundPackage[] = [];
  const warnings: string[] = [];
  for (const [key, lib] of Object.entries(doc.libraries)) {
    if (!isRec(lib)) continue;
    const type = typeof lib.type === 'string' ? lib.type.toLowerCase() : '';
    if (type !== 'package' && type !== 'runtimepack') continue;
    const slash = key.lastIndexOf('/');
    if (slash <= 0 || slash === key.length - 1) {
      warnings.push(`deps.json library key without a version: ${JSON.stringify(key.slice(0, 200))}`);
      continue;
    }
    let name = key.slice(0, slash);
    const version = key.slice(slash + 1);
    const entry = target?.[key];
    if (target && !(isRec(entry) && hasAssets(entry))) continue;
    if (type === 'runtimepack' && name.startsWith(RUNTIMEPACK)) name = name.slice(RUNTIMEPACK.length);
    const deps = isRec(entry) && isRec(entry.dependencies) ? Object.keys(entry.dependencies).map((d) => (d.startsWith(RUNTIMEPACK) ? d.slice(RUNTIMEPACK.length) : d)) : [];
    out.push(nugetPackage(name, version, path, deps));
  }
  return { packages: out, warnings };
}

/** packages.lock.json: every target framework's resolved packages, once per name@version; projects skipped. */
export function parsePackagesLock(path: string, buf: Buffer): ParseResult {
  const { doc, warning } = parseJSONFile(buf);
  if (warning) return { packages: [], warnings: [warning] };
  if (!isRec(doc) || !isRec(doc.dependencies)) return { packages: [], warnings: doc === null || isRec(doc) ? [] : ['packages.lock.json is not a JSON object'] };
  const seen = new Map<string, FoundPackage>();
  for (const framework of Object.values(doc.dependencies)) {
    if (!isRec(framework)) continue;
    for (const [name, entry] of Object.entries(framework)) {
      if (!isRec(entry) || typeof entry.resolved !== 'string' || !entry.resolved) continue;
      if (typeof entry.type === 'string' && entry.type.toLowerCase() === 'project') continue;
      const key = `${name.toLowerCase()}@${entry.resolved}`;
      const deps = isRec(entry.dependencies) ? Object.keys(entry.dependencies) : [];
      const had = seen.get(key);
      if (had) {
        if (deps.length) had.dependsOnNames = [...new Set([...(had.dependsOnNames ?? []), ...deps])].sort();
        continue;
      }
      seen.set(key, nugetPackage(name, entry.resolved, path, deps));
    }
  }
  return { packages: [...seen.values()], warnings: [] };
}
