import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { hasSharedData, sharedData } from '../../../../test/shared-data.ts';
import { runImporter } from '../lang-common/testing.ts';
import { parseYamlText } from '../lang-common/yaml.ts';
import { rubysecImporter } from './index.ts';

const RUBYSEC = 'advisories/rubysec';
const TRIVY = 'feeds/trivy-db/pkg/vulnsrc/bundler/testdata';

let whole: ReturnType<typeof runImporter> | undefined;
const importWhole = () => (whole ??= runImporter(rubysecImporter, sharedData(RUBYSEC)));

test('the whole ruby-advisory-db imports; every file is an affected package of the advisory its CVE (else GHSA, else OSVDB) names', { skip: !hasSharedData(RUBYSEC) }, async () => {
  const t0 = Date.now();
  const got = await importWhole();
  assert.ok(Date.now() - t0 < 20_000);
  // The one warning is a real data error: mrubyc's CVE-2025-13397 has "cvss_v2: .17".
  assert.deepEqual(
    got.warnings.map((w) => [basename(w.file), w.message]),
    [['CVE-2025-13397.yml', 'cvss_v2 ".17" is not a CVSS score, ignored']],
  );
  const byId = new Map(got.advisories.map((a) => [a.id, a]));
  let files = 0;
  for (const tree of ['gems', 'rubies']) {
    for (const dir of await readdir(sharedData(RUBYSEC, tree))) {
      for (const f of await readdir(sharedData(RUBYSEC, tree, dir))) {
        files++;
        const raw = parseYamlText(await readFile(sharedData(RUBYSEC, tree, dir, f), 'utf8')) as Record<string, any>;
        const id = raw.cve ? `CVE-${raw.cve}` : raw.ghsa ? `GHSA-${raw.ghsa}` : `OSVDB-${raw.osvdb}`;
        // The file name is usually that id too, but not always (GHSA-53g2-mvcc-q9x3.yml got a CVE later).
        const a = byId.get(id);
        assert.ok(a, id);
        const mine = a.affected.filter((x) => x.package === dir);
        assert.equal(mine.length, 1, `${tree}/${dir}/${f}`);
        assert.equal(mine[0]!.runtime, tree === 'rubies' ? dir : undefined);
        const want = [...(raw.patched_versions ?? []), ...(raw.unaffected_versions ?? [])];
        assert.deepEqual(mine[0]!.ranges, [want.length ? { type: 'CONSTRAINT', unaffected: want } : { type: 'CONSTRAINT' }]);
      }
    }
  }
  assert.equal(got.advisories.reduce((n, a) => n + a.affected.length, 0), files);
  assert.ok(got.advisories.length < files, 'CVEs filed against several gems are merged');
});

test('specific advisories, field by field', { skip: !hasSharedData(RUBYSEC) }, async () => {
  const got = await importWhole();
  const resque = got.byId('CVE-2023-50725');
  assert.deepEqual(resque.aliases, ['GHSA-gc3j-vvwf-4rp8']);
  assert.equal(resque.summary, 'Resque vulnerable to reflected XSS in resque-web failed and queues lists');
  assert.equal(resque.published, '2023-12-18');
  assert.match(resque.details!, /^### Impact\n\nThe following paths in resque-web/);
  assert.deepEqual(resque.severity, [{ type: 'CVSS_V3', score: 6.3, rating: 'MEDIUM', source: 'rubysec' }]);
  assert.deepEqual(resque.references, [
    'https://github.com/resque/resque/security/advisories/GHSA-gc3j-vvwf-4rp8',
    'https://github.com/resque/resque/pull/1790',
    'https://github.com/resque/resque/commit/ee99d2ed6cc75d9d384483b70c2d96d312115f07',
    'https://github.com/advisories/GHSA-gc3j-vvwf-4rp8',
  ]);
  assert.deepEqual(resque.affected, [{ ecosystem: 'gem', package: 'resque', ranges: [{ type: 'CONSTRAINT', unaffected: ['>= 2.2.1'] }] }]);

  // Rails: one CVE, two gems, each with its own requirement lists.
  const xss = got.byId('CVE-2016-6316');
  assert.deepEqual(xss.aliases, ['GHSA-pc3m-v286-2jwj']);
  assert.deepEqual(
    xss.affected.map((x) => [x.package, x.ranges]),
    [
      ['actionpack', [{ type: 'CONSTRAINT', unaffected: ['~> 3.2.22.3', '~> 4.2.7.1', '>= 5.0.0.1', '< 3.0.0', '>= 4.1.0'] }]],
      ['actionview', [{ type: 'CONSTRAINT', unaffected: ['~> 4.2.7.1', '~> 4.2.8', '>= 5.0.0.1', '< 3.0.0'] }]],
    ],
  );

  // An interpreter: the package is the engine, matched against the runtime's version.
  const jruby = got.byId('CVE-2011-4838');
  assert.deepEqual(jruby.aliases, ['GHSA-cgqc-fqxr-q6r6', 'OSVDB-78116']);
  assert.deepEqual(jruby.severity, [{ type: 'CVSS_V2', score: 5, rating: 'MEDIUM', source: 'rubysec' }]);
  assert.deepEqual(jruby.affected, [{ ecosystem: 'gem', package: 'jruby', runtime: 'jruby', ranges: [{ type: 'CONSTRAINT', unaffected: ['>= 1.6.5.1'] }] }]);

  // Ids without a CVE: GHSA, then OSVDB.
  assert.equal(got.byId('GHSA-6j52-38f8-qhxr').affected[0]!.package, 'shopify_app');
  const json = got.byId('OSVDB-101157');
  assert.deepEqual(json.aliases, []);
  assert.deepEqual(json.references, ['https://security.snyk.io/vuln/SNYK-RUBY-JSON-20000', 'http://osvdb.org/show/osvdb/101157']);
});

test("Trivy's bundler samples: unaffected_versions; a malformed file is one warning", { skip: !hasSharedData(TRIVY) }, async () => {
  const happy = await runImporter(rubysecImporter, sharedData(TRIVY, 'happy'));
  assert.deepEqual(happy.warnings, []);
  const a = happy.byId('CVE-2019-9837');
  assert.deepEqual(a.affected, [
    { ecosystem: 'gem', package: 'doorkeeper-openid_connect', ranges: [{ type: 'CONSTRAINT', unaffected: ['>= 1.5.4', '< 1.4.0'] }] },
  ]);
  assert.deepEqual(a.severity, [{ type: 'CVSS_V3', score: 6.1, rating: 'MEDIUM', source: 'rubysec' }]);
  const dir = await mkdtemp(join(tmpdir(), 'triad-rubysec-'));
  try {
    await mkdir(join(dir, 'gems', 'doorkeeper-openid_connect'), { recursive: true });
    await copyFile(sharedData(TRIVY, 'sad/ruby-advisory-db/gems/CVE-2019-9837.yml'), join(dir, 'gems', 'doorkeeper-openid_connect', 'CVE-2019-9837.yml'));
    await mkdir(join(dir, 'gems', 'x'));
    await writeFile(join(dir, 'gems', 'x', 'CVE-2020-0001.yml'), '---\ngem: x\ncve: 2020-0001\ncvss_v3: high\npatched_versions: ">= 1"\n');
    await writeFile(join(dir, 'gems', 'x', 'CVE-2020-0002.yml'), '- just\n- a list\n');
    const sad = await runImporter(rubysecImporter, dir);
    assert.deepEqual(sad.advisories.map((x) => x.id), ['CVE-2020-0001']);
    assert.deepEqual(sad.advisories[0]!.affected[0]!.ranges, [{ type: 'CONSTRAINT', unaffected: ['>= 1'] }]);
    assert.deepEqual(sad.warnings.map((w) => basename(w.file)).sort(), ['CVE-2019-9837.yml', 'CVE-2020-0001.yml', 'CVE-2020-0002.yml']);
  } finally {
    await rm(dir, { recursive: true });
  }
});

test('detect', { skip: !hasSharedData(RUBYSEC) }, async () => {
  assert.equal(await rubysecImporter.detect(sharedData(RUBYSEC)), true);
  assert.equal(await rubysecImporter.detect(sharedData(RUBYSEC, 'gems/resque/CVE-2023-50725.yml')), true);
  assert.equal(await rubysecImporter.detect(sharedData('advisories/php')), false);
  assert.equal(await rubysecImporter.detect(sharedData('advisories/pypa')), false);
});
