// Layer semantics and attribution, on archives built in the test so every expectation is exact.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Cataloger } from '../catalog/cataloger.ts';
import { openImage } from '../image/open.ts';
import { layerTar, writeDockerArchive } from '../../test/infra/make-archive.ts';
import { walkImage } from '../walker/walk.ts';
import { buildInventory, type CatalogSet } from './inventory.ts';
import { FinalView } from './squash.ts';

// A toy package database: one "name version" per line in var/lib/toy/db, like dpkg's status file.
const toy: Cataloger = {
  name: 'toy',
  ecosystems: ['deb'],
  wants: (m) => (m.path === 'var/lib/toy/db' || m.path.endsWith('/toy.pkg') ? 1 << 20 : false),
  async parse(meta, content) {
    const text = (await content.readAll()).toString();
    const packages = text.split('\n').filter(Boolean).map((l) => {
      const [name, version] = l.split(' ') as [string, string];
      return { name, version, ecosystem: 'deb' as const, purl: `pkg:deb/test/${name}@${version}`, licenses: [], locations: [meta.path], installedFiles: [`opt/${name}/toy.pkg`] };
    });
    return { packages };
  },
};
const lang: Cataloger = {
  name: 'lang',
  ecosystems: ['npm'],
  wants: (m) => (m.path.endsWith('/package.json') ? 1 << 20 : false),
  async parse(meta, content) {
    const j = JSON.parse((await content.readAll()).toString());
    return { packages: [{ name: j.name, version: j.version, ecosystem: 'npm', purl: `pkg:npm/${j.name}@${j.version}`, licenses: [], locations: [meta.path], dependsOnNames: Object.keys(j.dependencies ?? {}) }] };
  },
};
const set: CatalogSet = { catalogers: [toy, lang], identifyOS: () => undefined, osCataloger: 'none' };

let dir: string;
before(async () => { dir = await mkdtemp(join(tmpdir(), 'triad-inv-')); });
after(async () => { await rm(dir, { recursive: true, force: true }); });

async function scan(layers: Parameters<typeof writeDockerArchive>[1]) {
  const file = join(dir, `img${Math.random().toString(36).slice(2)}.tar`);
  await writeDockerArchive(file, layers);
  const src = await openImage(`docker-archive:${file}`);
  try {
    const recs = await walkImage(src, set.catalogers, { memoryLimit: 16 });
    return { inv: await buildInventory(src, recs, set), view: new FinalView(recs) };
  } finally {
    await src.close();
  }
}

test('packages are attributed to the layer that first listed them, across rewrites of the db', async () => {
  const { inv } = await scan([
    { tar: await layerTar([{ path: 'var/lib/toy/db', content: 'base 1\nlibc 2\n' }]), createdBy: 'ADD rootfs' },
    { tar: await layerTar([{ path: 'var/lib/toy/db', content: 'base 1\nlibc 2\ncurl 7\n' }]), createdBy: 'RUN install curl', gzip: true },
    { tar: await layerTar([{ path: 'var/lib/toy/db', content: 'base 1\nlibc 3\ncurl 7\n' }]), createdBy: 'RUN upgrade libc' },
  ]);
  const by = Object.fromEntries(inv.packages.map((p) => [`${p.name}@${p.version}`, p.layer?.index]));
  assert.deepEqual(by, { 'base@1': 0, 'curl@7': 1, 'libc@3': 2 });
  assert.equal(inv.packages.find((p) => p.name === 'curl')!.layer!.createdBy, 'RUN install curl');
  assert.deepEqual(inv.layers.map((l) => [l.packagesAdded, l.packagesRemoved]), [[2, 0], [1, 0], [1, 1]]);
});

test('whiteouts and opaque directories remove files and packages from the final view', async () => {
  const { inv, view } = await scan([
    { tar: await layerTar([
      { path: 'app/node_modules/a/package.json', content: '{"name":"a","version":"1.0.0","dependencies":{"b":"*"}}' },
      { path: 'app/node_modules/b/package.json', content: '{"name":"b","version":"2.0.0"}' },
      { path: 'opt/keep/x', content: 'x' },
      { path: 'opt/old/y', content: 'y' },
    ]) },
    { tar: await layerTar([{ path: 'app/node_modules/.wh.b', content: '' }, { path: 'opt/old/.wh..wh..opq', content: '' }, { path: 'opt/old/z', content: 'z' }]) },
  ]);
  assert.deepEqual(inv.packages.map((p) => p.name), ['a']);
  assert.equal(view.has('opt/keep/x'), true);
  assert.equal(view.has('opt/old/y'), false);
  assert.equal(view.has('opt/old/z'), true);
  assert.equal(inv.layers[1]!.packagesRemoved, 1);
  // The dependency on b is not resolved: b is gone.
  assert.equal(inv.packages[0]!.dependsOn, undefined);
});

test('a deleted then re-added database restarts attribution at the re-adding layer', async () => {
  const { inv } = await scan([
    { tar: await layerTar([{ path: 'var/lib/toy/db', content: 'base 1\n' }]) },
    { tar: await layerTar([{ path: 'var/lib/.wh.toy', content: '' }]) },
    { tar: await layerTar([{ path: 'var/lib/toy/db', content: 'base 1\n' }]) },
  ]);
  assert.equal(inv.packages[0]!.layer!.index, 2);
  assert.equal(inv.layers[1]!.packagesRemoved, 1);
});

test('language packages record the OS package that installed them; dependencies resolve to ids', async () => {
  const { inv } = await scan([
    { tar: await layerTar([
      { path: 'var/lib/toy/db', content: 'nodepkg 1\n' },
      { path: 'opt/nodepkg/toy.pkg', content: '' },
      { path: 'usr/lib/node_modules/x/package.json', content: '{"name":"x","version":"1.0.0","dependencies":{"y":"1"}}' },
      { path: 'usr/lib/node_modules/y/package.json', content: '{"name":"y","version":"1.0.0"}' },
    ]) },
  ]);
  const x = inv.packages.find((p) => p.name === 'x')!;
  assert.deepEqual(x.dependsOn, ['pkg:npm/y@1.0.0']);
  assert.equal(x.ownedBy, undefined);
});

test('hard links carry the target content to catalogers', async () => {
  const { inv } = await scan([
    { tar: await layerTar([
      { path: 'a/node_modules/p/package.json', content: '{"name":"p","version":"1.0.0"}' },
      { path: 'b/node_modules/p/package.json', hardlink: 'a/node_modules/p/package.json' },
    ]) },
  ]);
  assert.deepEqual(inv.packages.map((p) => p.locations[0]), ['a/node_modules/p/package.json', 'b/node_modules/p/package.json']);
  assert.deepEqual(inv.packages.map((p) => p.id), ['pkg:npm/p@1.0.0', 'pkg:npm/p@1.0.0#2']);
});

test('a directory replaced by a symlink hides what was below it', async () => {
  const { view } = await scan([
    { tar: await layerTar([{ path: 'lib/x.so', content: 'x' }]) },
    { tar: await layerTar([{ path: 'lib', symlink: 'usr/lib' }, { path: 'usr/lib/x.so', content: 'x' }]) },
  ]);
  assert.equal(view.has('lib/x.so'), false);
  assert.equal(view.resolve('lib/x.so'), 'usr/lib/x.so');
  assert.equal(view.resolve('lib/missing'), undefined);
});
