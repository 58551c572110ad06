// RubyGems cataloger. Installed gems are found by their specifications
// (`<GEM_HOME>/specifications/*.gemspec`, `specifications/default/` for Ruby's default gems,
// Debian's rubygems-integration dirs). Gemfile.lock / gems.locked files are reported only when
// none of their gems is installed anywhere in the image: bundler installs into GEM_HOME (e.g.
// /usr/local/bundle), far from the app's lockfile, so "installed below the lockfile" would not
// tell; any overlap means `bundle install` ran and the installed set (which leaves out
// BUNDLE_WITHOUT groups) is the truth.
import type { Cataloger, FileContent, FileMeta, FileResult, FinalizeContext, FoundPackage } from '../cataloger.ts';
import { parseGemfileLock } from './gemfile-lock.ts';
import { parseGemspec } from './gemspec.ts';

const MiB = 1024 * 1024;
const GEMSPEC_LIMIT = 4 * MiB;
const LOCK_LIMIT = 16 * MiB;

type RubyData = { kind: 'installed' } | { kind: 'lock' };

function isInstalledSpec(p: string): boolean {
  return p.endsWith('.gemspec') && (p.startsWith('specifications/') || p.includes('/specifications/'));
}

function isLock(p: string): boolean {
  if (!(p.endsWith('/Gemfile.lock') || p === 'Gemfile.lock' || p.endsWith('/gems.locked') || p === 'gems.locked')) return false;
  // Lockfiles shipped inside installed gems describe how the gem was developed, not the image.
  return !p.includes('/gems/') && !p.startsWith('gems/') && !p.includes('vendor/bundle/');
}

export const rubyCataloger: Cataloger = {
  name: 'ruby',
  ecosystems: ['gem'],
  wants(meta: FileMeta): number | false {
    const p = meta.path;
    if (isInstalledSpec(p)) return GEMSPEC_LIMIT;
    return isLock(p) ? LOCK_LIMIT : false;
  },
  async parse(meta: FileMeta, content: FileContent): Promise<FileResult> {
    const buf = await content.readAll();
    if (isInstalledSpec(meta.path)) {
      const r = parseGemspec(meta.path, buf.toString('utf8'));
      return { packages: r.pkg ? [r.pkg] : [], data: { kind: 'installed' } satisfies RubyData, warnings: r.warning ? [r.warning] : undefined };
    }
    const r = parseGemfileLock(meta.path, buf);
    return { packages: r.packages, data: { kind: 'lock' } satisfies RubyData, warnings: r.warnings.length ? r.warnings : undefined };
  },
  finalize(ctx: FinalizeContext): FoundPackage[] {
    const files = [...ctx.files].sort((a, b) => (a.meta.path < b.meta.path ? -1 : a.meta.path > b.meta.path ? 1 : 0));
    const out: FoundPackage[] = [];
    const installed = new Set<string>();
    for (const f of files) {
      if ((f.result.data as RubyData | undefined)?.kind !== 'installed') continue;
      for (const p of f.result.packages ?? []) {
        installed.add(`${p.name}@${p.version}`);
        out.push(p);
      }
    }
    for (const f of files) {
      if ((f.result.data as RubyData | undefined)?.kind !== 'lock') continue;
      const pkgs = f.result.packages ?? [];
      if (pkgs.some((p) => installed.has(`${p.name}@${p.version}`))) continue;
      out.push(...pkgs);
    }
    return out;
  },
};
