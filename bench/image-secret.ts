// Secret scanning of a whole image (every layer, config and history) on the big bench image:
// (1) what `--scanners secret` adds to `triad image` (target <= 30 %), and (2) `triad image
// --scanners secret` against the Trivy build's `image --input X --scanners secret` (target < 1.0).
// Runs are interleaved and Trivy gets a fresh cache dir each time (it caches layers).
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bigImage, type BigImage } from './big-image.ts';
import { ensureTrivy } from './sbom-vs-trivy.ts';
import { check, median, secs, table, timed, TRIAD, warmPageCache, type Figure } from './util.ts';

const RUNS = 3;

export async function imageSecret(img?: BigImage): Promise<Figure[]> {
  const big = img ?? (await bigImage());
  const trivy = await ensureTrivy();
  const ref = `docker-archive:${big.dockerArchive}`;
  const dir = await fs.mkdtemp(join(tmpdir(), 'triad-bench-secret-'));
  try {
    await warmPageCache([big.dockerArchive]);
    const vuln: number[] = [];
    const both: number[] = [];
    const secretOnly: number[] = [];
    const trv: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      vuln.push(check('triad image vuln', await timed(TRIAD, ['image', ref, '-q', '--scanners', 'vuln', '-f', 'json'])).ms);
      both.push(check('triad image vuln,secret', await timed(TRIAD, ['image', ref, '-q', '--scanners', 'vuln,secret', '-f', 'json'])).ms);
      secretOnly.push(check('triad image secret', await timed(TRIAD, ['image', ref, '-q', '--scanners', 'secret', '-f', 'json'])).ms);
      const cache = join(dir, `trivy-cache-${i}`);
      trv.push(check('trivy image secret', await timed(trivy, ['image', '--input', big.dockerArchive, '--scanners', 'secret', '--cache-dir', cache, '--offline-scan', '--format', 'json', '--quiet', '--output', join(dir, 'trivy.json')])).ms);
    }
    const overhead = median(both) / median(vuln) - 1;
    const ratio = median(secretOnly) / median(trv);
    return [
      { figure: 'image: secret scanning overhead', measured: `${(overhead * 100).toFixed(0)} %`, target: '<= 30 %', pass: overhead <= 0.3, note: `vuln ${secs(median(vuln))} vs vuln,secret ${secs(median(both))}` },
      { figure: 'image --scanners secret / trivy', measured: ratio.toFixed(2), target: '< 1.0', pass: ratio < 1, note: `triad ${secs(median(secretOnly))} vs trivy ${secs(median(trv))} (medians of ${RUNS})` },
    ];
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) console.log(table(await imageSecret()));
