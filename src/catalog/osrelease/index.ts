// OS identification. Every release file is parsed on its own into an OSInfo claim
// (FileResult.os); `identifyOS` (identify.ts) applies the precedence rules over the claims that
// survive in the final filesystem. The OS is not a package, so finalize yields none.
import type { Cataloger, FileContent, FileMeta, FileResult } from '../cataloger.ts';
import { RELEASE_FILES, parseReleaseFile } from './parse.ts';

export { identifyOS } from './identify.ts';

/** Release files are a few hundred bytes; anything bigger than this is not one. */
const MAX_RELEASE_FILE = 64 * 1024;

export const osReleaseCataloger: Cataloger = {
  name: 'os-release',
  ecosystems: [],

  wants(meta: FileMeta): number | false {
    return RELEASE_FILES.has(meta.path) ? MAX_RELEASE_FILE : false;
  },

  async parse(meta: FileMeta, content: FileContent): Promise<FileResult> {
    const kind = RELEASE_FILES.get(meta.path);
    if (!kind) return {};
    if (content.size > MAX_RELEASE_FILE) return { warnings: [`${meta.path}: ${content.size} bytes is too large for a release file, ignored`] };
    let text: string;
    try {
      text = (await content.readAll()).toString('utf8');
    } catch (e) {
      return { warnings: [`${meta.path}: unreadable: ${(e as Error).message}`] };
    }
    const os = parseReleaseFile(kind, text, meta.path);
    // An unrecognised release file is normal (redhat-release of a distro we do not know, an
    // os-release without ID); say so only for os-release, which every image is expected to have.
    if (!os) return kind === 'os-release' ? { warnings: [`${meta.path}: no ID, OS not identified from it`] } : {};
    return { os };
  },

  finalize() {
    return [];
  },
};
