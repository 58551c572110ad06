// Opening the vulnerability database (the bundled snapshot, installed to a temp dir) against
// opening an empty SQLite file in the same run, plus lookup throughput of affectedFor on names
// that are in the database. Target: open < 100 ms.
//   scripts/with-node.sh bench/vulndb-open.ts [DB]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { installSnapshot, SNAPSHOT_FILE } from '../src/vulndb/location.ts';
import { openVulnDB } from '../src/vulndb/store.ts';
import { median, type Figure } from './util.ts';

export async function vulndbOpen(dbArg?: string): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'vulndb-bench-'));
  let db = dbArg;
  if (!db) {
    db = join(dir, 'vulndb.sqlite');
    await installSnapshot(SNAPSHOT_FILE, db);
  }
  const empty = join(dir, 'empty.sqlite');
  new DatabaseSync(empty).close();

  const runs = 30;
  const emptyMs: number[] = [];
  const openMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    const e = new DatabaseSync(empty, { readOnly: true });
    e.prepare('PRAGMA user_version').get();
    e.close();
    emptyMs.push(performance.now() - t);
    t = performance.now();
    const v = openVulnDB(db);
    v.affectedFor('npm', 'lodash'); // the first lookup prepares the statement: part of being usable
    v.close();
    openMs.push(performance.now() - t);
  }

  const v = openVulnDB(db);
  const keys = v.db.prepare('SELECT DISTINCT ecosystem, name, distro_family, distro_release FROM affected').all() as Array<{ ecosystem: string; name: string; distro_family: string; distro_release: string }>;
  v.close();
  const fresh = openVulnDB(db); // no cache: every lookup goes to SQLite
  let hits = 0;
  const t = performance.now();
  for (const k of keys) hits += fresh.affectedFor(k.ecosystem, k.name, k.distro_family ? { family: k.distro_family, release: k.distro_release } : undefined).length;
  const lookupMs = performance.now() - t;
  fresh.close();

  const o = median(openMs);
  const e = median(emptyMs);
  console.log(`open (median of ${runs}): vulndb ${o.toFixed(2)} ms, empty sqlite ${e.toFixed(2)} ms (${(o / e).toFixed(1)}x)`);
  console.log(`lookups: ${keys.length} distinct packages, ${hits} affected rows in ${lookupMs.toFixed(0)} ms (${Math.round(keys.length / (lookupMs / 1000))}/s uncached)`);
  return [
    { figure: 'vulndb open (ms)', measured: `${o.toFixed(2)} ms (empty sqlite ${e.toFixed(2)} ms)`, target: '< 100 ms', pass: o < 100 },
    { figure: 'vulndb lookups/s (uncached)', measured: `${Math.round(keys.length / (lookupMs / 1000))}`, target: 'informative', pass: true },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) await vulndbOpen(process.argv[2]);
