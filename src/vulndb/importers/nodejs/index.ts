// The Node.js security-wg importer: vuln/npm/<n>.json (npm modules) and vuln/core/<n>.json
// (Node.js itself). The index.json beside them repeats the same records and is not read.

import { basename } from 'node:path';
import type { Importer, ImportSink } from '../../importer.ts';
import { detectPath, forEachFile } from '../lang-common/files.ts';
import { SkipTally } from '../lang-common/tally.ts';
import { parseNodejs } from './parse.ts';

/** JSON under a vuln/ directory (npm/, core/, and deps/ whose skip is counted), except the index. */
function wanted(path: string): boolean {
  return /(^|[\\/])vuln[\\/](.+[\\/])?[^\\/]+\.json$/i.test(path) && !/(^|[\\/])index\.json$/i.test(path);
}

function looksLikeNodejs(head: string): boolean {
  return (/"module_name"\s*:/.test(head) && /"vulnerable_versions"\s*:/.test(head)) || (/"vulnerable"\s*:/.test(head) && /"patched"\s*:/.test(head));
}

export async function importNodejs(root: string, sink: ImportSink): Promise<void> {
  const tally = new SkipTally();
  await forEachFile(root, sink, wanted, (file, text) => {
    const n = basename(file).replace(/\.json$/i, '');
    const adv = parseNodejs(JSON.parse(text), n, { file, tally, warn: (m) => sink.warn(file, m) });
    if (adv) sink.advisory(adv);
  });
  tally.report(sink);
}

export const nodejsImporter: Importer = {
  name: 'nodejs-security-wg',
  description: 'Node.js security working group: npm module advisories and Node.js core advisories (JSON)',
  detect: (path) => detectPath(path, wanted, looksLikeNodejs),
  import: importNodejs,
  upstream: [{ name: 'security-wg', url: 'https://github.com/nodejs/security-wg/archive/refs/heads/main.tar.gz', kind: 'tar.gz' }],
};
