// Flood degradation on the real recorded events: a consumer that cannot keep up gets every
// security-relevant event up to the hard bound, low-priority ones are sampled with a counted drop,
// memory stays bounded, and a consumer that throws does not stop delivery.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RuntimeEvent } from '../event.ts';
import { isLowPriority, Sampler } from './sampler.ts';

const events = readFileSync(join(import.meta.dirname, 'testdata', 'recording.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as RuntimeEvent);

const tick = () => new Promise((r) => setImmediate(r));

test('below the high-water mark everything is delivered in order', async () => {
  const got: RuntimeEvent[] = [];
  const s = new Sampler((e) => got.push(e), { highWater: 1_000_000 });
  for (const e of events) s.push(e);
  while (s.length) await tick();
  assert.deepEqual(got, events);
  assert.equal(s.dropped, 0);
});

test('a flood: low-priority events are sampled and counted, high-priority ones kept until the hard bound', async () => {
  const got: RuntimeEvent[] = [];
  const s = new Sampler((e) => got.push(e), { highWater: 500, hardBound: 100_000, sampleEvery: 10 });
  let low = 0, high = 0;
  for (let round = 0; round < 20; round++) {
    for (const e of events) {
      s.push(e);
      if (isLowPriority(e)) low++;
      else high++;
    }
  }
  assert.ok(s.length <= 100_000);
  s.flush();
  const gotHigh = got.filter((e) => !isLowPriority(e)).length;
  const gotLow = got.length - gotHigh;
  assert.equal(gotHigh, high, 'no exec/connect/privilege/namespace/kernel event lost below the hard bound');
  assert.ok(gotLow < low, 'low-priority events were sampled');
  assert.ok(gotLow > (low - 500) / 10 - 2, 'about one in ten kept');
  assert.equal(s.dropped, low - gotLow);
});

test('the hard bound: memory stays bounded and every drop is counted; a throwing consumer does not stop delivery', async () => {
  let n = 0;
  const s = new Sampler(() => {
    n++;
    if (n % 7 === 0) throw new Error('consumer bug');
  }, { highWater: 100, hardBound: 1000 });
  const exec = events.find((e) => e.type === 'execve')!;
  for (let i = 0; i < 50_000; i++) s.push(exec);
  assert.equal(s.length, 1000);
  assert.equal(s.dropped, 49_000);
  assert.equal(s.peak, 1000);
  while (s.length) await tick();
  assert.equal(n, 1000);
});
