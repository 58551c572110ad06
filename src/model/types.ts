// The shared model: every capability (image reading, catalogers, outputs, later matching and
// reporting) speaks in these types and only these. Keep them plain data (JSON-serialisable) so that
// an SBOM can be stored, diffed and re-matched without the image.

/** Package ecosystems Triad knows. OS ecosystems first, then languages. */
export type Ecosystem =
  | 'deb'
  | 'apk'
  | 'rpm'
  | 'npm'
  | 'pypi'
  | 'maven'
  | 'golang'
  | 'cargo'
  | 'gem'
  | 'composer'
  | 'nuget';

export const OS_ECOSYSTEMS: ReadonlySet<Ecosystem> = new Set(['deb', 'apk', 'rpm']);

/** Where a layer came from in the image, and what built it. */
export interface Layer {
  /** 0-based position in the image's layer stack (bottom first). */
  index: number;
  /** Digest of the uncompressed tar (the config's rootfs.diff_ids entry). */
  diffID: string;
  /** Digest of the blob as stored (compressed), when the source knows it. */
  digest?: string;
  mediaType?: string;
  /** Stored (compressed) size in bytes, when known. */
  size?: number;
  /** Uncompressed size in bytes (measured while reading). */
  uncompressedSize?: number;
  /** The history `created_by` instruction that produced this layer. */
  createdBy?: string;
  /** History comment, e.g. "buildkit.dockerfile.v0". */
  comment?: string;
  created?: string;
}

/** A reference from a package or file to the layer that introduced it. */
export interface LayerRef {
  index: number;
  diffID: string;
  createdBy?: string;
}

export interface OSInfo {
  /** os-release ID, lower case: debian, ubuntu, alpine, rhel, centos, rocky, almalinux, amzn, sles, ... */
  family: string;
  /** VERSION_ID, or the full release string (alpine-release: "3.14.2"). */
  version: string;
  codename?: string;
  name?: string;
  prettyName?: string;
  idLike?: string[];
  /** The file that identified it. */
  source: string;
}

export interface OwnerRef {
  name: string;
  version: string;
  ecosystem: Ecosystem;
  purl: string;
}

export interface Package {
  /** Stable within one SBOM: used for dependency edges (bom-ref / SPDXID). */
  id: string;
  name: string;
  /** The full version as the ecosystem spells it (deb/rpm: [epoch:]version[-release]). */
  version: string;
  ecosystem: Ecosystem;
  purl: string;
  /** Declared licences (SPDX ids or expressions where the ecosystem gives them, else as written). */
  licenses: string[];
  /** Files that prove the package is there (database, manifest, binary, archive). */
  locations: string[];
  /** The layer that introduced the package (absent for rootfs scans with a single pseudo-layer). */
  layer?: LayerRef;
  /** OS packages: the source package they were built from. */
  source?: { name: string; version?: string };
  arch?: string;
  /** Language packages installed by an OS package (Debian's python3-*, lib*-java, Go binaries ...). */
  ownedBy?: OwnerRef;
  /** Package ids this package depends on, where the ecosystem records it. */
  dependsOn?: string[];
  /** Group/namespace for ecosystems that have one (maven groupId, npm scope, go module path prefix is in name). */
  namespace?: string;
  /** Free-form, ecosystem-specific facts (maintainer, installed size, go toolchain ...). */
  metadata?: Record<string, string | number | boolean | string[]>;
}

export interface ImageConfigSummary {
  architecture?: string;
  os?: string;
  variant?: string;
  created?: string;
  user?: string;
  env?: string[];
  cmd?: string[];
  entrypoint?: string[];
  workingDir?: string;
  labels?: Record<string, string>;
  exposedPorts?: string[];
  healthcheck?: unknown;
  stopSignal?: string;
}

export interface ImageInfo {
  /** The reference as the user gave it. */
  ref: string;
  /** Source kind: docker-archive, oci-archive, oci, docker-daemon, registry, rootfs. */
  sourceType: string;
  /** Digest of the manifest when there is one. */
  manifestDigest?: string;
  configDigest?: string;
  repoTags: string[];
  repoDigests: string[];
  config: ImageConfigSummary;
  /** The raw history entries (empty_layer ones included). */
  history: Array<{ created?: string; created_by?: string; comment?: string; empty_layer?: boolean }>;
}

export interface LayerSummary extends Layer {
  packagesAdded: number;
  packagesRemoved: number;
  files: number;
}

/** The SBOM of one image: what is in it and where each thing came from. */
export interface Inventory {
  schemaVersion: 1;
  image: ImageInfo;
  os?: OSInfo;
  layers: LayerSummary[];
  packages: Package[];
  /** Non-fatal problems met while reading (unreadable file, skipped oversized entry ...). */
  warnings: string[];
  scanner: { name: 'triad'; version: string };
  createdAt: string;
}
