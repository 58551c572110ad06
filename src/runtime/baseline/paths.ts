// File-write paths: canonical form and the aggregation rule of a baseline's file-write set.
//
// Canonical form of a written path:
//   1. made absolute (joined to the process cwd when relative) and normalised (`.`, `..`, `//`);
//   2. components that change on every run become `*`: all-digit names (pids, counters), UUIDs,
//      and names holding 16+ hex digits or 6+ consecutive digits (hashes, timestamps, temp names);
//   3. /proc/self and /proc/thread-self are /proc/*; writes below scratch directories (/tmp,
//      /var/tmp, /dev/shm, /run, /var/run, /dev, /proc/*/fd)
//      are that directory followed by `/**`.
// A pattern `DIR/**` matches every path below DIR. The baseline keeps at most `filesPerDir` entries
// below one directory (more collapse into `DIR/**`) and at most `maxEntries` in all; when it is
// full, a new path collapses into its parent's `/**` if that absorbs existing entries, otherwise it
// is not learned and counted as overflow. `/**` (everything) is never produced.
import { posix } from 'node:path';

const MAX_DEPTH = 64;
const SCRATCH_DIRS = ['/tmp', '/var/tmp', '/dev/shm', '/run', '/var/run', '/dev'];
const VOLATILE = [/^\d+$/, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, /[0-9a-f]{16}/i, /\d{6}/];

export function canonicalPath(raw: string, cwd?: string): string | undefined {
  if (raw.length === 0 || raw.length > 4096 || raw.includes('\0')) return undefined;
  let p = raw.startsWith('/') ? raw : cwd && cwd.startsWith('/') ? posix.join(cwd, raw) : `/${raw}`;
  p = posix.normalize(p);
  if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  for (const d of SCRATCH_DIRS) if (p === d || p.startsWith(`${d}/`)) return `${d}/**`;
  const parts = p.split('/').slice(1, MAX_DEPTH + 1);
  const out = parts.map((c) => (VOLATILE.some((re) => re.test(c)) ? '*' : c));
  // /proc/self is the writer's own pid: the same file as /proc/<pid>.
  if (out[0] === 'proc' && (out[1] === 'self' || out[1] === 'thread-self')) out[1] = '*';
  if (out[0] === 'proc' && out[1] === '*' && out[2] === 'fd') return '/proc/*/fd/**';
  return `/${out.join('/')}`;
}

/** The `/**` patterns that could cover `path`, nearest directory first (never `/**`). */
export function coveringPatterns(path: string): string[] {
  const out: string[] = [];
  let dir = path.endsWith('/**') ? posix.dirname(path.slice(0, -3)) : posix.dirname(path);
  while (dir !== '/' && dir !== '.' && out.length < MAX_DEPTH) {
    out.push(`${dir}/**`);
    dir = posix.dirname(dir);
  }
  return out;
}

export function isBelow(entry: string, dir: string): boolean {
  return entry.startsWith(`${dir}/`);
}

/** A bounded set of canonical paths and `DIR/**` patterns with the aggregation rule above. */
export class PathSet {
  readonly entries = new Set<string>();
  overflow = 0;
  readonly maxEntries: number;
  readonly filesPerDir: number;

  constructor(maxEntries = 256, filesPerDir = 16) {
    this.maxEntries = Math.max(1, maxEntries);
    this.filesPerDir = Math.max(1, filesPerDir);
  }

  has(path: string): boolean {
    if (this.entries.has(path)) return true;
    for (const p of coveringPatterns(path)) if (this.entries.has(p)) return true;
    return false;
  }

  /** Learns a canonical path; true when the set changed. */
  add(path: string): boolean {
    if (this.has(path)) return false;
    const parentDir = posix.dirname(path.endsWith('/**') ? path.slice(0, -3) : path);
    const below = parentDir === '/' ? [] : [...this.entries].filter((e) => isBelow(e, parentDir));
    if (parentDir !== '/' && (below.length + 1 > this.filesPerDir || (this.entries.size >= this.maxEntries && below.length > 0))) {
      for (const e of below) this.entries.delete(e);
      this.entries.add(`${parentDir}/**`);
      return true;
    }
    if (this.entries.size >= this.maxEntries) {
      this.overflow++;
      return false;
    }
    this.entries.add(path);
    return true;
  }
}
