// npm ecosystem cataloger. Image scanning trusts what is installed: every
// node_modules/<name>/package.json is a package, and so is every <name>/package.json directly in a
// global module directory (Debian's usr/share/nodejs, see globalModulesRoot). Lockfiles (package-lock.json, yarn.lock,
// pnpm-lock.yaml) outside node_modules are reported only for projects with no node_modules next to
// them (an image that ships only the lockfile, e.g. a yarn PnP or a build stage copied without
// node_modules). Trivy instead lists lockfiles as separate targets; doing that here would report
// every package twice for the common "COPY package*.json && npm ci" image.
import type { Cataloger, FileContent, FileMeta, FileResult, FinalizeContext, FoundPackage } from '../cataloger.ts';
import { baseOf, devOnly, dirOf, insideInstalledPackage, isInstalledManifest, projectRoot } from './common.ts';
import { parseInstalledManifest, parseProjectManifest, type ProjectManifest } from './installed.ts';
import { parsePackageLock } from './package-lock.ts';
import { parsePnpmLock } from './pnpm.ts';
import { parseYarnLock, resolveSpec, type YarnGraph } from './yarn.ts';

const MiB = 1024 * 1024;
/** npm < 5 copied the README into installed manifests; a few MiB covers the largest of those. */
const MANIFEST_LIMIT = 4 * MiB;
const LOCK_LIMIT = 32 * MiB;

type LockKind = 'package-lock' | 'yarn' | 'pnpm';

type NpmData =
  | { kind: 'installed' }
  | { kind: 'manifest'; manifest: ProjectManifest }
  | { kind: 'lock'; lock: LockKind; graph?: YarnGraph };

function lockKind(base: string): LockKind | undefined {
  switch (base) {
    case 'package-lock.json':
    case 'npm-shrinkwrap.json':
      return 'package-lock';
    case 'yarn.lock':
      return 'yarn';
    case 'pnpm-lock.yaml':
      return 'pnpm';
    default:
      return undefined;
  }
}

export interface NpmOptions {
  /** Report lockfile packages marked (or only reachable as) dev dependencies. Default false. */
  includeDev?: boolean;
}

export function createNpmCataloger(opts: NpmOptions = {}): Cataloger {
  return {
    name: 'npm',
    ecosystems: ['npm'],
    wants(meta: FileMeta): number | false {
      const p = meta.path;
      if (p.endsWith('package.json')) {
        if (p !== 'package.json' && !p.endsWith('/package.json')) return false;
        if (isInstalledManifest(p)) return MANIFEST_LIMIT;
        // Project manifests only feed the yarn.lock dev filter; they never yield packages.
        return insideInstalledPackage(p) ? false : MANIFEST_LIMIT;
      }
      if (!(p.endsWith('.json') || p.endsWith('.lock') || p.endsWith('.yaml'))) return false;
      const kind = lockKind(baseOf(p));
      return kind && !insideInstalledPackage(p) ? LOCK_LIMIT : false;
    },
    async parse(meta: FileMeta, content: FileContent): Promise<FileResult> {
      const buf = await content.readAll();
      const p = meta.path;
      if (baseOf(p) === 'package.json') {
        if (isInstalledManifest(p)) {
          const r = parseInstalledManifest(p, buf);
          const data: NpmData = { kind: 'installed' };
          return { packages: r.pkg ? [r.pkg] : [], data, warnings: r.warning ? [r.warning] : undefined };
        }
        const manifest = parseProjectManifest(buf);
        return manifest ? { data: { kind: 'manifest', manifest } satisfies NpmData } : {};
      }
      const lock = lockKind(baseOf(p));
      if (!lock) return {};
      if (lock === 'package-lock') {
        const r = parsePackageLock(p, buf, opts);
        return { packages: r.packages, warnings: r.warnings, data: { kind: 'lock', lock } satisfies NpmData };
      }
      if (lock === 'pnpm') {
        const r = parsePnpmLock(p, buf, opts);
        return { packages: r.packages, warnings: r.warnings, data: { kind: 'lock', lock } satisfies NpmData };
      }
      const r = parseYarnLock(p, buf);
      return { packages: r.packages, warnings: r.warnings, data: { kind: 'lock', lock, graph: r.graph } satisfies NpmData };
    },
    finalize(ctx: FinalizeContext): FoundPackage[] {
      const files = [...ctx.files].sort((a, b) => (a.meta.path < b.meta.path ? -1 : a.meta.path > b.meta.path ? 1 : 0));
      const manifests = new Map<string, ProjectManifest>();
      const installedRoots = new Set<string>();
      // One package per project and name@version: nested duplicates and pnpm's store entries for the
      // same version under different peer sets are the same code, listed with all their locations.
      const installed = new Map<string, FoundPackage>();
      for (const f of files) {
        const data = f.result.data as NpmData | undefined;
        if (data?.kind === 'manifest') manifests.set(f.meta.path, data.manifest);
        if (data?.kind !== 'installed') continue;
        const root = projectRoot(f.meta.path);
        installedRoots.add(root);
        for (const p of f.result.packages ?? []) {
          const key = `${root}\0${p.name}@${p.version}`;
          const had = installed.get(key);
          if (had) had.locations = [...(had.locations ?? []), ...(p.locations ?? [])];
          else installed.set(key, { ...p, locations: [...(p.locations ?? [])] });
        }
      }
      const out = [...installed.values()];
      for (const f of files) {
        const data = f.result.data as NpmData | undefined;
        if (data?.kind !== 'lock') continue;
        const dir = dirOf(f.meta.path);
        if (installedRoots.has(dir)) continue;
        let pkgs = f.result.packages ?? [];
        const manifest = manifests.get(dir ? `${dir}/package.json` : 'package.json');
        if (data.lock === 'yarn' && data.graph && manifest && !opts.includeDev) {
          const graph = data.graph;
          const roots = (list: Array<[string, string]>) => list.map(([n, r]) => resolveSpec(graph, n, r)).filter((k): k is string => !!k);
          const dev = devOnly(roots(manifest.prod), roots(manifest.dev), (k) => graph.edges[k] ?? []);
          pkgs = pkgs.filter((p) => !dev.has(`${p.name}@${p.version}`));
        }
        out.push(...pkgs);
      }
      return out;
    },
  };
}

export const npmCataloger: Cataloger = createNpmCataloger();
