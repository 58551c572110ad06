// FIRST EPSS daily scores: CSV, plain or gzip, as published at epss_scores-YYYY-MM-DD.csv.gz:
//   #model_version:v2023.03.01,score_date:2025-02-20T00:00:00+0000
//   cve,epss,percentile
//   CVE-1999-0001,0.00383,0.73075
// Columns are found by header name; the comment line is optional (older files lack it).

import { basename } from 'node:path';
import type { EpssEntry } from '../../../model/advisory.ts';
import type { Importer, ImportSink } from '../../importer.ts';
import { isDirectory, readHead, readLines, walkFiles } from '../../feed-files.ts';

const CURRENT_URL = 'https://epss.empiricalsecurity.com/epss_scores-current.csv.gz';
const MAX_LINE = 4096;

function looksLikeEpss(head: string): boolean {
  const lines = head.split(/\r?\n/, 3);
  return /^#model_version:/.test(lines[0] ?? '') || /^cve,epss(,|$)/i.test(lines[0] ?? '');
}

/** The `score_date` (YYYY-MM-DD) of the comment line, if any. */
export function epssModelDate(comment: string): string | undefined {
  return /score_date:(\d{4}-\d{2}-\d{2})/.exec(comment)?.[1];
}

const NUMBER_RE = /^\d+(\.\d+)?([eE][-+]?\d+)?$/;

async function importFile(file: string, sink: ImportSink): Promise<void> {
  let date: string | undefined;
  let cols: { cve: number; epss: number; percentile: number } | undefined;
  let lineNo = 0;
  for await (const raw of readLines(file)) {
    lineNo++;
    const line = raw.trim();
    if (!line) continue;
    if (line.length > MAX_LINE) {
      sink.warn(`${file}:${lineNo}`, 'line too long; skipped');
      continue;
    }
    if (line.startsWith('#')) {
      date ??= epssModelDate(line);
      continue;
    }
    if (!cols) {
      const names = line.toLowerCase().split(',').map((s) => s.trim());
      const cve = names.indexOf('cve');
      const epss = names.indexOf('epss');
      const percentile = names.indexOf('percentile');
      if (cve < 0 || epss < 0 || percentile < 0) throw new Error(`${file}: not an EPSS CSV (header ${JSON.stringify(line.slice(0, 80))} lacks cve,epss,percentile)`);
      cols = { cve, epss, percentile };
      continue;
    }
    const f = line.split(',');
    const cve = f[cols.cve]?.trim() ?? '';
    const score = f[cols.epss]?.trim() ?? '';
    const pct = f[cols.percentile]?.trim() ?? '';
    if (!/^CVE-\d{4}-\d{4,}$/.test(cve) || !NUMBER_RE.test(score) || !NUMBER_RE.test(pct)) {
      sink.warn(`${file}:${lineNo}`, `malformed EPSS row ${JSON.stringify(line.slice(0, 80))}`);
      continue;
    }
    const entry: EpssEntry = { cve, score: Number(score), percentile: Number(pct), ...(date ? { date } : {}) };
    sink.epss(entry);
  }
  if (!cols) throw new Error(`${file}: not an EPSS CSV (no header line)`);
}

export const epssImporter: Importer = {
  name: 'epss',
  description: 'FIRST EPSS exploit prediction scores and percentiles by CVE',
  async detect(path) {
    if (await isDirectory(path)) {
      for await (const f of walkFiles(path, { maxDepth: 0, maxEntries: 200 })) {
        if (/^epss.*\.csv(\.gz)?$/i.test(basename(f)) && looksLikeEpss(await readHead(f))) return true;
      }
      return false;
    }
    return looksLikeEpss(await readHead(path));
  },
  async import(path, sink) {
    if (!(await isDirectory(path))) return importFile(path, sink);
    // A directory of daily files: the newest (by name) wins, older ones would only be overwritten.
    const files: string[] = [];
    for await (const f of walkFiles(path, { maxDepth: 1, maxEntries: 100_000 })) if (/\.csv(\.gz)?$/i.test(f) && looksLikeEpss(await readHead(f))) files.push(f);
    if (files.length === 0) throw new Error(`${path}: no EPSS CSV files`);
    await importFile(files.sort().at(-1)!, sink);
  },
  upstream: [{ name: 'epss_scores-current.csv.gz', url: CURRENT_URL, kind: 'file' }],
};
