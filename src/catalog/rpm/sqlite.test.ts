import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { bufferSource } from './reader.ts';
import { sqliteRecords } from './sqlite.ts';
import { collect } from './testkit.ts';

/** Builds a database file with `sql`, the way rpm does (WAL journal), and returns its bytes. */
function makeDb(sql: string, rows: Array<[number, unknown]> = []): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'triad-rpm-test-'));
  try {
    const path = join(dir, 'rpmdb.sqlite');
    const db = new DatabaseSync(path);
    db.exec('PRAGMA journal_mode=WAL');
    db.exec(sql);
    const ins = rows.length ? db.prepare('INSERT INTO Packages (hnum, blob) VALUES (?, ?)') : undefined;
    for (const [h, b] of rows) ins!.run(h, b as Buffer);
    db.close();
    return readFileSync(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const PACKAGES = 'CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)';

async function read(file: Buffer) {
  const warnings: string[] = [];
  const records = await collect(sqliteRecords(bufferSource(file), warnings));
  return { records, warnings };
}

test('reads the Packages table of a WAL-mode database, in hnum order, and cleans up its temp copy', async () => {
  const file = makeDb(PACKAGES, [
    [3, Buffer.from('three')],
    [1, Buffer.from('one')],
  ]);
  assert.deepEqual([file[18], file[19]], [2, 2], 'fixture should be in WAL mode like a real rpmdb.sqlite');
  const scratch = mkdtempSync(join(tmpdir(), 'triad-rpm-tmp-'));
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = scratch;
  try {
    const { records, warnings } = await read(file);
    assert.deepEqual(warnings, []);
    assert.deepEqual(records.map((r) => [r.key, r.blob.toString()]), [[1, 'one'], [3, 'three']]);
    assert.deepEqual(readdirSync(scratch), [], 'temp copy removed');
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
    rmSync(scratch, { recursive: true, force: true });
  }
});

test('a Packages view (which could run forever) is not queried', { timeout: 10_000 }, async () => {
  const file = makeDb('CREATE VIEW Packages AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x AS hnum, x AS blob FROM c');
  assert.deepEqual(await read(file), { records: [], warnings: ['sqlite: no Packages table'] });
});

test('rows without a blob are skipped and counted', async () => {
  const file = makeDb('CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob)', [
    [1, 'text, not a blob'],
    [2, Buffer.from('ok')],
    [3, null],
  ]);
  const { records, warnings } = await read(file);
  assert.deepEqual(records.map((r) => r.key), [2]);
  assert.deepEqual(warnings, ['sqlite: skipped 2 row(s) without a blob']);
});

test('corrupt and truncated files become warnings', async () => {
  const file = makeDb(PACKAGES, Array.from({ length: 200 }, (_, i) => [i + 1, Buffer.alloc(3000, i)] as [number, unknown]));
  const truncated = await read(file.subarray(0, 8192));
  assert.ok(truncated.warnings.some((w) => /^sqlite: /.test(w)), truncated.warnings.join());
  const scrambled = Buffer.from(file);
  for (let i = 100; i < scrambled.length; i += 7) scrambled[i] = (i * 31) & 0xff;
  const r = await read(scrambled);
  assert.ok(r.warnings.some((w) => /^sqlite: /.test(w)), r.warnings.join());
  assert.match((await read(Buffer.from('SQLite format 3\0 and then nothing useful'))).warnings.join(), /^sqlite: /);
});
