// Composer: vendor/composer/installed.json (what `composer install` put on disk; Composer 1 writes
// a bare array of packages, Composer 2 `{packages, dev, dev-package-names}`) and composer.lock
// (`packages`, plus `packages-dev` on request).
import type { FoundPackage } from '../cataloger.ts';
import { purl } from '../../purl/purl.ts';
import { parseJSONFile } from '../text.ts';

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

export interface ComposerResult {
  packages: FoundPackage[];
  warnings: string[];
}

/** Requirements on the platform (PHP itself, extensions, system libraries, Composer's APIs). */
function isPlatform(name: string): boolean {
  const n = name.toLowerCase();
  return (
    n === 'php' ||
    n.startsWith('php-') ||
    n === 'hhvm' ||
    n.startsWith('ext-') ||
    n.startsWith('lib-') ||
    n === 'composer' ||
    n === 'composer-plugin-api' ||
    n === 'composer-runtime-api'
  );
}

function licenses(v: unknown): string[] {
  const list = Array.isArray(v) ? v : [v];
  return [...new Set(list.map(str).filter((s): s is string => !!s))];
}

export function composerPackage(entry: Rec, location: string, dev: boolean): FoundPackage | undefined {
  const name = str(entry.name);
  const version = str(entry.version);
  if (!name || !version) return undefined;
  const slash = name.indexOf('/');
  const namespace = slash > 0 ? name.slice(0, slash) : undefined;
  const p: FoundPackage = {
    name,
    version,
    ecosystem: 'composer',
    purl: purl({ type: 'composer', namespace, name: slash > 0 ? name.slice(slash + 1) : name, version }),
    licenses: licenses(entry.license),
    locations: [location],
  };
  if (namespace) p.namespace = namespace;
  const deps = isRec(entry.require) ? Object.keys(entry.require).filter((d) => !isPlatform(d)).sort() : [];
  if (deps.length) p.dependsOnNames = deps;
  if (dev) p.metadata = { dev: true };
  return p;
}

/**
 * Everything in installed.json is on disk, dev packages included (they are marked; a
 * `composer install --no-dev` image simply does not list them).
 */
export function parseInstalledJson(path: string, buf: Buffer): ComposerResult {
  const { doc, warning } = parseJSONFile(buf);
  if (warning) return { packages: [], warnings: [warning] };
  const list = Array.isArray(doc) ? doc : isRec(doc) && Array.isArray(doc.packages) ? doc.packages : undefined;
  if (!list) return { packages: [], warnings: ['installed.json has no package list'] };
  const devNames = new Set(isRec(doc) && Array.isArray(doc['dev-package-names']) ? doc['dev-package-names'].filter((n) => typeof n === 'string') : []);
  const out: FoundPackage[] = [];
  for (const e of list) {
    if (!isRec(e)) continue;
    const p = composerPackage(e, path, devNames.has(String(e.name)));
    if (p) out.push(p);
  }
  return { packages: out, warnings: [] };
}

export function parseComposerLock(path: string, buf: Buffer, opts: { includeDev?: boolean } = {}): ComposerResult {
  const { doc, warning } = parseJSONFile(buf);
  if (warning) return { packages: [], warnings: [warning] };
  if (!isRec(doc)) return { packages: [], warnings: ['composer.lock is not a JSON object'] };
  const out: FoundPackage[] = [];
  const sections: Array<[string, boolean]> = [['packages', false]];
  if (opts.includeDev) sections.push(['packages-dev', true]);
  for (const [field, dev] of sections) {
    const list = doc[field];
    if (!Array.isArray(list)) continue;
    for (const e of list) {
      if (!isRec(e)) continue;
      const p = composerPackage(e, path, dev);
      if (p) out.push(p);
    }
  }
  return { packages: out, warnings: [] };
}
