// Builds the vulnerability database snapshot bundled in the repository (data/vulndb): every dataset
// under ../shared/data/advisories, read by whichever importers are registered, without `details`
// text, compacted and brotli-compressed, with each dataset's attribution stored in the database
// and written to data/vulndb/ATTRIBUTION.md.
//
//   scripts/with-node.sh scripts/build-vulndb-snapshot.ts [--data DIR] [--out DIR]

import { promises as fs } from 'node:fs';
import { createReadStream, createWriteStream } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { constants, createBrotliCompress } from 'node:zlib';
import { REPO_ROOT, SHARED_DATA } from '../test/shared-data.ts';
import { importPaths } from '../src/vulndb/import.ts';
import { rebuildDatabase } from '../src/vulndb/rebuild.ts';
import { openVulnDB } from '../src/vulndb/store.ts';

interface Dataset {
  dataset: string;
  repo: string;
  commit: string;
  paths: string;
  licence: string;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] ? resolve(process.argv[i + 1]!) : fallback;
}

const dataDir = arg('--data', SHARED_DATA);
const outDir = arg('--out', join(REPO_ROOT, 'data', 'vulndb'));
const advisoriesDir = join(dataDir, 'advisories');

async function readSources(): Promise<Dataset[]> {
  const text = await fs.readFile(join(dataDir, 'SOURCES.tsv'), 'utf8');
  const [header, ...rows] = text.split('\n').filter((l) => l.trim());
  const cols = header!.split('\t');
  return rows.map((r) => {
    const f = r.split('\t');
    const get = (c: string) => f[cols.indexOf(c)] ?? '';
    return { dataset: get('dataset'), repo: get('repo'), commit: get('commit'), paths: get('paths'), licence: get('licence') };
  });
}

const datasets = (await readSources()).filter((d) => d.dataset.startsWith('advisories/'));
/** The datasets an importer's paths came from. */
function attributionFor(paths: string[]) {
  const used = datasets.filter((d) => paths.some((p) => {
    const rel = relative(dataDir, p);
    return rel === d.dataset || rel.startsWith(`${d.dataset}/`) || d.dataset.startsWith(`${rel}/`);
  }));
  return used.map((d) => ({ dataset: d.dataset.replace(/^advisories\//, ''), repo: `https://github.com/${d.repo}`, commit: d.commit, licence: d.licence }));
}

await fs.mkdir(outDir, { recursive: true });
const dbFile = join(outDir, '.vulndb.sqlite.build');
await fs.rm(dbFile, { force: true });
const started = Date.now();
let warnings = 0;
const result = await rebuildDatabase(
  dbFile,
  (writer) => importPaths(writer, [advisoriesDir], { attribution: (_name, paths) => attributionFor(paths), log: (l) => console.error(l) }),
  { fresh: true, vacuum: true, dropDetails: true, onWarning: () => void warnings++, log: (l) => console.error(l) },
);
const failed = result.sources.filter((s) => s.error);
for (const u of result.unrecognised) console.error(`not in the snapshot (no importer yet): ${relative(dataDir, u)}`);

const db = openVulnDB(dbFile);
const status = db.status();
db.close();
const rawSize = (await fs.stat(dbFile)).size;

const snapshot = join(outDir, 'vulndb.sqlite.br');
const tmp = `${snapshot}.tmp`;
await pipeline(
  createReadStream(dbFile),
  createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_LGWIN]: 24, [constants.BROTLI_PARAM_SIZE_HINT]: rawSize } }),
  createWriteStream(tmp),
);
await fs.rename(tmp, snapshot);
await fs.rm(dbFile, { force: true });
const packed = (await fs.stat(snapshot)).size;

const imported = new Set(status.sources.flatMap((s) => s.attribution.map((a) => a.dataset)));
const lines = [
  '# Attribution of the bundled vulnerability database',
  '',
  '`vulndb.sqlite.br` is built by `scripts/build-vulndb-snapshot.ts` from public advisory data',
  'published by the projects below (advisory `details` text omitted). Their licences apply to the',
  'data; keep this attribution when redistributing the snapshot.',
  '',
  '| dataset | source | commit | licence | in the snapshot |',
  '|---|---|---|---|---|',
  ...datasets.map((d) => {
    const name = d.dataset.replace(/^advisories\//, '');
    return `| ${name} | https://github.com/${d.repo} (${d.paths}) | ${d.commit} | ${d.licence} | ${imported.has(name) ? 'yes' : 'no (no importer yet)'} |`;
  }),
  '',
  '| source | advisories | affected packages | KEV | data date |',
  '|---|---|---|---|---|',
  ...status.sources.map((s) => `| ${s.name} | ${s.advisories} | ${s.affected} | ${s.kev} | ${s.dataDate ?? '-'} |`),
  '',
];
await fs.writeFile(join(outDir, 'ATTRIBUTION.md'), lines.join('\n'));

console.error(
  `snapshot: ${relative(REPO_ROOT, snapshot)} ${(packed / 1024 / 1024).toFixed(1)} MB (database ${(rawSize / 1024 / 1024).toFixed(1)} MB), ` +
    `${status.sources.length} sources, ${warnings} warnings, ${((Date.now() - started) / 1000).toFixed(0)} s`,
);
if (failed.length) {
  for (const f of failed) console.error(`FAILED ${f.source}: ${f.error}`);
  process.exitCode = 1;
}
