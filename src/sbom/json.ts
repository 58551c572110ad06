// Triad's native SBOM: the Inventory itself, made canonical so that two scans of the same image
// produce byte-identical files (catalogers may report in any order; object keys follow insertion
// order in JS, which depends on how each cataloger built its objects).
import type { Inventory } from '../model/types.ts';
import { cmp, sortedPackages } from './common.ts';

// Keys people look for first come first; anything else follows alphabetically.
const KEY_ORDER = [
  'schemaVersion', 'scanner', 'createdAt', 'image', 'os', 'layers', 'packages', 'warnings',
  'id', 'index', 'ref', 'sourceType', 'family', 'name', 'version', 'ecosystem', 'purl', 'namespace',
  'licenses', 'locations', 'layer', 'diffID', 'digest', 'source', 'arch', 'ownedBy', 'dependsOn',
];
const RANK = new Map(KEY_ORDER.map((k, i) => [k, i]));

function keyCmp(a: string, b: string): number {
  const ra = RANK.get(a) ?? Infinity;
  const rb = RANK.get(b) ?? Infinity;
  return ra !== rb ? (ra < rb ? -1 : 1) : cmp(a, b);
}

/** Deep copy with ordered keys and no undefined members (JSON.stringify would drop them anyway). */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort(keyCmp)) {
    const x = (v as Record<string, unknown>)[k];
    if (x !== undefined) out[k] = canonical(x);
  }
  return out;
}

/** The inventory with packages, layers and dependency lists in a stable order. */
export function toJSON(inv: Inventory): Inventory {
  const sorted: Inventory = {
    ...inv,
    layers: [...inv.layers].sort((a, b) => a.index - b.index),
    packages: sortedPackages(inv).map((p) => (p.dependsOn ? { ...p, dependsOn: [...new Set(p.dependsOn)].sort(cmp) } : p)),
  };
  return canonical(sorted) as Inventory;
}

export function renderJSON(inv: Inventory, indent = 2): string {
  return `${JSON.stringify(toJSON(inv), null, indent)}\n`;
}
