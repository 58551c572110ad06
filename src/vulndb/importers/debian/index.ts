// Debian security tracker importer: the JSON export (per source package, per CVE, per release) and
// the DSA/DLA/CVE text lists of the tracker's repository. All of it speaks in source packages.

import { basename } from 'node:path';
import type { Importer, ImportSink } from '../../importer.ts';
import { AdvisoryCollector } from '../os-common/collect.ts';
import { anyFile, readHead, readJson, readText, walkFiles } from '../os-common/files.ts';
import { collectDebianJson } from './json-feed.ts';
import { collectTrackerList } from './text-lists.ts';

const LIST_NAMES = new Set(['list', 'DSA', 'DLA', 'CVE']);
const LIST_HEAD = /^(\[\d{1,2} [A-Z][a-z]{2} \d{4}\] (DSA|DLA)-\d|CVE-\d{4}-)/;
// {"<package>": {"CVE-…" (or TEMP-…): {…
const JSON_HEAD = /^\s*\{\s*"[a-z0-9][a-z0-9+.-]*"\s*:\s*\{\s*"(CVE|TEMP|DSA|DLA)-/;

function isListName(p: string): boolean {
  const b = basename(p);
  return LIST_NAMES.has(b) || b.endsWith('.list');
}

async function kindOf(file: string): Promise<'list' | 'json' | undefined> {
  if (isListName(file)) return LIST_HEAD.test((await readHead(file, 512)).replace(/^\s+/, '')) ? 'list' : undefined;
  if (/\.json$/i.test(file)) return JSON_HEAD.test(await readHead(file, 1024)) ? 'json' : undefined;
  return undefined;
}

export const debianImporter: Importer = {
  name: 'debian-tracker',
  description: 'Debian security tracker: JSON export and DSA/DLA/CVE lists; per-release fix states by source package',
  detect(path) {
    return anyFile(path, (p) => isListName(p) || /\.json$/i.test(p), async (f) => (await kindOf(f)) !== undefined);
  },
  async import(path, sink: ImportSink) {
    const out = new AdvisoryCollector('debian-tracker', sink);
    for await (const file of walkFiles(path, (p) => isListName(p) || /\.json$/i.test(p), sink)) {
      const kind = await kindOf(file);
      if (kind === 'list') {
        const text = await readText(file, sink);
        if (text !== undefined) collectTrackerList(text, file, out, sink);
      } else if (kind === 'json') {
        const doc = await readJson(file, sink);
        if (doc !== undefined) collectDebianJson(doc, file, out, sink);
      }
    }
    // A CVE entry with no package line (NOT-FOR-US, RESERVED, REJECTED) affects nothing in Debian.
    // DSA/DLA entries are kept even without package lines: they are published advisories.
    out.flush((a) => a.affected.length > 0 || !a.id.startsWith('CVE-'));
  },
  upstream: [
    { name: 'debian-tracker.json', url: 'https://security-tracker.debian.org/tracker/data/json', kind: 'file' },
    { name: 'debian-DSA-list', url: 'https://salsa.debian.org/security-tracker-team/security-tracker/-/raw/master/data/DSA/list', kind: 'file' },
    { name: 'debian-DLA-list', url: 'https://salsa.debian.org/security-tracker-team/security-tracker/-/raw/master/data/DLA/list', kind: 'file' },
  ],
};
