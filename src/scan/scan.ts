// One call from an image reference to its Inventory: open, walk every layer once, build the SBOM.
import type { Cataloger } from '../catalog/cataloger.ts';
import { defaultCatalogSet } from '../catalog/index.ts';
import { openImage } from '../image/open.ts';
import type { OpenOptions } from '../image/source.ts';
import type { Inventory } from '../model/types.ts';
import { walkImage, type LayerRecord, type WalkOptions } from '../walker/walk.ts';
import { buildInventory, type CatalogSet } from './inventory.ts';
import { FinalView } from './squash.ts';

export interface ScanOptions extends OpenOptions {
  catalogs?: CatalogSet;
  walk?: WalkOptions;
  /** Called once the image is open, with its layer list (for progress display). */
  onOpen?(layers: Array<{ index: number; size?: number }>): void;
  /** More file visitors for the same one pass (secret scanning): they add no packages. */
  extraCatalogers?: Cataloger[];
  /** Called with every layer's records and the final view, for scanners that need more than the SBOM. */
  onWalked?(records: LayerRecord[], view: FinalView, inv: Inventory): void | Promise<void>;
}

export async function scanImage(ref: string, opts: ScanOptions = {}): Promise<Inventory> {
  const source = await openImage(ref, opts);
  try {
    opts.onOpen?.(source.layers);
    const set = opts.catalogs ?? defaultCatalogSet();
    const layers = await walkImage(source, [...set.catalogers, ...(opts.extraCatalogers ?? [])], opts.walk);
    const view = new FinalView(layers);
    const inv = await buildInventory(source, layers, set, view);
    await opts.onWalked?.(layers, view, inv);
    return inv;
  } finally {
    await source.close();
  }
}
