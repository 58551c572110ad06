// CBL-Mariner / Azure Linux "distroless" images carry no rpm database, only a text listing written at
// image build time, var/lib/rpmmanifest/container-manifest-2. Each line is the output of
//   rpm -qa --qf '%{NAME}\t%{VERSION}-%{RELEASE}\t%{INSTALLTIME}\t%{BUILDTIME}\t%{VENDOR}\t%{EPOCH}\t%{SIZE}\t%{ARCH}\t%{EPOCHNUM}\t%{SOURCERPM}\n'
// (the format documented by the Azure Linux toolkit), with "(none)" for unset tags. It has no file
// lists, licences or dependencies, so packages read from it carry only what the line says.
import type { RpmPackageRecord } from './header.ts';

const NONE = '(none)';

const opt = (s: string | undefined): string | undefined => (s === undefined || s === '' || s === NONE ? undefined : s);

export function parseRpmManifest(text: string, warnings: string[]): RpmPackageRecord[] {
  const out: RpmPackageRecord[] = [];
  let lineNo = 0;
  for (const raw of text.split('\n')) {
    lineNo++;
    const line = raw.replace(/\r$/, '');
    if (!line.trim()) continue;
    const f = line.split('\t');
    const name = f[0];
    const evr = f[1] ?? '';
    // Version and release cannot contain '-', so the last one separates them.
    const dash = evr.lastIndexOf('-');
    if (!name || dash <= 0 || dash === evr.length - 1) {
      warnings.push(`line ${lineNo}: not a "name<TAB>version-release..." entry`);
      continue;
    }
    const rec: RpmPackageRecord = { name, version: evr.slice(0, dash), release: evr.slice(dash + 1), files: [], provides: [], requires: [] };
    const epoch = opt(f[8]) ?? opt(f[5]);
    if (epoch !== undefined && /^\d+$/.test(epoch)) rec.epoch = Number(epoch);
    const vendor = opt(f[4]);
    if (vendor) rec.vendor = vendor;
    const size = opt(f[6]);
    if (size !== undefined && /^\d+$/.test(size)) rec.size = Number(size);
    const arch = opt(f[7]);
    if (arch) rec.arch = arch;
    const src = opt(f[9]);
    if (src) rec.sourceRpm = src;
    out.push(rec);
  }
  return out;
}
