// `triad db update`: downloads each selected importer's upstream artefacts (conditionally, into a
// temporary directory), re-imports the sources whose data changed into a NEW database file built
// from the current one, and renames it over the old. A source whose download or import fails keeps
// its previous records; a killed update leaves the old database as it was.

import { existsSync, promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Importer, UpstreamSource } from '../importer.ts';
import { guarded } from '../import.ts';
import { ALL_IMPORTERS } from '../importers/index.ts';
import { openDatabase } from '../store.ts';
import { rebuildDatabase } from '../rebuild.ts';
import { download, type FetchOptions, type FetchResult, mirrorURL, type Validators } from './fetch.ts';
import { prepareArtefact } from './extract.ts';

export interface UpdateOptions {
  dbPath: string;
  /** Where downloads are kept between updates (for conditional requests). */
  cacheDir: string;
  /** Importer names to update (default: every importer with upstream URLs). */
  sources?: string[];
  /** Base URL replacing every upstream host (see mirrorURL). */
  mirror?: string;
  importers?: readonly Importer[];
  fetch?: Omit<FetchOptions, 'validators' | 'log'>;
  log?: (line: string) => void;
}

export type SourceUpdate = { source: string } & (
  | { status: 'updated'; advisories: number; kev: number; epss: number; warnings: number }
  | { status: 'up-to-date' }
  | { status: 'failed'; error: string }
);

interface Fetched {
  up: UpstreamSource;
  url: string;
  result: FetchResult;
  /** The artefact to import: the fresh download or the cached copy. */
  file: string;
  /** Fresh downloads are moved into the cache after a successful update. */
  fresh?: string;
}

function selectImporters(all: readonly Importer[], names?: string[]): Importer[] {
  const withUpstream = all.filter((i) => i.upstream && i.upstream.length > 0);
  if (!names || names.length === 0) return withUpstream;
  return names.map((n) => {
    const imp = all.find((i) => i.name === n);
    if (!imp) throw new Error(`unknown source ${JSON.stringify(n)} (known: ${all.map((i) => i.name).join(', ')})`);
    if (!imp.upstream?.length) throw new Error(`source ${n} has no upstream download; use \`triad db import\``);
    return imp;
  });
}

/** Validators recorded by the last update, per "source\0name". */
function recordedValidators(dbPath: string): Map<string, Validators & { url: string }> {
  const out = new Map<string, Validators & { url: string }>();
  if (!existsSync(dbPath)) return out;
  try {
    const db = openDatabase(dbPath, { readonly: true });
    try {
      for (const r of db.prepare('SELECT source, name, url, etag, last_modified FROM upstreams').all() as Array<Record<string, string | null>>) {
        out.set(`${r.source}\0${r.name}`, { url: r.url!, ...(r.etag ? { etag: r.etag } : {}), ...(r.last_modified ? { lastModified: r.last_modified } : {}) });
      }
    } finally {
      db.close();
    }
  } catch {
    // an unreadable database: everything is downloaded again
  }
  return out;
}

function hasSource(dbPath: string, name: string): boolean {
  if (!existsSync(dbPath)) return false;
  try {
    const db = openDatabase(dbPath, { readonly: true });
    try {
      return !!db.prepare('SELECT 1 FROM sources WHERE name = ?').get(name);
    } finally {
      db.close();
    }
  } catch {
    return false;
  }
}

class NothingToSwap extends Error {}

/** Work directories of updates whose process is gone (killed midway). */
async function removeStaleWorkDirs(dir: string): Promise<void> {
  for (const n of await fs.readdir(dir).catch(() => [] as string[])) {
    const pid = Number(/^\.update-(\d+)-/.exec(n)?.[1]);
    if (!pid || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') await fs.rm(join(dir, n), { recursive: true, force: true });
    }
  }
}

const safeName = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');

export async function updateDatabase(opts: UpdateOptions): Promise<SourceUpdate[]> {
  const log = opts.log ?? (() => {});
  const selected = selectImporters(opts.importers ?? ALL_IMPORTERS, opts.sources);
  const recorded = recordedValidators(opts.dbPath);
  const downloads = join(opts.cacheDir, 'downloads');
  await fs.mkdir(opts.cacheDir, { recursive: true });
  await removeStaleWorkDirs(opts.cacheDir);
  const work = await fs.mkdtemp(join(opts.cacheDir, `.update-${process.pid}-`));
  const results: SourceUpdate[] = [];
  try {
    // 1. Downloads, conditional on what we already have.
    const toImport = new Map<Importer, Fetched[]>();
    for (const imp of selected) {
      const fetched: Fetched[] = [];
      try {
        await fs.mkdir(join(work, safeName(imp.name)), { recursive: true });
        for (const up of imp.upstream!) {
          const url = mirrorURL(up.url, opts.mirror);
          const cached = join(downloads, safeName(imp.name), safeName(up.name));
          const prev = recorded.get(`${imp.name}\0${up.name}`);
          const validators = existsSync(cached) && prev?.url === url ? prev : undefined;
          const dest = join(work, safeName(imp.name), safeName(up.name));
          log(`${imp.name}: fetching ${url}`);
          const result = await download(url, dest, { ...opts.fetch, ...(validators ? { validators } : {}), log });
          fetched.push(result.status === 'fresh' ? { up, url, result, file: dest, fresh: dest } : { up, url, result, file: cached });
        }
      } catch (e) {
        results.push({ source: imp.name, status: 'failed', error: (e as Error).message });
        log(`${imp.name}: FAILED: ${(e as Error).message}`);
        continue;
      }
      if (fetched.every((f) => f.result.status === 'not-modified') && hasSource(opts.dbPath, imp.name)) {
        results.push({ source: imp.name, status: 'up-to-date' });
        log(`${imp.name}: up to date`);
        continue;
      }
      toImport.set(imp, fetched);
    }
    const inOrder = () => selected.flatMap((imp) => results.filter((r) => r.source === imp.name));
    if (toImport.size === 0) return inOrder();

    // 2. One new database with every changed source re-imported, swapped in at the end.
    const succeeded: Importer[] = [];
    await rebuildDatabase(
      opts.dbPath,
      async (writer) => {
        for (const [imp, fetched] of toImport) {
          try {
            const paths: string[] = [];
            for (const f of fetched) paths.push(await prepareArtefact(f.up, f.file, join(work, safeName(imp.name))));
            const counts = await writer.replaceSource(
              { name: imp.name, description: imp.description, origin: fetched.map((f) => f.url) },
              async (sink) => {
                for (const p of paths) await imp.import(p, guarded(sink, p));
              },
              { requireRecords: true },
            );
            for (const f of fetched) {
              const bytes = f.result.status === 'fresh' ? f.result.bytes : undefined;
              writer.recordUpstream(imp.name, f.up.name, f.url, { etag: f.result.etag, lastModified: f.result.lastModified, bytes });
            }
            succeeded.push(imp);
            results.push({ source: imp.name, status: 'updated', advisories: counts.advisories, kev: counts.kev, epss: counts.epss, warnings: counts.warnings });
            log(`${imp.name}: ${counts.advisories} advisories, ${counts.kev} KEV, ${counts.epss} EPSS, ${counts.warnings} warnings`);
          } catch (e) {
            results.push({ source: imp.name, status: 'failed', error: (e as Error).message });
            log(`${imp.name}: FAILED: ${(e as Error).message}`);
          }
        }
        // Nothing changed: no need to replace the file.
        if (succeeded.length === 0) throw new NothingToSwap();
      },
      { log },
    ).catch((e) => {
      if (!(e instanceof NothingToSwap)) throw e;
    });

    // 3. Keep the fresh downloads for the next conditional request.
    for (const imp of succeeded) {
      for (const f of toImport.get(imp)!) {
        if (!f.fresh) continue;
        const cached = join(downloads, safeName(imp.name), safeName(f.up.name));
        await fs.mkdir(join(downloads, safeName(imp.name)), { recursive: true });
        await fs.rename(f.fresh, cached).catch(() => fs.copyFile(f.fresh!, cached));
      }
    }
    return inOrder();
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}
