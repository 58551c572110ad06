// Ubuntu importer: the OSV and OpenVEX records of canonical/ubuntu-security-notices. OSV records
// are read first (fixed versions), then the VEX documents (states of unfixed packages).

import { basename } from 'node:path';
import type { Importer, ImportSink } from '../../importer.ts';
import { AdvisoryCollector } from '../os-common/collect.ts';
import { anyFile, readHead, readJson, walkFiles } from '../os-common/files.ts';
import { applyUbuntuVex, collectUbuntuOsv, type AffectedIndex } from './osv.ts';

const OSV_FILE = /^UBUNTU-CVE-\d{4}-\d+\.json$/;
const VEX_FILE = /^CVE-\d{4}-\d+\.json$/;

async function isCanonicalVex(file: string): Promise<boolean> {
  const head = await readHead(file, 2048);
  return /openvex/.test(head) && /Canonical/.test(head);
}

export const ubuntuImporter: Importer = {
  name: 'ubuntu',
  description: 'Ubuntu security notices: OSV per CVE (fixed versions per release) and OpenVEX (ignored/deferred/EOL states), by source package',
  detect(path) {
    return anyFile(
      path,
      (p) => OSV_FILE.test(basename(p)) || VEX_FILE.test(basename(p)),
      async (f) => OSV_FILE.test(basename(f)) || (await isCanonicalVex(f)),
    );
  },
  async import(path, sink: ImportSink) {
    const out = new AdvisoryCollector('ubuntu', sink);
    const index: AffectedIndex = new Map();
    // USN-… records repeat the CVE records' fixes grouped by notice; their ids reach the CVE
    // advisories through "related", so they are not imported a second time.
    for await (const file of walkFiles(path, (p) => OSV_FILE.test(basename(p)), sink)) {
      const doc = await readJson(file, sink, 64 * 1024 * 1024);
      if (doc !== undefined) collectUbuntuOsv(doc, file, out, index, sink);
    }
    for await (const file of walkFiles(path, (p) => VEX_FILE.test(basename(p)), sink)) {
      if (!(await isCanonicalVex(file))) continue;
      const doc = await readJson(file, sink, 64 * 1024 * 1024);
      if (doc !== undefined) applyUbuntuVex(doc, file, out, index, sink);
    }
    out.flush();
  },
  upstream: [
    {
      name: 'ubuntu-security-notices.tar.gz',
      url: 'https://github.com/canonical/ubuntu-security-notices/archive/refs/heads/main.tar.gz',
      kind: 'tar.gz',
    },
  ],
};
