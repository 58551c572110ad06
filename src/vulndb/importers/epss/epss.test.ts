import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { hasSharedData, sharedData } from '../../../../test/shared-data.ts';
import { collect } from '../../test-sink.ts';
import { epssImporter } from './index.ts';

const FIX = sharedData('feeds/vunnel/tests/unit/providers/epss/test-fixtures');
const skip = !hasSharedData('feeds/vunnel/tests/unit/providers/epss');

test("FIRST's CSV matches vunnel's expected records, plain and gzip", { skip }, async () => {
  const csv = join(FIX, 'example-1.csv');
  const dir = mkdtempSync(join(tmpdir(), 'epss-'));
  const gz = join(dir, 'epss_scores-2025-02-20.csv.gz');
  writeFileSync(gz, gzipSync(readFileSync(csv)));
  for (const file of [csv, gz, dir]) {
    assert.equal(await epssImporter.detect(file), true, file);
    const out = await collect(epssImporter, file);
    assert.deepEqual(out.warnings, []);
    const snaps = join(FIX, 'snapshots/example-1');
    const expected = readdirSync(snaps).map((f) => (JSON.parse(readFileSync(join(snaps, f), 'utf8')) as { item: { cve: string; date: string; epss: number; percentile: number } }).item);
    assert.equal(out.epss.length, expected.length);
    for (const x of expected) assert.deepEqual(out.epss.find((e) => e.cve === x.cve), { cve: x.cve, score: x.epss, percentile: x.percentile, date: x.date });
  }
});

test('a file without score_date has scores without a date', { skip }, async () => {
  const out = await collect(epssImporter, join(FIX, 'missing-date.csv'));
  assert.ok(out.epss.length > 0);
  assert.ok(out.epss.every((e) => e.date === undefined));
});

test('a CSV without the cve,epss,percentile header is an error naming the file; bad rows are warnings', { skip }, async () => {
  const bad = join(FIX, 'invalid-header.csv');
  await assert.rejects(collect(epssImporter, bad), (e: Error) => e.message.startsWith(bad) && /lacks cve,epss,percentile/.test(e.message));
  const dir = mkdtempSync(join(tmpdir(), 'epss-'));
  const f = join(dir, 'epss.csv');
  const good = readFileSync(join(FIX, 'example-1.csv'), 'utf8');
  writeFileSync(f, `${good}CVE-2024-1,NaN,0.5\nnot,a,row\nCVE-2024-0002,0.5\n${'x'.repeat(10_000)}\n`);
  const out = await collect(epssImporter, f);
  assert.equal(out.epss.length, 5);
  assert.equal(out.warnings.length, 4);
  assert.ok(out.warnings.every((w) => w.startsWith(`${f}:`)));
});
