// File helpers for the enrichment importers (KEV, EPSS, NVD): bounded reads, transparent gzip,
// bounded directory walks. Inputs are hostile: sizes are checked before reading, gzip output is
// capped, walks stop at a depth and an entry count.

import { createReadStream, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip, gunzipSync } from 'node:zlib';

export const MAX_DOCUMENT_BYTES = 512 * 1024 * 1024;

function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** The first `n` characters of a file, decompressed when the file is gzip. Empty on any error. */
export async function readHead(path: string, n = 4096): Promise<string> {
  try {
    const stream: Readable = createReadStream(path, { start: 0, end: 256 * 1024 - 1 });
    const chunks: Buffer[] = [];
    let total = 0;
    let first = true;
    const source = stream;
    for await (const chunk of source as AsyncIterable<Buffer>) {
      if (first && isGzip(chunk)) {
        source.destroy();
        return await readGzipHead(path, n);
      }
      first = false;
      chunks.push(chunk);
      total += chunk.length;
      if (total >= n) break;
    }
    stream.destroy();
    return Buffer.concat(chunks).subarray(0, n).toString('utf8');
  } catch {
    return '';
  }
}

async function readGzipHead(path: string, n: number): Promise<string> {
  const gunzip = createGunzip();
  const stream = createReadStream(path, { start: 0, end: 1024 * 1024 - 1 }).pipe(gunzip);
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      total += chunk.length;
      if (total >= n) break;
    }
  } catch {
    // truncated or corrupt: what was inflated so far is the head
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, n).toString('utf8');
}

/** A whole document (gunzipped when needed), refusing files larger than `max` bytes. */
export async function readDocument(path: string, max = MAX_DOCUMENT_BYTES): Promise<string> {
  const st = await fs.stat(path);
  if (!st.isFile()) throw new Error(`${path}: not a regular file`);
  if (st.size > max) throw new Error(`${path}: ${st.size} bytes exceeds the ${max}-byte limit`);
  const raw = await fs.readFile(path);
  if (!isGzip(raw)) return raw.toString('utf8');
  return gunzipSync(raw, { maxOutputLength: max }).toString('utf8');
}

/** Lines of a text file (gunzipped when needed), streamed. */
export async function* readLines(path: string): AsyncGenerator<string> {
  const fh = await fs.open(path, 'r');
  const head = Buffer.alloc(2);
  await fh.read(head, 0, 2, 0);
  await fh.close();
  let stream: Readable = createReadStream(path);
  if (isGzip(head)) stream = stream.pipe(createGunzip());
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  try {
    for await (const line of rl) yield line;
  } finally {
    rl.close();
    stream.destroy();
  }
}

export interface WalkLimits {
  maxDepth: number;
  maxEntries: number;
}

/** Regular files under `dir` (sorted, depth-first), skipping dot-entries; symlinks are not followed. */
export async function* walkFiles(dir: string, limits: WalkLimits = { maxDepth: 8, maxEntries: 5_000_000 }): AsyncGenerator<string> {
  let seen = 0;
  async function* walk(d: string, depth: number): AsyncGenerator<string> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (++seen > limits.maxEntries) return;
      if (e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (depth < limits.maxDepth) yield* walk(p, depth + 1);
      } else if (e.isFile()) yield p;
    }
  }
  yield* walk(dir, 0);
}

export async function isDirectory(path: string): Promise<boolean> {
  return fs.stat(path).then((s) => s.isDirectory(), () => false);
}
