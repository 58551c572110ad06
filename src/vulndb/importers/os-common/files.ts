// File access shared by the OS-distribution importers: a bounded directory walk and size-limited
// reads that turn every failure into a warning naming the file instead of an exception.

import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImportSink } from '../../importer.ts';

/** Upstream feeds are big (Debian's JSON is ~80 MiB); anything past this is not a feed file. */
export const MAX_FEED_FILE = 512 * 1024 * 1024;
/** Directory walks stop after this many entries: a tree this large is not an advisory feed. */
const MAX_WALK_ENTRIES = 2_000_000;
const MAX_DEPTH = 16;

/**
 * Regular files under `root` (or `root` itself when it is a file) whose path passes `want`, in a
 * stable (sorted) order so that imports are reproducible. Symlinks are not followed: a feed tree
 * never needs them and they could loop.
 */
export async function* walkFiles(root: string, want: (path: string) => boolean, sink?: ImportSink): AsyncGenerator<string> {
  const st = await stat(root);
  if (st.isFile()) {
    if (want(root)) yield root;
    return;
  }
  let seen = 0;
  const stack: Array<[string, number]> = [[root, 0]];
  while (stack.length > 0) {
    const [dir, depth] = stack.pop()!;
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      sink?.warn(dir, `unreadable directory: ${(e as Error).message}`);
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0)); // reversed: popped in order
    const subdirs: string[] = [];
    for (const e of entries) {
      if (++seen > MAX_WALK_ENTRIES) {
        sink?.warn(root, `more than ${MAX_WALK_ENTRIES} entries, the rest is ignored`);
        return;
      }
      if (e.name.startsWith('.')) continue; // .git and editor files
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (depth + 1 <= MAX_DEPTH) subdirs.push(p);
      } else if (e.isFile() && want(p)) {
        yield p;
      }
    }
    // Files of a directory before its subdirectories, subdirectories in name order.
    for (const s of subdirs) stack.push([s, depth + 1]);
  }
}

/** Reads a whole file as UTF-8, or warns and returns undefined (too big, unreadable). */
export async function readText(file: string, sink: ImportSink, limit = MAX_FEED_FILE): Promise<string | undefined> {
  try {
    const fh = await open(file, 'r');
    try {
      const { size } = await fh.stat();
      if (size > limit) {
        sink.warn(file, `${size} bytes is more than the ${limit}-byte limit, skipped`);
        return undefined;
      }
      return (await fh.readFile()).toString('utf8');
    } finally {
      await fh.close();
    }
  } catch (e) {
    sink.warn(file, `unreadable: ${(e as Error).message}`);
    return undefined;
  }
}

/** Parses JSON, or warns naming the file and returns undefined. */
export async function readJson(file: string, sink: ImportSink, limit = MAX_FEED_FILE): Promise<unknown> {
  const text = await readText(file, sink, limit);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    sink.warn(file, `not valid JSON: ${(e as Error).message}`);
    return undefined;
  }
}

/** Reads the first `n` bytes of a file (format detection), '' when unreadable. */
export async function readHead(file: string, n = 4096): Promise<string> {
  try {
    const fh = await open(file, 'r');
    try {
      const buf = Buffer.alloc(n);
      const { bytesRead } = await fh.read(buf, 0, n, 0);
      return buf.subarray(0, bytesRead).toString('utf8');
    } finally {
      await fh.close();
    }
  } catch {
    return '';
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/**
 * Format detection over a tree: true when one of the first `maxFiles` files passing `want` also
 * passes `test`. Bounded so that detecting on a large foreign tree stays cheap.
 */
export async function anyFile(path: string, want: (p: string) => boolean, test: (p: string) => Promise<boolean>, maxFiles = 200): Promise<boolean> {
  let n = 0;
  try {
    for await (const file of walkFiles(path, want)) {
      if (await test(file)) return true;
      if (++n >= maxFiles) return false;
    }
  } catch {
    return false;
  }
  return false;
}
