// Go binaries: any executable file may be one, so wants() accepts executables by mode (and .exe
// names, which Windows layers do not mark executable) and parse() rejects anything that is not
// ELF, PE or Mach-O after reading four bytes. The build info gives the exact module list
// the binary was linked from (what `go version -m` prints).
import type { Cataloger, FileContent, FileMeta, FileResult } from '../cataloger.ts';
import { detectExe, readExe } from '../binary/exe.ts';
import { isCandidateExecutable } from '../binary/executable.ts';
import { errorText, FormatError } from '../binary/source.ts';
import { readGoBuildInfo } from './buildinfo.ts';
import { goPackages } from './binary.ts';

/**
 * Only headers and the build info section are read (random access), so even very large programs
 * are cheap to parse; terraform-provider-aws alone is 700 MB.
 */
export const MAX_GO_BINARY = 1024 * 1024 * 1024;

export const goCataloger: Cataloger = {
  name: 'golang',
  ecosystems: ['golang'],
  wants(meta: FileMeta) {
    return isCandidateExecutable(meta) ? MAX_GO_BINARY : false;
  },
  async parse(meta: FileMeta, content: FileContent): Promise<FileResult> {
    const warnings: string[] = [];
    try {
      const format = await detectExe(content);
      if (!format) return {};
      const raw = await readGoBuildInfo(content, await readExe(content, format));
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
