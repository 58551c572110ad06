// Image misconfiguration: runs the checks on facts gathered by the one-pass walker (config,
// history, final filesystem with modes and layers of origin, packages). `checkImage` works on an
// already walked image (for `triad image --scanners misconfig`); `scanImageMisconfig` opens,
// walks and checks in one call.
import { defaultCatalogSet } from '../../catalog/index.ts';
import { openImage } from '../../image/open.ts';
import type { ImageSource, OpenOptions } from '../../image/source.ts';
import type { Inventory } from '../../model/types.ts';
import { buildInventory } from '../../scan/inventory.ts';
import { FinalView } from '../../scan/squash.ts';
import { walkImage, type LayerRecord } from '../../walker/walk.ts';
import { sortFindings, type MisconfigFinding } from '../types.ts';
import { baseLayerCount, type BaseLayers } from './base.ts';
import { IMAGE_CHECKS, type ImageCheck, type ImageFacts } from './checks.ts';

export { IMAGE_CHECKS, type ImageCheck, type ImageFacts };

export interface ImageMisconfigResult {
  target: string;
  findings: MisconfigFinding[];
  checked: string[];
  base: BaseLayers;
}

export interface CheckImageOptions {
  /** Number of bottom layers that belong to the base image, when the caller knows better. */
  baseLayers?: number;
  checks?: readonly ImageCheck[];
}

export function checkImage(inv: Inventory, view: FinalView, opts: CheckImageOptions = {}): ImageMisconfigResult {
  const base = baseLayerCount(inv.image.history, inv.layers.length, opts.baseLayers);
  const facts: ImageFacts = { ref: inv.image.ref, info: inv.image, layers: inv.layers, files: view.entries, packages: inv.packages, base };
  const checks = opts.checks ?? IMAGE_CHECKS;
  const findings: MisconfigFinding[] = [];
  for (const c of checks) {
    let hits;
    try {
      hits = c.check(facts);
    } catch (e) {
      inv.warnings.push(`misconfig check ${c.id}: ${(e as Error).message}`);
      continue;
    }
    for (const h of hits) {
      const f: MisconfigFinding = { checkId: c.id, title: c.title, severity: c.severity, message: h.message, target: inv.image.ref };
      if (h.path) f.path = h.path;
      const l = h.layer !== undefined ? inv.layers[h.layer] : undefined;
      if (l) f.layer = { index: l.index, diffID: l.diffID, ...(l.createdBy ? { createdBy: l.createdBy } : {}) };
      findings.push(f);
    }
  }
  return { target: inv.image.ref, findings: sortFindings(findings), checked: checks.map((c) => c.id), base };
}

/** Opens, walks (once) and checks an image; returns its inventory too. */
export async function scanImageMisconfig(ref: string, opts: OpenOptions & CheckImageOptions = {}): Promise<{ inventory: Inventory; misconfig: ImageMisconfigResult }> {
  const source: ImageSource = await openImage(ref, opts);
  try {
    const set = defaultCatalogSet();
    const layers: LayerRecord[] = await walkImage(source, set.catalogers);
    const inventory = await buildInventory(source, layers, set);
    return { inventory, misconfig: checkImage(inventory, new FinalView(layers), opts) };
  } finally {
    await source.close();
  }
}
