// Turns an image config blob (Docker/OCI image config JSON) and the manifest's layer descriptors into
// Triad's Layer list and ImageInfo, mapping history entries onto layers (empty_layer entries like ENV
// or CMD have no layer of their own).
import type { ImageConfigSummary, ImageInfo, Layer } from '../model/types.ts';

export interface LayerDescriptor {
  digest?: string;
  mediaType?: string;
  size?: number;
}

export interface RawConfig {
  architecture?: string;
  os?: string;
  variant?: string;
  created?: string;
  config?: {
    User?: string;
    Env?: string[] | null;
    Cmd?: string[] | null;
    Entrypoint?: string[] | null;
    WorkingDir?: string;
    Labels?: Record<string, string> | null;
    ExposedPorts?: Record<string, unknown> | null;
    Healthcheck?: unknown;
    StopSignal?: string;
  } | null;
  rootfs?: { type?: string; diff_ids?: string[] };
  history?: Array<{ created?: string; created_by?: string; comment?: string; empty_layer?: boolean }>;
}

export function parseConfig(text: string, label: string): RawConfig {
  let cfg: unknown;
  try {
    cfg = JSON.parse(text);
  } catch (e) {
    throw new Error(`${label}: image config is not valid JSON (${(e as Error).message})`);
  }
  if (!cfg || typeof cfg !== 'object' || Array.isArray(cfg)) throw new Error(`${label}: image config is not a JSON object`);
  const c = cfg as RawConfig;
  if (!c.rootfs || !Array.isArray(c.rootfs.diff_ids)) throw new Error(`${label}: image config has no rootfs.diff_ids`);
  for (const d of c.rootfs.diff_ids) {
    if (typeof d !== 'string' || !/^sha(256|512):[0-9a-f]+$/.test(d)) throw new Error(`${label}: invalid diff_id ${JSON.stringify(d)}`);
  }
  return c;
}

export function summarizeConfig(c: RawConfig): ImageConfigSummary {
  const k = c.config ?? {};
  const s: ImageConfigSummary = {
    architecture: c.architecture,
    os: c.os,
    variant: c.variant,
    created: c.created,
  };
  if (k.User) s.user = k.User;
  if (k.Env) s.env = k.Env;
  if (k.Cmd) s.cmd = k.Cmd;
  if (k.Entrypoint) s.entrypoint = k.Entrypoint;
  if (k.WorkingDir) s.workingDir = k.WorkingDir;
  if (k.Labels) s.labels = k.Labels;
  if (k.ExposedPorts) s.exposedPorts = Object.keys(k.ExposedPorts);
  if (k.Healthcheck) s.healthcheck = k.Healthcheck;
  if (k.StopSignal) s.stopSignal = k.StopSignal;
  return s;
}

/** Layers from config + descriptors; descriptors[i] belongs to diff_ids[i]. */
export function layersFromConfig(c: RawConfig, descriptors: LayerDescriptor[], label: string): Layer[] {
  const diffIDs = c.rootfs?.diff_ids ?? [];
  if (descriptors.length !== diffIDs.length) {
    throw new Error(`${label}: manifest lists ${descriptors.length} layers but the config has ${diffIDs.length} diff_ids`);
  }
  const history = (c.history ?? []).filter((h) => !h.empty_layer);
  // When history is shorter than the layer list (squashed or hand-made images), align from the top.
  const offset = diffIDs.length - history.length;
  return diffIDs.map((diffID, index) => {
    const h = index - offset >= 0 ? history[index - offset] : undefined;
    const d = descriptors[index]!;
    const layer: Layer = { index, diffID };
    if (d.digest) layer.digest = d.digest;
    if (d.mediaType) layer.mediaType = d.mediaType;
    if (d.size !== undefined) layer.size = d.size;
    if (h?.created_by) layer.createdBy = h.created_by;
    if (h?.comment) layer.comment = h.comment;
    if (h?.created) layer.created = h.created;
    return layer;
  });
}

export function imageInfo(ref: string, sourceType: string, c: RawConfig, extra: Partial<ImageInfo> = {}): ImageInfo {
  return {
    ref,
    sourceType,
    repoTags: [],
    repoDigests: [],
    config: summarizeConfig(c),
    history: c.history ?? [],
    ...extra,
  };
}

/** Media types Triad can read as layers. Foreign/non-distributable layers are readable too. */
export function isLayerMediaType(mt: string | undefined): boolean {
  if (!mt) return true;
  return /^application\/vnd\.(oci\.image\.layer\.(nondistributable\.)?v1\.tar(\+gzip|\+zstd)?|docker\.image\.rootfs\.(foreign\.)?diff\.tar(\.gzip)?)$/.test(mt);
}
