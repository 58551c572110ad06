// Digests of byte ranges of local files, computed on a worker thread. Layers of local archives are
// byte ranges of the archive file, so their digest can be checked by reading the range a second time
// (from the page cache) in parallel with the main thread's tar parsing, instead of hashing every
// chunk on the main thread, where it was a fifth of a whole scan's CPU time.
import { Worker } from 'node:worker_threads';

// Plain JavaScript (no TypeScript to strip), so the worker costs a bare isolate and nothing more.
// Ranges are hashed one after another with synchronous reads into one reused buffer: the worker
// exists to block, and allocating a fresh chunk per read would leave hundreds of MB of garbage
// for a lazy GC to find (that garbage is the process's resident memory).
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { openSync, readSync, closeSync } = require('node:fs');
const { createHash } = require('node:crypto');
const buf = Buffer.allocUnsafe(1 << 20);
parentPort.on('message', ({ id, file, start, end, algorithm }) => {
  let fd;
  try {
    const h = createHash(algorithm);
    let bytes = 0;
    fd = openSync(file, 'r');
    for (let pos = start; pos <= end; ) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, end + 1 - pos), pos);
      if (n === 0) break;
      h.update(n === buf.length ? buf : buf.subarray(0, n));
      pos += n;
      bytes += n;
    }
    parentPort.postMessage({ id, hex: h.digest('hex'), bytes });
  } catch (e) {
    parentPort.postMessage({ id, error: e.message });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
});
`;

export interface FileRange {
  file: string;
  /** First byte (inclusive). */
  start: number;
  /** Last byte (inclusive); end < start for an empty range. */
  end: number;
}

let worker: Worker | undefined;
let users = 0;
let nextId = 0;
const pending = new Map<number, { resolve: (hex: string) => void; reject: (e: Error) => void }>();

function getWorker(): Worker {
  if (worker) return worker;
  const w = new Worker(WORKER_SOURCE, { eval: true, resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 16 } });
  w.on('message', (m: { id: number; hex?: string; error?: string }) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.error !== undefined) p.reject(new Error(m.error));
    else p.resolve(m.hex!);
  });
  w.on('error', (e) => {
    for (const p of pending.values()) p.reject(e);
    pending.clear();
    worker = undefined;
  });
  worker = w;
  return w;
}

/** Hex digest of a file range, computed off the main thread. */
export async function hashRange(range: FileRange, algorithm: 'sha256' | 'sha512'): Promise<string> {
  users++;
  const w = getWorker();
  w.ref();
  try {
    return await new Promise<string>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      w.postMessage({ id, ...range, algorithm });
    });
  } finally {
    // Let the process exit once nothing is pending; the worker is reused while scans run.
    if (--users === 0) w.unref();
  }
}
