// Where the database lives, and its first-use seeding from the snapshot bundled in the repository
// (data/vulndb), so that a fresh machine finds vulnerabilities without any download.

import { existsSync, promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createReadStream, createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createBrotliDecompress, createGunzip } from 'node:zlib';

/** data/vulndb in the repository (two levels above this file). */
export const SNAPSHOT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'data', 'vulndb');
export const SNAPSHOT_FILE = join(SNAPSHOT_DIR, 'vulndb.sqlite.br');

/** $XDG_CACHE_HOME/triad (default ~/.cache/triad). */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg && xdg.startsWith('/') ? xdg : join(env.HOME || homedir(), '.cache'), 'triad');
}

/** The database path: --db, else $TRIAD_DB, else the user cache. */
export function defaultDBPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.TRIAD_DB || join(cacheDir(env), 'vulndb.sqlite');
}

/** Decompresses a snapshot (.br or .gz) to `dest` atomically. */
export async function installSnapshot(snapshot: string, dest: string): Promise<void> {
  await fs.mkdir(dirname(dest), { recursive: true });
  const tmp = join(dirname(dest), `.${basename(dest)}.${process.pid}.seed.tmp`);
  try {
    const decompress = snapshot.endsWith('.gz') ? createGunzip() : createBrotliDecompress();
    await pipeline(createReadStream(snapshot), decompress, createWriteStream(tmp, { mode: 0o644 }));
    await fs.rename(tmp, dest);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw new Error(`${snapshot}: cannot install the bundled database snapshot: ${(e as Error).message}`);
  }
}

/**
 * Makes sure a database exists at `path`: when absent, the bundled snapshot is installed there.
 * Returns true when it seeded. Does nothing (false) when there is no bundled snapshot.
 */
export async function ensureDatabase(path: string, snapshot = SNAPSHOT_FILE): Promise<boolean> {
  if (existsSync(path) || !existsSync(snapshot)) return false;
  await installSnapshot(snapshot, path);
  return true;
}
