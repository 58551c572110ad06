// File access for the language-advisory importers: a bounded, sorted directory walk that never
// follows symlinks, size-limited reads, and the per-file loop that turns every failure into a
// warning naming the file (one bad advisory never aborts an import).

import { lstat, open, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImportSink } from '../../importer.ts';

/** One advisory file is a few KiB; anything past this is not an advisory (and must not fill memory). */
export const MAX_ADVISORY_FILE = 8 * 1024 * 1024;
/** A tree with more entries than this is not an advisory repository: stop walking. */
const MAX_WALK_ENTRIES = 3_000_000;
const MAX_DEPTH = 12;

/**
 * Regular files under `root` (or `root` itself when it is a file) whose path passes `want`, in sorted
 * order so that imports are reproducible. Hidden entries (.git, .github workflows) are skipped.
 */
export async function* walkFiles(root: string, want: (path: string) => boolean, sink?: ImportSink): AsyncGenerator<string> {
  const st = await lstat(root);
  if (st.isFile()) {
    yield root;
    return;
  }
  if (!st.isDirectory()) throw new Error(`${root}: not a file or directory`);
  let seen = 0;
  const stack: Array<[string, number]> = [[root, 0]];
  while (stack.length > 0) {
    const [dir, depth] = stack.pop()!;
    let names: string[];
    try {
      names = (await readdir(dir)).sort();
    } catch (e) {
      sink?.warn(dir, `unreadable directory: ${(e as Error).message}`);
      continue;
    }
    const subdirs: string[] = [];
    for (const name of names) {
      if (++seen > MAX_WALK_ENTRIES) {
        sink?.warn(root, `more than ${MAX_WALK_ENTRIES} entries, the rest is ignored`);
        return;
      }
      if (name.startsWith('.')) continue;
      const p = join(dir, name);
      let s;
      try {
        s = await lstat(p);
      } catch {
        continue; // vanished while walking
      }
      if (s.isDirectory()) {
        if (depth + 1 <= MAX_DEPTH) subdirs.push(p);
      } else if (s.isFile() && want(p)) {
        yield p;
      }
    }
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push([subdirs[i]!, depth + 1]);
  }
}

/** Reads a text file, refusing files larger than `max` bytes. */
export async function readText(path: string, max = MAX_ADVISORY_FILE): Promise<string> {
  const st = await lstat(path);
  if (st.size > max) throw new Error(`file of ${st.size} bytes is larger than the ${max}-byte limit`);
  return readFile(path, 'utf8');
}

/** Reads the start of a file (for detect()); empty on any error. */
export async function readHead(path: string, bytes = 4096): Promise<string> {
  try {
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.alloc(bytes);
      const { bytesRead } = await fh.read(buf, 0, bytes, 0);
      return buf.subarray(0, bytesRead).toString('utf8');
    } finally {
      await fh.close();
    }
  } catch {
    return '';
  }
}

/**
 * detect() for a path: a file is tested directly; for a directory, the first `limit` wanted files
 * of a walk are tested and any hit counts. Cheap: it stops at the first match.
 */
export async function detectPath(
  path: string,
  want: (path: string) => boolean,
  looksRight: (head: string, path: string) => boolean,
  limit = 5,
): Promise<boolean> {
  try {
    const st = await lstat(path);
    if (st.isFile()) return looksRight(await readHead(path), path);
    let tried = 0;
    for await (const f of walkFiles(path, want)) {
      if (looksRight(await readHead(f), f)) return true;
      if (++tried >= limit) return false;
    }
  } catch {
    // unusable path: not ours
  }
  return false;
}

/**
 * Reads each wanted file under `root` and hands its text to `parse`; a read error or an exception
 * from `parse` becomes one warning naming the file. Rejects only when `root` itself is unusable.
 */
export async function forEachFile(
  root: string,
  sink: ImportSink,
  want: (path: string) => boolean,
  parse: (path: string, text: string) => void,
): Promise<void> {
  for await (const file of walkFiles(root, want, sink)) {
    let text: string;
    try {
      text = await readText(file);
    } catch (e) {
      sink.warn(file, `unreadable: ${(e as Error).message}`);
      continue;
    }
    try {
      parse(file, text);
    } catch (e) {
      sink.warn(file, (e as Error).message || String(e));
    }
  }
}
