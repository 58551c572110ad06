// The extension point for "what is installed": every cataloger declares which files it wants and
// parses each one on its own; the walker reads each layer once and hands files to whoever asked
// (the model is Trivy's fanal analyzers). Cross-file work (dpkg status + its .list files, python
// METADATA + RECORD) happens in `finalize`, over the squashed final filesystem.
import type { Ecosystem, OSInfo, Package } from '../model/types.ts';

export interface FileMeta {
  /** Normalised path, no leading '/'. */
  path: string;
  size: number;
  mode: number;
}

/** Random access to a file's content, backed by memory or by a temp file for large files. */
export interface FileContent {
  readonly size: number;
  read(offset: number, length: number): Promise<Buffer>;
  /** The whole file; only for files the cataloger accepted under its own size bound. */
  readAll(): Promise<Buffer>;
}

/**
 * A package as a cataloger first sees it, before layer attribution, ids and owners are assigned by
 * the framework. `purl` must be set by the cataloger (it knows the namespace/qualifier rules).
 */
export type FoundPackage = Omit<Package, 'id' | 'layer' | 'ownedBy' | 'dependsOn' | 'locations'> & {
  locations?: string[];
  /** Files the package installed (OS packages): used to find which OS package owns a language package. */
  installedFiles?: string[];
  /** Dependency names (or name@version) as the ecosystem records them; resolved to ids later. */
  dependsOnNames?: string[];
};

/** What one file yielded. */
export interface FileResult {
  packages?: FoundPackage[];
  os?: OSInfo;
  /** Arbitrary per-file data kept for `finalize` (e.g. dpkg .list contents). */
  data?: unknown;
  warnings?: string[];
}

/** A file of the final filesystem with what the cataloger's `parse` made of it. */
export interface ParsedFile {
  meta: FileMeta;
  result: FileResult;
}

export interface FinalizeContext {
  /** Parsed results of this cataloger's files that survive in the final filesystem. */
  files: ParsedFile[];
  /** OS identified from the final filesystem, when known. */
  os?: OSInfo;
  /** True when a path exists in the final filesystem (after whiteouts). */
  exists(path: string): boolean;
}

export interface Cataloger {
  /** Unique, short: 'dpkg', 'apk', 'rpm', 'os-release', 'npm', 'python', 'java' ... */
  readonly name: string;
  readonly ecosystems: readonly Ecosystem[];
  /**
   * Cheap path test, called for every regular file of every layer. Return the largest size you are
   * willing to read (bytes), or 0 / false to skip the file.
   */
  wants(meta: FileMeta): number | false;
  /** Parses one file. Must not throw for malformed content: return warnings instead. */
  parse(meta: FileMeta, content: FileContent): Promise<FileResult>;
  /**
   * Optional cross-file step over the final filesystem. Default: the packages of every surviving
   * file, in path order.
   */
  finalize?(ctx: FinalizeContext): FoundPackage[] | Promise<FoundPackage[]>;
}
