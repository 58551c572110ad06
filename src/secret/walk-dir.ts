// `triad fs DIR --scanners secret`: every regular file under DIR through the scanner. Symlinks are
// never followed (a link can point anywhere on the host); special files are ignored; files above the
// size bound are not even read. Paths in findings are relative to DIR.
import { promises as fs } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { SecretScanner } from './scanner.ts';
import type { SecretFinding, SkipReason } from './types.ts';

export interface DirScanResult {
  findings: SecretFinding[];
  filesScanned: number;
  skipped: Partial<Record<SkipReason | 'unreadable', number>>;
  warnings: string[];
}

export interface DirScanOptions {
  maxFileSize: number;
  /** Files read at once (I/O overlaps scanning). */
  concurrency?: number;
}

/** Every regular file under root (symlinks and special files left out), paths relative to root. */
export async function listFiles(root: string, onUnreadable: (dir: string, e: Error) => void): Promise<Array<{ abs: string; rel: string }>> {
  const files: Array<{ abs: string; rel: string }> = [];
  const stack = [root];
  while (stack.length) {
    const dir = stack.pop()!;
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (e) {
      onUnreadable(dir, e as Error);
      continue;
    }
    for (const e of entries) {
      const abs = join(dir, e.name);
      if (e.isDirectory()) stack.push(abs);
      else if (e.isFile()) files.push({ abs, rel: relative(root, abs).split(sep).join('/') });
    }
  }
  return files;
}

export async function scanDirectory(root: string, scanner: SecretScanner, opts: DirScanOptions, listed?: Array<{ abs: string; rel: string }>): Promise<DirScanResult> {
  const res: DirScanResult = { findings: [], filesScanned: 0, skipped: {}, warnings: [] };
  const count = (k: SkipReason | 'unreadable') => (res.skipped[k] = (res.skipped[k] ?? 0) + 1);
  const all =
    listed ??
    (await listFiles(root, (dir, e) => {
      count('unreadable');
      res.warnings.push(`${dir}: ${e.message}`);
    }));
  // Allowlists see the whole path (usr/share/doc/..., .../node_modules/x/test/...) even when the
  // scan starts below it; findings show the path relative to the scanned directory.
  const files = all.filter((f) => !scanner.pathAllowed(fullPath(f.abs)));
  files.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  let next = 0;
  const perFile: SecretFinding[][] = new Array(files.length);
  const worker = async () => {
    while (next < files.length) {
      const k = next++;
      const f = files[k]!;
      let buf: Buffer;
      try {
        const fh = await fs.open(f.abs, 'r');
        try {
          const st = await fh.stat();
          if (!st.isFile()) continue;
          if (st.size > opts.maxFileSize) {
            count('too-large');
            continue;
          }
          buf = await fh.readFile();
        } finally {
          await fh.close();
        }
      } catch (e) {
        count('unreadable');
        res.warnings.push(`${f.rel}: ${(e as Error).message}`);
        continue;
      }
      const r = scanner.scan(fullPath(f.abs), buf);
      for (const x of r.findings) x.path = f.rel;
      if (r.warning) r.warning = r.warning.replace(fullPath(f.abs), f.rel);
      res.filesScanned++;
      if (r.skipped) count(r.skipped);
      if (r.warning) res.warnings.push(r.warning);
      perFile[k] = r.findings;
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 8 }, worker));
  for (const l of perFile) if (l) res.findings.push(...l);
  return res;
}

/** Absolute path without the leading '/', the form image paths have. */
function fullPath(p: string): string {
  return resolve(p).split(sep).join('/').replace(/^\/+/, '');
}
