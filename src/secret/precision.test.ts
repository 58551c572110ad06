// Precision on real trees: the node_modules images in ../shared/data/images (extracted with tar
// into a temp dir), a real Debian root filesystem when one is cached (.cache/images/rootfs-*.tar,
// built by the e2e/bench set-up with debootstrap), and this project's own node_modules. Every
// finding is either in the reviewed list below (a real-looking secret: a true positive) or counts
// as a false positive; precision must stay >= 95 %, and unreviewed findings are printed so that a
// change in the rules or the data gets looked at.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT, sharedData } from '../../test/shared-data.ts';
import { loadRules } from './rules.ts';
import { SecretScanner } from './scanner.ts';
import { scanDirectory } from './walk-dir.ts';

/** Reviewed true positives: path suffix and rule. */
const REVIEWED_TRUE = [
  // The `debug` package (2.x) was published with its Coveralls repo token in .coveralls.yml: a
  // real, long-lived credential, exactly what a secret scanner is for.
  { path: 'node_modules/debug/.coveralls.yml', rule: 'generic-api-key' },
];

const IMAGES = [
  'snyk/test/fixtures/npm/npm-without-lockfiles/npm7-with-node-modules-only.tar',
  'snyk/test/fixtures/npm/npm-without-lockfiles/yarn-with-node-modules-only.tar',
  'snyk/test/fixtures/pnpm/pnpmlockv9.tar',
];

/** Applies a docker-save archive's layers in order into `dir` (whiteouts are irrelevant here). */
function extractImage(archive: string, dir: string): void {
  const tmp = mkdtempSync(join(tmpdir(), 'triad-img-'));
  try {
    execFileSync('tar', ['-xf', archive, '-C', tmp]);
    const json = (p: string) => JSON.parse(readFileSync(join(tmp, p), 'utf8'));
    const blob = (digest: string) => join('blobs', ...digest.split(':'));
    // docker-save (manifest.json) or OCI layout (index.json -> manifest -> layers).
    const layers: string[] = existsSync(join(tmp, 'manifest.json'))
      ? json('manifest.json')[0].Layers
      : json(blob(json('index.json').manifests[0].digest)).layers.map((l: { digest: string }) => blob(l.digest));
    for (const layer of layers) execFileSync('tar', ['-xf', join(tmp, layer), '-C', dir, '--no-same-owner', '--no-same-permissions', '--exclude=dev/*']);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const scanner = new SecretScanner(loadRules());
const tally = { tp: 0, fp: 0, unreviewed: [] as string[] };

async function scanTree(label: string, dir: string) {
  const res = await scanDirectory(dir, scanner, { maxFileSize: 10 * 1024 * 1024 });
  for (const f of res.findings) {
    if (REVIEWED_TRUE.some((r) => f.path.endsWith(r.path) && f.ruleId === r.rule)) tally.tp++;
    else {
      tally.fp++;
      tally.unreviewed.push(`${label}: ${f.ruleId} ${f.path}:${f.startLine} ${f.match}`);
    }
  }
  return res;
}

test('precision on node_modules images', async (t) => {
  for (const img of IMAGES) {
    const archive = sharedData('images', img);
    if (!existsSync(archive)) {
      t.skip(`${img} absent`);
      continue;
    }
    const dir = mkdtempSync(join(tmpdir(), 'triad-prec-'));
    try {
      extractImage(archive, dir);
      const res = await scanTree(img, dir);
      assert.ok(res.filesScanned > 50, `${img}: ${res.filesScanned} files`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  // The two npm images ship debug's real token; the pnpm one does not.
  assert.ok(tally.tp >= 2, `true positives: ${tally.tp}`);
});

test('precision on a real Debian root filesystem (cached)', async (t) => {
  const cache = join(REPO_ROOT, '.cache', 'images');
  const tar = existsSync(cache) ? readdirSync(cache).find((f) => /^rootfs-bookworm-.*\.tar$/.test(f)) : undefined;
  if (!tar) return t.skip('no cached Debian rootfs (.cache/images/rootfs-bookworm-*.tar)');
  const dir = mkdtempSync(join(tmpdir(), 'triad-deb-'));
  try {
    execFileSync('tar', ['-xf', join(cache, tar), '-C', dir, '--no-same-owner', '--no-same-permissions', '--exclude=./dev/*']);
    const res = await scanTree('debian', dir);
    assert.ok(res.filesScanned > 1000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("precision on the project's own node_modules", async () => {
  const res = await scanTree('node_modules', join(REPO_ROOT, 'node_modules'));
  assert.ok(res.filesScanned > 100);
});

test('overall precision >= 95 %', () => {
  const total = tally.tp + tally.fp;
  const precision = total ? tally.tp / total : 1;
  if (tally.unreviewed.length) console.log(`unreviewed findings (counted as false positives):\n  ${tally.unreviewed.join('\n  ')}`);
  console.log(`precision: ${tally.tp}/${total}`);
  assert.ok(precision >= 0.95, `precision ${(precision * 100).toFixed(1)} %`);
});
