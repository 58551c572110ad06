// The baseline proof on real events: a busybox container run 14 times by the real Docker
// engine, recorded with Triad's bpftrace sensor and container resolver (testdata/record-runs.ts):
// runs 1-3 normal, run 4 normal + one new program, runs 5-14 normal.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RuntimeEvent } from '../event.ts';
import { BaselineManager, deviationAlert } from './manager.ts';

const RECORDING = fileURLToPath(new URL('./testdata/busybox-runs.jsonl', import.meta.url));

function runs(): RuntimeEvent[][] {
  const events = readFileSync(RECORDING, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as RuntimeEvent);
  const byContainer = new Map<string, RuntimeEvent[]>();
  for (const e of events) {
    const id = e.container!.id;
    if (!byContainer.has(id)) byContainer.set(id, []);
    byContainer.get(id)!.push(e);
  }
  return [...byContainer.values()];
}

test('real runs: learn three normal runs; the deviating run → exactly one alert; ten normal runs → zero', () => {
  const all = runs();
  assert.equal(all.length, 14);
  const m = new BaselineManager({ autoPromote: false });
  for (const run of all.slice(0, 3)) for (const e of run) assert.deepEqual(m.observe(e), []);
  assert.equal(m.list().length, 1, 'one baseline for the image, not one per container');
  const b = m.list()[0]!;
  assert.ok(b.processes.has('/bin/sh') && b.processes.has('/bin/date'));
  m.setMode(b.key, 'monitor');

  const devs = all[3]!.flatMap((e) => m.observe(e));
  assert.equal(devs.length, 1, devs.map((d) => d.what).join('; '));
  assert.equal(devs[0]!.kind, 'process');
  assert.equal(devs[0]!.key, '/bin/id');
  const alert = deviationAlert(devs[0]!);
  assert.equal(alert.container.id, all[3]![0]!.container!.id);
  assert.equal(alert.container.image, 'triad-test/busybox:1.31');

  for (const [i, run] of all.slice(4).entries()) {
    const d = run.flatMap((e) => m.observe(e));
    assert.deepEqual(d.map((x) => x.what), [], `normal run ${i + 5}`);
  }
});

test('real runs: automatic promotion between the learning runs and the deviating run', () => {
  const all = runs();
  const t = (e: RuntimeEvent) => Date.parse(e.time);
  const lastLearn = t(all[2]!.at(-1)!);
  const firstDeviating = t(all[3]![0]!);
  const gap = firstDeviating - lastLearn;
  assert.ok(gap > 0);
  // Window: until run 4 starts; quiet period: shorter than the pause before run 4.
  const m = new BaselineManager({ learningWindowMs: firstDeviating - t(all[0]![0]!), quietPeriodMs: Math.max(1, Math.floor(gap / 2)) });
  for (const run of all.slice(0, 3)) for (const e of run) m.observe(e);
  assert.equal(m.list()[0]!.mode, 'learning');
  const devs = all.slice(3).flatMap((run) => run.flatMap((e) => m.observe(e)));
  assert.equal(m.list()[0]!.mode, 'monitor');
  assert.deepEqual(devs.map((d) => d.key), ['/bin/id']);
});
