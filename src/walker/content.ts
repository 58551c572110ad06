// File content handed to catalogers: small files stay in memory, large ones are spooled to a temp
// file in Triad's own temp dir (only files some cataloger asked for, deleted right after parsing).
import { createWriteStream, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
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

/** Reads `body` (exactly `size` bytes expected) into memory or, above `memLimit`, into `tmpDir`. */
export async function collect(body: AsyncIterable<Buffer>, size: number, memLimit: number, tmpDir: () => Promise<string>): Promise<BufferContent | TempFileContent> {
  if (size <= memLimit) {
    const chunks: Buffer[] = [];
    let n = 0;
    for await (const c of body) {
      chunks.push(c as Buffer);
      n += (c as Buffer).length;
      if (n > size) throw new Error(`file body longer than its header says (${size} bytes)`);
    }
    return new BufferContent(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, n));
  }
  const p = join(await tmpDir(), `f${++seq}`);
  await pipeline(Readable.from(body), createWriteStream(p, { flags: 'wx', mode: 0o600 }));
  return new TempFileContent(p, size);
}
