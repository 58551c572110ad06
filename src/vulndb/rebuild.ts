// Every change to a database file goes through here: the current file is copied (VACUUM INTO) to a
// temporary file beside it, changed there, synced, and renamed over the original. A failed or
// killed import/update leaves the original untouched (at worst a stale temporary file, which the
// next run removes); readers that have the old file open keep reading the old inode.

import { existsSync, promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { openDatabase } from './store.ts';
import { VulnDBWriter, type WriteOptions } from './writer.ts';

export interface RebuildOptions extends WriteOptions {
  /** Start from an empty database instead of a copy of the current one. */
  fresh?: boolean;
  /** Compact the result (the bundled snapshot). */
  vacuum?: boolean;
  log?: (line: string) => void;
}

function tmpPrefix(path: string): string {
  return `.${basename(path)}.`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes temporary files left by builds whose process is gone. */
export async function removeStaleTemporaries(path: string): Promise<void> {
  const dir = dirname(path);
  const prefix = tmpPrefix(path);
  for (const n of await fs.readdir(dir).catch(() => [] as string[])) {
    const m = n.startsWith(prefix) ? /\.(\d+)\.[0-9a-z]+\.tmp(-journal)?$/.exec(n) : null;
    if (m && Number(m[1]) !== process.pid && !alive(Number(m[1]))) await fs.rm(join(dir, n), { force: true });
  }
}

async function fsyncPath(path: string): Promise<void> {
  const fh = await fs.open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Runs `work` on a fresh copy of the database at `path` and swaps the result in atomically. */
export async function rebuildDatabase<T>(path: string, work: (writer: VulnDBWriter, db: DatabaseSync) => Promise<T>, opts: RebuildOptions = {}): Promise<T> {
  const dir = dirname(path);
  await fs.mkdir(dir, { recursive: true });
  await removeStaleTemporaries(path);
  const tmp = join(dir, `${tmpPrefix(path)}${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
  let db: DatabaseSync | undefined;
  try {
    if (!opts.fresh && existsSync(path)) {
      let current: DatabaseSync | undefined;
      try {
        current = openDatabase(path, { readonly: true });
      } catch (e) {
        // An unreadable or older-schema database is rebuilt from scratch rather than left broken.
        opts.log?.(`${(e as Error).message}; starting a new database`);
      }
      if (current) {
        try {
          current.prepare('VACUUM INTO ?').run(tmp);
        } finally {
          current.close();
        }
      }
    }
    db = openDatabase(tmp, { readonly: false, create: true });
    // The temporary file is private until the rename: no durability needed per statement, but
    // rollback of one source must work (journal in memory).
    db.exec('PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF; PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY');
    const result = await work(new VulnDBWriter(db, opts), db);
    db.exec('PRAGMA journal_mode = DELETE; ANALYZE');
    if (opts.vacuum) db.exec('VACUUM');
    db.close();
    db = undefined;
    await fsyncPath(tmp);
    await fs.rename(tmp, path);
    await fsyncPath(dir).catch(() => {});
    return result;
  } catch (e) {
    if (db?.isOpen) db.close();
    await fs.rm(tmp, { force: true });
    await fs.rm(`${tmp}-journal`, { force: true });
    throw e;
  }
}
