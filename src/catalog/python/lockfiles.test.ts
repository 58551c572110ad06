import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { hasSharedData, sharedData } from '../../../test/shared-data.ts';
import { damagedParses, ids, imageFiles, runCataloger, treeFiles, type TestFile } from '../testing.ts';
import { createPythonCataloger, pythonCataloger } from './index.ts';
import { parsePipfileLock, parsePoetryLock, parseRequirements, parseUvLock } from './lockfiles.ts';
import { parseToml, TomlError } from './toml.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const E2E = 'pkgdb/osv-detector/testdata/locks-e2e';
const OSV = 'pkgdb/osv-detector/pkg/lockfile/testdata';
const TRIVY = 'pkgdb/trivy-lang/pkg/dependency/parser/python';
const REPO = 'expected/trivy-integration/integration/testdata/fixtures/repo';
const GOLDEN = 'expected/trivy-integration/integration/testdata';
const read = (...p: string[]) => readFileSync(sharedData(...p));

function goldenIds(file: string): string[] {
  const doc = JSON.parse(readFileSync(sharedData(GOLDEN, file), 'utf8'));
  const pkgs = doc.Results[0].Packages as Array<{ Name: string; Version: string; Relationship?: string }>;
  // Trivy lists the project itself as the root package; it is not a dependency.
  return pkgs.filter((p) => p.Relationship !== 'root').map((p) => `${p.Name}@${p.Version}`).sort();
}

test('lockfiles equal Trivy golden results (requirements.txt, Pipfile.lock, poetry.lock, uv.lock)', { skip: !hasSharedData(REPO) }, () => {
  assert.deepEqual(ids(parseRequirements('a', read(REPO, 'pip/requirements.txt')).packages), goldenIds('pip.json.golden'));
  assert.deepEqual(ids(parsePipfileLock('a', read(REPO, 'pipenv/Pipfile.lock')).packages), goldenIds('pipenv.json.golden'));
  assert.deepEqual(ids(parsePoetryLock('a', read(REPO, 'poetry/poetry.lock')).packages), goldenIds('poetry.json.golden'));
  assert.deepEqual(ids(parseUvLock('a', read(REPO, 'uv/uv.lock')).packages), goldenIds('uv.json.golden'));
  const click = parsePoetryLock('a', read(REPO, 'poetry/poetry.lock')).packages.find((p) => p.name === 'click')!;
  assert.deepEqual(click.dependsOnNames, ['colorama']);
  assert.equal(click.purl, 'pkg:pypi/click@8.1.3');
});

test('Pipfile.lock and poetry.lock counts match osv-detector (dev included, as it counts)', { skip: !hasSharedData(E2E) }, () => {
  const count = (f: string) => Number(/found (\d+) packages/.exec(readFileSync(sharedData(E2E, `${f}.out.txt`), 'utf8'))![1]);
  assert.equal(parsePipfileLock('a', read(E2E, '1-Pipfile.lock'), { includeDev: true }).packages.length, count('1-Pipfile.lock'));
  assert.equal(parsePipfileLock('a', read(E2E, '1-Pipfile.lock')).packages.length, 60);
  for (const f of ['1-poetry.lock', '2-poetry.lock']) assert.equal(parsePoetryLock('a', read(E2E, f), { includeDev: true }).packages.length, count(f), f);
});

test('requirements.txt: only pinned ==, options/markers/hashes/continuations handled', { skip: !hasSharedData(TRIVY) }, () => {
  const t = (f: string) => ids(parseRequirements('a', read(TRIVY, 'pip/testdata', f)).packages);
  assert.deepEqual(t('requirements_operator.txt'), ['Django@2.3.4', 'SomeProject@5.4']);
  assert.deepEqual(t('requirement_exstras.txt'), ['celery@4.4.7', 'pyjwt@2.1.0']);
  assert.deepEqual(t('requirements_utf16le.txt'), ['attrs@20.3.0']);
  assert.deepEqual(t('requirements_with_templating_engine.txt'), []);
  assert.deepEqual(t('requirements_hash.txt'), ['FooProject@1.2', 'Jinja2@3.0.0']);
  assert.deepEqual(t('requirements_compatible.txt'), []);
  const o = (f: string) => ids(parseRequirements('a', read(OSV, 'pip', f)).packages);
  assert.deepEqual(o('line-continuation.txt'), ['baz@7.8.9', 'foo@1.2.3', 'qux@10.11.12']);
  assert.deepEqual(o('with-per-requirement-options.txt'), ['FooProject@1.2', 'boto3@1.26.121', 'foo@1.0.0']);
  assert.deepEqual(o('non-normalized-names.txt'), ['Pillow@1.0.0', 'Twisted@20.3.0', 'zope.interface@5.4.0']);
  assert.equal(o('multiple-packages-constrained.txt').length, 13);
  assert.deepEqual(o('only-comments.txt'), []);
  const z = parseRequirements('a', read(OSV, 'pip', 'non-normalized-names.txt')).packages.find((p) => p.name === 'zope.interface')!;
  assert.equal(z.purl, 'pkg:pypi/zope-interface@5.4.0');
});

test('poetry.lock: dev category (poetry 1) and groups (poetry 2) are left out by default', { skip: !hasSharedData(TRIVY) }, () => {
  const v2 = (dev: boolean) => ids(parsePoetryLock('a', read(TRIVY, 'poetry/testdata/poetry_v2_flask.lock'), { includeDev: dev }).packages);
  assert.deepEqual(v2(false), ['click@8.1.8', 'colorama@0.4.6', 'flask@1.0.3', 'itsdangerous@2.2.0', 'jinja2@3.1.5', 'markupsafe@3.0.2', 'pluggy@0.13.1', 'werkzeug@3.1.3']);
  assert.ok(v2(true).includes('atomicwrites@1.4.1'));
  assert.deepEqual(ids(parsePoetryLock('a', read(OSV, 'poetry', 'source-git.lock')).packages), ['ike@0.2.0']);
  const bad = parsePoetryLock('a', read(OSV, 'poetry', 'not-toml.txt'));
  assert.deepEqual(bad.packages, []);
  assert.match(bad.warnings[0]!, /^invalid TOML: line 1/);
});

test('uv.lock: workspace roots are the project, their dev-dependencies are left out', { skip: !hasSharedData(TRIVY) }, () => {
  const u = (f: string, dev = false) => parseUvLock('a', read(TRIVY, 'uv/testdata', f), { includeDev: dev }).packages;
  const normal = ids(u('uv_normal.lock'));
  assert.equal(normal.length, 14);
  assert.ok(!normal.some((x) => x.startsWith('normal@')), 'root excluded');
  for (const dev of ['pytest@', 'iniconfig@', 'pluggy@']) assert.ok(!normal.some((x) => x.startsWith(dev)), dev);
  assert.ok(ids(u('uv_normal.lock', true)).some((x) => x.startsWith('pytest@')));
  assert.deepEqual(ids(u('uv_without_root.lock')), ['asyncio@3.4.3']);
  const o = (f: string) => ids(parseUvLock('a', read(OSV, 'uv', f)).packages);
  assert.deepEqual(o('two-packages.lock'), ['emoji@2.14.0', 'protobuf@4.25.5']);
  assert.deepEqual(o('source-git.lock'), ['ruff@0.8.1']);
  assert.equal(o('grouped-packages.lock').length, 14);
  assert.deepEqual(o('no-packages.lock'), []);
});

test('Pipfile.lock: develop section only on request; unpinned entries skipped', { skip: !hasSharedData(OSV) }, () => {
  const p = (f: string, includeDev = false) => ids(parsePipfileLock('a', read(OSV, 'pipenv', f), { includeDev }).packages);
  assert.deepEqual(p('one-package-dev.json'), []);
  assert.deepEqual(p('one-package-dev.json', true), ['markupsafe@2.1.1']);
  assert.deepEqual(p('no-version.json'), []);
  assert.match(parsePipfileLock('a', read(OSV, 'pipenv', 'not-json.txt')).warnings[0]!, /invalid JSON/);
});

test('lockfiles only count for directories without installed metadata below them', { skip: !hasSharedData(REPO) }, async () => {
  const req = read(REPO, 'pip/requirements.txt');
  const installed = treeFiles(pythonCataloger, join(HERE, 'testdata/image'), '');
  const files: TestFile[] = [
    ...installed,
    { path: 'app/requirements.txt', data: req },
    { path: 'opt/venv/requirements.txt', data: req },
    { path: 'opt/venv/lib/python3.11/site-packages/flask/requirements.txt', data: req },
  ];
  const r = await runCataloger(pythonCataloger, files);
  const fromLocks = r.packages.filter((p) => p.locations![0]!.endsWith('requirements.txt'));
  assert.equal(fromLocks.length, 7);
  assert.ok(fromLocks.every((p) => p.locations![0] === 'app/requirements.txt'));
  assert.equal(r.packages.length, 5 + 7);
  const withDev = createPythonCataloger({ includeDev: true });
  assert.equal((await runCataloger(withDev, [{ path: 'p/Pipfile.lock', data: read(OSV, 'pipenv/one-package-dev.json') }])).packages.length, 1);
});

test('TOML reader: the subset lockfiles use, and errors with line numbers', () => {
  const doc = parseToml(
    [
      '# comment',
      'version = 1',
      '[[package]]',
      'name = "a" # trailing',
      "source = { registry = 'https://x', n = 2.5 }",
      'deps = [',
      '  { name = "b", marker = "python_version < \'3.11\'" },',
      '  "c",  # comment in array',
      ']',
      '[package.extras]',
      'x = ["y"]',
      '[[package]]',
      '"quoted.key" = """multi',
      'line \\u00e9"""',
      "lit = '''raw\\n'''",
      'flag = true',
      'when = 2024-01-02T03:04:05Z',
    ].join('\n'),
  );
  assert.deepEqual(doc, {
    version: 1,
    package: [
      { name: 'a', source: { registry: 'https://x', n: 2.5 }, deps: [{ name: 'b', marker: "python_version < '3.11'" }, 'c'], extras: { x: ['y'] } },
      { 'quoted.key': 'multi\nline é', lit: 'raw\\n', flag: true, when: '2024-01-02T03:04:05Z' },
    ],
  });
  assert.throws(() => parseToml('a = "unterminated\n'), (e) => e instanceof TomlError && /line 1/.test(e.message));
  assert.throws(() => parseToml('a = 1\nb = [1, 2\n'), TomlError);
  assert.throws(() => parseToml('[x]\ny = {z = 1\n'), TomlError);
  assert.throws(() => parseToml('a = 1\na.b = 2\n'), TomlError);
});

test('an image shipping only poetry.lock yields what snyk reports for it', async (t) => {
  const image = 'images/snyk/test/fixtures/docker-archives/docker-save/poetry.tar';
  const snap = 'expected/snyk/test/system/application-scans/python/__snapshots__/poetry.spec.ts.snap';
  if (!hasSharedData(image) || !hasSharedData(snap)) return t.skip('shared data absent');
  const text = readFileSync(sharedData(snap), 'utf8');
  const pkgs = text.slice(text.indexOf('"name": "poetry"'));
  const body = pkgs.slice(pkgs.indexOf('"pkgs": Array ['), pkgs.indexOf('"schemaVersion"'));
  // The first entry is the project itself (myPkg), not a dependency.
  const want = [...body.matchAll(/"id": "([^"]+)"/g)].map((m) => m[1]!).slice(1).sort();
  assert.equal(want.length, 12);
  const r = await runCataloger(pythonCataloger, await imageFiles(pythonCataloger, sharedData(image)));
  assert.deepEqual(ids(r.packages), want);
  assert.ok(r.packages.every((p) => p.locations![0] === 'app/poetry.lock'));
});

test('damaged metadata and lockfiles never make parse throw', { skip: !hasSharedData(TRIVY) }, async () => {
  const f = (path: string, ...p: string[]) => ({ path, data: read(...p) });
  const failures = await damagedParses(pythonCataloger, [
    f('s/x-1.dist-info/METADATA', TRIVY, 'packaging/testdata/asyncssh-2.14.2.METADATA'),
    f('a/poetry.lock', TRIVY, 'poetry/testdata/poetry_v2_flask.lock'),
    f('a/uv.lock', TRIVY, 'uv/testdata/uv_normal.lock'),
    f('a/Pipfile.lock', TRIVY, 'pipenv/testdata/Pipfile_many.lock'),
    f('a/requirements.txt', TRIVY, 'pip/testdata/requirements_flask.txt'),
  ]);
  assert.deepEqual(failures, []);
});
