// Reader for rpm's sqlite database (rpmdb.sqlite; rpm >= 4.16: RHEL/CentOS Stream/Rocky/Alma 9,
// Fedora >= 33, Amazon Linux 2023, CBL-Mariner/Azure Linux). The table `Packages(hnum INTEGER
// PRIMARY KEY, blob BLOB)` holds one header blob per package; the other tables are indexes we do not
// need. Reading goes through Node's built-in sqlite, which needs a file: the content is streamed
// into a private temp directory (never the whole database in memory) and removed afterwards.
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { DbRecord } from './bdb.ts';
import type { RandomAccess } from './reader.ts';

const MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const COPY_CHUNK = 4 << 20;

export function isSqlite(head: Buffer): boolean {
  return head.length >= MAGIC.length && head.subarray(0, MAGIC.length).equals(MAGIC);
}

/** Yields every row of the Packages table; problems go to `warnings`, nothing throws. */
export async function* sqliteRecords(src: RandomAccess, warnings: string[]): AsyncGenerator<DbRecord> {
  let dir: string | undefined;
  let db: DatabaseSync | undefined;
  try {
    dir = await mkdtemp(join(tmpdir(), 'triad-rpmdb-'));
    const path = join(dir, 'rpmdb.sqlite');
    await copyOut(src, path);
    db = new DatabaseSync(path, { readOnly: true });
    // Defensive mode stops a crafted schema from corrupting or rewriting the file through SQL.
    db.enableDefensive(true);
    // A hostile file could define `Packages` as a view over an endless recursive query; only read it
    // when it is a real table.
    const kind = db.prepare("SELECT type FROM sqlite_master WHERE name = 'Packages' COLLATE NOCASE").get() as { type?: unknown } | undefined;
    if (kind?.type !== 'table') return void warnings.push('sqlite: no Packages table');
    let odd = 0;
    for (const row of db.prepare('SELECT hnum, blob FROM Packages ORDER BY hnum').iterate()) {
      const { hnum, blob } = row as { hnum: unknown; blob: unknown };
      if (!(blob instanceof Uint8Array) || typeof hnum !== 'number') odd++;
      else yield { key: hnum, blob: Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength) };
    }
    if (odd) warnings.push(`sqlite: skipped ${odd} row(s) without a blob`);
  } catch (e) {
    // Corrupt or truncated files surface here as SQLITE_CORRUPT / SQLITE_NOTADB errors.
    warnings.push(`sqlite: ${(e as Error).message}`);
  } finally {
    try {
      db?.close();
    } catch {
      // already closed or never opened
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Copies the database out in chunks. rpm keeps the database in WAL mode (header bytes 18 and 19 are
 * 2); the copy is switched to rollback-journal mode (1), which leaves the pages untouched and makes
 * the read-only connection neither look for nor create -wal/-shm companions. Committed data still
 * sitting in an image's rpmdb.sqlite-wal is not seen (rpm checkpoints and removes the WAL when it
 * closes the database, so images rarely have one).
 */
async function copyOut(src: RandomAccess, path: string): Promise<void> {
  const fh = await open(path, 'wx', 0o600);
  try {
    for (let off = 0; off < src.size; off += COPY_CHUNK) {
      let b = await src.read(off, Math.min(COPY_CHUNK, src.size - off));
      if (b.length === 0) break;
      if (off === 0 && b.length >= 20 && b[18] === 2 && b[19] === 2) {
        b = Buffer.from(b);
        b[18] = 1;
        b[19] = 1;
      }
      await fh.write(b, 0, b.length, off);
    }
  } finally {
    await fh.close();
  }
}
