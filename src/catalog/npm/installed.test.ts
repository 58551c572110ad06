import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { hasSharedData, sharedData } from '../../../test/shared-data.ts';
import { isInstalledManifest } from './common.ts';
import { npmCataloger } from './index.ts';
import { npmLicenses, parseInstalledManifest } from './installed.ts';
import { ids, runCataloger, treeFiles } from '../testing.ts';

const PJ = 'pkgdb/trivy-lang/pkg/dependency/parser/nodejs/packagejson/testdata';
const REPO = 'expected/trivy-integration/integration/testdata/fixtures/repo';

test('wants: installed manifests, project manifests and lockfiles only', () => {
  const w = (path: string) => npmCataloger.wants({ path, size: 10, mode: 0o644 });
  for (const p of [
    'app/node_modules/express/package.json',
    'node_modules/@babel/core/package.json',
    'app/node_modules/a/node_modules/@s/b/package.json',
    'app/node_modules/.pnpm/ms@2.1.2/node_modules/ms/package.json',
    'app/package-lock.json',
    'yarn.lock',
    'srv/app/pnpm-lock.yaml',
    'srv/app/package.json',
  ]) {
    assert.ok(w(p), p);
  }
  for (const p of [
    'app/node_modules/express/lib/package.json',
    'app/node_modules/.bin/package.json',
    'app/node_modules/@scope/package.json',
    'app/node_modules/.package-lock.json',
    'app/node_modules/foo/package-lock.json',
    'app/node_modules/foo/yarn.lock',
    'app/xpackage.json',
    'app/some.lock',
    'usr/lib/libfoo.so',
  ]) {
    assert.equal(w(p), false, p);
  }
  assert.equal(isInstalledManifest('node_modules/x/package.json'), true);
  assert.equal(isInstalledManifest('node_modules/@s/x/y/package.json'), false);
  // Not a node_modules dir: only read as a project manifest (for the yarn.lock dev filter).
  assert.equal(isInstalledManifest('app/mynode_modules/x/package.json'), false);
});

test('licences: string, legacy object and arrays, junk ignored (Trivy packagejson testdata)', { skip: !hasSharedData(PJ) }, () => {
  const lic = (f: string) => npmLicenses(JSON.parse(readFileSync(sharedData(PJ, f), 'utf8')));
  assert.deepEqual(lic('package.json'), ['MIT']);
  assert.deepEqual(lic('legacy_package.json'), ['ISC']);
  assert.deepEqual(lic('legacy_array_package.json'), ['Public Domain', 'MIT']);
  assert.deepEqual(lic('mixed_array_license_package.json'), ['MIT']);
  assert.deepEqual(lic('empty_array_license_package.json'), []);
  assert.deepEqual(lic('null_license_package.json'), []);
  assert.deepEqual(lic('invalid_license_package.json'), []);
  assert.deepEqual(lic('unknown_license_object_package.json'), []);
});

test('manifest parsing: name+version required, malformed JSON is a warning', { skip: !hasSharedData(PJ) }, () => {
  const parse = (f: string) => parseInstalledManifest(`node_modules/x/package.json`, readFileSync(sharedData(PJ, f)));
  const ok = parse('package.json').pkg!;
  assert.equal(ok.name, 'bootstrap');
  assert.equal(ok.version, '5.0.2');
  assert.equal(ok.purl, 'pkg:npm/bootstrap@5.0.2');
  assert.deepEqual(ok.dependsOnNames, ['colors', 'js-tokens']); // optionalDependencies count too
  assert.deepEqual(ok.locations, ['node_modules/x/package.json']);
  assert.equal(parse('without_version_package.json').pkg, undefined);
  assert.equal(parse('without_name_and_version_package.json').pkg, undefined);
  const bad = parse('invalid_package.json');
  assert.equal(bad.pkg, undefined);
  assert.match(bad.warning!, /invalid JSON/);
  assert.match(parseInstalledManifest('node_modules/x/package.json', Buffer.from('[1,2]')).warning!, /not a JSON object/);
});

test('scoped packages get a namespace and an encoded purl', () => {
  const r = parseInstalledManifest(
    'app/node_modules/@babel/core/package.json',
    Buffer.from('\ufeff{"name":"@babel/core","version":"7.1.0","license":"MIT","optionalDependencies":{"fsevents":"*"}}'),
  );
  assert.equal(r.pkg!.namespace, '@babel');
  assert.equal(r.pkg!.purl, 'pkg:npm/%40babel/core@7.1.0');
  assert.deepEqual(r.pkg!.licenses, ['MIT']);
  assert.deepEqual(r.pkg!.dependsOnNames, ['fsevents']);
});

test('a real node_modules tree (snyk fixture) yields what snyk resolves', async (t) => {
  const dir = 'images/snyk/test/fixtures/npm/npm-without-lockfiles';
  if (!hasSharedData(dir)) return t.skip('shared data absent');
  const expected = JSON.parse(readFileSync(sharedData(dir, 'resolveDepsResultEmptyPackage.json'), 'utf8')) as { pkgs: Array<{ id: string }> };
  const want = expected.pkgs.map((p) => p.id).filter((id) => !id.endsWith('@')).sort();
  const r = await runCataloger(npmCataloger, treeFiles(npmCataloger, sharedData(dir, 'home'), 'home'));
  assert.deepEqual(ids(r.packages), want);
  const commander = r.packages.find((p) => p.name === 'commander')!;
  assert.deepEqual(commander.locations, ['home/app/node_modules/z-schema/node_modules/commander/package.json']);
  assert.deepEqual(r.warnings, []);
});

test('node_modules wins over the lockfile next to it (Trivy npm repo fixture)', async (t) => {
  if (!hasSharedData(REPO, 'npm')) return t.skip('shared data absent');
  const r = await runCataloger(npmCataloger, treeFiles(npmCataloger, sharedData(REPO, 'npm'), 'app'));
  assert.deepEqual(ids(r.packages), ['jquery@3.3.9', 'promise@8.0.3', 'react-is@16.8.6', 'react@16.8.6', 'redux@4.0.1', 'z-lock@1.0.0']);
  for (const p of r.packages) {
    assert.ok(p.locations![0]!.startsWith('app/node_modules/'), p.locations![0]);
    assert.deepEqual(p.licenses, ['MIT']);
  }
});

test('pnpm store layout: each name@version once (Trivy pnpm repo fixture)', async (t) => {
  if (!hasSharedData(REPO, 'pnpm')) return t.skip('shared data absent');
  const r = await runCataloger(npmCataloger, treeFiles(npmCataloger, sharedData(REPO, 'pnpm'), 'app'));
  assert.deepEqual(ids(r.packages), ['jquery@3.3.9', 'lodash@4.17.4']);
  assert.equal(r.packages.find((p) => p.name === 'lodash')!.locations![0], 'app/node_modules/.pnpm/lodash@4.17.4/node_modules/lodash/package.json');
});

test('duplicates within one project merge their locations; separate projects stay separate', async () => {
  const pj = (name: string, version: string) => Buffer.from(JSON.stringify({ name, version }));
  const r = await runCataloger(npmCataloger, [
    { path: 'app/node_modules/.pnpm/a@1.0.0_b@1.0.0/node_modules/a/package.json', data: pj('a', '1.0.0') },
    { path: 'app/node_modules/.pnpm/a@1.0.0_b@2.0.0/node_modules/a/package.json', data: pj('a', '1.0.0') },
    { path: 'app/node_modules/x/node_modules/a/package.json', data: pj('a', '2.0.0') },
    { path: 'other/node_modules/a/package.json', data: pj('a', '1.0.0') },
    { path: 'other/node_modules/broken/package.json', data: Buffer.from('{"name": "broken", "version": ') },
  ]);
  assert.deepEqual(ids(r.packages), ['a@1.0.0', 'a@1.0.0', 'a@2.0.0']);
  const merged = r.packages.find((p) => p.locations!.length === 2)!;
  assert.deepEqual(merged.locations, [
    'app/node_modules/.pnpm/a@1.0.0_b@1.0.0/node_modules/a/package.json',
    'app/node_modules/.pnpm/a@1.0.0_b@2.0.0/node_modules/a/package.json',
  ]);
  assert.equal(r.warnings.length, 1);
  assert.match(r.warnings[0]!, /^other\/node_modules\/broken\/package\.json: invalid JSON/);
});

test("Debian's global module directories: each module's top-level package.json is a package", async () => {
  const yes = [
    'usr/share/nodejs/strip-ansi/package.json',
    'usr/share/nodejs/@types/node/package.json',
    'usr/lib/nodejs/undici/package.json',
    'usr/lib/x86_64-linux-gnu/nodejs/bufferutil/package.json',
    'usr/share/nodejs/acorn/node_modules/acorn-walk/package.json',
    'usr/share/nodejs/@s/x/node_modules/@t/y/package.json',
  ];
  const no = [
    'usr/share/nodejs/package.json',
    'usr/share/nodejs/@types/package.json',
    'usr/share/nodejs/.bin/package.json',
    'usr/share/nodejs/acorn/dist/package.json',
    'usr/share/nodejs/undici/test/fixtures/pkg/package.json',
    'usr/share/nodejs/@types/node/ts4.8/package.json',
    'usr/lib/x86_64-linux-gnu/package.json',
    'usr/lib/python3/nodejs/x/package.json',
    'opt/usr/share/nodejs/x/package.json',
    'usr/local/share/nodejs/x/package.json',
  ];
  for (const p of yes) assert.equal(isInstalledManifest(p), true, p);
  for (const p of no) assert.equal(isInstalledManifest(p), false, p);
  // Fixtures and lockfiles inside a module are neither packages nor projects.
  const w = (path: string) => npmCataloger.wants({ path, size: 10, mode: 0o644 });
  assert.equal(w('usr/share/nodejs/undici/test/fixtures/pkg/package.json'), false);
  assert.equal(w('usr/share/nodejs/foo/package-lock.json'), false);
  assert.equal(w('usr/lib/x86_64-linux-gnu/nodejs/foo/yarn.lock'), false);

  const pj = (name: string, version: string) => Buffer.from(JSON.stringify({ name, version, license: 'MIT' }));
  const r = await runCataloger(npmCataloger, [
    { path: 'usr/share/nodejs/strip-ansi/package.json', data: pj('strip-ansi', '6.0.1') },
    { path: 'usr/share/nodejs/ansi-regex/package.json', data: pj('ansi-regex', '5.0.1') },
    { path: 'usr/share/nodejs/@types/node/package.json', data: pj('@types/node', '18.18.14') },
    { path: 'usr/share/nodejs/@types/node/ts4.8/package.json', data: pj('@types/node', '18.18.14') },
    { path: 'usr/share/nodejs/undici/test/fixtures/package.json', data: pj('fixture', '0.0.0') },
    { path: 'usr/share/nodejs/foo/package.json', data: pj('foo', '1.0.0') },
    { path: 'usr/share/nodejs/foo/node_modules/ansi-regex/package.json', data: pj('ansi-regex', '5.0.1') },
  ]);
  assert.deepEqual(
    r.packages.map((p) => `${p.name}@${p.version} ${p.locations!.join(',')}`).sort(),
    [
      '@types/node@18.18.14 usr/share/nodejs/@types/node/package.json',
      'ansi-regex@5.0.1 usr/share/nodejs/ansi-regex/package.json',
      'ansi-regex@5.0.1 usr/share/nodejs/foo/node_modules/ansi-regex/package.json',
      'foo@1.0.0 usr/share/nodejs/foo/package.json',
      'strip-ansi@6.0.1 usr/share/nodejs/strip-ansi/package.json',
    ],
  );
  assert.equal(r.packages.find((p) => p.name === '@types/node')!.purl, 'pkg:npm/%40types/node@18.18.14');
});
