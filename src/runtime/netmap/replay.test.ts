// The network map on real events: pods laid out on the real Docker engine as dockershim does,
// talking with busybox nc, recorded with Triad's bpftrace sensor and container resolver
// (testdata/record-flows.ts documents the traffic). The observed window ends at `newTrafficFrom`;
// after it, web connects straight to the database.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ContainerInfo, RuntimeEvent } from '../event.ts';
import { loadManifestText } from '../../k8s/manifest/index.ts';
import { FlowMap, type Flow } from './flows.ts';
import { generateCiliumPolicies, generateNetworkPolicies, policiesToYaml } from './generate.ts';
import { dryRun } from './dryrun.ts';
import { flowsFromJson, flowsToJson } from './flows-io.ts';

const here = (f: string) => fileURLToPath(new URL(`./testdata/${f}`, import.meta.url));
const events = readFileSync(here('flows.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as RuntimeEvent);
const { newTrafficFrom, ips } = JSON.parse(readFileSync(here('flows-ips.json'), 'utf8')) as { newTrafficFrom: string; ips: Record<string, ContainerInfo> };

function map(from: string, to: string): Flow[] {
  const m = new FlowMap({ containerOf: (ip) => ips[ip] });
  for (const e of events) if (e.time >= from && e.time < to) m.record(e);
  return m.flows();
}

const strip = (s: string) => s.replace(/-\d+$/, ''); // the recorder suffixes plain containers' names with its pid
const show = (flows: Flow[]) => flows.map((f) => `${f.src.kind === 'k8s' ? `${f.src.namespace}/${f.src.name}` : strip(f.src.name)} → ${f.dst.kind === 'k8s' ? `${f.dst.namespace}/${f.dst.name}` : strip(f.dst.name)} ${f.port}/${f.protocol}`).sort();

test('real traffic: flows between workloads, from both sides, through IPv4-mapped addresses and pod sandboxes', () => {
  const flows = map('', newTrafficFrom);
  assert.deepEqual(show(flows), ['shop/api → shop/db 5432/TCP', 'shop/web → legacy-billing 9000/TCP', 'shop/web → shop/api 8080/TCP']);
  for (const f of flows) {
    assert.ok(f.egressSeen > 3 && f.ingressSeen > 3, 'seen by the connecting and the accepting side');
    assert.ok(f.count >= Math.max(f.egressSeen, f.ingressSeen) && f.count < f.egressSeen + f.ingressSeen);
  }
  const api = flows.find((f) => f.dst.name === 'api')!.dst;
  assert.deepEqual(api.labels, { app: 'api' }, 'pod labels (from the sandbox), without pod-template-hash');
});

test('real traffic: generated policies allow the observed window and block the new connection', () => {
  const observed = map('', newTrafficFrom);
  const np = generateNetworkPolicies(observed);
  assert.equal(np.objects.length, 3);
  assert.deepEqual(np.skipped.map((s) => strip(s.workload)), ['container:legacy-billing']);
  const cnp = generateCiliumPolicies(observed);
  const later = map(newTrafficFrom, '9999');
  // Normal traffic goes on after the window; the new connection is the one flow not seen before.
  assert.deepEqual(show(later).filter((f) => !show(observed).includes(f)), ['shop/web → shop/db 5432/TCP']);
  for (const gen of [np, cnp]) {
    const loaded = loadManifestText(policiesToYaml(gen.objects), 'generated.yaml');
    assert.deepEqual(loaded.errors, []);
    const raws = loaded.objects.map((o) => o.raw);
    const before = dryRun(raws, observed);
    assert.deepEqual(before.issues, []);
    assert.deepEqual(before.blocked.map((v) => v.reason), []);
    const after = dryRun(raws, later);
    assert.deepEqual(show(after.blocked.map((v) => v.flow)), ['shop/web → shop/db 5432/TCP']);
    assert.equal(after.blocked[0]!.direction, 'egress');
    assert.match(after.blocked[0]!.policies[0]!, /triad-web$/);
    assert.equal(after.blockedConnections, after.blocked[0]!.flow.count);
  }
});

test('flows saved and read back give the same policies; malformed flow files are rejected by path', () => {
  const observed = map('', newTrafficFrom);
  const back = flowsFromJson(flowsToJson(observed), 'flows.json');
  assert.deepEqual(back, observed);
  assert.deepEqual(generateNetworkPolicies(back), generateNetworkPolicies(observed));
  const doc = JSON.parse(flowsToJson(observed));
  const bad = (mutate: (d: { flows: Record<string, unknown>[] }) => void) => { const d = structuredClone(doc); mutate(d); return JSON.stringify(d); };
  assert.throws(() => flowsFromJson('{', 'f.json'), /^FlowsFormatError: f\.json: \$: invalid JSON/);
  assert.throws(() => flowsFromJson('{"kind":"TriadFlows","version":2,"flows":[]}', 'f.json'), /f\.json: \$\.version: unsupported version 2/);
  assert.throws(() => flowsFromJson(bad((d) => { d.flows[1]!.port = 70000; }), 'f.json'), /f\.json: \$\.flows\[1\]\.port: must be 1-65535/);
  assert.throws(() => flowsFromJson(bad((d) => { (d.flows[0]!.src as Record<string, unknown>).labels = { a: 1 }; }), 'f.json'), /\$\.flows\[0\]\.src\.labels\.a: must be a string/);
  assert.throws(() => flowsFromJson(bad((d) => { d.flows[2]!.lastSeen = 'later'; }), 'f.json'), /\$\.flows\[2\]\.lastSeen: must be an ISO-8601 time/);
});
