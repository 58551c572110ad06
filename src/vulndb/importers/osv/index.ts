// The OSV importer: OSV records as JSON or YAML files, one record per file (Go vulndb's data/osv,
// PyPA's vulns/<package>/*.yaml, GitHub's advisory-database, osv.dev's per-ecosystem all.zip once
// unpacked) or a list of records per file (osv.dev API responses).

import type { Importer, ImportSink } from '../../importer.ts';
import { detectPath, forEachFile } from '../lang-common/files.ts';
import { SkipTally } from '../lang-common/tally.ts';
import { parseYamlText } from '../lang-common/yaml.ts';
import { osvToAdvisory, recordsOf } from './parse.ts';

const WANT = /\.(json|ya?ml)$/i;

function wanted(path: string): boolean {
  return WANT.test(path);
}

/** Parses a file's text by its extension (YAML keeps every scalar a string). */
export function parseOsvText(path: string, text: string): unknown {
  if (/\.json$/i.test(path)) return JSON.parse(text);
  return parseYamlText(text);
}

function looksLikeOsv(head: string, path: string): boolean {
  if (/\.json$/i.test(path)) return /"id"\s*:/.test(head) && /"(affected|modified|schema_version)"\s*:/.test(head);
  if (/\.ya?ml$/i.test(path)) return /^id:\s*\S/m.test(head) && /^(affected|modified|schema_version):/m.test(head);
  return false;
}

/** Imports every OSV record under `root` into `sink`. Exported for tests and other importers. */
export async function importOsv(root: string, sink: ImportSink): Promise<void> {
  const tally = new SkipTally();
  await forEachFile(root, sink, wanted, (file, text) => {
    const records = recordsOf(parseOsvText(file, text));
    for (const rec of records) {
      const adv = osvToAdvisory(rec, { file, tally, warn: (m) => sink.warn(file, m) });
      if (adv) sink.advisory(adv);
    }
  });
  tally.report(sink);
}

const OSV_BUCKET = 'https://osv-vulnerabilities.storage.googleapis.com';

export const osvImporter: Importer = {
  name: 'osv',
  description: 'OSV records (JSON/YAML): GitHub advisories, Go vulndb, PyPA and every osv.dev ecosystem export',
  detect: (path) => detectPath(path, wanted, looksLikeOsv),
  import: importOsv,
  // osv.dev's per-ecosystem exports (GHSA, PYSEC, GO, RUSTSEC ... records), one zip each.
  upstream: ['npm', 'PyPI', 'Go', 'Maven', 'crates.io', 'RubyGems', 'Packagist', 'NuGet'].map((eco) => ({
    name: `osv-${eco}`,
    url: `${OSV_BUCKET}/${encodeURIComponent(eco)}/all.zip`,
    kind: 'zip' as const,
  })),
};
