import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { KevEntry } from '../../../model/advisory.ts';
import { hasSharedData, sharedData } from '../../../../test/shared-data.ts';
import { collect } from '../../test-sink.ts';
import { kevImporter } from './index.ts';

const CATALOG = sharedData('advisories/kev/known_exploited_vulnerabilities.json');
const VUNNEL = sharedData('feeds/vunnel/tests/unit/providers/kev/test-fixtures');

test('the full CISA catalog: every entry, as many as its count says', { skip: !hasSharedData('advisories/kev') }, async () => {
  const doc = JSON.parse(readFileSync(CATALOG, 'utf8')) as { count: number; vulnerabilities: Array<Record<string, string>> };
  assert.equal(await kevImporter.detect(CATALOG), true);
  assert.equal(await kevImporter.detect(sharedData('advisories/kev')), true);
  const out = await collect(kevImporter, sharedData('advisories/kev'));
  assert.equal(out.kev.length, doc.count);
  assert.deepEqual(out.warnings, []); // the JSON schema beside the catalog is skipped quietly
  const byCve = new Map(out.kev.map((e) => [e.cve, e]));
  for (const v of doc.vulnerabilities) {
    const e = byCve.get(v.cveID!)!;
    assert.equal(e.dateAdded, v.dateAdded);
    assert.equal(e.dueDate, v.dueDate);
    assert.equal(e.knownRansomware, v.knownRansomwareCampaignUse === 'Known');
  }
});

test("vunnel's expected records for its catalog sample", { skip: !hasSharedData('feeds/vunnel/tests/unit/providers/kev') }, async () => {
  const out = await collect(kevImporter, join(VUNNEL, 'valid-catalog-1.json'));
  const snaps = join(VUNNEL, 'snapshots/valid-catalog-1');
  const files = readdirSync(snaps);
  assert.ok(files.length > 0);
  for (const f of files) {
    const item = (JSON.parse(readFileSync(join(snaps, f), 'utf8')) as { item: Record<string, string> }).item;
    const e = out.kev.find((k: KevEntry) => k.cve === item.cveID);
    assert.ok(e, item.cveID);
    assert.deepEqual(
      { dateAdded: e.dateAdded, dueDate: e.dueDate, vendor: e.vendor, product: e.product, name: e.name },
      // CISA's data has stray blanks ("SimpleHelp "); the importer trims them
      { dateAdded: item.dateAdded, dueDate: item.dueDate, vendor: item.vendorProject?.trim(), product: item.product?.trim(), name: item.vulnerabilityName?.trim() },
    );
  }
  // a single entry file is a catalog of one
  const one = await collect(kevImporter, join(VUNNEL, 'single-entry/example1.json'));
  assert.deepEqual(one.kev.map((e) => e.cve), ['CVE-2025-0108']);
});

test('unusable input is an error naming the file; bad entries are warnings', { skip: !hasSharedData('advisories/kev') }, async () => {
  const schema = sharedData('advisories/kev/known_exploited_vulnerabilities_schema.json');
  assert.equal(await kevImporter.detect(schema), false);
  await assert.rejects(collect(kevImporter, schema), /known_exploited_vulnerabilities_schema\.json: not a KEV catalog/);
  const { writeFileSync, mkdtempSync } = await import('node:fs');
  const dir = mkdtempSync(join((await import('node:os')).tmpdir(), 'kev-'));
  const bad = join(dir, 'known_exploited_vulnerabilities.json');
  writeFileSync(bad, JSON.stringify({ vulnerabilities: [{ cveID: 'CVE-2021-44228', dateAdded: '2021-12-10' }, { dateAdded: 'x' }, 42] }));
  const out = await collect(kevImporter, bad);
  assert.equal(out.kev.length, 1);
  assert.equal(out.warnings.length, 2);
  assert.ok(out.warnings.every((w) => w.startsWith(bad)));
  writeFileSync(bad, '{"vulnerabilities": [');
  await assert.rejects(collect(kevImporter, bad), (e: Error) => e.message.startsWith(bad));
});
