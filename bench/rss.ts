// Peak memory of a whole-image scan: triad must stream layers, never hold an image (or a layer) in
// memory, so its peak RSS stays flat as images grow. Measured by /usr/bin/time (the kernel's
// ru_maxrss of the child: bin/triad execs node, so that is node's high-water mark), once per input
// kind, because docker-archive (plain tars) and oci-archive (gzip streams) take different paths.
// Memory is not noisy the way time is, so the figure is absolute, shown next to the image size.
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bigImage, type BigImage } from './big-image.ts';
import { check, mib, table, timed, TRIAD, type Figure } from './util.ts';

const TARGET_MB = 300;

/** Peak RSS in bytes of `triad sbom REF --format cyclonedx -q`. */
async function peakRss(ref: string): Promise<number> {
  const dir = await fs.mkdtemp(join(tmpdir(), 'triad-bench-rss-'));
  try {
    const out = join(dir, 'time.txt');
    check(`triad sbom ${ref.split(':')[0]}`, await timed('/usr/bin/time', ['-f', '%M', '-o', out, TRIAD, 'sbom', ref, '--format', 'cyclonedx', '-q']));
    const kb = Number((await fs.readFile(out, 'utf8')).trim().split('\n').pop());
    if (!Number.isFinite(kb) || kb <= 0) throw new Error(`no max RSS from /usr/bin/time in ${out}`);
    return kb * 1024;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

export async function rss(img?: BigImage): Promise<Figure[]> {
  const big = img ?? (await bigImage());
  const rows: Figure[] = [];
  for (const [kind, path] of [['oci-archive', big.ociArchive], ['docker-archive', big.dockerArchive]] as const) {
    const bytes = await peakRss(`${kind}:${path}`);
    rows.push({
      figure: `peak RSS, ${kind}`,
      measured: mib(bytes),
      target: `< ${TARGET_MB} MiB`,
      pass: bytes < TARGET_MB * (1 << 20),
      note: `image ${mib(big.uncompressedBytes)} uncompressed in ${big.layers} layers; RSS = ${((100 * bytes) / big.uncompressedBytes).toFixed(1)}% of it`,
    });
  }
  return rows;
}

if (import.meta.main) console.log(table(await rss()));
