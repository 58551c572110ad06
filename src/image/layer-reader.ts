// Streams one layer blob (any compression) as filesystem entries, verifying the blob digest and the
// uncompressed diffID when known, and bounding sizes so a hostile layer cannot exhaust memory.
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { decompressor, detectCompression, Meter, peek } from './decompress.ts';
import { normalizeImagePath } from './paths.ts';
import type { EntryType, EntryVisitor, LayerEntry, LayerReadStats } from './source.ts';

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
}

function entryType(t: string | null | undefined): EntryType {
  switch (t) {
    case 'file':
    case 'contiguous-file':
      return 'file';
    case 'directory':
      return 'dir';
    case 'symlink':
      return 'symlink';
    case 'link':
      return 'hardlink';
    default:
      return 'other';
  }
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
  const diff = algo(opts.diffID);
  const compressedMeter = new Meter(opts.label, Number.MAX_SAFE_INTEGER, blobDigest?.algorithm);
  const { head, stream } = await peek(blob, 4);
  const kind = detectCompression(head);
  const decomp = decompressor(kind);
  const plainMeter = new Meter(opts.label, limits.maxLayerBytes, diff && (kind !== 'none' || !blobDigest) ? diff.algorithm : undefined);
  const extract = tar.extract();
  let entries = 0;
  const consume = (async () => {
    for await (const entry of extract) {
      const h = entry.header;
      entries++;
      if (entries > limits.maxEntries) throw new Error(`${opts.label} has more than ${limits.maxEntries} entries`);
      const type = entryType(h.type);
      const e: LayerEntry = {
        path: normalizeImagePath(h.name),
        type,
        size: type === 'file' ? (h.size ?? 0) : 0,
        mode: h.mode ?? 0,
        uid: h.uid ?? 0,
        gid: h.gid ?? 0,
      };
      if (type === 'symlink') e.linkname = h.linkname ?? '';
      else if (type === 'hardlink') e.linkname = normalizeImagePath(h.linkname ?? '');
      if (type === 'file' && e.path !== '') {
        await visit(e, entry as unknown as Readable);
      } else {
        await visit(e, null);
      }
      // Whatever the visitor left unread is skipped; the iterator moves on once the body is drained.
      entry.resume();
    }
  })();
  const stages: NodeJS.ReadWriteStream[] = [compressedMeter];
  if (decomp) stages.push(decomp);
  stages.push(plainMeter);
  const piped = (pipeline as unknown as (...s: unknown[]) => Promise<void>)(stream, ...stages, extract);
  piped.catch(() => {});
  // A visitor failure must also stop the pipeline, or it would wait forever for a reader.
  consume.catch((err: Error) => extract.destroy(err));
  try {
    await Promise.all([piped, consume]);
  } catch (err) {
    stream.destroy();
    const msg = (err as Error).message;
    if (msg.includes('Unexpected end of data') || msg.includes('unexpected end of file')) {
      throw new Error(`${opts.label} is truncated or corrupt (${msg})`);
    }
    if (msg.startsWith(opts.label)) throw err;
    throw new Error(`${opts.label}: ${msg}`);
  }
  if (opts.size !== undefined && compressedMeter.bytes !== opts.size) {
    throw new Error(`${opts.label}: size mismatch: read ${compressedMeter.bytes} bytes, expected ${opts.size}`);
  }
  const got = compressedMeter.digest();
  if (blobDigest && got !== blobDigest.hex) {
    throw new Error(`${opts.label}: digest mismatch: blob is ${blobDigest.algorithm}:${got}, expected ${opts.digest}`);
  }
  const gotDiff = plainMeter.digest();
  if (diff && gotDiff !== undefined && gotDiff !== diff.hex) {
    throw new Error(`${opts.label}: diffID mismatch: content is ${diff.algorithm}:${gotDiff}, expected ${opts.diffID}`);
  }
  return { bytes: plainMeter.bytes, entries };
}
