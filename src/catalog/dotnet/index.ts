// .NET (NuGet) cataloger. `*.deps.json` describes what a built or published app loads and is the
// installed evidence; `packages.lock.json` (a source tree) counts only when no deps.json lies in its
// directory tree, so a build stage holding both the project and its bin/ output is not reported
// twice.
import type { Cataloger, FileContent, FileMeta, FileResult, FinalizeContext, FoundPackage } from '../cataloger.ts';
import { parseDepsJson, parsePackagesLock } from './parsers.ts';

const MiB = 1024 * 1024;
const LIMIT = 16 * MiB;

type DotnetData = { kind: 'installed' } | { kind: 'lock' };

const isDeps = (p: string) => p.endsWith('.deps.json');
const isLock = (p: string) => p === 'packages.lock.json' || p.endsWith('/packages.lock.json');

export const dotnetCataloger: Cataloger = {
  name: 'dotnet',
  ecosystems: ['nuget'],
  wants(meta: FileMeta): number | false {
    const p = meta.path;
    if (!p.endsWith('.json')) return false;
    return isDeps(p) || isLock(p) ? LIMIT : false;
  },
  async parse(meta: FileMeta, content: FileContent): Promise<FileResult> {
    const buf = await content.readAll();
    const installed = isDeps(meta.path);
    const r = installed ? parseDepsJson(meta.path, buf) : parsePackagesLock(meta.path, buf);
    const data: DotnetData = { kind: installed ? 'installed' : 'lock' };
    return { packages: r.packages, warnings: r.warnings.length ? r.warnings : undefined, data };
  },
  finalize(ctx: FinalizeContext): FoundPackage[] {
    const files = [...ctx.files].sort((a, b) => (a.meta.path < b.meta.path ? -1 : a.meta.path > b.meta.path ? 1 : 0));
    const depsFiles = files.filter((f) => (f.result.data as DotnetData | undefined)?.kind === 'installed').map((f) => f.meta.path);
    const out: FoundPackage[] = [];
    for (const f of files) {
      if ((f.result.data as DotnetData | undefined)?.kind === 'lock') {
        const slash = f.meta.path.lastIndexOf('/');
        const prefix = slash < 0 ? '' : f.meta.path.slice(0, slash + 1);
        if (depsFiles.some((p) => p.startsWith(prefix))) continue;
      }
      out.push(...(f.result.packages ?? []));
    }
    return out;
  },
};
