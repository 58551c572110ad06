// Layer blobs come gzip-, zstd- or un-compressed whatever the media type claims, so the format is
// detected from the first bytes. Decompression runs in libuv's thread pool (node:zlib), which is
// what lets several layers decompress in parallel on several cores.
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { createHash, type Hash } from 'node:crypto';
import zlib from 'node:zlib';

export type Compression = 'gzip' | 'zstd' | 'none';

export function detectCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}

export function decompressor(kind: Compression): Transform | undefined {
  // Large chunks: fewer round trips between the thread pool and JS.
  const opts = { chunkSize: 256 * 1024 };
  if (kind === 'gzip') return zlib.createGunzip(opts);
  if (kind === 'zstd') {
    const create = (zlib as unknown as { createZstdDecompress?: (o?: object) => Transform }).createZstdDecompress;
    if (!create) throw new Error('zstd layers need Node.js >= 23.8 (zlib.createZstdDecompress)');
    return create(opts);
  }
  return undefined;
}

/**
 * A pass-through that hashes what flows through it and enforces a byte ceiling (decompression
 * bombs). `onEnd` is called with the hex digest once the stream finished.
 */
export class Meter extends Transform {
  readonly hash: Hash | undefined;
  bytes = 0;
  private readonly limit: number;
  private readonly label: string;
  constructor(label: string, limit: number, algorithm?: string) {
    super();
    this.label = label;
    this.limit = limit;
    this.hash = algorithm ? createHash(algorithm) : undefined;
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) {
      cb(new Error(`${this.label} exceeds the size limit of ${this.limit} bytes (decompression bomb?)`));
      return;
    }
    this.hash?.update(chunk);
    cb(null, chunk);
  }
  digest(): string | undefined {
    return this.hash?.digest('hex');
  }
}

/** Peeks the first bytes of a stream without consuming them from the caller's point of view. */
export async function peek(stream: Readable, n: number): Promise<{ head: Buffer; stream: Readable }> {
  const { PassThrough } = await import('node:stream');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let len = 0;
    const out = new PassThrough({ highWaterMark: 1024 * 1024 });
    const done = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onErr);
      const head = Buffer.concat(chunks);
      out.write(head);
      stream.pipe(out);
      stream.on('error', (e) => out.destroy(e));
      resolve({ head: head.subarray(0, n), stream: out });
    };
    const onData = (c: Buffer) => {
      chunks.push(c);
      len += c.length;
      if (len >= n) {
        stream.pause();
        done();
      }
    };
    const onEnd = () => {
      stream.off('data', onData);
      stream.off('error', onErr);
      const head = Buffer.concat(chunks);
      out.end(head);
      resolve({ head, stream: out });
    };
    const onErr = (e: Error) => reject(e);
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onErr);
  });
}
