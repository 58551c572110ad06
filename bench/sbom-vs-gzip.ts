// Is the scan I/O-bound? Wall time of `triad sbom oci-archive:BIG` divided by the time one core
// needs just to gunzip the same layer blobs (`taskset -c 0 gzip -dc`, one blob after another).
// A ratio <= 1.0 means cataloging the whole image costs no more than reading it once: triad may
// use both cores (gunzip in zlib's thread pool next to the walker) to hide its own work.
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bigImage, type BigImage } from './big-image.ts';
import { capture, check, median, mib, secs, table, timed, TRIAD, warmPageCache, type Figure } from './util.ts';

const RUNS = 3;
const TARGET = 1.0;

interface OciLayout {
  dir: string;
  layerBlobs: string[];
}

/** Unpacks the OCI archive to a temp dir and lists its layer blobs in manifest order. */
async function unpackOci(archive: string): Promise<OciLayout> {
  const dir = await fs.mkdtemp(join(tmpdir(), 'triad-bench-oci-'));
  await capture('tar', ['-xf', archive, '-C', dir]);
  const blob = (digest: string) => join(dir, 'blobs', ...digest.split(':'));
  const index = JSON.parse(await fs.readFile(join(dir, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  const manifest = JSON.parse(await fs.readFile(blob(index.manifests[0].digest), 'utf8')) as { layers: { digest: string; mediaType: string }[] };
  for (const l of manifest.layers) if (!l.mediaType.endsWith('gzip')) throw new Error(`layer ${l.digest} is ${l.mediaType}, not gzip`);
  return { dir, layerBlobs: manifest.layers.map((l) => blob(l.digest)) };
}

export async function sbomVsGzip(img?: BigImage): Promise<Figure[]> {
  const big = img ?? (await bigImage());
  const oci = await unpackOci(big.ociArchive);
  try {
    await warmPageCache([big.ociArchive, ...oci.layerBlobs]);
    const gz: number[] = [];
    const tr: number[] = [];
    // Interleaved, so a slow minute of the VM hits both sides instead of one.
    for (let i = 0; i < RUNS; i++) {
      gz.push(check('gzip -dc', await timed('taskset', ['-c', '0', 'gzip', '-dc', ...oci.layerBlobs])).ms);
      // stdout, not `-o /dev/null`: the CLI writes -o atomically via a temp file + rename next to
      // the target, which must not happen in /dev.
      tr.push(check('triad sbom', await timed(TRIAD, ['sbom', `oci-archive:${big.ociArchive}`, '--format', 'cyclonedx', '-q'])).ms);
    }
    const ratio = median(tr) / median(gz);
    return [
      {
        figure: 'sbom oci-archive / gunzip',
        measured: ratio.toFixed(2),
        target: `<= ${TARGET.toFixed(1)}`,
        pass: ratio <= TARGET,
        note: `triad ${secs(median(tr))} vs gzip -dc ${secs(median(gz))} (medians of ${RUNS}; ${big.layers} layers, ${mib(big.ociBytes)} gzip, ${mib(big.uncompressedBytes)} uncompressed)`,
      },
    ];
  } finally {
    await fs.rm(oci.dir, { recursive: true, force: true });
  }
}

if (import.meta.main) console.log(table(await sbomVsGzip()));
