// Policy engine throughput: the default policy set (policies/) evaluated against real workload
// manifests (the upstream PSS fixture pods of v1.37 and the kubernetes/examples workloads), as the
// admission webhook does per review: input conversion + every matching policy, no compilation.
// Prints evaluations/s and per-evaluation p50/p99, against a baseline measured in the same run:
// JSON.parse of the same objects (the least any webhook does with a review).
// Run: scripts/with-node.sh bench/policy-eval.ts
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPolicies } from '../src/policy/compile.ts';
import { loadInputFile } from '../src/policy/input-files.ts';
import { WORKLOAD_KINDS } from '../src/policy/inputs.ts';
import type { PolicyInput } from '../src/policy/types.ts';
import { REPO_ROOT, sharedData } from '../test/shared-data.ts';
import type { Figure } from './util.ts';

function workloadInputs(): PolicyInput[] {
  const out: PolicyInput[] = [];
  const pss = sharedData('k8s/pod-security-admission/test/testdata/restricted/v1.37');
  for (const d of ['pass', 'fail']) for (const f of readdirSync(join(pss, d))) out.push(...loadInputFile(join(pss, d, f)));
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : []));
  for (const f of walk(sharedData('k8s/examples'))) {
    try {
      out.push(...loadInputFile(f).filter((i) => i.type === 'object' && WORKLOAD_KINDS.has(String((i.object as { kind?: unknown }).kind))));
    } catch {
      /* templates with placeholders are not YAML: skip */
    }
  }
  return out;
}

export function policyEval(): Figure[] {
  const t0 = performance.now();
  const set = loadPolicies([join(REPO_ROOT, 'policies')]);
  const compileMs = performance.now() - t0;
  const inputs = workloadInputs();
  const texts = inputs.map((i) => JSON.stringify((i as { object: unknown }).object));
  const now = new Date();
  // Warm up (JIT), then time each evaluation.
  for (let i = 0; i < 2000; i++) set.evaluate(inputs[i % inputs.length]!, { now });
  const N = 20_000;
  const lat = new Float64Array(N);
  let verdicts = 0;
  const start = performance.now();
  for (let i = 0; i < N; i++) {
    const a = performance.now();
    verdicts += set.evaluate(inputs[i % inputs.length]!, { now }).length;
    lat[i] = performance.now() - a;
  }
  const total = performance.now() - start;
  const b0 = performance.now();
  for (let i = 0; i < N; i++) JSON.parse(texts[i % texts.length]!);
  const baseline = performance.now() - b0;
  lat.sort();
  const q = (p: number) => lat[Math.min(N - 1, Math.floor(p * N))]!;
  const perSec = (N / total) * 1000;
  console.log(`policy-eval: ${set.policies.length} policies (${set.policies.reduce((n, p) => n + p.validations.length, 0)} validations) compiled once in ${compileMs.toFixed(0)} ms`);
  console.log(`  ${inputs.length} real workload manifests, ${N} evaluations, ${verdicts} verdicts`);
  console.log(`  ${perSec.toFixed(0)} evaluations/s; p50 ${(q(0.5) * 1000).toFixed(0)} µs, p99 ${(q(0.99) * 1000).toFixed(0)} µs, max ${(q(1) * 1000).toFixed(0)} µs`);
  console.log(`  baseline JSON.parse of the same objects: ${((N / baseline) * 1000).toFixed(0)}/s (evaluation costs ${(total / baseline).toFixed(1)}x a parse)`);
  return [
    { figure: 'policy evaluations/s (default set, one core)', measured: perSec.toFixed(0), target: '>= 2000', pass: perSec >= 2000 },
    { figure: 'policy evaluation p99', measured: `${(q(0.99) * 1000).toFixed(0)} µs`, target: '<= 5 ms', pass: q(0.99) <= 5 },
  ];
}

if (import.meta.main) console.table(policyEval());
