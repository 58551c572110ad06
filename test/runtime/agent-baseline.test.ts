// The baseline proof, live: `triad agent run` learns a container's normal run, promotes the
// baseline to monitor after its learning window and quiet period, then one deviation gives exactly
// one baseline alert and ten more normal runs give none. The baseline survives the agent (saved to
// --baseline-dir, listed by `triad agent baseline list`).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '../infra/util.ts';
import { BUSYBOX, liveAgentUnavailable, runContainer, startAgent, startEnv, TRIAD, type Env, type RunningAgent } from './harness.ts';

const why = liveAgentUnavailable();
let env: Env;
let agent: RunningAgent;
let dir: string;

const NORMAL = ['sh', '-c', 'id >/dev/null; ls / >/dev/null; echo ok > /tmp/state'];
const DEVIANT = ['sh', '-c', 'id >/dev/null; ls / >/dev/null; echo ok > /tmp/state; cat /proc/version >/dev/null'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  if (why) return;
  dir = mkdtempSync(join(tmpdir(), 'triad-e2e-baseline-'));
  env = await startEnv();
  agent = await startAgent(['--docker-host', env.docker.host, '--baseline-dir', dir, '--learning', '4s', '--quiet-period', '3s']);
});

after(async () => {
  if (agent && agent.child.exitCode === null) await agent.stop();
  await env?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('learn, one deviation → exactly one alert, ten normal runs → none', { skip: why }, async () => {
  const baselineAlerts = (id: string) => agent.lines.filter((a) => a.kind === 'alert' && a.source === 'baseline' && a.container?.id === id);
  for (let i = 0; i < 3; i++) {
    const id = await runContainer(env, `triad-e2e-learn-${i}`, BUSYBOX, NORMAL);
    await sleep(300);
    assert.deepEqual(baselineAlerts(id), [], 'learning raises nothing');
  }
  await sleep(5_000); // learning window and quiet period pass
  // The first run after the window promotes the baseline (and, being normal, raises nothing).
  const first = await runContainer(env, 'triad-e2e-normal-first', BUSYBOX, NORMAL);
  await sleep(1_000);
  assert.deepEqual(baselineAlerts(first), []);

  const dev = await runContainer(env, 'triad-e2e-deviant', BUSYBOX, DEVIANT);
  const alert = await agent.waitFor((a) => a.kind === 'alert' && a.source === 'baseline' && a.container?.id === dev, 15_000, 'the baseline deviation');
  assert.equal(alert.rule, 'baseline:process');
  assert.match(alert.output, /\/bin\/cat/);
  assert.equal(alert.container.name, 'triad-e2e-deviant');
  assert.equal(alert.container.image, BUSYBOX);
  await sleep(1_000);
  assert.equal(baselineAlerts(dev).length, 1, `exactly one: ${JSON.stringify(baselineAlerts(dev).map((a) => a.output))}`);

  const normal: string[] = [];
  for (let i = 0; i < 10; i++) normal.push(await runContainer(env, `triad-e2e-normal-${i}`, BUSYBOX, NORMAL));
  await sleep(2_000);
  const noisy = normal.flatMap((id) => baselineAlerts(id).map((a) => a.output));
  assert.deepEqual(noisy, [], 'ten normal runs, zero alerts');

  assert.equal(await agent.stop(), 0);
  const list = await run(TRIAD, ['agent', 'baseline', 'list', '--baseline-dir', dir, '--json']);
  const rows = JSON.parse(list.stdout) as { mode: string; image: { ref?: string } }[];
  const mine = rows.find((r) => r.image.ref === BUSYBOX);
  assert.ok(mine, list.stdout);
  assert.equal(mine.mode, 'monitor');
});
