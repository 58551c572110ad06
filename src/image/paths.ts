// Path handling for image content. Paths in layers are attacker-controlled: they are normalised as
// if rooted at '/', so '..' can never climb out of the image, and they are never joined with a host
// directory except through `safeJoin`.
import { posix } from 'node:path';

/** 'a/./b/../c/' -> 'a/c'; '/../../etc/passwd' -> 'etc/passwd'; '.' or '' -> ''. */
export function normalizeImagePath(p: string): string {
  const n = posix.normalize('/' + p.replace(/\\/g, '/'));
  return n === '/' ? '' : n.replace(/^\/+/, '').replace(/\/+$/, '');
}

/** Resolves a symlink target written in a layer relative to the link's own location. */
export function resolveLink(linkPath: string, target: string): string {
  if (target.startsWith('/')) return normalizeImagePath(target);
  return normalizeImagePath(posix.join(posix.dirname('/' + linkPath), target));
}

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_MARKER = '.wh..wh..opq';

/** For a whiteout entry returns what it deletes: {path} for a file, {opaqueDir} for an opaque marker. */
export function whiteoutTarget(path: string): { path?: string; opaqueDir?: string } | undefined {
  const slash = path.lastIndexOf('/');
  const base = path.slice(slash + 1);
  if (!base.startsWith(WHITEOUT_PREFIX)) return undefined;
  const dir = slash >= 0 ? path.slice(0, slash) : '';
  if (base === OPAQUE_MARKER) return { opaqueDir: dir };
  const name = base.slice(WHITEOUT_PREFIX.length);
  if (!name || name === '.' || name === '..') return undefined;
  return { path: dir ? `${dir}/${name}` : name };
}

/** True when `path` is `dir` itself or inside it ('' is the root and contains everything). */
export function isUnder(path: string, dir: string): boolean {
  return dir === '' || path === dir || path.startsWith(dir + '/');
}
