import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { hasSharedData, sharedData } from '../../../../test/shared-data.ts';
import { runImporter } from '../lang-common/testing.ts';
import { parseYamlText } from '../lang-common/yaml.ts';
import { friendsOfPhpImporter } from './index.ts';

const PHP = 'advisories/php';
const TRIVY = 'feeds/trivy-db/pkg/vulnsrc/composer/testdata';

let whole: ReturnType<typeof runImporter> | undefined;
const importWhole = () => (whole ??= runImporter(friendsOfPhpImporter, sharedData(PHP)));

test('the whole security-advisories tree imports; each file is one affected package with one expression per branch', { skip: !hasSharedData(PHP) }, async () => {
  const t0 = Date.now();
  const got = await importWhole();
  assert.ok(Date.now() - t0 < 20_000);
  assert.deepEqual(got.warnings, []);
  const byId = new Map(got.advisories.map((a) => [a.id, a]));
  let files = 0;
  for (const vendor of await readdir(sharedData(PHP))) {
    if (vendor.startsWith('.') || !/^[a-z0-9]/.test(vendor) || vendor.includes('.')) continue;
    for (const pkg of await readdir(sharedData(PHP, vendor))) {
      for (const f of await readdir(sharedData(PHP, vendor, pkg))) {
        if (!f.endsWith('.yaml')) continue;
        files++;
        const raw = parseYamlText(await readFile(sharedData(PHP, vendor, pkg, f), 'utf8')) as Record<string, any>;
        const stem = f.replace(/\.yaml$/, '');
        const name = raw.reference.replace('composer://', '');
        const id = raw.cve ?? (stem.startsWith('CVE-') ? stem : `${name}/${stem}`);
        const a = byId.get(id);
        assert.ok(a, `${vendor}/${pkg}/${f} as ${id}`);
        const mine = a.affected.filter((x) => x.package === name);
        assert.equal(mine.length, 1, `${vendor}/${pkg}/${f}`);
        const want = Object.values(raw.branches).map((b: any) => b.versions.join(','));
        assert.deepEqual(mine[0]!.ranges, [{ type: 'CONSTRAINT', affected: [...new Set(want)] }], `${vendor}/${pkg}/${f}`);
      }
    }
  }
  assert.equal(got.advisories.reduce((n, a) => n + a.affected.length, 0), files);
});

test('specific advisories, field by field', { skip: !hasSharedData(PHP) }, async () => {
  const got = await importWhole();
  // One CVE filed for the framework, its subtree split and Drupal (which bundles it): one
  // advisory, four packages; the summary is the first file's (in path order: Drupal's).
  const sf = got.byId('CVE-2019-10909');
  assert.equal(sf.source, 'friendsofphp');
  assert.deepEqual(sf.affected.map((x) => x.package), ['drupal/core', 'drupal/drupal', 'symfony/framework-bundle', 'symfony/symfony']);
  assert.equal(sf.summary, 'Drupal core - Moderately critical - Multiple Vulnerabilities - SA-CORE-2019-005');
  assert.ok(sf.references.includes('https://symfony.com/cve-2019-10909'));
  // The latest fix time over all merged files (Drupal's, a day after Symfony's).
  assert.equal(sf.modified, '2019-04-17T22:31:00Z');
  const monolith = sf.affected.find((x) => x.package === 'symfony/symfony')!;
  assert.deepEqual(monolith, {
    ecosystem: 'composer',
    package: 'symfony/symfony',
    ranges: [
      {
        type: 'CONSTRAINT',
        affected: [
          '>=2.7.0,<2.7.51',
          '>=2.8.0,<2.8.50',
          '>=3.0.0,<3.1.0',
          '>=3.1.0,<3.2.0',
          '>=3.2.0,<3.3.0',
          '>=3.3.0,<3.4.0',
          '>=3.4.0,<3.4.26',
          '>=4.0.0,<4.1.0',
          '>=4.1.0,<4.1.12',
          '>=4.2.0,<4.2.7',
        ],
      },
    ],
  });

  // No CVE ("cve: ~"): the id is the advisory's place in the repository.
  const cake = got.byId('cakephp/cakephp/2015-08-06');
  assert.equal(cake.summary, 'Direct access of prefixed controller actions');
  assert.deepEqual(cake.aliases, []);
  assert.equal(cake.affected[0]!.package, 'cakephp/cakephp');
  assert.equal((cake.affected[0]!.ranges[0] as { affected: string[] }).affected.at(-1), '>=2.7.0,<2.7.2');
});

test("Trivy's composer samples: the happy file imports, the malformed one is a warning", { skip: !hasSharedData(TRIVY) }, async () => {
  const happy = await runImporter(friendsOfPhpImporter, sharedData(TRIVY, 'happy'));
  assert.deepEqual(happy.warnings, []);
  assert.deepEqual(happy.advisories, [
    {
      id: 'CVE-2015-5723',
      source: 'friendsofphp',
      aliases: [],
      severity: [],
      references: ['https://github.com/aws/aws-sdk-php/releases/tag/3.2.1'],
      summary: 'Security Misconfiguration Vulnerability in the AWS SDK for PHP',
      modified: '2015-07-24T00:41:41Z',
      affected: [{ ecosystem: 'composer', package: 'aws/aws-sdk-php', ranges: [{ type: 'CONSTRAINT', affected: ['>=3.0.0,<3.2.1'] }] }],
    },
  ]);
  const sad = await runImporter(friendsOfPhpImporter, sharedData(TRIVY, 'sad'));
  assert.deepEqual(sad.advisories, []);
  assert.equal(sad.warnings.length, 1);
  assert.match(sad.warnings[0]!.file, /CVE-2015-5723\.yaml$/);
});

test('hostile and broken files: warnings naming them, never an abort', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'triad-php-'));
  try {
    await mkdir(join(dir, 'acme', 'lib'), { recursive: true });
    const w = (name: string, text: string) => writeFile(join(dir, 'acme', 'lib', name), text);
    await w('CVE-2020-0001.yaml', "title: ok\nlink: https://x\ncve: ~\nbranches:\n  1.x:\n    time: ~\n    versions: ['>=1.0', '<1.2.3']\n  2.x: broken\n  3.x:\n    versions: []\nreference: composer://acme/lib\n");
    await w('2020-01-01.yaml', "title: no reference\nbranches:\n  1.x:\n    versions: ['<1']\n");
    await w('2020-01-02.yaml', "title: bad package\nbranches:\n  1.x:\n    versions: ['<1']\nreference: composer://../../etc\n");
    await w('2020-01-03.yaml', 'title: no branches\nreference: composer://acme/lib\n');
    await w('2020-01-04.yaml', 'a: &a [*a]\n');
    await copyFile(sharedData(TRIVY, 'happy/php-security-advisories/aws/aws-sdk-php/CVE-2015-5723.yaml'), join(dir, 'acme', 'lib', 'CVE-2015-5723.yaml')).catch(() => undefined);
    const got = await runImporter(friendsOfPhpImporter, dir);
    const ok = got.byId('CVE-2020-0001');
    assert.deepEqual(ok.affected[0]!.ranges, [{ type: 'CONSTRAINT', affected: ['>=1.0,<1.2.3'] }]);
    assert.equal(ok.modified, undefined);
    const warned = got.warnings.map((x) => basename(x.file));
    for (const f of ['CVE-2020-0001.yaml', '2020-01-01.yaml', '2020-01-02.yaml', '2020-01-03.yaml', '2020-01-04.yaml']) assert.ok(warned.includes(f), f);
    assert.equal(got.warnings.filter((x) => basename(x.file) === 'CVE-2020-0001.yaml').length, 2, 'one per bad branch');
  } finally {
    await rm(dir, { recursive: true });
  }
});

test('detect', { skip: !hasSharedData(PHP) }, async () => {
  assert.equal(await friendsOfPhpImporter.detect(sharedData(PHP)), true);
  assert.equal(await friendsOfPhpImporter.detect(sharedData(PHP, 'symfony/symfony/CVE-2019-10909.yaml')), true);
  assert.equal(await friendsOfPhpImporter.detect(sharedData('advisories/rubysec')), false);
  assert.equal(await friendsOfPhpImporter.detect(sharedData('advisories/pypa')), false);
});
