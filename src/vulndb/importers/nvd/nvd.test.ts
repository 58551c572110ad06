import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { hasSharedData, sharedData } from '../../../../test/shared-data.ts';
import { collect } from '../../test-sink.ts';
import { nvdImporter } from './index.ts';

const VUNNEL = sharedData('feeds/vunnel/tests/unit/providers/nvd/test-fixtures');
const TRIVY = sharedData('feeds/trivy-db/pkg/vulnsrc/nvd/testdata');

type Metric = { source: string; type: string; cvssData: { vectorString: string; baseScore: number } };

test('an API 2.0 page: every CVE, with the CVSS statements of vunnel\'s per-CVE records', { skip: !hasSharedData('feeds/vunnel/tests/unit/providers/nvd') }, async () => {
  const page = join(VUNNEL, 'full-page.json');
  assert.equal(await nvdImporter.detect(page), true);
  const out = await collect(nvdImporter, page);
  assert.deepEqual(out.warnings, []);
  const expectedCount = (JSON.parse(readFileSync(page, 'utf8')) as { vulnerabilities: unknown[] }).vulnerabilities.length;
  assert.equal(out.advisories.length, expectedCount);
  let checked = 0;
  for (const year of readdirSync(join(VUNNEL, 'snapshots/full-page'))) {
    for (const f of readdirSync(join(VUNNEL, 'snapshots/full-page', year))) {
      const cve = (JSON.parse(readFileSync(join(VUNNEL, 'snapshots/full-page', year, f), 'utf8')) as { item: { cve: { id: string; metrics?: Record<string, Metric[]> } } }).item.cve;
      const a = out.advisories.find((x) => x.id === cve.id);
      assert.ok(a, cve.id);
      assert.equal(a.source, 'nvd');
      assert.deepEqual(a.affected, [], 'enrichment only: never CPE-derived packages');
      const expected = Object.values(cve.metrics ?? {}).flat().map((m) => `${m.cvssData.vectorString}=${m.cvssData.baseScore}`).sort();
      assert.deepEqual(a.severity.map((s) => `${s.vector}=${s.score}`).sort(), expected, cve.id);
      // NVD's own analysis is labelled 'nvd', others keep the CNA's identifier
      const nvdOwn = Object.values(cve.metrics ?? {}).flat().filter((m) => m.source === 'nvd@nist.gov').length;
      assert.equal(a.severity.filter((s) => s.source === 'nvd').length, nvdOwn);
      checked++;
    }
  }
  assert.ok(checked >= 30, `${checked} snapshots`);
});

test('vuln-list-nvd layout: one CVE object per file; CVSS v4, v3.1, v2; rejected CVEs are withdrawn', { skip: !hasSharedData('feeds/trivy-db/pkg/vulnsrc/nvd') }, async () => {
  const dir = join(TRIVY, 'happy/vuln-list-nvd');
  assert.equal(await nvdImporter.detect(dir), true);
  const out = await collect(nvdImporter, dir);
  assert.deepEqual(out.warnings, []);
  assert.deepEqual(out.advisories.map((a) => a.id).sort(), ['CVE-2020-0001', 'CVE-2023-0001', 'CVE-2024-0069', 'CVE-2024-5732']);
  const a = out.advisories.find((x) => x.id === 'CVE-2024-5732')!;
  assert.deepEqual(
    a.severity.map((s) => [s.type, s.score, s.rating, s.source]),
    [
      ['CVSS_V4', 6.9, 'MEDIUM', 'nvd'],
      ['CVSS_V3', 9.8, 'CRITICAL', 'nvd'],
      ['CVSS_V3', 7.3, 'HIGH', 'cna@vuldb.com'],
      ['CVSS_V2', 7.5, 'HIGH', 'cna@vuldb.com'],
    ],
  );
  assert.match(a.published!, /Z$/);
  const rejected = out.advisories.find((x) => x.id === 'CVE-2024-0069')!;
  assert.ok(rejected.withdrawn);
  assert.deepEqual(rejected.severity, []);
});

test('broken JSON: a warning naming the file inside a tree, an error when it is the input', { skip: !hasSharedData('feeds/trivy-db/pkg/vulnsrc/nvd') }, async () => {
  const sad = join(TRIVY, 'sad/vuln-list-nvd');
  const out = await collect(nvdImporter, sad);
  assert.equal(out.advisories.length, 0);
  assert.equal(out.warnings.length, 1);
  assert.ok(out.warnings[0]!.startsWith(join(sad, 'api/CVE-2020-0001.json')));
  await assert.rejects(collect(nvdImporter, join(sad, 'api/CVE-2020-0001.json')), /CVE-2020-0001\.json: not NVD CVE JSON/);
  // other feeds' files are not NVD
  assert.equal(await nvdImporter.detect(sharedData('advisories/kev/known_exploited_vulnerabilities.json')), false);
});
