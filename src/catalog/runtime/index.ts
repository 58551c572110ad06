// Language runtimes installed as plain binaries (official node and ruby images build them into
// /usr/local): the interpreter itself has advisories (Node.js core, Ruby interpreters) that match its
// version, not any registry package's. The version is read from strings the build embeds:
// Node.js: process.release's headers URL ".../download/release/vX.Y.Z/node-vX.Y.Z-headers";
// Ruby (the executable or libruby.so): RUBY_DESCRIPTION "ruby X.Y.ZpN (date revision) [platform]".
// A runtime a distro package installed is matched through that package instead (ownership).
import type { Cataloger, FileContent, FileMeta, FileResult, FinalizeContext, FoundPackage } from '../cataloger.ts';
import { purl } from '../../purl/purl.ts';

const MAX_RUNTIME = 512 * 1024 * 1024;
const WINDOW = 4 * 1024 * 1024;

interface RuntimeKind {
  runtime: 'node' | 'ruby';
  /** Registry ecosystem and name the runtime's advisories are filed under. */
  ecosystem: 'npm' | 'gem';
  name: string;
  file: RegExp;
  version: RegExp;
}

const KINDS: RuntimeKind[] = [
  { runtime: 'node', ecosystem: 'npm', name: 'node', file: /(^|\/)(node|nodejs)$/, version: /download\/release\/v(\d+\.\d+\.\d+)\/node-v\1-headers/ },
  { runtime: 'ruby', ecosystem: 'gem', name: 'ruby', file: /(^|\/)(ruby[\d.]*|libruby\.so[\d.]*)$/, version: /ruby (\d+\.\d+\.\d+)(?:p\d+)? \(\d{4}-\d\d-\d\d/ },
];

function kindOf(path: string): RuntimeKind | undefined {
  return KINDS.find((k) => k.file.test(path));
}

/** Scans the file in overlapping windows for the version pattern (binaries are too big to decode whole). */
async function findVersion(content: FileContent, re: RegExp): Promise<string | undefined> {
  const overlap = 256;
  for (let off = 0; off < content.size; off += WINDOW - overlap) {
    const buf = await content.read(off, WINDOW);
    if (buf.length === 0) break;
    const m = re.exec(buf.toString('latin1'));
    if (m) return m[1];
  }
  return undefined;
}

export const runtimeCataloger: Cataloger = {
  name: 'runtime',
  ecosystems: ['npm', 'gem'],
  wants(meta: FileMeta) {
    const k = kindOf(meta.path);
    if (!k || meta.size < 1024) return false;
    // Executables by mode; shared libraries (libruby.so) carry no execute bit in many images.
    return (meta.mode & 0o111) !== 0 || meta.path.includes('.so') ? MAX_RUNTIME : false;
  },
  async parse(meta: FileMeta, content: FileContent): Promise<FileResult> {
    const k = kindOf(meta.path)!;
    const head = await content.read(0, 4);
    if (head.length < 4 || head.readUInt32BE(0) !== 0x7f454c46) return {}; // ELF only: scripts and wrappers are not the runtime
    const version = await findVersion(content, k.version);
    if (!version) return {};
    const p: FoundPackage = {
      name: k.name,
      version,
      ecosystem: k.ecosystem,
      purl: k.runtime === 'node' ? purl({ type: 'generic', name: 'node', version }) : purl({ type: 'generic', name: 'ruby', version }),
      licenses: [],
      locations: [meta.path],
      metadata: { runtime: k.runtime },
    };
    return { packages: [p] };
  },
  /** One package per runtime and version: `ruby` and its libruby.so are one interpreter. */
  finalize(ctx: FinalizeContext): FoundPackage[] {
    const by = new Map<string, FoundPackage>();
    for (const f of ctx.files) {
      for (const p of f.result.packages ?? []) {
        const key = `${p.metadata?.runtime}@${p.version}`;
        const have = by.get(key);
        if (have) have.locations = [...(have.locations ?? []), ...(p.locations ?? [])];
        else by.set(key, { ...p, locations: [...(p.locations ?? [])] });
      }
    }
    return [...by.values()];
  },
};
