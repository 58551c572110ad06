// The RubySec importer: ruby-advisory-db's gems/<gem>/*.yml and rubies/<engine>/*.yml. One
// vulnerability filed against several gems (Rails' actionpack and activesupport) is one advisory
// with several affected packages.

import { basename } from 'node:path';
import type { Importer, ImportSink } from '../../importer.ts';
import { AdvisoryMerger } from '../lang-common/collect.ts';
import { detectPath, forEachFile } from '../lang-common/files.ts';
import { parseYamlText } from '../lang-common/yaml.ts';
import { parseRubysec } from './parse.ts';

/** Advisory files sit under gems/ or rubies/ (gems/<gem>/ in the repository; a lone file is taken as given). */
function wanted(path: string): boolean {
  return /(^|[\\/])(gems|rubies)[\\/](.+[\\/])?[^\\/]+\.ya?ml$/i.test(path);
}

function looksLikeRubysec(head: string): boolean {
  return /^(gem|engine):\s*\S/m.test(head) && /^(title|patched_versions|url|date):/m.test(head);
}

export async function importRubysec(root: string, sink: ImportSink): Promise<void> {
  const merger = new AdvisoryMerger(sink);
  await forEachFile(root, sink, wanted, (file, text) => {
    const stem = basename(file).replace(/\.ya?ml$/i, '');
    merger.add(parseRubysec(parseYamlText(text), stem, (m) => sink.warn(file, m)), file);
  });
  merger.flush();
}

export const rubysecImporter: Importer = {
  name: 'rubysec',
  description: 'RubySec ruby-advisory-db (gems and Ruby interpreters, YAML)',
  detect: (path) => detectPath(path, wanted, looksLikeRubysec),
  import: importRubysec,
  upstream: [{ name: 'ruby-advisory-db', url: 'https://github.com/rubysec/ruby-advisory-db/archive/refs/heads/master.tar.gz', kind: 'tar.gz' }],
};
