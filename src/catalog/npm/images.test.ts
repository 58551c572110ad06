// End-to-end over real image archives: the final filesystem of each image is fed to the cataloger
// the way the walker does it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { hasSharedData, sharedData } from '../../../test/shared-data.ts';
import { npmCataloger } from './index.ts';
import { ids, imageFiles, runCataloger } from '../testing.ts';

const NPM = 'images/snyk/test/fixtures/npm/npm-without-lockfiles';
const PNPM = 'images/snyk/test/fixtures/pnpm';
const SNAP = 'expected/snyk/test/system/application-scans/__snapshots__/node.spec.ts.snap';

test('the same app installed by npm or yarn, or shipped as a lockfile only, yields the same packages', { skip: !hasSharedData(NPM) }, async () => {
  const results = new Map<string, { ids: string[]; where: Set<string> }>();
  for (const image of [
    'npm7-with-node-modules-only.tar',
    'npm7-without-package-lock-file.tar',
    'npm7-with-package-lock-file.tar',
    'yarn-with-node-modules-only.tar',
    'yarn-without-lock-file.tar',
    'yarn-with-lock-file.tar',
  ]) {
    const r = await runCataloger(npmCataloger, await imageFiles(npmCataloger, sharedData(NPM, image)));
    assert.deepEqual(r.warnings, [], image);
    results.set(image, { ids: ids(r.packages), where: new Set(r.packages.map((p) => p.locations![0]!.replace(/\/node_modules\/.*/, '/node_modules'))) });
  }
  const first = results.get('npm7-with-node-modules-only.tar')!;
  assert.equal(first.ids.length, 64);
  for (const id of ['express@4.19.2', 'body-parser@1.20.2', 'debug@2.6.9', 'ms@2.0.0', 'ms@2.1.3', 'qs@6.11.0']) assert.ok(first.ids.includes(id), id);
  for (const [image, r] of results) assert.deepEqual(r.ids, first.ids, image);
  // Where the evidence comes from: node_modules when present, else the lockfile.
  assert.deepEqual([...results.get('npm7-with-package-lock-file.tar')!.where], ['goof/package-lock.json']);
  assert.deepEqual([...results.get('yarn-with-lock-file.tar')!.where], ['goof/yarn.lock']);
  assert.deepEqual([...results.get('yarn-without-lock-file.tar')!.where], ['goof/node_modules']);
});

/** Package ids of the pnpm project scan in snyk's snapshot (`pkgs` of the pnpm depGraph, minus the root). */
function snykPnpmIds(which: 'V6 and V9 1' | 'V6 and V9 2'): string[] {
  const snap = readFileSync(sharedData(SNAP), 'utf8');
  const start = snap.indexOf(`depgraph for pnpm lockfiles ${which}`);
  const section = snap.slice(start, snap.indexOf('exports[', start + 10));
  const at = section.indexOf('"name": "pnpm"');
  const pkgs = section.slice(at);
  const body = pkgs.slice(pkgs.indexOf('"pkgs": Array ['), pkgs.indexOf('"schemaVersion"'));
  // The graph (with its root node) precedes pkgManager; the image's OS graph comes earlier still.
  const roots = [...section.slice(0, at).matchAll(/"nodeId": "root-node",\s*"pkgId": "([^"]+)"/g)];
  const root = roots[roots.length - 1]![1];
  return [...body.matchAll(/"id": "([^"]+)"/g)].map((m) => m[1]!).filter((id) => id !== root).sort();
}

test('pnpm images (lockfile v6 and v9) match snyk', { skip: !hasSharedData(PNPM) || !hasSharedData(SNAP) }, async () => {
  for (const [image, which] of [
    ['pnpmlockv6.tar', 'V6 and V9 1'],
    ['pnpmlockv9.tar', 'V6 and V9 2'],
  ] as const) {
    const r = await runCataloger(npmCataloger, await imageFiles(npmCataloger, sharedData(PNPM, image)));
    const want = snykPnpmIds(which);
    assert.deepEqual(want, ['debug@4.3.4', 'ms@2.1.2']);
    assert.deepEqual(ids(r.packages), want, image);
    assert.ok(r.packages.every((p) => p.locations![0] === 'app/pnpm-lock.yaml'));
  }
});
