// File content handed to catalogers: small files stay in memory, large ones are spooled to a temp
// file in Triad's own temp dir (only files some cataloger asked for, deleted right after parsing).
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { FileContent } from '../catalog/cataloger.ts';

export class BufferContent implements FileContent {
  readonly size: number;
  private readonly buf: Buffer;
  constructor(buf: Buffer) {
    this.buf = buf;
    this.size = buf.length;
  }
  async read(offset: number, length: number): Promise<Buffer> {
    if (offset < 0 || offset >= this.size) return Buffer.alloc(0);
    return this.buf.subarray(offset, Math.min(this.size, offset + length));
  }
  async readAll(): Promise<Buffer> {
    return this.buf;
  }
}

export class TempFileContent implements FileContent {
  readonly size: number;
  readonly path: string;
  /** False for files read in place (rootfs scans): those are never deleted. */
  private readonly owned: boolean;
  private fh: fs.FileHandle | undefined;
  constructor(path: string, size: number, owned = true) {
    this.path = path;
    this.size = size;
    this.owned = owned;
  }
  private async handle(): Promise<fs.FileHandle> {
    this.fh ??= await fs.open(this.path, 'r');
    return this.fh;
  }
  async read(offset: number, length: number): Promise<Buffer> {
    if (offset < 0 || offset >= this.size) return Buffer.alloc(0);
    const len = Math.min(length, this.size - offset);
    const buf = Buffer.allocUnsafe(len);
    const { bytesRead } = await (await this.handle()).read(buf, 0, len, offset);
    return buf.subarray(0, bytesRead);
  }
  async readAll(): Promise<Buffer> {
    return fs.readFile(this.path);
  }
  async dispose(): Promise<void> {
    await this.fh?.close();
    this.fh = undefined;
    if (this.owned) await fs.rm(this.path, { force: true });
  }
}

let seq = 0;

/**
 * Bytes of file content held in memory at once, across every layer being read. Catalogers may ask
 * for large files (any executable may be a Go or Rust binary); with several layers in flight,
 * per-file limits alone would let memory grow with concurrency, so content beyond this shared
 * budget goes to a temp file instead. Peak memory then stays flat whatever the image.
 */
export class MemoryBudget {
  readonly limit: number;
  private used = 0;
  constructor(limit: number) {
    this.limit = limit;
  }
  /** Reserves `n` bytes if they fit; the caller must `release(n)` when done. */
  tryTake(n: number): boolean {
    if (this.used + n > this.limit) return false;
    this.used += n;
    return true;
  }
  release(n: number): void {
    this.used -= n;
  }
}

/**
 * Reads `body` (exactly `size` bytes expected) into memory when `size` fits both `memLimit` and the
 * shared budget (the reservation is the caller's to release), otherwise into a file in `tmpDir`.
 */
export async function collect(
  body: AsyncIterable<Buffer>,
  size: number,
  memLimit: number,
  tmpDir: () => Promise<string>,
  budget?: MemoryBudget,
): Promise<BufferContent | TempFileContent> {
  if (size <= memLimit && (!budget || budget.tryTake(size))) {
    // Chunks are views into the reader's buffers, which it reuses: copy them out as they come.
    const buf = Buffer.allocUnsafe(size);
    let n = 0;
    try {
      for await (const c of body) {
        if (n + c.length > size) throw new Error(`file body longer than its header says (${size} bytes)`);
        (c as Buffer).copy(buf, n);
        n += c.length;
      }
    } catch (e) {
      budget?.release(size);
      throw e;
    }
    return new BufferContent(n === size ? buf : buf.subarray(0, n));
  }
  const p = join(await tmpDir(), `f${++seq}`);
  // One write at a time, each finished before the next chunk is requested (chunk buffers are reused).
  const fh = await fs.open(p, 'wx', 0o600);
  try {
    for await (const c of body) await fh.write(c);
  } finally {
    await fh.close();
  }
  return new TempFileContent(p, size);
}
