import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { hasSharedData, sharedData } from '../../../test/shared-data.ts';
import type { FoundPackage } from '../cataloger.ts';
import { createNpmCataloger, npmCataloger } from './index.ts';
import { parsePackageLock } from './package-lock.ts';
import { parsePnpmLock, splitPnpmKey } from './pnpm.ts';
import { damagedParses, ids, runCataloger, type TestFile } from '../testing.ts';
import { parseYarnLock } from './yarn.ts';

const E2E = 'pkgdb/osv-detector/testdata/locks-e2e';
const OSV = 'pkgdb/osv-detector/pkg/lockfile/testdata';
const TRIVY = 'pkgdb/trivy-lang/pkg/dependency/parser/nodejs';
const REPO = 'expected/trivy-integration/integration/testdata/fixtures/repo';
const GOLDEN = 'expected/trivy-integration/integration/testdata';
const withDev = createNpmCataloger({ includeDev: true });

const read = (...p: string[]) => readFileSync(sharedData(...p));

/** osv-detector's e2e expectation line: "<file>: found N packages". */
function osvCount(file: string): number {
  const m = /found (\d+) packages/.exec(readFileSync(sharedData(E2E, `${file}.out.txt`), 'utf8'));
  return Number(m![1]);
}

test('package-lock.json and yarn.lock counts match osv-detector (dev included, as it counts)', { skip: !hasSharedData(E2E) }, () => {
  for (const f of ['1-package-lock.json', '2-package-lock.json']) {
    const r = parsePackageLock('app/package-lock.json', read(E2E, f), { includeDev: true });
    assert.equal(r.packages.length, osvCount(f), f);
  }
  for (const f of ['1-yarn.lock', '2-yarn.lock']) assert.equal(parseYarnLock('app/yarn.lock', read(E2E, f)).packages.length, osvCount(f), f);
  // osv-detector counts lock entries: 1225, of which the `patch:` entries for fsevents@2.3.2,
  // resolve@1.20.0 and typescript@4.2.3 repeat their npm: entries; one package per name@version.
  const r3 = parseYarnLock('app/yarn.lock', read(E2E, '3-yarn.lock'));
  assert.equal(osvCount('3-yarn.lock'), 1225);
  assert.equal(r3.packages.length, 1221);
  assert.ok(ids(r3.packages).includes('resolve@1.20.0'));
  assert.ok(!r3.packages.some((p) => p.name === 'eslint-plugin-jest' && p.version === '0.0.0-use.local'), 'workspace root excluded');
});

test('package-lock v1 without node_modules equals Trivy golden (prod and with dev)', { skip: !hasSharedData(REPO, 'npm') }, async () => {
  const golden = (f: string) => {
    const doc = JSON.parse(readFileSync(sharedData(GOLDEN, f), 'utf8'));
    return doc.Results[0].Packages as Array<{ Name: string; Version: string; DependsOn?: string[] }>;
  };
  const lock: TestFile[] = [{ path: 'app/package-lock.json', data: read(REPO, 'npm/package-lock.json') }];
  const prod = await runCataloger(npmCataloger, lock);
  const want = golden('npm.json.golden');
  assert.deepEqual(ids(prod.packages), want.map((p) => `${p.Name}@${p.Version}`).sort());
  for (const g of want) {
    const p = prod.packages.find((x) => x.name === g.Name)!;
    assert.deepEqual(p.dependsOnNames ?? [], (g.DependsOn ?? []).map((d) => d.slice(0, d.lastIndexOf('@'))).sort(), g.Name);
    assert.deepEqual(p.locations, ['app/package-lock.json']);
  }
  const dev = await runCataloger(withDev, lock);
  assert.deepEqual(ids(dev.packages), golden('npm-with-dev.json.golden').map((p) => `${p.Name}@${p.Version}`).sort());
});

test('package-lock v2/v3: flat packages map, aliases, git versions, links and dev flags', { skip: !hasSharedData(OSV) }, () => {
  const p = (f: string, includeDev = true) => ids(parsePackageLock('l/package-lock.json', read(OSV, 'npm', f), { includeDev }).packages);
  assert.deepEqual(p('with-aliases.v2.json'), ['@babel/helper-validator-identifier@7.22.20', 'ansi-regex@5.0.1', 'ansi-regex@6.0.1']);
  assert.deepEqual(p('with-aliases.v1.json'), p('with-aliases.v2.json'));
  assert.deepEqual(p('scoped-packages.v2.json'), ['@babel/code-frame@7.0.0', 'wrappy@1.0.2']);
  assert.deepEqual(p('nested-dependencies.v1.json'), ['postcss-calc@7.0.1', 'postcss@6.0.23', 'postcss@7.0.16', 'supports-color@5.5.0', 'supports-color@6.1.0']);
  assert.deepEqual(p('nested-dependencies.v2.json'), p('nested-dependencies.v1.json'));
  // v2 `packages` records the version git dependencies really have; v1 only the git URL.
  assert.ok(p('commits.v2.json').includes('babel-preset-php@1.1.1'));
  assert.ok(p('commits.v1.json').includes('babel-preset-php@gitlab:kornelski/babel-preset-php#c5a7ba5e0ad98b8db1cb8ce105403dd4b768cced'));
  // file: dependencies are local code; their own node_modules are real packages.
  assert.deepEqual(p('files.v2.json'), ['abbrev@1.0.9', 'abbrev@2.3.4']);
  assert.deepEqual(p('files.v1.json'), ['lodash@1.3.1']);
  assert.deepEqual(p('one-package-dev.v2.json'), ['wrappy@1.0.2']);
  assert.deepEqual(p('one-package-dev.v2.json', false), []);
  assert.deepEqual(p('one-package-dev.v1.json', false), []);
  assert.deepEqual(p('empty.v2.json'), []);
  const bad = parsePackageLock('l/package-lock.json', read(OSV, 'npm', 'not-json.txt'));
  assert.deepEqual(bad.packages, []);
  assert.match(bad.warnings[0]!, /invalid JSON/);
});

test('package-lock v3 fixtures from Trivy: workspaces and links are not packages', { skip: !hasSharedData(TRIVY) }, () => {
  const p = (f: string) => parsePackageLock('l/package-lock.json', read(TRIVY, 'npm/testdata', f));
  // functions/* are workspace sources and node_modules/function1 a link to one: only the
  // installed third-party packages (including a workspace's own node_modules) remain.
  assert.deepEqual(ids(p('package-lock_v3_with_workspace.json').packages), ['debug@2.5.2', 'debug@2.6.9', 'ms@0.7.2', 'ms@2.0.0']);
  const lic = Object.fromEntries(p('package-lock_v3_with_legacy_licenses.json').packages.map((x) => [x.name, x.licenses]));
  assert.deepEqual(lic, { tv4: ['Public Domain', 'MIT'], 'pause-stream': ['MIT', 'Apache2'], mustache: ['MIT'] });
  assert.deepEqual(p('package-lock_v3_broken_link.json'), { packages: [], warnings: [] });
  assert.deepEqual(ids(p('package-lock_v3_with-same-dev-and-non-dev.json').packages), ['minimist@0.0.8']);
});

test('yarn.lock v1 and berry: aliases, quotes, local packages, patches', { skip: !hasSharedData(OSV) }, () => {
  const y = (f: string) => ids(parseYarnLock('l/yarn.lock', read(OSV, 'yarn', f)).packages);
  const aliases = ['@babel/helper-validator-identifier@7.22.20', 'ansi-regex@5.0.1', 'ansi-regex@6.0.1'];
  assert.deepEqual(y('with-aliases.v1.lock'), aliases);
  assert.deepEqual(y('with-aliases.v2.lock'), aliases);
  assert.deepEqual(y('with-quotes.v1.lock'), ['concat-map@0.0.1', 'concat-stream@1.6.2']);
  assert.deepEqual(y('scoped-packages.v2.lock'), ['@babel/cli@7.16.8', '@babel/code-frame@7.16.7', '@babel/compat-data@7.16.8']);
  assert.deepEqual(y('multiple-versions.v2.lock'), ['debug@2.6.9', 'debug@3.2.7', 'debug@4.3.3']);
  assert.deepEqual(y('files.v1.lock'), ['etag@1.8.1', 'lodash@1.3.1', 'sprintf-js@0.0.0']);
  assert.deepEqual(y('files.v2.lock'), []);
  assert.deepEqual(y('exclude-root.v2.lock'), ['ansi-regex@6.1.0']);
  assert.deepEqual(y('with-build-string.v2.lock'), ['domino@2.1.6+git', 'tslib@2.6.2']);
  assert.deepEqual(y('metadata-only.v2.lock'), []);
  const trivy = (f: string) => ids(parseYarnLock('l/yarn.lock', read(TRIVY, 'yarn/testdata', f)).packages);
  assert.ok(!trivy('yarn_with_local.lock').some((x) => x.startsWith('local-package@')));
  const happy = parseYarnLock('l/yarn.lock', read(TRIVY, 'yarn/testdata', 'yarn_v2_happy.lock')).packages;
  assert.ok(!happy.some((p) => p.version === '0.0.0-use.local'));
  assert.equal(happy.filter((p) => p.name === 'fsevents').length, 1);
  const styles = happy.find((p) => p.name === 'ansi-styles' && p.version === '4.2.1')!;
  assert.deepEqual(styles.dependsOnNames, ['@types/color-name', 'color-convert']);
});

test('yarn.lock dev dependencies are dropped using the package.json next to it (Trivy golden)', { skip: !hasSharedData(REPO, 'yarn') }, async () => {
  const lock = { path: 'srv/yarn.lock', data: read(REPO, 'yarn/yarn.lock') };
  const manifest = { path: 'srv/package.json', data: read(REPO, 'yarn/package.json') };
  const golden = JSON.parse(readFileSync(sharedData(GOLDEN, 'yarn.json.golden'), 'utf8')).Results[0].Packages as Array<{ Name: string; Version: string; Relationship: string }>;
  const want = golden.filter((p) => p.Relationship !== 'root').map((p) => `${p.Name}@${p.Version}`);
  assert.deepEqual(ids((await runCataloger(npmCataloger, [lock, manifest])).packages), want);
  // Without the manifest nothing tells dev from prod: everything stays.
  assert.deepEqual(ids((await runCataloger(npmCataloger, [lock])).packages), ['asap@2.0.6', 'jquery@3.2.1', 'promise@8.0.3']);
  assert.equal((await runCataloger(withDev, [lock, manifest])).packages.length, 3);
});

test('pnpm-lock.yaml v5, v6 and v9 keys', () => {
  assert.deepEqual(splitPnpmKey('/@babel/core/7.0.0_abc', 5), { name: '@babel/core', ref: '7.0.0' });
  assert.deepEqual(splitPnpmKey('registry.npmjs.org/foo/1.1.0', 5), { name: 'foo', ref: '1.1.0' });
  assert.deepEqual(splitPnpmKey('/foo@1.0.0(bar@2.0.0)', 6), { name: 'foo', ref: '1.0.0' });
  assert.deepEqual(splitPnpmKey('@scope/x@1.0.0(react@18.0.0)', 9), { name: '@scope/x', ref: '1.0.0' });
  assert.equal(splitPnpmKey('not-a-host/foo/1.0.0', 5), undefined);
});

test('pnpm-lock.yaml: dev flags (v5/v6), importer graph (v9), tarballs and directories', { skip: !hasSharedData(TRIVY) }, () => {
  const p = (dir: string, f: string, includeDev = false) => parsePnpmLock('l/pnpm-lock.yaml', read(dir, f), { includeDev });
  const t = (f: string, dev = false) => ids(p(TRIVY, `pnpm/testdata/${f}`, dev).packages);
  assert.deepEqual(t('pnpm-lock_v6_with_dev.yaml'), ['@babel/runtime@7.22.3', 'js-tokens@4.0.0', 'loose-envify@1.4.0', 'react@18.1.0', 'redux@4.2.0', 'regenerator-runtime@0.13.11']);
  assert.equal(t('pnpm-lock_v6_with_dev.yaml', true).length, 85);
  assert.deepEqual(t('pnpm-lock_normal.yaml'), ['asap@2.0.6', 'jquery@3.6.0', 'promise@8.1.0']);
  // v9: jquery, ms@2.0.0's sibling lodash (file tarball) and await-sleep are dev-only; ms@2.0.0 is
  // reached through finalhandler -> debug@4.3.4(supports-color@8.1.1); package1 is a directory.
  const v9 = t('pnpm-lock_v9.yaml');
  assert.equal(v9.length, 18);
  for (const gone of ['jquery@3.6.0', 'lodash@4.17.21', 'await-sleep@0.0.1']) assert.ok(!v9.includes(gone), gone);
  for (const kept of ['ms@2.0.0', 'debug@4.3.5', 'is-negative@2.0.1', 'asynckit@0.4.0']) assert.ok(v9.includes(kept), kept);
  assert.ok(!v9.some((x) => x.startsWith('package1@')));
  assert.equal(t('pnpm-lock_v9.yaml', true).length, 21);
  // The first document lists pnpm's own packages (packageManagerDependencies), not the app's.
  assert.deepEqual(t('pnpm-lock_v9_multiple_documents.yaml'), ['is-number@7.0.0']);
  assert.deepEqual(t('pnpm-lock_archives.yaml'), ['asynckit@0.4.0', 'debug@4.3.4', 'is-negative@2.0.1', 'lodash@4.17.21', 'ms@2.1.2']);
  const o = (f: string, dev = false) => ids(p(OSV, `pnpm/${f}`, dev).packages);
  for (const v of ['v53', 'v54', 'v6', 'v9']) {
    assert.equal(o(`mixed-groups.${v}.yaml`).length, 2, v);
    assert.ok(!o(`mixed-groups.${v}.yaml`).some((x) => x.startsWith('is-number@')), v);
    assert.equal(o(`mixed-groups.${v}.yaml`, true).length, 3, v);
  }
  assert.deepEqual(o('exotic.yaml'), ['@foo/bar@1.0.0', '@foo/bar@1.1.0', 'foo@1.0.0', 'foo@1.1.0', 'foo@1.2.0', 'foo@1.3.0', 'foo@1.4.0']);
  assert.deepEqual(o('tarball.yaml', true), ['@my-org/my-package@3.2.3']);
  assert.deepEqual(o('with-aliases.yaml'), ['@babel/helper-validator-identifier@7.22.20', 'ansi-regex@5.0.1', 'ansi-regex@6.0.1']);
  assert.deepEqual(o('peer-dependencies-v6.yaml'), ['js-tokens@4.0.0', 'loose-envify@1.4.0', 'react-dom@18.2.0', 'react@18.2.0', 'scheduler@0.23.0']);
  assert.deepEqual(o('one-package-dev.v9.yaml'), []);
  assert.deepEqual(p(OSV, 'pnpm/not-yaml.txt').packages, []);
  assert.deepEqual(p(OSV, 'pnpm/not-yaml.txt').warnings, ['pnpm-lock.yaml is not a YAML mapping']);
  const broken = parsePnpmLock('l/pnpm-lock.yaml', Buffer.from('packages:\n  /a@1.0.0: {\n'));
  assert.equal(broken.packages.length, 0);
  assert.match(broken.warnings[0]!, /invalid pnpm-lock.yaml/);
});

test('lockfiles: reported only without node_modules beside them, never from inside node_modules', async () => {
  const lock = (dir: string): TestFile => ({
    path: `${dir}/package-lock.json`,
    data: Buffer.from(JSON.stringify({ lockfileVersion: 3, packages: { '': {}, 'node_modules/left-pad': { version: '1.3.0', license: 'WTFPL' } } })),
  });
  const installed: TestFile = { path: 'a/node_modules/other/package.json', data: Buffer.from('{"name":"other","version":"1.0.0"}') };
  const r = await runCataloger(npmCataloger, [lock('a'), lock('b'), lock('a/node_modules/x'), installed]);
  const byLoc = (p: FoundPackage) => `${p.locations![0]} ${p.name}@${p.version}`;
  assert.deepEqual(r.packages.map(byLoc).sort(), ['a/node_modules/other/package.json other@1.0.0', 'b/package-lock.json left-pad@1.3.0']);
  assert.deepEqual(r.packages.find((p) => p.name === 'left-pad')!.licenses, ['WTFPL']);
  assert.equal(r.packages[0]!.ecosystem, 'npm');
});

test('hostile YAML: alias expansion is bounded and reported, not followed', () => {
  const bomb = ['lockfileVersion: "6.0"', 'a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
  for (let i = 0; i < 12; i++) bomb.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`);
  const text = bomb.join('\n') + '\n';
  const pnpm = parsePnpmLock('l/pnpm-lock.yaml', Buffer.from(text));
  assert.deepEqual(pnpm.packages, []);
  assert.match(pnpm.warnings[0]!, /alias/i);
  const yarn = parseYarnLock('l/yarn.lock', Buffer.from('__metadata:\n  version: 6\n' + text));
  assert.deepEqual(yarn.packages, []);
  assert.match(yarn.warnings[0]!, /alias/i);
});

test('damaged lockfiles and manifests never make parse throw', { skip: !hasSharedData(TRIVY) }, async () => {
  const f = (path: string, ...p: string[]) => ({ path, data: read(...p) });
  const failures = await damagedParses(npmCataloger, [
    f('a/package-lock.json', TRIVY, 'npm/testdata/package-lock_v1.json'),
    f('a/package-lock.json', TRIVY, 'npm/testdata/package-lock_v3.json'),
    f('a/yarn.lock', TRIVY, 'yarn/testdata/yarn_happy.lock'),
    f('a/yarn.lock', TRIVY, 'yarn/testdata/yarn_v2_happy.lock'),
    f('a/pnpm-lock.yaml', TRIVY, 'pnpm/testdata/pnpm-lock_v9.yaml'),
    f('a/node_modules/x/package.json', TRIVY, 'packagejson/testdata/package.json'),
    f('a/package.json', TRIVY, 'packagejson/testdata/package.json'),
  ]);
  assert.deepEqual(failures, []);
});
