// NVD CVE API 2.0 JSON, for CVSS enrichment only (never CPE matching). Accepts API response pages
// ({format: "NVD_CVE", vulnerabilities: [{cve}]}), single CVE objects as mirrored one file per CVE
// (aquasecurity/vuln-list-nvd, fkie-cad/nvd-json-data-feeds), and directory trees of either, plain
// or gzip.

import { basename } from 'node:path';
import type { Importer, ImportSink } from '../../importer.ts';
import { isDirectory, readDocument, readHead, walkFiles } from '../../feed-files.ts';
import { nvdAdvisory } from './cve.ts';

/** A mirror of the NVD API as one CVE JSON file per CVE (what Trivy's DB builder reads). */
const MIRROR_URL = 'https://github.com/aquasecurity/vuln-list-nvd/archive/refs/heads/main.tar.gz';

function looksLikeNvd(head: string): boolean {
  if (/"format"\s*:\s*"NVD_CVE"/.test(head)) return true;
  return /"id"\s*:\s*"CVE-\d{4}-\d+"/.test(head) && /"(sourceIdentifier|vulnStatus|descriptions)"\s*:/.test(head);
}

function cveObjects(doc: unknown): unknown[] | undefined {
  if (!doc || typeof doc !== 'object') return undefined;
  const d = doc as Record<string, unknown>;
  if (Array.isArray(d.vulnerabilities)) return d.vulnerabilities.map((v) => (v as { cve?: unknown })?.cve ?? v);
  if (typeof d.id === 'string') return [d];
  // anchore/vunnel's stored records wrap the object: {identifier, item: {cve}}
  const item = d.item as { cve?: unknown } | undefined;
  if (item?.cve) return [item.cve];
  return undefined;
}

async function importFile(file: string, sink: ImportSink, strict: boolean): Promise<void> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readDocument(file));
  } catch (e) {
    if (strict) throw new Error(`${file}: not NVD CVE JSON: ${(e as Error).message}`);
    return sink.warn(file, `unreadable JSON: ${(e as Error).message}`);
  }
  const list = cveObjects(doc);
  if (!list) {
    if (strict) throw new Error(`${file}: not NVD CVE JSON (neither an API 2.0 page nor a CVE object)`);
    return sink.warn(file, 'not an NVD CVE record; skipped');
  }
  for (const c of list) {
    const a = nvdAdvisory(c);
    if (typeof a === 'string') sink.warn(file, a);
    else sink.advisory(a);
  }
}

export const nvdImporter: Importer = {
  name: 'nvd',
  description: 'NVD CVE API 2.0: CVSS v2/v3/v4 by CVE (enrichment only, no CPE matching)',
  async detect(path) {
    if (await isDirectory(path)) {
      for await (const f of walkFiles(path, { maxDepth: 4, maxEntries: 100 })) {
        if (/\.json(\.gz)?$/.test(f)) return looksLikeNvd(await readHead(f, 16384));
      }
      return false;
    }
    return looksLikeNvd(await readHead(path, 16384));
  },
  async import(path, sink) {
    if (!(await isDirectory(path))) return importFile(path, sink, true);
    for await (const f of walkFiles(path)) {
      if (/\.json(\.gz)?$/.test(f) && basename(f) !== 'package.json') await importFile(f, sink, false);
    }
  },
  upstream: [{ name: 'vuln-list-nvd.tar.gz', url: MIRROR_URL, kind: 'tar.gz' }],
};
