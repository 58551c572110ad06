// Go binaries: any executable file may be one, so wants() accepts executables by mode and parse()
// rejects non-ELF content after reading four bytes. The build info gives the exact module list
// the binary was linked from (what `go version -m` prints).
import type { Cataloger, FileContent, FileMeta, FileResult } from '../cataloger.ts';
import { isElf, readElf } from '../binary/elf.ts';
import { errorText, FormatError } from '../binary/source.ts';
import { readGoBuildInfo } from './buildinfo.ts';
import { goPackages } from './binary.ts';

export const MAX_GO_BINARY = 256 * 1024 * 1024;

/** Executables that are certainly scripts or data, whatever their mode says. */
const NOT_BINARY = /\.(sh|bash|py|pl|pm|rb|js|mjs|cjs|ts|lua|php|txt|md|json|ya?ml|xml|html?|css|conf|cfg|ini|pem|crt|jar|war|zip|gz|tgz|xz|bz2|zst|png|jpe?g|gif|svg)$/i;

export function isCandidateExecutable(meta: FileMeta): boolean {
  return (meta.mode & 0o111) !== 0 && meta.size >= 64 && !NOT_BINARY.test(meta.path);
}

export const goCataloger: Cataloger = {
  name: 'golang',
  ecosystems: ['golang'],
  wants(meta: FileMeta) {
    return isCandidateExecutable(meta) ? MAX_GO_BINARY : false;
  },
  async parse(meta: FileMeta, content: FileContent): Promise<FileResult> {
    const warnings: string[] = [];
    try {
      if (!(await isElf(content))) return {};
      const elf = await readElf(content);
      const raw = await readGoBuildInfo(content, elf);
      if (!raw) return {};
      const packages = goPackages(meta.path, raw, warnings);
      return warnings.length ? { packages, warnings } : { packages };
    } catch (e) {
      // Malformed ELF or build info: report it only when the file claimed to be Go.
      if (e instanceof FormatError && /Go build info|Go string/.test(e.message)) return { warnings: [`${meta.path}: ${e.message}`] };
      if (e instanceof FormatError) return {};
      return { warnings: [`${meta.path}: ${errorText(e)}`] };
    }
  },
};
