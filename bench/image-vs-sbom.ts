// `triad image` end to end (SBOM + matching against the bundled database, JSON report) against
// `triad sbom` (the SBOM alone) on the big bench image, interleaved runs, medians. Target: <= 1.1x.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installSnapshot, SNAPSHOT_FILE } from '../src/vulndb/location.ts';
import { bigImage, type BigImage } from './big-image.ts';
import { check, median, secs, table, timed, TRIAD, warmPageCache, type Figure } from './util.ts';

const RUNS = 3;
const TARGET = 1.1;

export async function imageVsSbom(img?: BigImage): Promise<Figure[]> {
  const big = img ?? (await bigImage());
  const db = join(mkdtempSync(join(tmpdir(), 'triad-bench-db-')), 'vulndb.sqlite');
  await installSnapshot(SNAPSHOT_FILE, db);
  await warmPageCache([big.ociArchive]);
  const sb: number[] = [];
  const im: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    sb.push(check('triad sbom', await timed(TRIAD, ['sbom', `oci-archive:${big.ociArchive}`, '--format', 'json', '-q'])).ms);
    im.push(check('triad image', await timed(TRIAD, ['image', `oci-archive:${big.ociArchive}`, '--format', 'json', '--db', db, '-q'])).ms);
  }
  const ratio = median(im) / median(sb);
  return [
    {
      figure: 'image (sbom + match) / sbom',
      measured: ratio.toFixed(2),
      target: `<= ${TARGET.toFixed(1)}`,
      pass: ratio <= TARGET,
      note: `triad image ${secs(median(im))} vs triad sbom ${secs(median(sb))} (medians of ${RUNS}, JSON output, bundled database)`,
    },
  ];
}

if (import.meta.main) console.log(table(await imageVsSbom()));
