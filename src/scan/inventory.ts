// Builds an image's Inventory (its SBOM) from the walked layers: final view, catalogers' finalize
// step, layer attribution, OS-package ownership of language packages, dependency ids.
import type { Cataloger, FoundPackage, ParsedFile } from '../catalog/cataloger.ts';
import type { ImageSource } from '../image/source.ts';
import { OS_ECOSYSTEMS, type Inventory, type LayerSummary, type OSInfo, type Package } from '../model/types.ts';
import { VERSION } from '../version.ts';
import type { LayerRecord } from '../walker/walk.ts';
import { additionsByLayer, buildHistory, originLayer, pkgKey, removalsByLayer } from './attribute.ts';
import { FinalView } from './squash.ts';

export interface CatalogSet {
  catalogers: readonly Cataloger[];
  /** Picks the OS from the OS-identification cataloger's surviving files. */
  identifyOS(files: ParsedFile[]): OSInfo | undefined;
  /** Name of the cataloger whose files identify the OS. */
  osCataloger: string;
}

function finalFiles(layers: LayerRecord[], view: FinalView, cataloger: string): ParsedFile[] {
  const out: ParsedFile[] = [];
  for (const l of layers) {
    for (const [path, m] of l.parsed) {
      const r = m.get(cataloger);
      if (!r) continue;
      const e = view.entries.get(path);
      if (!e || e.layer !== l.index) continue;
      out.push({ meta: { path, size: e.rec.size, mode: e.rec.mode }, result: r });
    }
  }
  return out.sort((a, b) => (a.meta.path < b.meta.path ? -1 : a.meta.path > b.meta.path ? 1 : 0));
}

function primaryPath(p: { locations?: string[] }): string | undefined {
  const l = p.locations?.[0];
  return l === undefined ? undefined : l.split('!')[0];
}

/** Debian's merged /usr: dpkg lists /bin/x while the file lives in usr/bin/x, and the reverse. */
function mergedUsrVariants(p: string): string[] {
  if (p.startsWith('usr/')) return [p, p.slice(4)];
  return [p, `usr/${p}`];
}

export async function buildInventory(source: ImageSource, layers: LayerRecord[], set: CatalogSet, view = new FinalView(layers)): Promise<Inventory> {
  const warnings = layers.flatMap((l) => l.warnings);
  const os = set.identifyOS(finalFiles(layers, view, set.osCataloger));
  type Staged = { found: FoundPackage; cataloger: string; layer?: number };
  const staged: Staged[] = [];
  const removed = new Map<number, number>();
  const added = new Map<number, number>();
  for (const c of set.catalogers) {
    if (c.name === set.osCataloger) continue;
    const files = finalFiles(layers, view, c.name);
    if (files.length === 0) continue;
    let found: FoundPackage[];
    try {
      found = c.finalize
        ? await c.finalize({ files, os, exists: (p) => view.has(p) })
        : files.flatMap((f) => f.result.packages ?? []);
    } catch (err) {
      warnings.push(`${c.name}: ${(err as Error).message}`);
      continue;
    }
    const history = buildHistory(layers, c.name);
    removalsByLayer(history, view, removed);
    additionsByLayer(history, view, added);
    for (const f of found) {
      const path = primaryPath(f);
      const e = path !== undefined ? view.entries.get(path) : undefined;
      const layer = e && path !== undefined ? originLayer(history, view, path, pkgKey(f), e.layer) : undefined;
      staged.push({ found: f, cataloger: c.name, layer });
    }
  }

  // Deterministic order, then ids (purl, made unique where the same package appears twice).
  staged.sort((a, b) => cmp(a.found.ecosystem, b.found.ecosystem) || cmp(a.found.name, b.found.name) || cmp(a.found.version, b.found.version) || cmp(a.found.locations?.[0] ?? '', b.found.locations?.[0] ?? ''));
  const used = new Map<string, number>();
  const packages: Package[] = staged.map(({ found, layer }) => {
    const n = used.get(found.purl) ?? 0;
    used.set(found.purl, n + 1);
    const { installedFiles: _i, dependsOnNames: _d, locations, ...rest } = found;
    const p: Package = { ...rest, id: n === 0 ? found.purl : `${found.purl}#${n + 1}`, locations: locations ?? [] };
    if (layer !== undefined) {
      const l = source.layers[layer]!;
      p.layer = { index: layer, diffID: l.diffID };
      if (l.createdBy) p.layer.createdBy = l.createdBy;
    }
    return p;
  });

  // Ownership: a language package whose evidence file an OS package installed.
  const owners = new Map<string, Package>();
  staged.forEach((s, i) => {
    if (!OS_ECOSYSTEMS.has(s.found.ecosystem)) return;
    for (const f of s.found.installedFiles ?? []) owners.set(f.replace(/^\/+/, ''), packages[i]!);
  });
  if (owners.size > 0) {
    for (const p of packages) {
      if (OS_ECOSYSTEMS.has(p.ecosystem)) continue;
      const path = primaryPath(p);
      if (path === undefined) continue;
      const candidates = [...mergedUsrVariants(path)];
      const real = view.resolve(path);
      if (real && real !== path) candidates.push(...mergedUsrVariants(real));
      const o = candidates.map((c) => owners.get(c)).find(Boolean);
      if (o) p.ownedBy = { name: o.name, version: o.version, ecosystem: o.ecosystem, purl: o.purl };
    }
  }

  resolveDependencies(staged.map((s) => s.found), packages);

  const layerSummaries: LayerSummary[] = source.layers.map((l, i) => ({
    ...l,
    uncompressedSize: layers[i]?.bytes,
    files: layers[i]?.entries.size ?? 0,
    packagesAdded: added.get(i) ?? 0,
    packagesRemoved: removed.get(i) ?? 0,
  }));

  const inv: Inventory = {
    schemaVersion: 1,
    image: source.info,
    layers: layerSummaries,
    packages,
    warnings,
    scanner: { name: 'triad', version: VERSION },
    createdAt: new Date().toISOString(),
  };
  if (os) inv.os = os;
  return inv;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Dependency names -> ids, within one ecosystem. When a name is installed more than once (nested
 * node_modules), the copy whose location shares the longest directory prefix with the dependent wins,
 * which is how Node's resolver and most others pick.
 */
function resolveDependencies(found: FoundPackage[], packages: Package[]): void {
  const byName = new Map<string, number[]>();
  packages.forEach((p, i) => {
    const keys = [`${p.ecosystem}\u0000${p.name}`, `${p.ecosystem}\u0000${p.name}@${p.version}`];
    for (const k of keys) {
      const a = byName.get(k);
      if (a) a.push(i);
      else byName.set(k, [i]);
    }
  });
  found.forEach((f, i) => {
    const names = f.dependsOnNames;
    if (!names?.length) return;
    const me = packages[i]!;
    const myLoc = me.locations[0] ?? '';
    const ids = new Set<string>();
    for (const n of names) {
      const cands = byName.get(`${me.ecosystem}\u0000${n}`);
      if (!cands?.length) continue;
      let best = cands[0]!;
      let bestLen = -1;
      for (const c of cands) {
        if (c === i) continue;
        const loc = packages[c]!.locations[0] ?? '';
        let k = 0;
        while (k < loc.length && k < myLoc.length && loc[k] === myLoc[k]) k++;
        if (k > bestLen) {
          bestLen = k;
          best = c;
        }
      }
      if (best !== i) ids.add(packages[best]!.id);
    }
    if (ids.size) me.dependsOn = [...ids].sort();
  });
}
