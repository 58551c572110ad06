// Python (PyPI) cataloger. Installed distributions are the evidence: dist-info METADATA and
// egg-info PKG-INFO anywhere in the image (site-packages, Debian's dist-packages, virtualenvs,
// `pip install --target` dirs). Lockfiles (requirements.txt, Pipfile.lock, poetry.lock, uv.lock)
// count only for a project directory with no installed metadata anywhere below it, so an image
// that installs into its own venv is not reported twice. Lockfiles inside site-packages are
// package sources' own files and are ignored.
import type { Cataloger, FileContent, FileMeta, FileResult, FinalizeContext, FoundPackage } from '../cataloger.ts';
import { parsePipfileLock, parsePoetryLock, parseRequirements, parseUvLock, type LockOptions } from './lockfiles.ts';
import { containingDir, normalizeName, parseMetadata } from './metadata.ts';

const MiB = 1024 * 1024;
/**
 * METADATA embeds the README, which can be megabytes: accept big files but read only the head,
 * where the headers are.
 */
const METADATA_LIMIT = 64 * MiB;
const HEADER_BYTES = 512 * 1024;
const LOCK_LIMIT = 16 * MiB;

type LockKind = 'requirements' | 'pipfile' | 'poetry' | 'uv';
type PyData = { kind: 'installed' } | { kind: 'lock'; lock: LockKind };

function isMetadataPath(p: string): boolean {
  if (p.endsWith('/METADATA')) return p.endsWith('.dist-info/METADATA');
  if (p.endsWith('/PKG-INFO')) return p.endsWith('.egg-info/PKG-INFO') || p.endsWith('.egg/EGG-INFO/PKG-INFO');
  // An egg-info may be a single file instead of a directory (distutils installs, Debian).
  return p.endsWith('.egg-info');
}

function lockKind(p: string): LockKind | undefined {
  const base = p.slice(p.lastIndexOf('/') + 1);
  switch (base) {
    case 'requirements.txt':
      return 'requirements';
    case 'Pipfile.lock':
      return 'pipfile';
    case 'poetry.lock':
      return 'poetry';
    case 'uv.lock':
      return 'uv';
    default:
      return undefined;
  }
}

const inPackageTree = (p: string) => p.includes('site-packages/') || p.includes('dist-packages/') || p.includes('node_modules/');

export function createPythonCataloger(opts: LockOptions = {}): Cataloger {
  return {
    name: 'python',
    ecosystems: ['pypi'],
    wants(meta: FileMeta): number | false {
      const p = meta.path;
      const last = p.charCodeAt(p.length - 1);
      // Cheap pre-filter on the last character: A (METADATA), O (PKG-INFO, .egg-info), t/k (lockfiles).
      if (last !== 65 && last !== 79 && last !== 111 && last !== 116 && last !== 107) return false;
      if (isMetadataPath(p)) return METADATA_LIMIT;
      const lock = lockKind(p);
      return lock && !inPackageTree(p) ? LOCK_LIMIT : false;
    },
    async parse(meta: FileMeta, content: FileContent): Promise<FileResult> {
      const p = meta.path;
      if (isMetadataPath(p)) {
        const head = await content.read(0, Math.min(content.size, HEADER_BYTES));
        const r = parseMetadata(p, head.toString('utf8'));
        const data: PyData = { kind: 'installed' };
        return { packages: r.pkg ? [r.pkg] : [], data, warnings: r.warning ? [r.warning] : undefined };
      }
      const lock = lockKind(p);
      if (!lock) return {};
      const buf = await content.readAll();
      const r =
        lock === 'requirements'
          ? parseRequirements(p, buf)
          : lock === 'pipfile'
            ? parsePipfileLock(p, buf, opts)
            : lock === 'poetry'
              ? parsePoetryLock(p, buf, opts)
              : parseUvLock(p, buf, opts);
      const data: PyData = { kind: 'lock', lock };
      return { packages: r.packages, warnings: r.warnings.length ? r.warnings : undefined, data };
    },
    finalize(ctx: FinalizeContext): FoundPackage[] {
      const files = [...ctx.files].sort((a, b) => (a.meta.path < b.meta.path ? -1 : a.meta.path > b.meta.path ? 1 : 0));
      const installedPaths: string[] = [];
      // Debian ships some distributions with both a dist-info and an egg-info (python3-cryptography):
      // one package per directory, name and version, with both files as evidence.
      const installed = new Map<string, FoundPackage>();
      for (const f of files) {
        if ((f.result.data as PyData | undefined)?.kind !== 'installed') continue;
        installedPaths.push(f.meta.path);
        for (const p of f.result.packages ?? []) {
          const key = `${containingDir(f.meta.path)}\0${normalizeName(p.name)}@${p.version}`;
          const had = installed.get(key);
          if (had) had.locations = [...(had.locations ?? []), ...(p.locations ?? [])];
          else installed.set(key, { ...p, locations: [...(p.locations ?? [])] });
        }
      }
      const out = [...installed.values()];
      // Requires-Dist names are normalised; spell them as the installed distribution next to it
      // does (Jinja2, not jinja2) so that resolving them by name finds it.
      const spelled = new Map<string, string>();
      for (const p of out) spelled.set(`${containingDir(p.locations![0]!)}\0${normalizeName(p.name)}`, p.name);
      for (const p of out) {
        const dir = containingDir(p.locations![0]!);
        if (p.dependsOnNames) p.dependsOnNames = p.dependsOnNames.map((d) => spelled.get(`${dir}\0${d}`) ?? d);
      }
      for (const f of files) {
        if ((f.result.data as PyData | undefined)?.kind !== 'lock') continue;
        const slash = f.meta.path.lastIndexOf('/');
        const prefix = slash < 0 ? '' : f.meta.path.slice(0, slash + 1);
        if (installedPaths.some((p) => p.startsWith(prefix))) continue;
        out.push(...(f.result.packages ?? []));
      }
      return out;
    },
  };
}

export const pythonCataloger: Cataloger = createPythonCataloger();
