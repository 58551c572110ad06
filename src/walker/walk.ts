// Reads every layer of an image exactly once, in parallel, and hands each regular file to the
// catalogers that asked for it. What it keeps per layer is small: the entry list (for the squashed
// view and the layer table), the whiteouts, and each cataloger's parse result per wanted file.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cataloger, FileMeta, FileResult } from '../catalog/cataloger.ts';
import { whiteoutTarget } from '../image/paths.ts';
import { ImageInputError, type EntryType, type ImageSource, type LayerEntry } from '../image/source.ts';
import { BufferContent, collect, MemoryBudget, TempFileContent } from './content.ts';

export interface FileRecord {
  type: EntryType;
  size: number;
  mode: number;
  linkname?: string;
}

export interface LayerRecord {
  index: number;
  /** path -> entry (the last occurrence in the layer wins, as when a tar is applied). */
  entries: Map<string, FileRecord>;
  /** Paths deleted by `.wh.` files in this layer. */
  whiteouts: string[];
  /** Directories whose lower content this layer hides (opaque whiteouts). */
  opaqueDirs: string[];
  /** path -> cataloger name -> result. */
  parsed: Map<string, Map<string, FileResult>>;
  bytes: number;
  warnings: string[];
}

export interface WalkOptions {
  /** Layers read at once (each decompresses on its own thread-pool thread). */
  concurrency?: number;
  /** Files up to this size are handed to catalogers from memory; larger ones via a temp file. */
  memoryLimit?: number;
  /** Bytes of file content held in memory at once across all layers in flight (default 48 MiB). */
  memoryBudget?: number;
  onLayerStart?(index: number): void;
  onLayerProgress?(index: number, bytes: number): void;
  onLayerDone?(index: number, rec: LayerRecord): void;
}

export async function walkImage(source: ImageSource, catalogers: readonly Cataloger[], opts: WalkOptions = {}): Promise<LayerRecord[]> {
  const concurrency = Math.max(1, opts.concurrency ?? 4);
  const memoryLimit = opts.memoryLimit ?? 32 * 1024 * 1024;
  const budget = new MemoryBudget(Math.max(memoryLimit, opts.memoryBudget ?? 48 * 1024 * 1024));
  let tmp: string | undefined;
  const tmpDir = async () => (tmp ??= await mkdtemp(join(tmpdir(), 'triad-walk-')));
  const records: LayerRecord[] = new Array(source.layers.length);
  let next = 0;
  const worker = async () => {
    while (next < source.layers.length) {
      const i = next++;
      opts.onLayerStart?.(i);
      records[i] = await walkLayer(source, i, catalogers, { memoryLimit, budget, tmpDir }, opts);
      opts.onLayerDone?.(i, records[i]!);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, source.layers.length) }, worker));
  } finally {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  }
  return records;
}

async function walkLayer(
  source: ImageSource,
  index: number,
  catalogers: readonly Cataloger[],
  mem: { memoryLimit: number; budget: MemoryBudget; tmpDir: () => Promise<string> },
  opts: WalkOptions,
): Promise<LayerRecord> {
  const rec: LayerRecord = { index, entries: new Map(), whiteouts: [], opaqueDirs: [], parsed: new Map(), bytes: 0, warnings: [] };
  const hardlinks: Array<{ path: string; target: string; meta: FileMeta }> = [];
  let seen = 0;
  const visit = async (e: LayerEntry, body: AsyncIterable<Buffer> | null) => {
    if (e.path === '') return;
    const wo = whiteoutTarget(e.path);
    if (wo) {
      if (wo.opaqueDir !== undefined) rec.opaqueDirs.push(wo.opaqueDir);
      else if (wo.path) rec.whiteouts.push(wo.path);
      return;
    }
    const fr: FileRecord = { type: e.type, size: e.size, mode: e.mode };
    if (e.linkname !== undefined) fr.linkname = e.linkname;
    rec.entries.set(e.path, fr);
    seen += e.size;
    if (opts.onLayerProgress && (rec.entries.size & 255) === 0) opts.onLayerProgress(index, seen);
    if (e.type === 'hardlink') {
      // The content was the link target's; reuse what catalogers made of it after the walk.
      hardlinks.push({ path: e.path, target: e.linkname ?? '', meta: { path: e.path, size: 0, mode: e.mode } });
      return;
    }
    if (e.type !== 'file' || (!body && !e.hostPath)) return;
    const meta: FileMeta = { path: e.path, size: e.size, mode: e.mode };
    let want: Array<{ c: Cataloger; limit: number }> | undefined;
    for (const c of catalogers) {
      const limit = c.wants(meta);
      if (limit && e.size <= limit) (want ??= []).push({ c, limit });
    }
    if (!want) return;
    let content;
    try {
      if (e.hostPath) content = e.size > 64 * 1024 ? new TempFileContent(e.hostPath, e.size, false) : new BufferContent(await readFile(e.hostPath));
      else content = await collect(body!, e.size, mem.memoryLimit, mem.tmpDir, mem.budget);
    } catch (err) {
      rec.warnings.push(`layer ${index}: ${e.path}: ${(err as Error).message}`);
      return;
    }
    try {
      for (const { c } of want) {
        let result: FileResult;
        try {
          result = await c.parse(meta, content);
        } catch (err) {
          // A cataloger bug on one file must not sink the scan; it shows up as a warning.
          rec.warnings.push(`layer ${index}: ${e.path}: ${c.name}: ${(err as Error).message}`);
          continue;
        }
        if (result.warnings?.length) rec.warnings.push(...result.warnings.map((w) => `layer ${index}: ${e.path}: ${w}`));
        let m = rec.parsed.get(e.path);
        if (!m) rec.parsed.set(e.path, (m = new Map()));
        m.set(c.name, result);
      }
    } finally {
      if (content instanceof TempFileContent) await content.dispose();
      else if (!e.hostPath) mem.budget.release(e.size);
    }
  };
  let stats;
  try {
    stats = await source.readLayer(index, visit);
  } catch (e) {
    // Whatever breaks while streaming a layer is the layer's fault (corrupt, truncated, bomb, bad
    // digest): report it as unusable input naming the image and the layer.
    if (e instanceof ImageInputError) throw e;
    const ref = source.info.ref;
    const msg = (e as Error).message;
    throw new ImageInputError(ref, msg.startsWith(ref) ? msg.slice(ref.length).replace(/^:\s*/, '') : `layer ${index}: ${msg}`);
  }
  rec.bytes = stats.bytes;
  for (const h of hardlinks) {
    const target = rec.parsed.get(h.target);
    if (!target) continue;
    const copy = new Map<string, FileResult>();
    for (const [name, r] of target) copy.set(name, relocate(r, h.target, h.path));
    rec.parsed.set(h.path, copy);
  }
  return rec;
}

/** A hard link's packages are the target's, found at the link's own path. */
function relocate(r: FileResult, from: string, to: string): FileResult {
  if (!r.packages) return r;
  return {
    ...r,
    packages: r.packages.map((p) => ({
      ...p,
      locations: p.locations?.map((l) => (l === from ? to : l.startsWith(from + '!') ? to + l.slice(from.length) : l)),
    })),
  };
}
