import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Inventory } from '../model/types.ts';
import { renderJSON, toJSON } from './json.ts';
import { debianAppInventory } from './tests/fixtures/inventory.ts';

/** The same data with every object's keys reversed and every list that has no meaning in its order shuffled. */
function scrambled(inv: Inventory): Inventory {
  const rev = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(rev);
    if (v === null || typeof v !== 'object') return v;
    return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, rev(x)]));
  };
  const out = rev(inv) as Inventory;
  out.packages.reverse();
  out.layers.reverse();
  for (const p of out.packages) if (p.dependsOn) p.dependsOn.reverse();
  return out;
}

test('native JSON is byte-identical whatever the key and package order of the input', () => {
  const inv = debianAppInventory();
  assert.equal(renderJSON(scrambled(inv)), renderJSON(inv));
  const text = renderJSON(inv);
  assert.ok(text.endsWith('}\n'));
  // Top-level keys in reading order, then the remaining ones alphabetically.
  assert.deepEqual(Object.keys(JSON.parse(text)), ['schemaVersion', 'scanner', 'createdAt', 'image', 'os', 'layers', 'packages', 'warnings']);
  assert.deepEqual(Object.keys(toJSON(inv).packages[0]!).slice(0, 5), ['id', 'name', 'version', 'ecosystem', 'purl']);
});

test('native JSON keeps all the data: a round trip gives back the same inventory', () => {
  const inv = debianAppInventory();
  const back = JSON.parse(renderJSON(inv)) as Inventory;
  const byId = (i: Inventory) => new Map(i.packages.map((p) => [p.id, { ...p, dependsOn: p.dependsOn && [...p.dependsOn].sort() }]));
  assert.deepEqual(byId(back), byId(inv));
  assert.deepEqual(back.image, inv.image);
  assert.deepEqual(back.os, inv.os);
  assert.equal(back.layers.length, inv.layers.length);
  // Undefined members vanish instead of turning into nulls.
  const withUndef = debianAppInventory();
  withUndef.packages[0]!.arch = undefined;
  assert.ok(!('arch' in toJSON(withUndef).packages.find((p) => p.id === withUndef.packages[0]!.id)!));
});
