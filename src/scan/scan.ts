// One call from an image reference to its Inventory: open, walk every layer once, build the SBOM.
import { defaultCatalogSet } from '../catalog/index.ts';
import { openImage } from '../image/open.ts';
import type { OpenOptions } from '../image/source.ts';
import type { Inventory } from '../model/types.ts';
import { walkImage, type WalkOptions } from '../walker/walk.ts';
import { buildInventory, type CatalogSet } from './inventory.ts';

export interface ScanOptions extends OpenOptions {
  catalogs?: CatalogSet;
  walk?: WalkOptions;
  /** Called once the image is open, with its layer list (for progress display). */
  onOpen?(layers: Array<{ index: number; size?: number }>): void;
}

export async function scanImage(ref: string, opts: ScanOptions = {}): Promise<Inventory> {
  const source = await openImage(ref, opts);
  try {
    opts.onOpen?.(source.layers);
    const set = opts.catalogs ?? defaultCatalogSet();
    const layers = await walkImage(source, set.catalogers, opts.walk);
    return await buildInventory(source, layers, set);
  } finally {
    await source.close();
  }
}
