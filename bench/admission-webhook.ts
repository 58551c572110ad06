// Admission webhook throughput and latency: the webhook on 127.0.0.1 (HTTPS, default policy set)
// and, in the same run, the same server with no policies (the cost of TLS, HTTP, the thread hop and
// JSON alone). The load comes from a separate process: 50 concurrent clients on keep-alive HTTPS
// connections, each sending the next review as soon as the previous answer arrives. Reviews are
// real workloads: the upstream PSS fixture pods (latest version) and the kubernetes/examples
// workloads, wrapped in AdmissionReviews as the API server sends them.
// Two measurements per server, because with 50 clients in a closed loop latency is 50 / throughput
// (Little's law: p99 <= 5 ms at saturation would need > 10,000 reviews/s): throughput at saturation
// (each client sends as soon as it has its answer), and latency at the target load (the 50 clients
// together send 2,000 reviews/s at a steady pace, as an API server's independent requests arrive).
// Run: scripts/with-node.sh bench/admission-webhook.ts   (targets: p99 <= 5 ms, >= 2,000 reviews/s)
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'node:https';
import { parseAllDocuments } from 'yaml';
import { generateCerts } from '../src/admission/certs.ts';
import { AdmissionWebhook } from '../src/admission/server.ts';
import { WORKLOAD_KINDS } from '../src/policy/inputs.ts';
import { REPO_ROOT, sharedData } from '../test/shared-data.ts';
import type { Figure } from './util.ts';

const CLIENTS = 50;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const TARGET_RATE = 2000;

function reviews(): string[] {
  const objects: Record<string, any>[] = [];
  const pss = sharedData('k8s/pod-security-admission/test/testdata/restricted');
  const latest = readdirSync(pss).filter((d) => /^v\d+\.\d+$/.test(d)).sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1])).at(-1)!;
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : []));
  for (const f of [...walk(join(pss, latest)), ...walk(sharedData('k8s/examples'))]) {
    try {
      for (const d of parseAllDocuments(readFileSync(f, 'utf8'), { logLevel: 'error' })) {
        const o = d.toJS();
        if (o && typeof o === 'object' && WORKLOAD_KINDS.has(o.kind)) objects.push(o);
      }
    } catch {
      /* templates with placeholders are not YAML */
    }
  }
  return objects.map((o, i) => {
    const [group, version] = String(o.apiVersion ?? 'v1').includes('/') ? String(o.apiVersion).split('/') : ['', String(o.apiVersion ?? 'v1')];
    const namespace = o.metadata?.namespace ?? 'default';
    return JSON.stringify({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        kind: { group, version, kind: o.kind },
        resource: { group, version, resource: `${String(o.kind).toLowerCase()}s` },
        requestKind: { group, version, kind: o.kind },
        requestResource: { group, version, resource: `${String(o.kind).toLowerCase()}s` },
        name: o.metadata?.name ?? '',
        namespace,
        operation: 'CREATE',
        userInfo: { username: 'system:serviceaccount:kube-system:replicaset-controller', groups: ['system:serviceaccounts', 'system:authenticated'] },
        object: o,
        oldObject: null,
        dryRun: false,
        options: { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1' },
      },
    });
  });
}

interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  p50: number;
  p99: number;
  max: number;
}

/** The client side (a separate process): CLIENTS loops on keep-alive connections for SECONDS. */
async function client(port: number, caFile: string, reviewsFile: string, rate: number): Promise<void> {
  const ca = readFileSync(caFile);
  const bodies: string[] = JSON.parse(readFileSync(reviewsFile, 'utf8'));
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  const send = (body: string) =>
    new Promise<boolean>((resolve) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/validate', agent, ca, servername: 'triad-admission.bench.svc', headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(res.statusCode === 200 && Buffer.concat(chunks).includes('"response"')));
      });
      req.on('error', () => resolve(false));
      req.end(body);
    });
  const lat: number[] = [];
  let errors = 0;
  let next = 0;
  // rate 0: closed loop (saturation); else each client sends every CLIENTS/rate seconds, staggered.
  const period = rate > 0 ? (CLIENTS / rate) * 1000 : 0;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const run = async (untilMs: number, record: boolean) => {
    await Promise.all(Array.from({ length: CLIENTS }, async (_, c) => {
      let due = performance.now() + (period * c) / CLIENTS;
      while (performance.now() < untilMs) {
        if (period) {
          const wait = due - performance.now();
          if (wait > 0) await sleep(wait);
          due += period;
        }
        const body = bodies[next++ % bodies.length]!;
        const t = performance.now();
        const ok = await send(body);
        if (!record) continue;
        lat.push(performance.now() - t);
        if (!ok) errors++;
      }
    }));
  };
  await run(performance.now() + 1500, false); // warm-up: connections, JIT
  const t0 = performance.now();
  await run(t0 + SECONDS * 1000, true);
  const seconds = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? NaN;
  const out: LoadResult = { requests: lat.length, errors, seconds, p50: q(0.5), p99: q(0.99), max: lat.at(-1) ?? NaN };
  process.stdout.write(JSON.stringify(out));
  agent.destroy();
}

function load(port: number, caFile: string, reviewsFile: string, rate: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, new URL(import.meta.url).pathname, '--client', String(port), caFile, reviewsFile, String(rate)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as LoadResult) : reject(new Error(`load client exited ${code}`))));
  });
}

export async function admissionWebhook(): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'triad-bench-adm-'));
  const certs = await generateCerts({ service: 'triad-admission', namespace: 'bench', outDir: dir, days: 1 });
  const bodies = reviews();
  const reviewsFile = join(dir, 'reviews.json');
  writeFileSync(reviewsFile, JSON.stringify(bodies));
  const threads = Number(process.env.BENCH_THREADS ?? Math.max(2, availableParallelism() - 1)); // as `triad admission serve`
  const run = async (policyPaths: string[]) => {
    const hook = await AdmissionWebhook.start({
      tlsCert: certs.cert, tlsKey: certs.key, host: '127.0.0.1', port: 0, policyPaths, timeoutMs: 2000, failurePolicy: 'fail',
      exemptNamespaces: ['kube-system', 'bench'], missingScan: 'warn', maxBodyBytes: 8 << 20, threads,
    });
    try {
      const saturated = await load(hook.port, certs.caCert, reviewsFile, 0);
      const paced = await load(hook.port, certs.caCert, reviewsFile, TARGET_RATE);
      return { saturated, paced, denied: hook.metrics.requests.get(['denied']) };
    } finally {
      await hook.close();
    }
  };
  console.log(`admission-webhook: ${bodies.length} real workload reviews, ${CLIENTS} keep-alive HTTPS clients in a separate process, ${SECONDS} s per run, ${threads} evaluator thread(s)`);
  const empty = await run([]);
  const full = await run([join(REPO_ROOT, 'policies')]);
  const line = (r: LoadResult) =>
    `${(r.requests / r.seconds).toFixed(0)} reviews/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, max ${r.max.toFixed(1)} ms, ${r.errors} errors`;
  for (const [name, r] of [['no policies', empty], ['default policies', full]] as const) {
    console.log(`  ${name}: saturated ${line(r.saturated)}`);
    console.log(`  ${name}: at ${TARGET_RATE}/s   ${line(r.paced)}`);
  }
  const rate = full.saturated.requests / full.saturated.seconds;
  const paced = full.paced.requests / full.paced.seconds;
  return [
    { figure: 'webhook reviews/s (default policies, 50 clients, saturated)', measured: rate.toFixed(0), target: '>= 2000', pass: rate >= 2000 && full.saturated.errors === 0, note: `no policies: ${(empty.saturated.requests / empty.saturated.seconds).toFixed(0)}/s` },
    { figure: `webhook p99 latency at ${TARGET_RATE} reviews/s (default policies)`, measured: `${full.paced.p99.toFixed(2)} ms`, target: '<= 5 ms', pass: full.paced.p99 <= 5 && paced >= TARGET_RATE * 0.95 && full.paced.errors === 0, note: `p50 ${full.paced.p50.toFixed(2)} ms, achieved ${paced.toFixed(0)}/s; no policies p50 ${empty.paced.p50.toFixed(2)} / p99 ${empty.paced.p99.toFixed(2)} ms` },
  ];
}

if (import.meta.main) {
  if (process.argv[2] === '--client') await client(Number(process.argv[3]), process.argv[4]!, process.argv[5]!, Number(process.argv[6]));
  else console.table(await admissionWebhook());
}
