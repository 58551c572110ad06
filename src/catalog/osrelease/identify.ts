// Decides which OS an image is from the per-file claims of the os-release cataloger.
//
// Precedence (documented in the cataloger's index.ts as well):
//  1. os-release decides the family: etc/os-release over usr/lib/os-release (os-release(5): etc/
//     overrides; when it is a symlink only usr/lib/os-release reaches us, which is the same file).
//     Name, pretty name, ID_LIKE and codename come from it.
//  2. A distribution's own release file may refine the version of that same family:
//       - alpine-release always wins: it is the full release ("3.14.2") that secdb matching needs.
//       - centos/redhat/oracle/rocky/alma/fedora-release win when they extend the os-release
//         VERSION_ID ("7" -> "7.9.2009", as Trivy reports CentOS); a file that disagrees is
//         ignored. Amazon's system-release does not refine: AL2023's build stamp
//         ("2023.3.20240219") is not a release advisories are issued against, VERSION_ID is.
//       - debian_version does NOT refine: Debian's version is VERSION_ID ("12"), not the point
//         release ("12.5"), which moves with every point release while the package set decides
//         vulnerabilities. It is only used when os-release has no VERSION_ID (testing/sid:
//         "trixie/sid").
//     A release file of another family is ignored (Ubuntu ships debian_version "bookworm/sid").
//  3. Without a usable os-release (CentOS 6, Oracle 6, SLES 11, very old Debian), the most specific
//     release file decides: vendor files (alpine, oracle, centos, rocky, alma, fedora, amazon's
//     system-release, SuSE) > redhat-release (Oracle 6 ships one claiming RHEL) > lsb-release >
//     debian_version (which Ubuntu also ships).
// An OS with an empty version is still returned: the family alone picks PURL namespaces.
import type { OSInfo } from '../../model/types.ts';
import type { ParsedFile } from '../cataloger.ts';
import { RELEASE_FILES } from './parse.ts';

/** Rank for step 3: lower wins. Paths not listed rank after everything. */
const FALLBACK_RANK: ReadonlyMap<string, number> = new Map([
  ['etc/alpine-release', 0],
  ['etc/oracle-release', 1],
  ['etc/centos-release', 2],
  ['etc/rocky-release', 3],
  ['etc/almalinux-release', 4],
  ['etc/fedora-release', 5],
  ['etc/system-release', 6],
  ['etc/SuSE-release', 7],
  ['etc/redhat-release', 8],
  ['etc/lsb-release', 9],
  ['etc/debian_version', 10],
]);

/** Release files allowed to replace os-release's version with a longer one of the same family. */
const REFINERS: readonly string[] = [
  'etc/centos-release',
  'etc/oracle-release',
  'etc/rocky-release',
  'etc/almalinux-release',
  'etc/redhat-release',
  'etc/fedora-release',
];

export function identifyOS(files: ParsedFile[]): OSInfo | undefined {
  const byPath = new Map<string, OSInfo>();
  for (const f of files) {
    const os = f.result?.os;
    if (os && RELEASE_FILES.has(f.meta.path) && typeof os.family === 'string' && os.family !== '') byPath.set(f.meta.path, os);
  }
  if (byPath.size === 0) return undefined;

  const base = byPath.get('etc/os-release') ?? byPath.get('usr/lib/os-release');
  if (!base) {
    let best: OSInfo | undefined;
    let bestRank = Infinity;
    for (const [path, os] of byPath) {
      const rank = FALLBACK_RANK.get(path) ?? 100;
      if (rank < bestRank) [best, bestRank] = [os, rank];
    }
    return best ? { ...best } : undefined;
  }

  const out: OSInfo = { ...base };
  const sameFamily = (path: string): OSInfo | undefined => {
    const o = byPath.get(path);
    return o && o.family === out.family && o.version !== '' ? o : undefined;
  };

  const alpine = sameFamily('etc/alpine-release');
  if (alpine) out.version = alpine.version;

  for (const path of REFINERS) {
    const o = sameFamily(path);
    if (!o) continue;
    if (out.version === '' || o.version.startsWith(out.version + '.')) {
      out.version = o.version;
      if (!out.codename && o.codename) out.codename = o.codename;
      break;
    }
  }

  if (out.version === '') {
    // Last resort for the version: whatever same-family file has one (debian_version on sid).
    for (const path of ['etc/lsb-release', 'etc/debian_version', 'etc/SuSE-release']) {
      const o = sameFamily(path);
      if (o) {
        out.version = o.version;
        if (!out.codename && o.codename) out.codename = o.codename;
        break;
      }
    }
  }
  return out;
}
