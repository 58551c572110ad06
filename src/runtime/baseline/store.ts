// A directory of baselines, one YAML file per image key. Writes are atomic (temp file in the same
// directory, fsync, rename, fsync of the directory) so a crash leaves the old or the new file,
// never half of one; loading reports each unreadable file by name and keeps the others.
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { BaselineManager } from './manager.ts';
import { exportBaselineYaml, importBaselineYaml, BaselineFormatError } from './yaml.ts';
import type { Baseline, BaselineLimits } from './profile.ts';

const MAX_FILE_BYTES = 8 * 1024 * 1024;
const MAX_FILES = 10_000;

/** File name for a key: readable, filesystem-safe, and unique (a short hash of the exact key). */
export function baselineFileName(key: string): string {
  const safe = key.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 100);
  return `${safe}.${createHash('sha256').update(key).digest('hex').slice(0, 8)}.yaml`;
}

export function writeFileAtomic(path: string, data: string): void {
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, path);
  } catch (e) {
    try { unlinkSync(tmp); } catch { /* already gone */ }
    throw e;
  }
}

function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try { fsyncSync(fd); } finally { closeSync(fd); }
  } catch { /* some filesystems refuse fsync on directories; the rename is still atomic */ }
}

/** Writes the manager's changed baselines to `dir`; returns how many files were written. */
export function saveBaselines(manager: BaselineManager, dir: string, all = false): number {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let n = 0;
  for (const b of manager.list()) {
    if (!all && !b.dirty) continue;
    writeFileAtomic(join(dir, baselineFileName(b.key)), exportBaselineYaml(b));
    b.dirty = false;
    n++;
  }
  if (n > 0) syncDir(dir);
  return n;
}

export interface LoadBaselinesResult {
  baselines: Baseline[];
  /** One message per file that could not be used, starting with its path. */
  errors: string[];
}

/** Reads every `*.yaml` file in `dir` (missing directory = nothing saved yet). */
export function readBaselineDir(dir: string, limits?: BaselineLimits): LoadBaselinesResult {
  const out: LoadBaselinesResult = { baselines: [], errors: [] };
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.yaml')).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') out.errors.push(`${dir}: cannot read directory: ${(e as Error).message}`);
    return out;
  }
  if (names.length > MAX_FILES) {
    out.errors.push(`${dir}: ${names.length} files; only the first ${MAX_FILES} are read`);
    names = names.slice(0, MAX_FILES);
  }
  for (const name of names) {
    const file = join(dir, name);
    try {
      const st = statSync(file);
      if (!st.isFile()) continue;
      if (st.size > MAX_FILE_BYTES) {
        out.errors.push(`${file}: too large (${st.size} bytes; the limit is ${MAX_FILE_BYTES})`);
        continue;
      }
      out.baselines.push(importBaselineYaml(readFileSync(file, 'utf8'), file, limits));
    } catch (e) {
      out.errors.push(e instanceof BaselineFormatError ? e.message : `${file}: ${(e as Error).message}`);
    }
  }
  return out;
}

/** Loads a directory into the manager; returns the per-file errors. */
export function loadBaselines(manager: BaselineManager, dir: string): string[] {
  const r = readBaselineDir(dir);
  for (const b of r.baselines) manager.add(b);
  return r.errors;
}
