// Alpine secdb importer: every {main,community}.{json,yaml} of every release under a directory
// (the layout of secdb.alpinelinux.org and of the old alpine-secdb repository), or one such file.

import { basename } from 'node:path';
import type { Importer, ImportSink, UpstreamSource } from '../../importer.ts';
import { AdvisoryCollector } from '../os-common/collect.ts';
import { anyFile, readHead, readText, walkFiles } from '../os-common/files.ts';
import { collectSecdb, parseSecdbText, type SecdbOptions } from './secdb.ts';

const SECDB_FILE = /\.(json|ya?ml)$/i;

/** Is this file a secdb document? Looks at its first bytes only. */
export async function looksLikeSecdb(file: string, needle?: RegExp): Promise<boolean> {
  if (!SECDB_FILE.test(file)) return false;
  const head = await readHead(file, 8192);
  if (!/\bpackages\b/.test(head) || !/\b(secfixes|apkurl|distroversion)\b/.test(head)) return false;
  return needle ? needle.test(head) : true;
}

/** Imports secdb documents under `path` with the given options. Shared by wolfi and chainguard. */
export async function importSecdbTree(
  path: string,
  sink: ImportSink,
  source: string,
  opts: SecdbOptions,
  accept: (file: string, text: string) => boolean,
): Promise<void> {
  const out = new AdvisoryCollector(source, sink);
  for await (const file of walkFiles(path, (p) => SECDB_FILE.test(p), sink)) {
    const text = await readText(file, sink);
    if (text === undefined || !accept(file, text)) continue;
    const doc = parseSecdbText(text, file, sink);
    if (doc !== undefined) collectSecdb(doc, file, opts, out, sink);
  }
  out.flush();
}

/** Alpine documents say which release they are; wolfi/chainguard ones have no distroversion. */
function isAlpineDocument(text: string): boolean {
  return /distroversion/.test(text.slice(0, 8192)) && /secfixes|packages/.test(text);
}

const ALPINE_RELEASES = ['3.12', '3.13', '3.14', '3.15', '3.16', '3.17', '3.18', '3.19', '3.20', '3.21', '3.22', 'edge'];

export const alpineImporter: Importer = {
  name: 'alpine-secdb',
  description: 'Alpine Linux secdb (secfixes of aports): fixed apk versions per release, by origin package',
  async detect(path) {
    return anyFile(path, (p) => SECDB_FILE.test(p) && basename(p) !== 'security.json', (f) => looksLikeSecdb(f, /distroversion/));
  },
  async import(path, sink) {
    await importSecdbTree(
      path,
      sink,
      'alpine-secdb',
      { family: 'alpine', link: (id) => `https://security.alpinelinux.org/vuln/${id}` },
      (_file, text) => isAlpineDocument(text),
    );
  },
  upstream: ALPINE_RELEASES.flatMap((rel): UpstreamSource[] => {
    const dir = rel === 'edge' ? 'edge' : `v${rel}`;
    return ['main', 'community'].map((repo) => ({
      name: `alpine-${dir}-${repo}.json`,
      url: `https://secdb.alpinelinux.org/${dir}/${repo}.json`,
      kind: 'file' as const,
    }));
  }),
};
