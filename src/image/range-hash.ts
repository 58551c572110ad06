// Digests of byte ranges of local files, computed on a worker thread. Layers of local archives are
// byte ranges of the archive file, so their digest can be checked by reading the range a second time
// (from the page cache) in parallel with the main thread's tar parsing, instead of hashing every
// chunk on the main thread, where it was a fifth of a whole scan's CPU time.
import { Worker } from 'node:worker_threads';

// Plain JavaScript (no TypeScript to strip), so the worker costs a bare isolate and nothing more.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createReadStream } = require('node:fs');
const { createHash } = require('node:crypto');
parentPort.on('message', ({ id, file, start, end, algorithm }) => {
  const h = createHash(algorithm);
  let bytes = 0;
  const s = end < start ? createReadStream(file, { start: 1, end: 0 }) : createReadStream(file, { start, end, highWaterMark: 1 << 20 });
  s.on('data', (c) => { bytes += c.length; h.update(c); });
  s.on('error', (e) => parentPort.postMessage({ id, error: e.message }));
  s.on('end', () => parentPort.postMessage({ id, hex: h.digest('hex'), bytes }));
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
  const w = new Worker(WORKER_SOURCE, { eval: true });
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
