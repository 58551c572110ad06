// A sink that keeps everything in memory: what the importers' tests inspect.

import type { Advisory, EpssEntry, KevEntry } from '../../../model/advisory.ts';
import type { ImportSink } from '../../importer.ts';

export interface MemorySink extends ImportSink {
  advisories: Advisory[];
  warnings: Array<{ file: string; message: string }>;
  byId(id: string): Advisory | undefined;
}

export function memorySink(): MemorySink {
  const advisories: Advisory[] = [];
  const warnings: Array<{ file: string; message: string }> = [];
  return {
    advisories,
    warnings,
    advisory(a: Advisory) {
      advisories.push(a);
    },
    kev(_e: KevEntry) {},
    epss(_e: EpssEntry) {},
    warn(file: string, message: string) {
      warnings.push({ file, message });
    },
    byId(id: string) {
      return advisories.find((a) => a.id === id);
    },
  };
}
