// Wolfi and Chainguard OS: rolling distributions that publish Alpine's secdb format
// (security.json, no distroversion). Their advisories are stored under release "rolling": a rolling
// distribution has one package stream, and its os-release VERSION_ID is a build date, so matching
// must compare the family only (see the README).

import type { Importer } from '../../importer.ts';
import { anyFile } from '../os-common/files.ts';
import { importSecdbTree, looksLikeSecdb } from '../alpine/index.ts';

export const ROLLING_RELEASE = 'rolling';

function rollingImporter(family: string, name: string, description: string, urlprefix: RegExp, upstreamUrl: string): Importer {
  // The document's urlprefix/reponame says whose feed it is (both feeds are called security.json).
  const isOurs = (text: string) => !/"distroversion"|^distroversion:/m.test(text.slice(0, 8192)) && urlprefix.test(text.slice(0, 8192));
  return {
    name,
    description,
    detect(path) {
      return anyFile(path, (p) => /\.json$/i.test(p), (f) => looksLikeSecdb(f, urlprefix));
    },
    async import(path, sink) {
      await importSecdbTree(
        path,
        sink,
        name,
        { family, defaultRelease: ROLLING_RELEASE, link: (id) => `https://images.chainguard.dev/security/${id}` },
        (_file, text) => isOurs(text),
      );
    },
    upstream: [{ name: `${name}-security.json`, url: upstreamUrl, kind: 'file' }],
  };
}

export const wolfiImporter = rollingImporter(
  'wolfi',
  'wolfi',
  'Wolfi secdb (security.json): fixed apk versions of the rolling Wolfi OS',
  /packages\.wolfi\.dev/,
  'https://packages.wolfi.dev/os/security.json',
);

export const chainguardImporter = rollingImporter(
  'chainguard',
  'chainguard',
  'Chainguard OS secdb (security.json): fixed apk versions of the rolling Chainguard OS',
  /(packages|libraries)\.cgr\.dev/,
  'https://packages.cgr.dev/chainguard/security.json',
);
