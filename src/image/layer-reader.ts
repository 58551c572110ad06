// Streams one layer blob (any compression) as filesystem entries, verifying the blob digest and the
// uncompressed diffID when known, and bounding sizes so a hostile layer cannot exhaust memory.
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { decompressor, detectCompression, Meter, peek } from './decompress.ts';
import { normalizeImagePath } from './paths.ts';
import { hashRange, type FileRange } from './range-hash.ts';
import type { EntryVisitor, LayerEntry, LayerReadStats } from './source.ts';
import { readTar } from './tar-reader.ts';

export interface LayerLimits {
  /** Uncompressed bytes per layer. */
  maxLayerBytes: number;
  /** Entries per layer. */
  maxEntries: number;
}

export const DEFAULT_LIMITS: LayerLimits = {
  maxLayerBytes: 64 * 1024 ** 3,
  maxEntries: 5_000_000,
};

export interface LayerReadOptions {
  /** "image layer N (sha256:...)" for error messages. */
  label: string;
  /** sha256:... of the blob as stored. */
  digest?: string;
  /** sha256:... of the uncompressed tar. */
  diffID?: string;
  /** Bytes of the stored blob, when known: a mismatch is reported as truncation. */
  size?: number;
  limits?: LayerLimits;
  /** Where the blob lies in a local file: its digest is then computed on a worker thread. */
  range?: FileRange;
}

function algo(d: string | undefined): { algorithm: string; hex: string } | undefined {
  if (!d) return undefined;
  const i = d.indexOf(':');
  if (i < 0) return undefined;
  const algorithm = d.slice(0, i);
  if (algorithm !== 'sha256' && algorithm !== 'sha512') return undefined;
  return { algorithm, hex: d.slice(i + 1).toLowerCase() };
}

export async function readTarLayer(blob: Readable, opts: LayerReadOptions, visit: EntryVisitor): Promise<LayerReadStats> {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const blobDigest = algo(opts.digest);
  // The blob digest is what manifests sign for; the diffID (digest of the uncompressed tar) is only
  // checked when there is no blob digest (docker-save archives), as containerd and Trivy do.
  const diff = blobDigest ? undefined : algo(opts.diffID);
  if (opts.range && (await rangeIsPlainTar(opts.range))) {
    blob.destroy();
    return readPlainRange(opts.range, opts, limits, blobDigest, visit);
  }
  const { head, stream } = await peek(blob, 4);
  const kind = detectCompression(head);
  // What to hash: the stored blob (blob digest, or diffID of an uncompressed blob) or the
  // decompressed stream (diffID of a compressed blob without a blob digest).
  const storedCheck = blobDigest ?? (kind === 'none' ? diff : undefined);
  const plainCheck = storedCheck ? undefined : diff;
  const background = storedCheck && opts.range ? hashRange(opts.range, storedCheck.algorithm as 'sha256' | 'sha512') : undefined;
  background?.catch(() => {});
  const compressedMeter = new Meter(opts.label, Number.MAX_SAFE_INTEGER, storedCheck && !background ? storedCheck.algorithm : undefined);
  const decomp = decompressor(kind);
  const plainMeter = new Meter(opts.label, limits.maxLayerBytes, plainCheck?.algorithm);
  let entries = 0;
  const consume = async (source: AsyncIterable<Buffer>) => {
    entries = await readEntries(source, limits, visit);
  };
  const stages: NodeJS.ReadWriteStream[] = [compressedMeter];
  if (decomp) stages.push(decomp);
  stages.push(plainMeter);
  try {
    await (pipeline as unknown as (...s: unknown[]) => Promise<void>)(stream, ...stages, consume);
  } catch (err) {
    stream.destroy();
    const msg = (err as Error).message;
    if (/unexpected end of (data|file)/i.test(msg)) throw new Error(`${opts.label} is truncated or corrupt (${msg})`);
    if (msg.startsWith(opts.label)) throw err;
    throw new Error(`${opts.label}: ${msg}`);
  }
  if (opts.size !== undefined && compressedMeter.bytes !== opts.size) {
    throw new Error(`${opts.label}: size mismatch: read ${compressedMeter.bytes} bytes, expected ${opts.size}`);
  }
  if (storedCheck) {
    const got = background ? await background : compressedMeter.digest();
    if (got !== storedCheck.hex) {
      const what = blobDigest ? 'digest' : 'diffID';
      throw new Error(`${opts.label}: ${what} mismatch: blob is ${storedCheck.algorithm}:${got}, expected ${blobDigest ? opts.digest : opts.diffID}`);
    }
  }
  if (plainCheck) {
    const got = plainMeter.digest();
    if (got !== plainCheck.hex) throw new Error(`${opts.label}: diffID mismatch: content is ${plainCheck.algorithm}:${got}, expected ${opts.diffID}`);
  }
  return { bytes: plainMeter.bytes, entries };
}

function readEntries(source: AsyncIterable<Buffer>, limits: LayerLimits, visit: EntryVisitor): Promise<number> {
  return readTar(source, { maxEntries: limits.maxEntries, maxMetaBytes: 1024 * 1024 }, async (h, body) => {
    const type = h.type;
    const e: LayerEntry = { path: normalizeImagePath(h.name), type, size: h.size, mode: h.mode, uid: h.uid, gid: h.gid };
    if (type === 'symlink') e.linkname = h.linkname;
    else if (type === 'hardlink') e.linkname = normalizeImagePath(h.linkname);
    await visit(e, type === 'file' && e.path !== '' ? body : null);
  });
}

async function rangeIsPlainTar(range: FileRange): Promise<boolean> {
  if (range.end - range.start + 1 < 4) return false;
  const fh = await open(range.file, 'r');
  try {
    const head = Buffer.alloc(4);
    await fh.read(head, 0, 4, range.start);
    return detectCompression(head) === 'none';
  } finally {
    await fh.close();
  }
}

/**
 * An uncompressed layer stored in a local file (docker-save archives) is parsed straight from the
 * file through two reused read buffers: streaming gigabytes through freshly allocated chunks left
 * the process holding hundreds of MB of garbage buffers between collections. Its digest is checked
 * on the worker thread, from the same byte range.
 */
async function readPlainRange(
  range: FileRange,
  opts: LayerReadOptions,
  limits: LayerLimits,
  blobDigest: { algorithm: string; hex: string } | undefined,
  visit: EntryVisitor,
): Promise<LayerReadStats> {
  const check = blobDigest ?? algo(opts.diffID);
  const background = check ? hashRange(range, check.algorithm as 'sha256' | 'sha512') : undefined;
  background?.catch(() => {});
  const length = range.end - range.start + 1;
  if (length > limits.maxLayerBytes) throw new Error(`${opts.label} exceeds the size limit of ${limits.maxLayerBytes} bytes (decompression bomb?)`);
  let entries: number;
  try {
    entries = await readEntries(fileChunks(range), limits, visit);
  } catch (err) {
    const msg = (err as Error).message;
    if (/unexpected end of (data|file)/i.test(msg)) throw new Error(`${opts.label} is truncated or corrupt (${msg})`);
    throw new Error(`${opts.label}: ${msg}`);
  }
  if (check) {
    const got = await background!;
    if (got !== check.hex) {
      const what = blobDigest ? 'digest' : 'diffID';
      throw new Error(`${opts.label}: ${what} mismatch: blob is ${check.algorithm}:${got}, expected ${blobDigest ? opts.digest : opts.diffID}`);
    }
  }
  return { bytes: length, entries };
}

/** The bytes of a file range, in chunks that are only valid until the next one is requested. */
async function* fileChunks(range: FileRange): AsyncGenerator<Buffer> {
  const fh = await open(range.file, 'r');
  const bufs = [Buffer.allocUnsafe(1 << 20), Buffer.allocUnsafe(1 << 20)];
  let k = 0;
  try {
    for (let pos = range.start; pos <= range.end; ) {
      const b = bufs[(k ^= 1)]!;
      const { bytesRead } = await fh.read(b, 0, Math.min(b.length, range.end + 1 - pos), pos);
      if (bytesRead === 0) throw new Error('unexpected end of file');
      pos += bytesRead;
      yield b.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}
