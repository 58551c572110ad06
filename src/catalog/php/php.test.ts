import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { hasSharedData, sharedData } from '../../../test/shared-data.ts';
import { damagedParses, ids, runCataloger, treeFiles } from '../testing.ts';
import { parseComposerLock, parseInstalledJson } from './composer.ts';
import { createPhpCataloger, phpCataloger } from './index.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const E2E = 'pkgdb/osv-detector/testdata/locks-e2e';
const OSV = 'pkgdb/osv-detector/pkg/lockfile/testdata/composer';
const REPO = 'expected/trivy-integration/integration/testdata/fixtures/repo';
const GOLDEN = 'expected/trivy-integration/integration/testdata';
const read = (...p: string[]) => readFileSync(sharedData(...p));

function golden(file: string): Array<{ Name: string; Version: string; Licenses?: string[]; DependsOn?: string[]; Identifier: { PURL: string } }> {
  return JSON.parse(readFileSync(sharedData(GOLDEN, file), 'utf8')).Results[0].Packages;
}

test('wants: installed.json under any vendor dir, composer.lock outside vendor', () => {
  const w = (path: string) => phpCataloger.wants({ path, size: 1, mode: 0o644 });
  for (const p of ['var/www/html/vendor/composer/installed.json', 'app/lib/vendor/composer/installed.json', 'app/composer.lock', 'composer.lock']) assert.ok(w(p), p);
  for (const p of ['app/vendor/composer/installed.php', 'app/vendor/foo/bar/composer.lock', 'app/composer.json', 'app/installed.json', 'app/xcomposer.lock']) {
    assert.equal(w(p), false, p);
  }
});

test('installed.json (v2) and composer.lock equal Trivy golden results', { skip: !hasSharedData(REPO) }, () => {
  for (const [pkgs, g] of [
    [parseInstalledJson('v/composer/installed.json', read(REPO, 'composer-vendor/installed.json')).packages, golden('composer.vendor.json.golden')],
    [parseComposerLock('composer.lock', read(REPO, 'composer/composer.lock')).packages, golden('composer.lock.json.golden')],
  ] as const) {
    assert.deepEqual(
      pkgs.map((p) => [p.purl, p.licenses, p.dependsOnNames ?? []]),
      g.map((x) => [x.Identifier.PURL, x.Licenses ?? [], (x.DependsOn ?? []).map((d) => d.slice(0, d.lastIndexOf('@')))]),
    );
  }
  const psr7 = parseInstalledJson('v/composer/installed.json', read(REPO, 'composer-vendor/installed.json')).packages[0]!;
  assert.deepEqual([psr7.name, psr7.namespace, psr7.version, psr7.ecosystem], ['guzzlehttp/psr7', 'guzzlehttp', '1.8.3', 'composer']);
});

test('Composer 1 installed.json (a bare array) reads like Composer 2', { skip: !hasSharedData(REPO) }, () => {
  const v2 = JSON.parse(read(REPO, 'composer-vendor/installed.json').toString());
  const v1 = parseInstalledJson('i', Buffer.from(JSON.stringify(v2.packages)));
  assert.deepEqual(ids(v1.packages), ['guzzlehttp/psr7@1.8.3', 'psr/http-message@1.1', 'ralouphie/getallheaders@3.0.3']);
});

test('composer.lock counts match osv-detector (dev included) and composer show --locked --no-dev', { skip: !hasSharedData(E2E) }, (t) => {
  for (const [f, all, prod] of [
    ['1-composer.lock', 203, 182],
    ['2-composer.lock', 254, 196],
  ] as const) {
    assert.equal(Number(/found (\d+)/.exec(read(E2E, `${f}.out.txt`).toString())![1]), all);
    assert.equal(parseComposerLock('c', read(E2E, f), { includeDev: true }).packages.length, all, f);
    assert.equal(parseComposerLock('c', read(E2E, f)).packages.length, prod, f);
  }
  const dir = mkdtempSync(join(tmpdir(), 'triad-composer-'));
  try {
    writeFileSync(join(dir, 'composer.json'), '{}');
    for (const f of ['1-composer.lock', '2-composer.lock']) {
      copyFileSync(sharedData(E2E, f), join(dir, 'composer.lock'));
      let out: string;
      try {
        out = execFileSync('composer', ['show', '--locked', '--no-dev', '--format=json', `--working-dir=${dir}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      } catch {
        return t.skip('composer not installed');
      }
      // composer show appends the short commit to dev-branch versions ("dev-master 5c69c2b").
      const want = (JSON.parse(out).locked as Array<{ name: string; version: string }>).map((p) => `${p.name}@${p.version.split(' ')[0]}`).sort();
      assert.deepEqual(ids(parseComposerLock('c', read(E2E, f)).packages), want, f);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('osv-detector composer fixtures: dev section, metapackages, malformed input', { skip: !hasSharedData(OSV) }, () => {
  const l = (f: string, includeDev = false) => parseComposerLock('c', read(OSV, f), { includeDev });
  assert.deepEqual(ids(l('two-packages.json').packages), ['sentry/sdk@2.0.4']);
  assert.deepEqual(ids(l('two-packages.json', true).packages), ['sentry/sdk@2.0.4', 'theseer/tokenizer@1.1.3']);
  assert.deepEqual(l('two-packages.json', true).packages[1]!.metadata, { dev: true });
  assert.deepEqual(l('one-package-dev.json').packages, []);
  assert.deepEqual(l('empty.json').packages, []);
  const drupal = l('drupal-packages.json').packages;
  assert.deepEqual(ids(drupal), ['drupal/core@10.4.5', 'drupal/tfa@2.0.0-alpha4', 'theseer/tokenizer@1.1.3']);
  assert.equal(l('drupal-packages.json', true).packages.length, 4);
  assert.ok(drupal.every((p) => !p.dependsOnNames?.some((d) => d === 'php' || d.startsWith('ext-'))));
  assert.match(l('not-json.txt').warnings[0]!, /invalid JSON/);
  assert.deepEqual(parseInstalledJson('i', Buffer.from('{"dev": true}')).warnings, ['installed.json has no package list']);
  assert.deepEqual(parseComposerLock('c', Buffer.from('[]')).warnings, ['composer.lock is not a JSON object']);
});

test('real composer 2.5.5 project: installed.json wins over the lockfile next to it', async () => {
  const r = await runCataloger(phpCataloger, treeFiles(phpCataloger, join(HERE, 'testdata/srv'), 'srv'));
  const got = r.packages.map((p) => `${p.locations![0]} ${p.purl}${p.metadata?.dev ? ' dev' : ''}`);
  assert.deepEqual(got, [
    'srv/app-nodev/vendor/composer/installed.json pkg:composer/monolog/monolog@2.9.1',
    'srv/app-nodev/vendor/composer/installed.json pkg:composer/psr/log@1.1.4',
    'srv/app-nodev/vendor/composer/installed.json pkg:composer/symfony/polyfill-mbstring@v1.27.0',
    'srv/app/vendor/composer/installed.json pkg:composer/monolog/monolog@2.9.1',
    'srv/app/vendor/composer/installed.json pkg:composer/myclabs/deep-copy@1.11.1 dev',
    'srv/app/vendor/composer/installed.json pkg:composer/psr/log@1.1.4',
    'srv/app/vendor/composer/installed.json pkg:composer/symfony/polyfill-mbstring@v1.27.0',
  ]);
  assert.deepEqual(r.packages[0]!.dependsOnNames, ['psr/log']);
  // The same project without vendor/: the lockfile is the evidence, require-dev left out.
  const lockOnly = [{ path: 'srv/app/composer.lock', data: readFileSync(join(HERE, 'testdata/srv/app/composer.lock')) }];
  assert.deepEqual(ids((await runCataloger(phpCataloger, lockOnly)).packages), ['monolog/monolog@2.9.1', 'psr/log@1.1.4', 'symfony/polyfill-mbstring@v1.27.0']);
  assert.equal((await runCataloger(createPhpCataloger({ includeDev: true }), lockOnly)).packages.length, 4);
});

test('damaged composer files never make parse throw', async () => {
  const failures = await damagedParses(phpCataloger, [
    { path: 'a/composer.lock', data: readFileSync(join(HERE, 'testdata/srv/app/composer.lock')) },
    { path: 'a/vendor/composer/installed.json', data: readFileSync(join(HERE, 'testdata/srv/app/vendor/composer/installed.json')) },
  ]);
  assert.deepEqual(failures, []);
});
