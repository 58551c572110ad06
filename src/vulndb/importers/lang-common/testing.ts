// Test helpers shared by the language-advisory importers' tests: a sink that keeps everything.

import type { Advisory, EpssEntry, KevEntry } from '../../../model/advisory.ts';
import type { Importer, ImportSink } from '../../importer.ts';

export interface Collected extends ImportSink {
  advisories: Advisory[];
  warnings: Array<{ file: string; message: string }>;
  byId(id: string): Advisory;
}

export function collectingSink(): Collected {
  const advisories: Advisory[] = [];
  const warnings: Array<{ file: string; message: string }> = [];
  return {
    advisories,
    warnings,
    advisory: (a: Advisory) => void advisories.push(structuredClone(a)),
    kev: (_e: KevEntry) => undefined,
    epss: (_e: EpssEntry) => undefined,
    warn: (file: string, message: string) => void warnings.push({ file, message }),
    byId(id: string): Advisory {
      const found = advisories.filter((a) => a.id === id);
      if (found.length !== 1) throw new Error(`${found.length} advisories with id ${id}`);
      return found[0]!;
    },
  };
}

/** Runs an importer on `path` and returns everything it emitted. */
export async function runImporter(importer: Importer, path: string): Promise<Collected> {
  const sink = collectingSink();
  await importer.import(path, sink);
  return sink;
}
