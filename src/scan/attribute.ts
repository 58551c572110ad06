// Which layer introduced a package, and which layer removed one. A package is introduced by the
// lowest layer from which its evidence file kept listing it without interruption up to the final
// filesystem (dpkg's status file is rewritten by every layer that installs something, but the
// package was there since the first of them).
import type { FileResult } from '../catalog/cataloger.ts';
import type { LayerRecord } from '../walker/walk.ts';
import type { FinalView } from './squash.ts';

export function pkgKey(p: { name: string; version: string }): string {
  return `${p.name}\u0000${p.version}`;
}

/** Per cataloger and path: the layers (ascending) that hold a parsed version of the file. */
export type History = Map<string, Array<{ layer: number; keys: Set<string> }>>;

export function buildHistory(layers: LayerRecord[], cataloger: string): History {
  const h: History = new Map();
  for (const l of layers) {
    for (const [path, m] of l.parsed) {
      const r: FileResult | undefined = m.get(cataloger);
      if (!r) continue;
      const keys = new Set((r.packages ?? []).map(pkgKey));
      let a = h.get(path);
      if (!a) h.set(path, (a = []));
      a.push({ layer: l.index, keys });
    }
  }
  return h;
}

function deletedBetween(view: FinalView, path: string, lo: number, hi: number): boolean {
  return view.deletedIn(path).some((d) => d > lo && d < hi);
}

/** The introducing layer of package `key` found in `path`, whose final version is in `finalLayer`. */
export function originLayer(h: History, view: FinalView, path: string, key: string, finalLayer: number): number {
  const versions = h.get(path);
  if (!versions) return finalLayer;
  let i = versions.findIndex((v) => v.layer === finalLayer);
  if (i < 0) return finalLayer;
  let origin = finalLayer;
  while (i > 0) {
    const prev = versions[i - 1]!;
    if (!prev.keys.has(key) || deletedBetween(view, path, prev.layer, versions[i]!.layer)) break;
    origin = prev.layer;
    i--;
  }
  return origin;
}

/** Counts, per layer, packages that appeared in an evidence file (installed, or upgraded to). */
export function additionsByLayer(h: History, view: FinalView, added: Map<number, number>): void {
  for (const [path, versions] of h) {
    const dels = view.deletedIn(path);
    versions.forEach((cur, i) => {
      const prev = i > 0 ? versions[i - 1] : undefined;
      // After a deletion in between, the file starts from scratch: everything in it is new.
      const fresh = !prev || dels.some((d) => d > prev.layer && d <= cur.layer);
      let n = 0;
      for (const k of cur.keys) if (fresh || !prev.keys.has(k)) n++;
      if (n > 0) added.set(cur.layer, (added.get(cur.layer) ?? 0) + n);
    });
  }
}

/** Counts, per layer, packages that disappeared from an evidence file (removed or upgraded away). */
export function removalsByLayer(h: History, view: FinalView, removed: Map<number, number>): void {
  for (const [path, versions] of h) {
    for (let i = 0; i < versions.length; i++) {
      const cur = versions[i]!;
      const next = versions[i + 1];
      const dels = view.deletedIn(path).filter((d) => d > cur.layer && (!next || d <= next.layer));
      let at: number | undefined;
      let gone: number;
      if (dels.length > 0 && (!next || dels[0]! < next.layer)) {
        at = dels[0]!;
        gone = cur.keys.size;
      } else if (next) {
        at = next.layer;
        gone = 0;
        for (const k of cur.keys) if (!next.keys.has(k)) gone++;
      } else {
        continue;
      }
      if (gone > 0) removed.set(at, (removed.get(at) ?? 0) + gone);
    }
  }
}
