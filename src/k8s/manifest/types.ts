// Kubernetes objects as read from manifests, with where each came from so that every finding can
// point at a file, a document and a line (SARIF locations, table output).

/** Where an object came from. Compatible with the RBAC/netpol `ObjectSource` ({ file, line }). */
export interface ManifestSource {
  /** The file path as given (or found under a given directory); `-` for stdin. */
  file: string;
  /** 1-based index of the YAML document in the file (JSON files: 1). */
  doc: number;
  /** 1-based line where the object starts (a List item: the item's own line). */
  line: number;
  /** Helm-rendered output: the chart template named by the `# Source:` comment before the document. */
  template?: string;
  /** For items of a `List`: the 0-based index in `items`. */
  listIndex?: number;
}

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

/** One Kubernetes object from a manifest. `raw` is the object exactly as parsed. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  raw: Record<string, unknown>;
  source: ManifestSource;
  /**
   * The 1-based line of a field inside the object (path relative to the object, e.g.
   * ['spec', 'template', 'spec', 'containers', 0, 'securityContext']), or the nearest enclosing
   * field's line when the path does not exist; the object's line when positions are unknown.
   */
  lineOf(path: ReadonlyArray<string | number>): number;
}

/** A problem reading input: never thrown, always naming the input. */
export interface ManifestError {
  file: string;
  /** 1-based document index, when the problem is inside one document. */
  doc?: number;
  line?: number;
  message: string;
  /** 'error': input that could not be read; 'warning': a document skipped (not an object, no kind). */
  level: 'error' | 'warning';
}

export interface LoadResult {
  objects: K8sObject[];
  errors: ManifestError[];
}

export interface LoadOptions {
  /** Largest single file or stdin, bytes (default 16 MiB: about 12 s and 400 MB to parse). */
  maxFileBytes?: number;
  /** Largest sum of all inputs, bytes (default 64 MiB; parsed objects are kept for the analyses). */
  maxTotalBytes?: number;
  /** Most files read from directories (default 20,000). */
  maxFiles?: number;
  /** Most documents per file (default 10,000). */
  maxDocuments?: number;
  /** Most objects in all (default 200,000). */
  maxObjects?: number;
  /** Most alias dereferences per document (YAML alias bombs; default 1,000). */
  maxAliasCount?: number;
  /** Stdin, for the path `-` (default process.stdin). */
  stdin?: NodeJS.ReadableStream;
}

export const DEFAULT_LIMITS = {
  maxFileBytes: 16 * 1024 * 1024,
  maxTotalBytes: 64 * 1024 * 1024,
  maxFiles: 20_000,
  maxDocuments: 10_000,
  maxObjects: 200_000,
  maxAliasCount: 1_000,
} as const;

export function formatManifestError(e: ManifestError): string {
  const where = [e.file, e.doc !== undefined ? `document ${e.doc}` : '', e.line !== undefined ? `line ${e.line}` : ''].filter(Boolean).join(', ');
  return `${where}: ${e.message}`;
}

export function formatSource(s: ManifestSource): string {
  return `${s.file}:${s.line}${s.template ? ` (${s.template})` : ''}`;
}
