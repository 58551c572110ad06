// One interface for every place an image can come from. A source knows the image's metadata and
// hands out each layer as a stream of filesystem entries; it never extracts anything to disk.
import type { ImageInfo, Layer } from '../model/types.ts';

export type EntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';

export interface LayerEntry {
  /** Normalised path inside the image: no leading '/', no '.' or '..' segments, '/'-separated. */
  path: string;
  type: EntryType;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  /** Symlink target as written, or the normalised path a hard link points to. */
  linkname?: string;
  /**
   * Sources that read a real directory (rootfs) give the file's host path, so large files are read
   * in place instead of being copied to a temp file.
   */
  hostPath?: string;
}

/**
 * Called once per entry, in archive order. `body` yields a regular file's content (chunks valid
 * only until the next one is requested); whatever the visitor leaves unread is skipped.
 */
export type EntryVisitor = (entry: LayerEntry, body: AsyncIterable<Buffer> | null) => Promise<void>;

export interface LayerReadStats {
  /** Uncompressed bytes read. */
  bytes: number;
  entries: number;
}

export interface ImageSource {
  readonly info: ImageInfo;
  /** Layers bottom first; `layers[i].index === i`. */
  readonly layers: Layer[];
  /** Streams layer `index` through `visit`, verifying digests where the source records them. */
  readLayer(index: number, visit: EntryVisitor): Promise<LayerReadStats>;
  /** Releases file handles and temp files. */
  close(): Promise<void>;
}

export interface OpenOptions {
  /** os/arch[/variant], default linux/amd64. */
  platform?: string;
  /** Registry credentials / docker config location etc. live with the registry source. */
  username?: string;
  password?: string;
  insecure?: boolean;
  dockerConfig?: string;
  dockerHost?: string;
  /**
   * Verify blob digests and layer diffIDs (default true). Off only for hand-edited archives whose
   * digests no longer match; registry blobs are always verified.
   */
  verifyDigests?: boolean;
}

/** Thrown for unusable input: the CLI prints the message on one line and exits 2. */
export class ImageInputError extends Error {
  readonly input: string;
  constructor(input: string, message: string) {
    super(`${input}: ${message}`);
    this.name = 'ImageInputError';
    this.input = input;
  }
}
