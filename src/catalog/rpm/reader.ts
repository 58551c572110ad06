// Random access over a FileContent with a small chunk cache. The Berkeley DB and NDB readers make
// many small reads (one page, one blob header) at mostly increasing offsets; going through 1 MiB
// chunks keeps that cheap without holding a whole (possibly several hundred MiB) database in memory.

export interface RandomAccess {
  readonly size: number;
  read(offset: number, length: number): Promise<Buffer>;
}

export class ChunkedReader {
  readonly size: number;
  readonly #src: RandomAccess;
  readonly #chunkSize: number;
  readonly #maxChunks: number;
  /** Insertion-ordered, so the first key is the least recently used. */
  readonly #cache = new Map<number, Buffer>();

  constructor(src: RandomAccess, chunkSize = 1 << 20, maxChunks = 8) {
    this.#src = src;
    this.size = src.size;
    this.#chunkSize = chunkSize;
    this.#maxChunks = maxChunks;
  }

  /** Exactly `length` bytes at `offset`, or undefined when the range is not inside the file. */
  async read(offset: number, length: number): Promise<Buffer | undefined> {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > this.size) return undefined;
    if (length === 0) return Buffer.alloc(0);
    const first = Math.floor(offset / this.#chunkSize);
    const last = Math.floor((offset + length - 1) / this.#chunkSize);
    if (first === last) {
      const chunk = await this.#chunk(first);
      const at = offset - first * this.#chunkSize;
      return chunk && chunk.length >= at + length ? chunk.subarray(at, at + length) : undefined;
    }
    // Spanning reads (overflow data, large blobs) go straight to the source.
    const b = await this.#src.read(offset, length);
    return b.length === length ? b : undefined;
  }

  async #chunk(n: number): Promise<Buffer | undefined> {
    const hit = this.#cache.get(n);
    if (hit) {
      this.#cache.delete(n);
      this.#cache.set(n, hit);
      return hit;
    }
    const start = n * this.#chunkSize;
    const b = await this.#src.read(start, Math.min(this.#chunkSize, this.size - start));
    if (this.#cache.size >= this.#maxChunks) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(n, b);
    return b;
  }
}

/** A FileContent-like view of an in-memory buffer (tests, and callers that already hold the bytes). */
export function bufferSource(buf: Buffer): RandomAccess & { readAll(): Promise<Buffer> } {
  return {
    size: buf.length,
    read: async (offset, length) => buf.subarray(offset, Math.min(buf.length, offset + length)),
    readAll: async () => buf,
  };
}
