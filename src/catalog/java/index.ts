// Java archives (jar, war, ear and the plugin/deployment variants that are zips of jars): Maven
// packages from pom.properties, MANIFEST.MF and file names, nested archives included. Archives
// can be large, so the ZIP reader works on random access and never reads the whole file.
import type { Cataloger, FileContent, FileMeta, FileResult } from '../cataloger.ts';
import { errorText } from '../binary/source.ts';
import { scanJavaArchive } from './archive.ts';
import { isJavaArchive } from './metadata.ts';

export const MAX_JAVA_ARCHIVE = 512 * 1024 * 1024;

export const javaCataloger: Cataloger = {
  name: 'java',
  ecosystems: ['maven'],
  wants(meta: FileMeta) {
    // 22 bytes is the smallest possible zip (an empty one).
    return isJavaArchive(meta.path) && meta.size >= 22 ? MAX_JAVA_ARCHIVE : false;
  },
  async parse(meta: FileMeta, content: FileContent): Promise<FileResult> {
    try {
      const { packages, warnings } = await scanJavaArchive(content, meta.path);
      const r: FileResult = {};
      if (packages.length) r.packages = packages;
      if (warnings.length) r.warnings = warnings;
      return r;
    } catch (e) {
      return { warnings: [`${meta.path}: ${errorText(e)}`] };
    }
  },
};
