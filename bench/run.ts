// `npm run bench [-- NAME...]`: runs the benches one after another (never in parallel: they time each
// other's CPU otherwise) and prints a summary of figure, measured value, target and pass/fail. Benches
// on the BIG Debian image build it first (or find it cached): several minutes; a cold build adds ~18.
// Exit code 0 even when figures miss their targets: these are measurements, not tests.
import { bigImage } from './big-image.ts';
import { imageSecret } from './image-secret.ts';
import { imageVsSbom } from './image-vs-sbom.ts';
import { matchThroughput } from './match-throughput.ts';
import { rss } from './rss.ts';
import { sbomVsGzip } from './sbom-vs-gzip.ts';
import { sbomVsTrivy } from './sbom-vs-trivy.ts';
import { mib, runBench, table, type Figure } from './util.ts';

type BigImage = Awaited<ReturnType<typeof bigImage>>;
/** Benches that read the big image take it; the others (engines on recorded inputs) do not wait for it. */
const ON_IMAGE = { 'sbom-vs-gzip': sbomVsGzip, 'sbom-vs-trivy': sbomVsTrivy, rss, 'image-vs-sbom': imageVsSbom, 'image-secret': imageSecret } as const;
const STANDALONE = {
  'match-throughput': () => matchThroughput(),
  'policy-eval': async () => (await import('./policy-eval.ts')).policyEval(),
  'admission-webhook': async () => (await import('./admission-webhook.ts')).admissionWebhook(),
  'runtime-rules': async () => (await import('./runtime-rules.ts')).runtimeRules(),
  'runtime-agent': async () => (await import('./runtime-agent.ts')).runtimeAgent(),
  'runtime-exec-storm': async () => {
    const m = await import('./runtime-exec-storm.ts');
    return [m.parserThroughput(), ...m.execStormFigures(await m.runExecStorm({ log: (s) => console.log(s) }))];
  },
} as const;
const BENCHES: Record<string, (img: BigImage) => Promise<Figure[]> | Figure[]> = { ...ON_IMAGE, ...STANDALONE };
type BenchName = keyof typeof ON_IMAGE | keyof typeof STANDALONE;

const wanted = process.argv.slice(2);
for (const w of wanted) {
  if (!(w in BENCHES)) {
    console.error(`unknown bench ${w}; known: ${Object.keys(BENCHES).join(', ')}`);
    process.exit(2);
  }
}
const names = (wanted.length ? wanted : Object.keys(BENCHES)) as BenchName[];

const t0 = Date.now();
const rows: Figure[] = [];
let img: BigImage | undefined;
if (names.some((n) => n in ON_IMAGE)) {
  img = await bigImage();
  const ready = (Date.now() - t0) / 1000;
  console.log(`bench image ${img.imageName}: ${mib(img.uncompressedBytes)} uncompressed, ${mib(img.ociBytes)} as gzip OCI, ${img.layers} layers`);
  console.log(`  ${img.dockerArchive}\n  ${img.ociArchive}`);
  console.log(`  ${ready > 5 ? `built now in ${ready.toFixed(0)} s` : `cached (cold build took ${img.buildSeconds ?? '?'} s)`}`);
  rows.push({
    figure: 'bench image',
    measured: `${mib(img.uncompressedBytes)}, ${img.layers} layers`,
    target: '>= 1 GiB, >= 10 layers',
    pass: img.uncompressedBytes >= 1 << 30 && img.layers >= 10,
  });
}
for (const name of names) {
  const t = Date.now();
  console.log(`\n== ${name} ==`);
  const got = await runBench(name, async () => BENCHES[name]!(img!));
  console.log(table(got));
  console.log(`(${((Date.now() - t) / 1000).toFixed(0)} s)`);
  rows.push(...got);
}
console.log(`\n== summary (${((Date.now() - t0) / 1000).toFixed(0)} s) ==\n${table(rows)}`);
