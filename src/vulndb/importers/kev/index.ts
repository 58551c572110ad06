// CISA Known Exploited Vulnerabilities: the JSON catalog ({catalogVersion, vulnerabilities:[...]}).
// Also accepts a single catalog entry or an array of entries, and directories of such files.

import { basename } from 'node:path';
import type { KevEntry } from '../../../model/advisory.ts';
import type { Importer, ImportSink } from '../../importer.ts';
import { isDirectory, readDocument, readHead, walkFiles } from '../../feed-files.ts';

const CATALOG_URL = 'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json';

function looksLikeKev(head: string): boolean {
  return /"cveID"\s*:\s*"/.test(head) && /"dateAdded"\s*:/.test(head);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

/** One catalog entry in the model, or a reason it is unusable. */
export function kevEntry(raw: unknown): KevEntry | string {
  if (!raw || typeof raw !== 'object') return 'entry is not an object';
  const r = raw as Record<string, unknown>;
  const cve = str(r.cveID);
  if (!cve) return 'entry without cveID';
  const dateAdded = str(r.dateAdded);
  if (!dateAdded) return `${cve}: no dateAdded`;
  const ransomware = str(r.knownRansomwareCampaignUse)?.toLowerCase();
  return {
    cve,
    dateAdded,
    ...(str(r.dueDate) ? { dueDate: str(r.dueDate) } : {}),
    ...(str(r.vendorProject) ? { vendor: str(r.vendorProject) } : {}),
    ...(str(r.product) ? { product: str(r.product) } : {}),
    ...(str(r.vulnerabilityName) ? { name: str(r.vulnerabilityName) } : {}),
    ...(ransomware === 'known' ? { knownRansomware: true } : ransomware === 'unknown' ? { knownRansomware: false } : {}),
  };
}

async function importFile(file: string, sink: ImportSink, strict: boolean): Promise<void> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readDocument(file));
  } catch (e) {
    if (strict) throw new Error(`${file}: not a KEV catalog: ${(e as Error).message}`);
    return sink.warn(file, `unreadable JSON: ${(e as Error).message}`);
  }
  const d = doc as Record<string, unknown> | unknown[] | null;
  let entries: unknown[];
  if (Array.isArray(d)) entries = d;
  else if (d && Array.isArray(d.vulnerabilities)) entries = d.vulnerabilities;
  else if (d && typeof d === 'object' && 'cveID' in d) entries = [d];
  else {
    if (strict) throw new Error(`${file}: not a KEV catalog (no "vulnerabilities" list)`);
    // JSON schemas and other documents that share a directory with the catalog
    if (!(d && typeof d === 'object' && '$schema' in d)) sink.warn(file, 'not a KEV catalog; skipped');
    return;
  }
  for (const raw of entries) {
    const e = kevEntry(raw);
    if (typeof e === 'string') sink.warn(file, e);
    else sink.kev(e);
  }
}

export const kevImporter: Importer = {
  name: 'kev',
  description: 'CISA Known Exploited Vulnerabilities catalog (KEV flag and due date by CVE)',
  async detect(path) {
    if (await isDirectory(path)) {
      for await (const f of walkFiles(path, { maxDepth: 0, maxEntries: 200 })) {
        if (basename(f).startsWith('known_exploited_vulnerabilities') && !f.includes('schema') && looksLikeKev(await readHead(f))) return true;
      }
      return false;
    }
    return looksLikeKev(await readHead(path, 8192));
  },
  async import(path, sink) {
    if (!(await isDirectory(path))) return importFile(path, sink, true);
    for await (const f of walkFiles(path)) {
      if (/\.json(\.gz)?$/.test(f)) await importFile(f, sink, false);
    }
  },
  upstream: [{ name: 'known_exploited_vulnerabilities.json', url: CATALOG_URL, kind: 'file' }],
};
