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

export async function scanDirectory(root: string, scanner: SecretScanner, opts: DirScanOptions): Promise<DirScanResult> {
  const res: DirScanResult = { findings: [], filesScanned: 0, skipped: {}, warnings: [] };
  const count = (k: SkipReason | 'unreadable') => (res.skipped[k] = (res.skipped[k] ?? 0) + 1);
  const files: Array<{ abs: string; rel: string; size: number }> = [];
  const stack = [root];
  while (stack.length) {
    const dir = stack.pop()!;
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (e) {
      count('unreadable');
      res.warnings.push(`${dir}: ${(e as Error).message}`);
      continue;
    }
    for (const e of entries) {
      const abs = join(dir, e.name);
      if (e.isDirectory()) stack.push(abs);
      else if (e.isFile()) {
        const rel = relative(root, abs).split(sep).join('/');
        // Allowlists see the whole path (usr/share/doc/..., .../node_modules/x/test/...) even when
        // the scan starts below it; findings show the path relative to the scanned directory.
        if (scanner.pathAllowed(fullPath(abs))) continue;
        files.push({ abs, rel, size: -1 });
      }
    }
  }
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
