// Matching throughput: 10,000 SBOMs of ~300 packages each, resampled from real package sets (the
// packages of real lockfiles from osv-detector's e2e tests and of the alpine 3.10 image), written as
// CycloneDX JSON and matched against the full bundled database. Baseline in the same run: the time
// to merely JSON.parse those same documents. Target: >= 20,000 SBOMs/minute.
//   scripts/with-node.sh bench/match-throughput.ts [COUNT]
import { copyFileSync, mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Inventory, Package } from '../src/model/types.ts';
import { matchInventory } from '../src/match/matcher.ts';
import { sbomToInventory } from '../src/match/sbom-input.ts';
import { toCycloneDX } from '../src/sbom/cyclonedx.ts';
import { scanImage } from '../src/scan/scan.ts';
import { installSnapshot, SNAPSHOT_FILE } from '../src/vulndb/location.ts';
import { openVulnDB } from '../src/vulndb/store.ts';
import { sharedData } from '../test/shared-data.ts';
import { table, type Figure } from './util.ts';
import { seededRandom } from '../test/infra/random.ts';

const TARGET_PER_MINUTE = 20_000;
const PACKAGES_PER_SBOM = 300;
const LOCKS: Array<[string, string]> = [
  ['1-package-lock.json', 'package-lock.json'], ['2-package-lock.json', 'package-lock.json'], ['1-yarn.lock', 'yarn.lock'],
  ['1-Gemfile.lock', 'Gemfile.lock'], ['2-Gemfile.lock', 'Gemfile.lock'], ['1-Pipfile.lock', 'Pipfile.lock'],
  ['1-poetry.lock', 'poetry.lock'], ['2-poetry.lock', 'poetry.lock'], ['1-composer.lock', 'composer.lock'], ['2-composer.lock', 'composer.lock'],
];

const rng = seededRandom;

async function realPackages(): Promise<{ lang: Package[]; os: Inventory }> {
  const lang: Package[] = [];
  for (const [file, as] of LOCKS) {
    const dir = mkdtempSync(join(tmpdir(), 'triad-bench-lock-'));
    mkdirSync(dir, { recursive: true });
    copyFileSync(sharedData('pkgdb/osv-detector/testdata/locks-e2e', file), join(dir, as));
    lang.push(...(await scanImage(`rootfs:${dir}`)).packages);
  }
  const os = await scanImage(sharedData('images/dockle/pkg/deckoder/extractor/image/testdata/alpine-310.tar.gz'));
  return { lang, os };
}

/** One SBOM: the alpine 3.10 OS packages plus language packages drawn from the real pool. */
function sbomText(i: number, pool: { lang: Package[]; os: Inventory }): string {
  const r = rng(i + 1);
  const packages = [...pool.os.packages];
  const seen = new Set<string>();
  while (packages.length < PACKAGES_PER_SBOM && seen.size < pool.lang.length) {
    const p = pool.lang[Math.floor(r() * pool.lang.length)]!;
    if (seen.has(p.id)) continue;
    seen.add(p.id);
    packages.push(p);
  }
  return JSON.stringify(toCycloneDX({ ...pool.os, packages }, { uuid: '00000000-0000-4000-8000-000000000000' }));
}

export async function matchThroughput(count = 10_000): Promise<Figure[]> {
  const dbPath = join(mkdtempSync(join(tmpdir(), 'triad-bench-db-')), 'vulndb.sqlite');
  await installSnapshot(SNAPSHOT_FILE, dbPath);
  const db = openVulnDB(dbPath);
  const pool = await realPackages();
  let parseMs = 0;
  let matchMs = 0;
  let findings = 0;
  let packages = 0;
  // Batches of documents, each timed twice (parse only; read + match), the order alternating
  // between batches so that neither side always pays for the garbage the other left behind.
  const BATCH = 200;
  try {
    for (let start = 0, batch = 0; start < count; start += BATCH, batch++) {
      const texts: string[] = [];
      for (let i = start; i < Math.min(count, start + BATCH); i++) texts.push(sbomText(i, pool));
      const parse = () => {
        const t = performance.now();
        for (const text of texts) JSON.parse(text);
        parseMs += performance.now() - t;
      };
      const match = () => {
        const t = performance.now();
        for (const [j, text] of texts.entries()) {
          const inv = sbomToInventory(text, `sbom-${start + j}.json`);
          const r = matchInventory(inv, db);
          findings += r.vulnerabilities.length;
          packages += inv.packages.length;
        }
        matchMs += performance.now() - t;
      };
      if (batch % 2) {
        parse();
        match();
      } else {
        match();
        parse();
      }
    }
  } finally {
    db.close();
  }
  const perMinute = (count / matchMs) * 60_000;
  return [
    {
      figure: 'SBOMs matched per minute',
      measured: perMinute.toFixed(0),
      target: `>= ${TARGET_PER_MINUTE}`,
      pass: perMinute >= TARGET_PER_MINUTE,
      note: `${count} CycloneDX SBOMs, ${(packages / count).toFixed(0)} packages each (pool: ${pool.lang.length} lockfile + ${pool.os.packages.length} alpine packages), ${findings} findings; read+match ${(matchMs / 1000).toFixed(1)} s`,
    },
    {
      figure: 'match / JSON.parse time',
      measured: (matchMs / parseMs).toFixed(2),
      target: 'reported',
      note: `JSON.parse alone ${(parseMs / 1000).toFixed(1)} s for the same documents`,
    },
  ];
}

if (import.meta.main) console.log(table(await matchThroughput(Number(process.argv[2] ?? 10_000))));
