// Test helper: runs an importer into memory and returns what it emitted.
import type { Advisory, EpssEntry, KevEntry } from '../model/advisory.ts';
import type { Importer } from './importer.ts';

export interface Collected {
  advisories: Advisory[];
  kev: KevEntry[];
  epss: EpssEntry[];
  /** "file: message" */
  warnings: string[];
}

export async function collect(importer: Importer, path: string): Promise<Collected> {
  const out: Collected = { advisories: [], kev: [], epss: [], warnings: [] };
  await importer.import(path, {
    advisory: (a) => void out.advisories.push(a),
    kev: (e) => void out.kev.push(e),
    epss: (e) => void out.epss.push(e),
    warn: (file, message) => void out.warnings.push(`${file}: ${message}`),
  });
  return out;
}
