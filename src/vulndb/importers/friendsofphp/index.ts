// The FriendsOfPHP importer: security-advisories' <vendor>/<package>/*.yaml. The same CVE filed for
// several Composer packages (a framework and its read-only subtree splits) is one advisory with
// several affected packages.

import type { Importer, ImportSink } from '../../importer.ts';
import { AdvisoryMerger } from '../lang-common/collect.ts';
import { detectPath, forEachFile } from '../lang-common/files.ts';
import { parseYamlText } from '../lang-common/yaml.ts';
import { parseFriendsOfPhp } from './parse.ts';

/** Advisory files; the walk already skips hidden directories (.github workflows are YAML too). */
function wanted(path: string): boolean {
  return /\.ya?ml$/i.test(path);
}

function looksLikeFriendsOfPhp(head: string): boolean {
  return /^reference:\s*['"]?composer:\/\//m.test(head) && /^branches:/m.test(head);
}

export async function importFriendsOfPhp(root: string, sink: ImportSink): Promise<void> {
  const merger = new AdvisoryMerger(sink);
  await forEachFile(root, sink, wanted, (file, text) => {
    merger.add(parseFriendsOfPhp(parseYamlText(text), file, (m) => sink.warn(file, m)), file);
  });
  merger.flush();
}

export const friendsOfPhpImporter: Importer = {
  name: 'friendsofphp',
  description: 'FriendsOfPHP security-advisories (Composer packages, YAML)',
  detect: (path) => detectPath(path, wanted, looksLikeFriendsOfPhp),
  import: importFriendsOfPhp,
  upstream: [
    { name: 'security-advisories', url: 'https://github.com/FriendsOfPHP/security-advisories/archive/refs/heads/master.tar.gz', kind: 'tar.gz' },
  ],
};
