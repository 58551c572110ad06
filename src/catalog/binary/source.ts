// Random-access byte sources for the binary readers (ELF, ZIP). A FileContent is one; so is a
// buffer we inflated ourselves (a jar nested in a war). Reads are always bounded by the caller.
import { open } from 'node:fs/promises';
import type { FileContent } from '../cataloger.ts';

export interface ByteSource {
  readonly size: number;
  /** Up to `length` bytes at `offset`; shorter (or empty) past the end. */
  read(offset: number, length: number): Promise<Buffer>;
}

/** Thrown by the readers for malformed input; catalogers turn it into a warning. */
export class FormatError extends Error {}

export function bufferSource(buf: Buffer): ByteSource & FileContent {
  return {
    size: buf.length,
    async read(offset: number, length: number) {
      if (offset < 0 || length <= 0 || offset >= buf.length) return Buffer.alloc(0);
      return buf.subarray(offset, Math.min(buf.length, offset + length));
    },
    async readAll() {
      return buf;
    },
  };
}

/** Reads exactly `length` bytes or throws FormatError (truncated file, offset past the end). */
export async function readExact(src: ByteSource, offset: number, length: number, what: string): Promise<Buffer> {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > src.size) {
    throw new FormatError(`${what}: range ${offset}+${length} outside the file (${src.size} bytes)`);
  }
  const b = await src.read(offset, length);
  if (b.length !== length) throw new FormatError(`${what}: short read at ${offset}`);
  return b;
}

/**
 * A file on disk as a FileContent, for tests and tools (the walker has its own). `close()` releases
 * the handle; nothing is ever deleted.
 */
export async function openFileContent(path: string): Promise<FileContent & { close(): Promise<void> }> {
  const fh = await open(path, 'r');
  const { size } = await fh.stat();
  return {
    size,
    async read(offset: number, length: number) {
      if (offset < 0 || length <= 0 || offset >= size) return Buffer.alloc(0);
      const len = Math.min(length, size - offset);
      const buf = Buffer.allocUnsafe(len);
      const { bytesRead } = await fh.read(buf, 0, len, offset);
      return buf.subarray(0, bytesRead);
    },
    async readAll() {
      return fh.readFile();
    },
    async close() {
      await fh.close();
    },
  };
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
