// Layer attribution on the real Debian image of recipe.ts. The ground truth is apt's own history
// log inside the image (each RUN is one apt run whose Commandline is in that layer's created_by),
// the image config as skopeo reads it, and dpkg's file lists in the layers below the purge.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { defaultCatalogSet } from '../../src/catalog/index.ts';
import { scanImage } from '../../src/scan/scan.ts';
import { assertSameMap, assertSameSet, BUILD_TIMEOUT, e2eCleanup, e2eImage, e2eInventory, e2eUnavailable, ofEcosystem, rel, TEST_TIMEOUT } from './fixture.ts';
import { configLayers, debLayerTruth, dpkgOwners, dpkgPackages, listedFilesBefore, nodePackages, pythonDistributions, type AptAction, type LangTruth, type LayerTruth } from './oracles.ts';
import { packageLayer, PURGE_LAYER, PURGED, RECIPE } from './recipe.ts';

const why = e2eUnavailable('skopeo');

before(async () => {
  if (!why) await e2eInventory();
}, { timeout: BUILD_TIMEOUT });
after(() => e2eCleanup(), { timeout: TEST_TIMEOUT });

test('the layer table is the image config: diffIDs and created_by, bottom first', { skip: why, timeout: TEST_TIMEOUT }, async () => {
  const inv = await e2eInventory();
  const cfg = await configLayers();
  assert.equal(cfg.length, PURGE_LAYER + 1, 'recipe.ts layer numbering no longer matches the image');
  assert.deepEqual(inv.layers.map((l) => [l.index, l.diffID, l.createdBy ?? '']), cfg.map((l, i) => [i, l.diffID, l.createdBy]));
});

test('each deb is in the layer whose apt run installed it (createdBy is that RUN), base packages in layer 0', { skip: why, timeout: TEST_TIMEOUT }, async () => {
  const [inv, truth, installed] = await Promise.all([e2eInventory(), debLayerTruth(), dpkgPackages()]);
  const expected = new Map(installed.map((d) => [d.name, String(truth.layerOf.get(d.name) ?? 0)]));
  // The recipe's own packages pin the mapping down, so a broken oracle cannot agree with a broken scan.
  RECIPE.packages.forEach((names, i) => {
    for (const n of names) if (!PURGED.includes(n)) assert.equal(expected.get(n), String(packageLayer(i)), `ground truth puts ${n} in layer ${expected.get(n)}`);
  });
  assert.equal(expected.get('base-files'), '0');
  const debs = ofEcosystem(inv, 'deb');
  assertSameMap('deb layer index', new Map(debs.map((p) => [p.name, String(p.layer?.index ?? '-')])), expected);

  // docker import leaves layer 0 without created_by: absent in Triad, '' in the oracle.
  const wrongCreatedBy = debs.filter((p) => p.layer && (p.layer.createdBy ?? '') !== truth.layers[p.layer.index]?.createdBy);
  assert.deepEqual(wrongCreatedBy.map((p) => `${p.name}: ${p.layer?.createdBy}`), [], 'layer.createdBy differs from the config of layer.index');
  // The RUN that installed a package is literally in its layer's createdBy.
  const notRun: string[] = [];
  for (const r of truth.runs) {
    for (const e of r.events) {
      const p = debs.find((d) => d.name === e.name);
      if (p && e.action === 'Install' && !p.layer?.createdBy?.includes(r.commandline)) notRun.push(`${e.name}: ${p.layer?.createdBy} lacks "${r.commandline}"`);
    }
  }
  assert.deepEqual(notRun, []);
});

/** Per layer, how many deb packages apt added (installed or changed version) and removed (or changed away). */
function aptCounts(runs: LayerTruth['runs'], layers: number) {
  const added = new Array<number>(layers).fill(0);
  const removed = new Array<number>(layers).fill(0);
  const adds = new Set<AptAction>(['Install', 'Upgrade', 'Downgrade']);
  const removes = new Set<AptAction>(['Upgrade', 'Downgrade', 'Remove', 'Purge']);
  for (const r of runs) {
    for (const e of r.events) {
      if (adds.has(e.action)) added[r.layer]!++;
      if (removes.has(e.action)) removed[r.layer]!++;
    }
  }
  return { added, removed };
}

test('layer table counts of a deb-only scan equal what apt did in each layer', { skip: why, timeout: TEST_TIMEOUT }, async () => {
  const img = await e2eImage();
  const [truth, installed] = await Promise.all([debLayerTruth(), dpkgPackages()]);
  const inv = await scanImage(`docker-archive:${img.dockerArchive}`, { catalogs: defaultCatalogSet(['dpkg']) });
  const { added, removed } = aptCounts(truth.runs, truth.layers.length);
  // Layer 0 (debootstrap) is not in apt's log: it had what is installed now, minus what apt
  // installed since, plus what apt removed since.
  const installs = added.reduce((a, b) => a + b, 0) - truth.runs.flatMap((r) => r.events).filter((e) => e.action === 'Upgrade' || e.action === 'Downgrade').length;
  const removals = truth.runs.flatMap((r) => r.events).filter((e) => e.action === 'Remove' || e.action === 'Purge').length;
  added[0] = installed.length - installs + removals;
  assert.deepEqual(inv.layers.map((l) => `layer ${l.index}: +${l.packagesAdded} -${l.packagesRemoved}`), added.map((a, i) => `layer ${i}: +${a} -${removed[i]}`));
});

/** Files that are language package evidence: Python metadata, node package.json, gemspecs. */
const EVIDENCE = {
  python: (f: string) => /\/(dist|site)-packages\/[^/]+\.(egg|dist)-info$/.test(f),
  npm: (f: string) => /^\/usr\/(share|lib(\/[^/]+)?)\/nodejs\/(@[^/]+\/)?[^/@]+\/package\.json$/.test(f) || /\/node_modules\/(@[^/]+\/)?[^/@]+\/package\.json$/.test(f),
  ruby: (f: string) => /\/specifications\/(default\/)?[^/]+\.gemspec$/.test(f),
};
const languageEvidence = (files: string[]) => files.filter((f) => Object.values(EVIDENCE).some((is) => is(f)));

test('purged packages are gone, and the purge layer counts exactly their removal', { skip: why, timeout: TEST_TIMEOUT }, async () => {
  const [inv, truth, img] = await Promise.all([e2eInventory(), debLayerTruth(), e2eImage()]);
  const purgeRun = truth.runs.filter((r) => r.layer === PURGE_LAYER);
  assert.deepEqual(purgeRun.flatMap((r) => r.events.map((e) => `${e.action} ${e.name}`)).sort(), PURGED.map((p) => `Purge ${p}`).sort(), 'apt history of the purge layer');

  const gone = new Map<string, string>();
  for (const p of PURGED) for (const f of languageEvidence(await listedFilesBefore(img.dockerArchive, p, PURGE_LAYER))) gone.set(rel(f), p);
  // python3-yaml had PyYAML's egg-info, node-ms had ms and @types/ms: the oracle must see them.
  assert.ok(gone.size >= 2, `language evidence of purged debs: ${[...gone.keys()].join(', ')}`);
  const leftovers = inv.packages.filter((p) => PURGED.includes(p.name) || [...gone.keys()].some((g) => (p.locations[0] ?? '').startsWith(g)));
  assert.deepEqual(leftovers.map((p) => `${p.purl} at ${p.locations[0]}`), [], 'packages of purged debs still reported');

  // Full scan: every layer removes only what apt changed away (upgrades) and, in the purge layer,
  // the purged debs plus the language packages their files held.
  const { removed } = aptCounts(truth.runs, truth.layers.length);
  removed[PURGE_LAYER]! += gone.size;
  const detail = `purge layer: ${PURGED.length} debs + language evidence ${[...gone].map(([f, p]) => `${f} (${p})`).join(', ')}`;
  assert.deepEqual(inv.layers.map((l) => `layer ${l.index}: -${l.packagesRemoved}`), removed.map((n, i) => `layer ${i}: -${n}`), detail);
});

test('every language package is in the layer that installed its owning deb, and every one has an owner', { skip: why, timeout: TEST_TIMEOUT }, async () => {
  const [inv, truth] = await Promise.all([e2eInventory(), debLayerTruth()]);
  const wrong = inv.packages
    .filter((p) => p.ecosystem !== 'deb' && p.ownedBy)
    .filter((p) => p.layer?.index !== truth.layerOf.get(p.ownedBy!.name))
    .map((p) => `${p.purl}: layer ${p.layer?.index}, owner ${p.ownedBy!.name} installed in layer ${truth.layerOf.get(p.ownedBy!.name)}`);
  assert.deepEqual(wrong, []);
  const unowned = inv.packages.filter((p) => p.ecosystem !== 'deb' && !p.ownedBy).map((p) => `${p.purl} at ${p.locations[0]}`);
  // Everything in this image came from a Debian package.
  assertSameSet('language packages without an owning deb', unowned, []);
});

/**
 * The layer table of a one-ecosystem scan, exactly: each layer adds the packages of the debs apt
 * installed there (located with dpkg -S, layered with the history log), and the purge layer
 * removes the evidence the purged debs' file lists held.
 */
async function assertLanguageLayerTable(catalog: 'python' | 'npm', truth: LangTruth[]): Promise<void> {
  const [t, img] = await Promise.all([debLayerTruth(), e2eImage()]);
  const owners = await dpkgOwners(truth.map((x) => x.path));
  const added = new Array<number>(t.layers.length).fill(0);
  const removed = new Array<number>(t.layers.length).fill(0);
  for (const x of truth) {
    const layer = t.layerOf.get(owners.get(x.path)?.[0] ?? '');
    if (layer === undefined) throw new Error(`${x.path}: no owning deb installed by a known layer`);
    added[layer]!++;
  }
  for (const p of PURGED) {
    const installedIn = t.runs.filter((r) => r.layer < PURGE_LAYER && r.events.some((e) => e.name === p && e.action === 'Install')).at(-1)?.layer;
    const n = (await listedFilesBefore(img.dockerArchive, p, PURGE_LAYER)).filter(EVIDENCE[catalog]).length;
    if (installedIn === undefined) throw new Error(`apt history has no install of ${p}`);
    added[installedIn]! += n;
    removed[PURGE_LAYER]! += n;
  }
  const inv = await scanImage(`docker-archive:${img.dockerArchive}`, { catalogs: defaultCatalogSet([catalog]) });
  assert.deepEqual(inv.layers.map((l) => `layer ${l.index}: +${l.packagesAdded} -${l.packagesRemoved}`), added.map((a, i) => `layer ${i}: +${a} -${removed[i]}`), `${catalog}-only scan`);
}

test('layer table counts of a python-only scan: installs in their deb layer, PyYAML removed by the purge', { skip: why, timeout: TEST_TIMEOUT }, async () => {
  await assertLanguageLayerTable('python', await pythonDistributions());
});

test('layer table counts of an npm-only scan: installs in their deb layer, ms and @types/ms removed by the purge', { skip: why, timeout: TEST_TIMEOUT }, async () => {
  await assertLanguageLayerTable('npm', await nodePackages());
});
