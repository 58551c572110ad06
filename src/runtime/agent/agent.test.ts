// The pipeline with real parts: the replay sensor reading a recording from disk, the real
// BaselineManager, real outputs (a rotating file); response policy parsing and decisions.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BaselineManager } from '../baseline/index.ts';
import type { Alert, ContainerInfo, RuntimeEvent } from '../event.ts';
import { RotatingFileOutput } from '../output/file.ts';
import { Agent } from './pipeline.ts';
import { ReplaySensor } from './replay.ts';
import { decideAction, parseResponsePolicy } from './response-policy.ts';
import { Ring, Timelines } from './timeline.ts';

const web: ContainerInfo = { id: 'a'.repeat(64), name: 'web', image: 'nginx:1.27', imageDigest: 'sha256:' + 'b'.repeat(64), runtime: 'docker' };
let clock = Date.parse('2026-01-01T00:00:00Z');
function exec(exe: string, parent: string, c = web): RuntimeEvent {
  clock += 1000;
  return {
    time: new Date(clock).toISOString(),
    source: 'bpftrace',
    type: 'execve',
    category: 'process',
    process: { pid: 100 + (clock % 1000), comm: exe.split('/').pop()!, exe, argv: [exe], ancestors: [{ pid: 1, comm: parent.split('/').pop()!, exe: parent }] },
    container: c,
  };
}

test('baseline through the pipeline: learn, monitor, one deviation → one alert with tree and timeline; normal runs → none', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'triad-agent-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const normal = () => [exec('/usr/sbin/nginx', '/usr/bin/containerd-shim'), exec('/bin/sh', '/usr/sbin/nginx'), exec('/usr/bin/id', '/bin/sh')];
  const lines: RuntimeEvent[] = [...normal(), ...normal()];
  const rec = join(dir, 'learn.jsonl');
  writeFileSync(rec, lines.map((e) => JSON.stringify(e)).join('\n') + '\nnot json\n{"half": true}\n');
  const baselines = new BaselineManager({ autoPromote: false });
  const outPath = join(dir, 'alerts.jsonl');
  const logs: string[] = [];
  const run = async (file: string) => {
    const alerts: Alert[] = [];
    const sensor = new ReplaySensor(file, { log: (m) => logs.push(m) });
    const agent = new Agent({ sensor, outputs: [new RotatingFileOutput(outPath)], baselines, onAlert: (a) => alerts.push(a), metricsIntervalMs: 0 });
    await agent.start();
    await sensor.done();
    const m = await agent.stop();
    return { alerts, m };
  };
  const learn = await run(rec);
  assert.equal(learn.alerts.length, 0, 'learning raises nothing');
  assert.equal(learn.m.events, 6);
  assert.equal(learn.m.sensorDropped, 2, 'two bad lines counted');
  assert.ok(logs.some((l) => /learn\.jsonl:7: skipped \(not JSON\)/.test(l)), logs.join('\n'));
  baselines.get(web.imageDigest!)!.setMode('monitor', clock);

  const dev = join(dir, 'deviate.jsonl');
  writeFileSync(dev, [...normal(), exec('/tmp/xmrig', '/bin/sh')].map((e) => JSON.stringify(e)).join('\n'));
  const one = await run(dev);
  assert.equal(one.alerts.length, 1);
  const a = one.alerts[0]!;
  assert.equal(a.rule, 'baseline:process');
  assert.equal(a.container.id, web.id);
  assert.equal(a.container.image, 'nginx:1.27');
  assert.deepEqual(a.processTree!.map((p) => p.exe), ['/tmp/xmrig', '/bin/sh']);
  assert.deepEqual(a.timeline!.map((e) => e.process.exe), ['/usr/sbin/nginx', '/bin/sh', '/usr/bin/id', '/tmp/xmrig']);

  for (let i = 0; i < 10; i++) {
    const f = join(dir, `normal-${i}.jsonl`);
    writeFileSync(f, normal().map((e) => JSON.stringify(e)).join('\n'));
    assert.equal((await run(f)).alerts.length, 0, `normal run ${i}`);
  }
  const written = readFileSync(outPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; rule?: string });
  assert.equal(written.filter((r) => r.kind === 'alert').length, 1);
  assert.ok(written.some((r) => r.kind === 'agent'), 'final metrics records');
});

test('a stage that throws is counted and the event goes on', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'triad-agent-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const f = join(dir, 'r.jsonl');
  writeFileSync(f, [exec('/bin/a', '/bin/sh'), exec('/bin/b', '/bin/sh')].map((e) => JSON.stringify(e)).join('\n'));
  const sensor = new ReplaySensor(f);
  const alerts: Alert[] = [];
  let n = 0;
  const agent = new Agent({
    sensor,
    outputs: [],
    processes: { enrich: () => { if (n++ === 0) throw new Error('boom'); } },
    rules: { evaluate: (e) => [{ rule: 'Any exec', priority: 'NOTICE', output: `exec ${e.process.exe}` }] },
    onAlert: (a) => alerts.push(a),
    metricsIntervalMs: 0,
  });
  await agent.start();
  await sensor.done();
  const m = await agent.stop();
  assert.equal(m.stageErrors, 1);
  assert.deepEqual(alerts.map((a) => a.output), ['exec /bin/a', 'exec /bin/b']);
});

test('response policy: first match wins; priority thresholds; host processes are only alerted', () => {
  const p = parseResponsePolicy(`
responses:
  - rule: Terminal shell in container
    action: kill
  - tag: T1611
    action: pause
  - priority: CRITICAL
    action: stop
baseline:
  protect: pause
`);
  const alert = (o: Partial<Alert>): Alert => ({ time: '', rule: 'x', priority: 'NOTICE', output: '', source: 'rules', container: { id: 'c1' }, event: exec('/bin/x', '/bin/sh'), ...o });
  assert.equal(decideAction(p, alert({ rule: 'Terminal shell in container' })), 'kill');
  assert.equal(decideAction(p, alert({ tags: ['container', 'T1611'] })), 'pause');
  assert.equal(decideAction(p, alert({ priority: 'EMERGENCY' })), 'stop');
  assert.equal(decideAction(p, alert({ priority: 'WARNING' })), 'alert');
  assert.equal(decideAction(p, alert({ rule: 'Terminal shell in container', container: { id: 'host' } })), 'alert');
  assert.equal(decideAction(p, alert({ source: 'baseline' }), { mode: 'protect', action: 'kill' }), 'pause');
  assert.equal(decideAction(p, alert({ source: 'baseline' }), { mode: 'monitor', action: 'alert' }), 'alert');
  assert.throws(() => parseResponsePolicy('responses:\n  - rule: x\n    action: reboot\n', 'r.yaml'), /r\.yaml: responses\[0\]: action must be one of/);
  assert.throws(() => parseResponsePolicy('responses:\n  - action: kill\n', 'r.yaml'), /needs rule, tag or priority/);
  assert.throws(() => parseResponsePolicy('responses: [\n', 'r.yaml'), /r\.yaml: not YAML/);
  assert.throws(() => parseResponsePolicy('resp: []', 'r.yaml'), /unknown key resp/);
});

test('timelines are bounded per container and in the number of containers', () => {
  const r = new Ring<number>(3);
  for (let i = 0; i < 10; i++) r.push(i);
  assert.deepEqual(r.toArray(), [7, 8, 9]);
  const tl = new Timelines({ perContainer: 4, containers: 2 });
  for (let i = 0; i < 10; i++) tl.record('c1', exec(`/bin/p${i}`, '/bin/sh'));
  tl.record('c2', exec('/bin/x', '/bin/sh'));
  tl.record('c3', exec('/bin/y', '/bin/sh'));
  const last = exec('/bin/z', '/bin/sh');
  assert.deepEqual(tl.around('c1', last), [], 'least recently active container evicted');
  assert.equal(tl.around('c3', last).length, 1);
});

test('reorder buffer: releases in ts order once the watermark passes, bounded, late events counted', async () => {
  const { ReorderBuffer } = await import('./reorder.ts');
  let now = 1_000_000_000;
  const out: number[] = [];
  const rb = new ReorderBuffer<{ ts?: number; n: number }>((e) => out.push(e.n), { windowMs: 20, maxPending: 5, nowNs: () => now });
  rb.push({ ts: now - 1_000, n: 2 }); // CPU 1's event arrives first
  rb.push({ ts: now - 2_000, n: 1 }); // CPU 0's earlier event arrives second
  rb.push({ n: 0 }); // no ts: straight through
  assert.deepEqual(out, [0]);
  now += 25e6;
  rb.release(now - 20e6);
  assert.deepEqual(out, [0, 1, 2]);
  rb.push({ ts: now - 30e6, n: 3 }); // older than what was released: late, still delivered
  rb.flush();
  assert.deepEqual(out, [0, 1, 2, 3]);
  assert.equal(rb.late, 1);
  for (let i = 0; i < 5; i++) rb.push({ ts: now + 10 - i, n: 10 + i });
  assert.deepEqual(out.slice(4), [14, 13, 12, 11, 10], 'maxPending releases everything at once, in order');
  rb.flush();
});
