// `triad db import`: which importer reads each path (detected, or named with --source), then one
// transaction per source, so a source's previous records are replaced atomically. A path no
// importer recognises is an error naming it; a directory of several datasets (like
// ../shared/data/advisories) is looked into, one level at a time.

import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Importer, ImportSink } from './importer.ts';
import { ALL_IMPORTERS } from './importers/index.ts';
import type { SourceCounts, SourceMeta, VulnDBWriter } from './writer.ts';

export interface ImportOptions {
  /** Use this importer for every path instead of detecting formats. */
  source?: string;
  importers?: readonly Importer[];
  /** Attribution per source name, stored with the source (the bundled snapshot uses it). */
  attribution?: (importer: string, paths: string[]) => SourceMeta['attribution'];
  /** Progress lines ("osv: 1234 advisories ..."). */
  log?: (line: string) => void;
}

export interface SourceResult {
  source: string;
  paths: string[];
  counts?: SourceCounts;
  /** Set when the source could not be imported (its previous records are kept). */
  error?: string;
}

export interface ImportResult {
  sources: SourceResult[];
  /** Paths (or directory entries) no importer recognised. */
  unrecognised: string[];
}

const MAX_DETECT_DEPTH = 2;

async function detectOne(path: string, importers: readonly Importer[]): Promise<Importer | undefined> {
  for (const imp of importers) {
    try {
      if (await imp.detect(path)) return imp;
    } catch {
      // a detector that fails on odd input just does not claim it
    }
  }
  return undefined;
}

const MAX_CHILDREN_PROBED = 64;

async function subdirectories(path: string): Promise<string[]> {
  const entries = await fs.readdir(path, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => join(path, e.name))
    .sort();
}

/**
 * Importer for `path`, or for entries below it when `path` is a collection of datasets. Some
 * detectors also claim a directory that merely contains their data somewhere below; so when the
 * subdirectories of `path` are claimed by two or more different importers, `path` is treated as
 * a collection and each subdirectory is planned on its own.
 */
async function detectTree(path: string, importers: readonly Importer[], depth: number, out: Map<Importer, string[]>, unrecognised: string[]): Promise<boolean> {
  const isDir = (await fs.stat(path).catch(() => undefined))?.isDirectory() ?? false;
  const children = isDir && depth < MAX_DETECT_DEPTH ? await subdirectories(path) : [];
  const childClaims = new Map<string, Importer | undefined>();
  if (children.length > 1) {
    for (const c of children.slice(0, MAX_CHILDREN_PROBED)) childClaims.set(c, await detectOne(c, importers));
  }
  const distinct = new Set([...childClaims.values()].filter(Boolean));
  const own = distinct.size >= 2 ? undefined : await detectOne(path, importers);
  if (own) {
    out.set(own, [...(out.get(own) ?? []), path]);
    return true;
  }
  let any = false;
  const missed: string[] = [];
  for (const c of children) {
    if (await detectTree(c, importers, depth + 1, out, unrecognised)) any = true;
    else missed.push(c);
  }
  if (any) unrecognised.push(...missed);
  return any;
}

/** Groups paths by the importer that reads them. Throws naming a path that does not exist or that nothing reads. */
export async function planImport(paths: readonly string[], opts: ImportOptions = {}): Promise<{ plan: Map<Importer, string[]>; unrecognised: string[] }> {
  const importers = opts.importers ?? ALL_IMPORTERS;
  const plan = new Map<Importer, string[]>();
  const unrecognised: string[] = [];
  let forced: Importer | undefined;
  if (opts.source) {
    forced = importers.find((i) => i.name === opts.source);
    if (!forced) throw new Error(`unknown source ${JSON.stringify(opts.source)} (known: ${importers.map((i) => i.name).join(', ')})`);
  }
  for (const p of paths) {
    if (!(await fs.stat(p).catch(() => undefined))) throw new Error(`${p}: no such file or directory`);
    if (forced) {
      plan.set(forced, [...(plan.get(forced) ?? []), p]);
      continue;
    }
    if (!(await detectTree(p, importers, 0, plan, unrecognised))) {
      throw new Error(`${p}: no importer recognises this format (known: ${importers.map((i) => i.name).join(', ')}; name one with --source)`);
    }
  }
  return { plan, unrecognised };
}

/** A sink whose calls never throw into the importer: a record the store rejects is a warning. */
export function guarded(sink: ImportSink, label: string): ImportSink {
  const guard =
    <T>(what: string, fn: (x: T) => void) =>
    (x: T): void => {
      try {
        fn(x);
      } catch (e) {
        sink.warn(label, `${what} not stored: ${(e as Error).message}`);
      }
    };
  return {
    advisory: guard('advisory', (a) => sink.advisory(a)),
    kev: guard('KEV entry', (e) => sink.kev(e)),
    epss: guard('EPSS entry', (e) => sink.epss(e)),
    warn: (file, message) => sink.warn(file, message),
  };
}

/** Imports a plan: one transaction per source; a failing source keeps its old records. */
export async function runImport(writer: VulnDBWriter, plan: Map<Importer, string[]>, opts: ImportOptions = {}): Promise<SourceResult[]> {
  const results: SourceResult[] = [];
  for (const [imp, paths] of plan) {
    const started = Date.now();
    try {
      const counts = await writer.replaceSource(
        { name: imp.name, description: imp.description, origin: paths, attribution: opts.attribution?.(imp.name, paths) },
        async (sink) => {
          for (const p of paths) await imp.import(p, guarded(sink, p));
        },
      );
      results.push({ source: imp.name, paths, counts });
      opts.log?.(`${imp.name}: ${counts.advisories} advisories, ${counts.affected} affected packages, ${counts.kev} KEV, ${counts.epss} EPSS, ${counts.warnings} warnings (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    } catch (e) {
      results.push({ source: imp.name, paths, error: (e as Error).message });
      opts.log?.(`${imp.name}: FAILED: ${(e as Error).message}`);
    }
  }
  return results;
}

export async function importPaths(writer: VulnDBWriter, paths: readonly string[], opts: ImportOptions = {}): Promise<ImportResult> {
  const { plan, unrecognised } = await planImport(paths, opts);
  for (const u of unrecognised) opts.log?.(`${u}: no importer recognises this; skipped`);
  return { sources: await runImport(writer, plan, opts), unrecognised };
}
