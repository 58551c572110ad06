// Responses against real containers and processes: kill a process inside a Docker container, pause
// and stop Docker, podman and containerd containers, and the refusals (host, pid 1, the agent, a
// recycled pid, a pid that left the container). Each engine skips with its reason when it cannot run.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import type { Alert, RuntimeEvent } from '../event.ts';
import { HOST_CONTAINER } from '../event.ts';
import { ContainerResolver } from '../container/resolver.ts';
import { readProcStat } from '../container/proc-stat.ts';
import {
  cgroupOf,
  containerdUnavailable,
  containerPid,
  dockerFixtureUnavailable,
  findPids,
  podmanContainerOrSkip,
  podmanUnavailable,
  startContainerd,
  startDockerFixture,
  type DockerFixture,
} from '../container/test-support.ts';
import { run, waitFor } from '../../../test/infra/util.ts';
import { Responder } from './responder.ts';

function alertFor(event: RuntimeEvent): Alert {
  const c = event.container ?? HOST_CONTAINER;
  return { time: event.time, rule: 'test', priority: 'WARNING', output: 'test', source: 'rules', container: { id: c.id, name: c.name, image: c.image }, event };
}

function hostEvent(pid: number): RuntimeEvent {
  return { time: new Date().toISOString(), source: 'bpftrace', type: 'execve', category: 'process', process: { pid, comm: 'x' }, container: HOST_CONTAINER };
}

describe('refusals (no engine needed)', () => {
  const responder = new Responder({ dockerHost: false, podmanCli: false, containerdAddresses: [] });
  test('never the host pid 1, the agent itself, or pause/stop of the host', async () => {
    for (const pid of [1, 0, -5, process.pid]) {
      const r = await responder.execute('kill', alertFor(hostEvent(pid)));
      assert.equal(r.ok, false, String(pid));
      assert.match(r.error ?? '', /refusing/);
    }
    assert.equal(process.kill(process.pid, 0), true, 'still alive');
    for (const a of ['pause', 'stop'] as const) {
      const r = await responder.execute(a, alertFor(hostEvent(12345)));
      assert.deepEqual([r.ok, /host/.test(r.error ?? '')], [false, true]);
    }
    assert.deepEqual(await responder.execute('alert', alertFor(hostEvent(1))), { action: 'alert', ok: true });
  });

  test('kills a host process it was told about, and refuses a recycled pid', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    await new Promise((r) => child.once('spawn', r));
    const exited = new Promise<string | null>((r) => child.once('exit', (_c, s) => r(s)));
    const ev = hostEvent(child.pid!);
    const stale = { ...ev, process: { ...ev.process, startTicks: readProcStat(child.pid!)!.startTicks - 1 } };
    const refused = await responder.execute('kill', alertFor(stale));
    assert.equal(refused.ok, false);
    assert.match(refused.error ?? '', /reused/);
    // An event from before the process existed (a recycled pid, no recorded start time): refused too.
    const old = { ...ev, time: new Date(Date.now() - 3600_000).toISOString() };
    assert.match((await responder.execute('kill', alertFor(old))).error ?? '', /reused/);

    ev.process.startTicks = readProcStat(child.pid!)!.startTicks;
    const r = await responder.execute('kill', alertFor(ev));
    assert.deepEqual(r, { action: 'kill', ok: true });
    assert.equal(await exited, 'SIGKILL');
    const again = await responder.execute('kill', alertFor(ev));
    assert.equal(again.ok, false);
  });

  test('enforceability is probed on this node', async () => {
    const rep = await responder.enforceability();
    assert.equal(rep.actions.alert.possible, true);
    assert.equal(rep.actions.kill.possible, true, rep.actions.kill.reason);
    assert.equal(rep.root, process.getuid?.() === 0);
    // No engine configured for this responder: pause and stop cannot be carried out.
    assert.equal(rep.actions.pause.possible, false);
    assert.equal(rep.actions.stop.possible, false);
    assert.match(rep.actions.stop.reason, /no container engine/);
  });
});

describe('responses on Docker containers', { skip: dockerFixtureUnavailable() }, () => {
  let fx: DockerFixture;
  let resolver: ContainerResolver;
  let responder: Responder;
  const name = (s: string) => `triad-resp-${s}-${process.pid}`;
  before(async () => {
    fx = await startDockerFixture();
    resolver = new ContainerResolver({ dockerHost: fx.docker.host, podmanCli: false, podmanSocket: false, containerdAddresses: [] });
    responder = new Responder({ resolver, dockerHost: fx.docker.host, podmanCli: false, containerdAddresses: [], stopGraceSeconds: 1 });
  });
  after(async () => {
    await resolver?.close();
    await fx?.docker.docker(['rm', '-f', name('kill'), name('pause'), name('stop')], { allowFail: true });
    await fx?.stop();
  });

  async function eventIn(id: string, exe = '/bin/sleep'): Promise<RuntimeEvent> {
    const init = await containerPid(fx.docker, id);
    const cg = cgroupOf(init);
    let pids: number[] = [];
    await waitFor(`${exe} in ${id}`, async () => (pids = findPids(cg.path, exe)).length > 0, 10_000);
    const ev: RuntimeEvent = { time: new Date().toISOString(), source: 'bpftrace', type: 'execve', category: 'process', cgroupId: cg.id, process: { pid: Math.max(...pids), comm: 'sleep', exe } };
    await resolver.attribute(ev);
    return ev;
  }

  test('kill: the process inside the container dies, the container keeps running', async () => {
    const id = (await fx.docker.docker(['run', '-d', '--name', name('kill'), fx.image, 'sleep', '300'])).stdout.trim();
    const init = await containerPid(fx.docker, id);
    await fx.docker.docker(['exec', '-d', id, '/bin/sleep', '301']);
    await waitFor('exec', async () => findPids(cgroupOf(init).path, '/bin/sleep').length === 2, 10_000);
    const ev = await eventIn(id);
    assert.notEqual(ev.process.pid, init);
    assert.equal(ev.container?.id, id);
    assert.ok(ev.process.startTicks, 'attribution recorded the start time');
    const r = await responder.execute('kill', alertFor(ev));
    assert.deepEqual(r, { action: 'kill', ok: true });
    await waitFor('sleep gone', async () => !readProcStat(ev.process.pid) || readProcStat(ev.process.pid)!.state === 'Z', 5000);
    // The container's init is still there: only the process was killed.
    assert.equal((await fx.docker.docker(['inspect', '-f', '{{.State.Running}}', id])).stdout.trim(), 'true');
    assert.ok(readProcStat(init));
  });

  test('kill refuses a pid that is not in the alert\'s container', async () => {
    const id = (await fx.docker.docker(['run', '-d', '--name', name('stop'), fx.image, 'sleep', '300'])).stdout.trim();
    const ev = await eventIn(id);
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    await new Promise((r) => child.once('spawn', r));
    try {
      const lie: RuntimeEvent = { ...ev, process: { pid: child.pid!, comm: 'sleep' } };
      const r = await responder.execute('kill', alertFor(lie));
      assert.equal(r.ok, false);
      assert.match(r.error ?? '', /no longer in container/);
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('pause and stop go through the engine and are verified', async () => {
    const id = (await fx.docker.docker(['run', '-d', '--name', name('pause'), fx.image, 'sleep', '300'])).stdout.trim();
    const ev = await eventIn(id);
    assert.deepEqual(await responder.execute('pause', alertFor(ev)), { action: 'pause', ok: true });
    assert.equal((await fx.docker.docker(['inspect', '-f', '{{.State.Paused}}', id])).stdout.trim(), 'true');
    await fx.docker.docker(['unpause', id]);
    // As a Falco alert names it: the 12-character id, engine unknown.
    const falcoStyle: RuntimeEvent = { ...ev, source: 'falco', container: { id: id.slice(0, 12), runtime: 'unknown' } };
    const bare = new Responder({ dockerHost: fx.docker.host, podmanCli: false, containerdAddresses: [] });
    assert.deepEqual(await bare.execute('pause', alertFor(falcoStyle)), { action: 'pause', ok: true });
    assert.equal((await fx.docker.docker(['inspect', '-f', '{{.State.Paused}}', id])).stdout.trim(), 'true');
    await fx.docker.docker(['unpause', id]);
    assert.deepEqual(await responder.execute('stop', alertFor(ev)), { action: 'stop', ok: true });
    assert.equal((await fx.docker.docker(['inspect', '-f', '{{.State.Running}}', id])).stdout.trim(), 'false');
    const gone = await responder.execute('pause', { ...alertFor(ev), container: { id: 'f'.repeat(64) } });
    assert.equal(gone.ok, false);
  });

  test('enforceability with a reachable Docker engine', async () => {
    const rep = await responder.enforceability();
    assert.equal(rep.engines.docker?.reachable, true);
    assert.match(rep.engines.docker?.version ?? '', /^\d+\./);
    assert.equal(rep.actions.stop.possible, true);
    assert.equal(rep.actions.pause.possible, rep.freezer.cgroupV1 || rep.freezer.cgroupV2);
  });
});

describe('responses on podman containers', { skip: podmanUnavailable() }, () => {
  test('pause and stop through the podman CLI', async (t) => {
    const started = await podmanContainerOrSkip(t, `triad-resp-pod-${process.pid}`, ['sleep', '120']);
    if (!started) return;
    const { id } = started;
    const responder = new Responder({ dockerHost: false, podmanCli: true, containerdAddresses: [], stopGraceSeconds: 1 });
    try {
      const ev: RuntimeEvent = { time: new Date().toISOString(), source: 'bpftrace', type: 'openat', category: 'file', process: { pid: 1, comm: 'x' }, container: { id, runtime: 'podman' } };
      assert.deepEqual(await responder.execute('pause', alertFor(ev)), { action: 'pause', ok: true });
      assert.equal((await run('podman', ['inspect', '-f', '{{.State.Status}}', id])).stdout.trim(), 'paused');
      await run('podman', ['unpause', id]);
      assert.deepEqual(await responder.execute('stop', alertFor(ev)), { action: 'stop', ok: true });
      assert.match((await run('podman', ['inspect', '-f', '{{.State.Status}}', id])).stdout.trim(), /exited|stopped/);
    } finally {
      await run('podman', ['rm', '-f', '-t', '0', id], { allowFail: true });
    }
  });
});

describe('responses on containerd containers', { skip: containerdUnavailable() }, () => {
  test('pause and stop through ctr', async () => {
    const cd = await startContainerd();
    const resolver = new ContainerResolver({ dockerHost: false, podmanCli: false, podmanSocket: false, containerdAddresses: [cd.address] });
    const responder = new Responder({ resolver, dockerHost: false, podmanCli: false, containerdAddresses: [cd.address], stopGraceSeconds: 1 });
    try {
      await cd.ctr(['run', '-d', cd.image, 'triad-r1', 'sleep', '120']);
      let pid = 0;
      await waitFor('task', async () => (pid = Number((await cd.ctr(['tasks', 'ls'])).stdout.split('\n').find((l) => l.startsWith('triad-r1 '))?.trim().split(/\s+/)[1] ?? 0)) > 0, 20_000);
      const ev: RuntimeEvent = { time: new Date().toISOString(), source: 'bpftrace', type: 'openat', category: 'file', cgroupId: cgroupOf(pid).id, process: { pid, comm: 'sleep' } };
      await resolver.attribute(ev);
      assert.equal(ev.container?.runtime, 'containerd');
      const status = async () => (await cd.ctr(['tasks', 'ls'])).stdout.split('\n').find((l) => l.startsWith('triad-r1 '))?.trim().split(/\s+/)[2];
      assert.deepEqual(await responder.execute('pause', alertFor(ev)), { action: 'pause', ok: true });
      assert.equal(await status(), 'PAUSED');
      await cd.ctr(['tasks', 'resume', 'triad-r1']);
      assert.deepEqual(await responder.execute('stop', alertFor(ev)), { action: 'stop', ok: true });
      assert.equal(await status(), 'STOPPED');
      const rep = await responder.enforceability();
      assert.equal(rep.engines.containerd[0]?.reachable, true);
    } finally {
      await resolver.close();
      await cd.stop();
    }
  });
});
