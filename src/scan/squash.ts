// The final filesystem of an image (layers applied bottom to top with whiteouts, opaque dirs and
// replaced directories) together with each path's layer of origin.
import { posix } from 'node:path';
import type { FileRecord, LayerRecord } from '../walker/walk.ts';

export interface FinalEntry {
  layer: number;
  rec: FileRecord;
}

/** Layers (ascending) in which something deleted `path` or everything below it. */
export interface Deletions {
  /** Layers in which `path` (or an ancestor) was whited out, opaque-hidden or replaced. */
  deletedIn(path: string): number[];
}

function ancestors(path: string): string[] {
  const out: string[] = [];
  let p = path;
  while (true) {
    const d = posix.dirname(p);
    if (d === '.' || d === '/' || d === p) break;
    out.push(d);
    p = d;
  }
  return out;
}

export class FinalView implements Deletions {
  readonly entries = new Map<string, FinalEntry>();
  private readonly whiteoutAt = new Map<string, number[]>();
  /** Directories whose lower content a layer hid: opaque markers, or a non-directory replacing a dir. */
  private readonly hiddenBelowAt = new Map<string, number[]>();

  constructor(layers: LayerRecord[]) {
    const push = (m: Map<string, number[]>, k: string, v: number) => {
      const a = m.get(k);
      if (!a) m.set(k, [v]);
      else if (a[a.length - 1] !== v) a.push(v);
    };
    const dirs = new Set<string>();
    for (const l of layers) {
      for (const w of l.whiteouts) push(this.whiteoutAt, w, l.index);
      for (const o of l.opaqueDirs) push(this.hiddenBelowAt, o, l.index);
      for (const [p, r] of l.entries) {
        if (r.type === 'dir') dirs.add(p);
        else if (dirs.has(p)) push(this.hiddenBelowAt, p, l.index);
        // Parents exist implicitly even when the tar has no entry for them.
        for (let d = p.lastIndexOf('/'); d > 0; d = p.lastIndexOf('/', d - 1)) {
          const parent = p.slice(0, d);
          if (dirs.has(parent)) break;
          dirs.add(parent);
        }
      }
    }
    for (const l of layers) {
      for (const [p, r] of l.entries) this.entries.set(p, { layer: l.index, rec: r });
    }
    // Drop what a later layer deleted. A path is gone when a whiteout of it or of an ancestor, or an
    // opaque/replacement of an ancestor, happened in a layer above the one that wrote it.
    for (const [p, e] of this.entries) {
      if (this.isDeletedAfter(p, e.layer)) this.entries.delete(p);
    }
  }

  private isDeletedAfter(path: string, layer: number): boolean {
    // Most images delete little: skip the ancestor walk (and its garbage) when nothing can match.
    if (this.whiteoutAt.size === 0 && this.hiddenBelowAt.size === 0) return false;
    const w = this.whiteoutAt.get(path);
    if (w && w[w.length - 1]! > layer) return true;
    for (let d = path.lastIndexOf('/'); d > 0; d = path.lastIndexOf('/', d - 1)) {
      const a = path.slice(0, d);
      const wa = this.whiteoutAt.get(a);
      if (wa && wa[wa.length - 1]! > layer) return true;
      const h = this.hiddenBelowAt.get(a);
      if (h && h[h.length - 1]! > layer) return true;
    }
    return false;
  }

  deletedIn(path: string): number[] {
    const out = new Set<number>(this.whiteoutAt.get(path) ?? []);
    for (const a of ancestors(path)) {
      for (const x of this.whiteoutAt.get(a) ?? []) out.add(x);
      for (const x of this.hiddenBelowAt.get(a) ?? []) out.add(x);
    }
    return [...out].sort((a, b) => a - b);
  }

  has(path: string): boolean {
    return this.entries.has(path);
  }

  /**
   * Resolves symlinks in every component of `path` (bounded, like the kernel's 40 hops) to a path
   * that exists in the final view, or undefined (dangling, cyclic, too deep).
   */
  resolve(path: string, maxHops = 40): string | undefined {
    let parts = path.split('/').filter(Boolean);
    let cur = '';
    let hops = 0;
    while (parts.length > 0) {
      const next = cur ? `${cur}/${parts[0]}` : parts[0]!;
      parts = parts.slice(1);
      const e = this.entries.get(next);
      if (e?.rec.type === 'symlink') {
        if (++hops > maxHops) return undefined;
        const t = e.rec.linkname ?? '';
        const target = posix.normalize(t.startsWith('/') ? t : posix.join('/' + cur, t)).replace(/^\/+/, '');
        parts = [...target.split('/').filter(Boolean), ...parts];
        cur = '';
        continue;
      }
      cur = next;
    }
    return this.entries.has(cur) ? cur : undefined;
  }
}
