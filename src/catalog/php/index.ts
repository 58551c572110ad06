// PHP (Composer) cataloger. The installed evidence is Composer's own record of what it put in
// the vendor dir, `<vendor>/composer/installed.json` (any vendor-dir name). composer.lock files count
// only for projects with no installed.json below them (a source image without `composer install`).
import type { Cataloger, FileContent, FileMeta, FileResult, FinalizeContext, FoundPackage } from '../cataloger.ts';
import { parseComposerLock, parseInstalledJson } from './composer.ts';

const MiB = 1024 * 1024;
const LIMIT = 32 * MiB;

type PhpData = { kind: 'installed' } | { kind: 'lock' };

const isInstalled = (p: string) => p.endsWith('/composer/installed.json') || p === 'composer/installed.json';

function isLock(p: string): boolean {
  if (!(p.endsWith('/composer.lock') || p === 'composer.lock')) return false;
  // Libraries inside a vendor dir sometimes ship their own development lockfile.
  return !p.includes('/vendor/') && !p.startsWith('vendor/');
}

export interface PhpOptions {
  /** Report composer.lock `packages-dev` too. Default false. */
  includeDev?: boolean;
}

export function createPhpCataloger(opts: PhpOptions = {}): Cataloger {
  return {
    name: 'php',
    ecosystems: ['composer'],
    wants(meta: FileMeta): number | false {
      const p = meta.path;
      if (!p.endsWith('.json') && !p.endsWith('.lock')) return false;
      return isInstalled(p) || isLock(p) ? LIMIT : false;
    },
    async parse(meta: FileMeta, content: FileContent): Promise<FileResult> {
      const buf = await content.readAll();
      const installed = isInstalled(meta.path);
      const r = installed ? parseInstalledJson(meta.path, buf) : parseComposerLock(meta.path, buf, opts);
      const data: PhpData = { kind: installed ? 'installed' : 'lock' };
      return { packages: r.packages, warnings: r.warnings.length ? r.warnings : undefined, data };
    },
    finalize(ctx: FinalizeContext): FoundPackage[] {
      const files = [...ctx.files].sort((a, b) => (a.meta.path < b.meta.path ? -1 : a.meta.path > b.meta.path ? 1 : 0));
      const installedPaths = files.filter((f) => (f.result.data as PhpData | undefined)?.kind === 'installed').map((f) => f.meta.path);
      const out: FoundPackage[] = [];
      for (const f of files) {
        const kind = (f.result.data as PhpData | undefined)?.kind;
        if (kind === 'lock') {
          const slash = f.meta.path.lastIndexOf('/');
          const prefix = slash < 0 ? '' : f.meta.path.slice(0, slash + 1);
          if (installedPaths.some((p) => p.startsWith(prefix))) continue;
        }
        out.push(...(f.result.packages ?? []));
      }
      return out;
    },
  };
}

export const phpCataloger: Cataloger = createPhpCataloger();
