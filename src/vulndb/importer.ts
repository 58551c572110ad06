// The importer extension point: one importer per upstream format. An importer reads files (a single
// file or a directory tree in the upstream's own layout) and emits normalised records into a sink;
// the database decides how to store them. Importers never throw on one bad record: they report it
// through `sink.warn` (naming the file) and go on, so that one malformed advisory never aborts an
// import.

import type { Advisory, EpssEntry, KevEntry } from '../model/advisory.ts';

export interface ImportSink {
  advisory(a: Advisory): void;
  kev(e: KevEntry): void;
  epss(e: EpssEntry): void;
  /** A skipped record or file: `file` names the input, `message` says what was wrong. */
  warn(file: string, message: string): void;
}

/** Where `triad db update` fetches an importer's data from when online. */
export interface UpstreamSource {
  /** A stable name for the downloaded artefact (used for ETag bookkeeping). */
  name: string;
  url: string;
  /** How the download is laid out: a single document, a gzip file, a zip or tar.gz of a tree. */
  kind: 'file' | 'gzip' | 'zip' | 'tar.gz';
}

export interface Importer {
  /** Source id, also Advisory.source: 'osv', 'alpine-secdb', 'debian-tracker', 'kev', 'epss' ... */
  name: string;
  /** One line for `triad db status` and the README. */
  description: string;
  /** Cheap check on a path (file or directory): is it in this importer's format? */
  detect(path: string): Promise<boolean>;
  /** Reads everything under `path` and emits records. Rejects only when `path` itself is unusable. */
  import(path: string, sink: ImportSink): Promise<void>;
  /** Upstream download locations for `triad db update` (absent: import-only source). */
  upstream?: UpstreamSource[];
}
