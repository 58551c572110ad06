// Secret scanning against the peer on the same directory tree: wall time of
// `triad fs DIR --scanners secret` divided by `trivy fs --scanners secret DIR` (target < 1: faster),
// median of RUNS each, a fresh Trivy --cache-dir per run. Also prints both tools' finding counts
// (Trivy reports per file and rule) so a speed-up bought by missing findings shows.
//
// The tree: the cached Debian root filesystem (.cache/images/rootfs-bookworm-*.tar, built by the
// bench/e2e set-up) extracted once into .cache/bench/secret-tree, plus the node_modules images in
// ../shared/data/images; or SECRET_BENCH_DIR. Runs standalone (`scripts/with-node.sh
// bench/secret-vs-trivy.ts [DIR]`) and from bench/run.ts.
import { execFileSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTrivy } from './sbom-vs-trivy.ts';
import { check, median, REPO_ROOT, secs, table, timed, TRIAD, type Figure } from './util.ts';

const RUNS = 3;
const TREE = join(REPO_ROOT, '.cache', 'bench', 'secret-tree');
const SHARED = join(REPO_ROOT, '..', 'shared', 'data', 'images', 'snyk', 'test', 'fixtures');
const NODE_IMAGES = ['npm/npm-without-lockfiles/npm7-with-node-modules-only.tar', 'pnpm/pnpmlockv9.tar'];

async function benchTree(): Promise<string> {
  if (process.env.SECRET_BENCH_DIR) return process.env.SECRET_BENCH_DIR;
  if (existsSync(join(TREE, '.complete'))) return TREE;
  const cache = join(REPO_ROOT, '.cache', 'images');
  const rootfs = existsSync(cache) ? (await fs.readdir(cache)).find((f) => /^rootfs-bookworm-.*\.tar$/.test(f)) : undefined;
  if (!rootfs) throw new Error('no cached Debian rootfs in .cache/images (run the bench image build or e2e set-up first), or set SECRET_BENCH_DIR');
  await fs.rm(TREE, { recursive: true, force: true });
  await fs.mkdir(join(TREE, 'rootfs'), { recursive: true });
  execFileSync('tar', ['-xf', join(cache, rootfs), '-C', join(TREE, 'rootfs'), '--no-same-owner', '--exclude=./dev/*']);
  for (const img of NODE_IMAGES) {
    const archive = join(SHARED, img);
    if (!existsSync(archive)) continue;
    const tmp = await fs.mkdtemp(join(tmpdir(), 'triad-bench-img-'));
    const dest = join(TREE, img.replace(/[^\w.-]+/g, '_'));
    await fs.mkdir(dest, { recursive: true });
    try {
      execFileSync('tar', ['-xf', archive, '-C', tmp]);
      const json = async (p: string) => JSON.parse(await fs.readFile(join(tmp, p), 'utf8'));
      const blob = (d: string) => join('blobs', ...d.split(':'));
      const layers: string[] = existsSync(join(tmp, 'manifest.json'))
        ? (await json('manifest.json'))[0].Layers
        : (await json(blob((await json('index.json')).manifests[0].digest))).layers.map((l: { digest: string }) => blob(l.digest));
      for (const l of layers) execFileSync('tar', ['-xf', join(tmp, l), '-C', dest, '--no-same-owner']);
    } finally {
      await fs.rm(tmp, { recursive: true, force: true });
    }
  }
  await fs.writeFile(join(TREE, '.complete'), '');
  return TREE;
}

export async function secretVsTrivy(): Promise<Figure[]> {
  const trivy = await ensureTrivy();
  const dir = await benchTree();
  const work = await fs.mkdtemp(join(tmpdir(), 'triad-bench-secret-'));
  try {
    const triadOut = join(work, 'triad.json');
    const trivyOut = join(work, 'trivy.json');
    // Warm-up: page cache for the tree, the compile cache for Triad.
    await timed(TRIAD, ['fs', dir, '--scanners', 'secret', '-f', 'json', '-o', triadOut]);
    const tr: number[] = [];
    const tv: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      tr.push(check('triad fs', await timed(TRIAD, ['-q', 'fs', dir, '--scanners', 'secret', '-f', 'json', '-o', triadOut])).ms);
      const cache = join(work, `trivy-cache-${i}`);
      const args = ['fs', '--scanners', 'secret', '--cache-dir', cache, '--offline-scan', '--format', 'json', '--quiet', '--output', trivyOut, dir];
      tv.push(check('trivy fs', await timed(trivy, args)).ms);
      await fs.rm(cache, { recursive: true, force: true });
    }
    const triadFindings = (JSON.parse(await fs.readFile(triadOut, 'utf8')) as { findings: unknown[] }).findings.length;
    const trivyDoc = JSON.parse(await fs.readFile(trivyOut, 'utf8')) as { Results?: Array<{ Target: string; Secrets?: Array<{ RuleID: string; StartLine: number }> }> };
    const trivyList = (trivyDoc.Results ?? []).flatMap((r) => (r.Secrets ?? []).map((s) => `${s.RuleID} ${r.Target}:${s.StartLine}`));
    const ratio = median(tr) / median(tv);
    return [
      {
        figure: 'fs --scanners secret / trivy',
        measured: ratio.toFixed(2),
        target: '< 1.00',
        pass: ratio < 1,
        note: `triad ${secs(median(tr))} vs trivy ${secs(median(tv))} (medians of ${RUNS}) on ${dir}`,
      },
      {
        figure: 'secret findings triad / trivy',
        measured: `${triadFindings} / ${trivyList.length}`,
        target: '-',
        note: trivyList.length ? `trivy: ${trivyList.slice(0, 10).join('; ')}${trivyList.length > 10 ? ' ...' : ''}` : undefined,
      },
    ];
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv[2]) process.env.SECRET_BENCH_DIR = process.argv[2];
  console.log(table(await secretVsTrivy()));
}
