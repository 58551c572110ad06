// Red Hat importer: CSAF VEX (per CVE) and CSAF advisories (per RHSA) for RHEL's main streams.
//
// RHEL-compatible distributions (CentOS, Rocky, AlmaLinux, Oracle Linux, UBI images, which say
// ID=rhel) rebuild the same source packages: matching may apply family "rhel" advisories to them
// by major release, because their release strings carry the same el<N> dist tag and their EVRs
// compare against Red Hat's fixed EVRs (Rocky/Alma publish their own errata too, which are
// preferred when imported). Oracle's kernels (uek) and packages with distribution-specific
// release suffixes (".0.1", "+module") are where this approximation is wrong.

import { basename } from 'node:path';
import type { Importer, ImportSink } from '../../importer.ts';
import { AdvisoryCollector } from '../os-common/collect.ts';
import { anyFile, readHead, readJson, walkFiles } from '../os-common/files.ts';
import { collectRedhatCsaf } from './csaf.ts';

const CSAF_FILE = /^(cve-\d{4}-\d+|rhsa-\d{4}_\d+)\.json$/i;

async function isRedhatCsaf(file: string): Promise<boolean> {
  const head = await readHead(file, 16384);
  return /"csaf_version"/.test(head) && /Red Hat/.test(head);
}

export const redhatImporter: Importer = {
  name: 'redhat',
  description: 'Red Hat CSAF VEX and advisories: fixed NEVRAs and unfixed states per RHEL major release',
  detect(path) {
    return anyFile(path, (p) => CSAF_FILE.test(basename(p)), isRedhatCsaf);
  },
  async import(path, sink: ImportSink) {
    const out = new AdvisoryCollector('redhat', sink);
    for await (const file of walkFiles(path, (p) => CSAF_FILE.test(basename(p)), sink)) {
      if (!(await isRedhatCsaf(file))) continue;
      const doc = await readJson(file, sink, 256 * 1024 * 1024);
      if (doc !== undefined) collectRedhatCsaf(doc, file, out, sink);
    }
    out.flush();
  },
  // No `upstream` yet: Red Hat publishes the VEX tree as a dated .tar.zst named by
  // https://security.access.redhat.com/data/csaf/v2/vex/archive_latest.txt (plus changes.csv);
  // `triad db update` needs that indirection and zstd tar support first. Import-only for now.
};
