// ContainerResolver against real engines: a Docker container (with CRI labels and a sandbox carrying
// pod labels), drift by a binary copied into a running container, the Docker event stream, podman
// and a private containerd driven with ctr. Each engine skips with its reason when it cannot run.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, rmdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { RuntimeEvent } from '../event.ts';
import { ContainerResolver } from './resolver.ts';
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
} from './test-support.ts';
import { run, waitFor } from '../../../test/infra/util.ts';

/** rmdir of the (empty) cgroup dirs a test made runc create, in every hierarchy; busy or absent ones stay. */
function removeEmptyCgroups(rels: string[]): void {
  for (const h of readdirSync('/sys/fs/cgroup')) {
    for (const rel of rels) {
      try {
        rmdirSync(`/sys/fs/cgroup/${h}/${rel}`);
      } catch {
        // not there, not empty, or not a hierarchy
      }
    }
  }
}

function execEvent(pid: number, exe: string, cgroupId?: number): RuntimeEvent {
  return { time: new Date().toISOString(), source: 'bpftrace', type: 'execve', category: 'process', cgroupId, process: { pid, comm: exe.split('/').pop()!.slice(0, 15), exe } };
}

const dockerSkip = dockerFixtureUnavailable();
describe('ContainerResolver with Docker', { skip: dockerSkip }, () => {
  let fx: DockerFixture;
  const suffix = `${process.pid}-${Date.now() % 100000}`;
  let sandboxId = '';
  let appId = '';
  let resolver: ContainerResolver;

  before(async () => {
    fx = await startDockerFixture();
    sandboxId = (await fx.docker.docker(['run', '-d', '--name', `triad-sandbox-${suffix}`, '--label', 'app=web', '--label', 'tier=frontend', '--label', 'io.kubernetes.pod.name=web-7d9f', '--label', 'io.kubernetes.container.name=POD', fx.image, 'sleep', '300'])).stdout.trim();
    appId = (
      await fx.docker.docker([
        'run', '-d', '--name', `triad-app-${suffix}`,
        '--label', 'io.kubernetes.pod.name=web-7d9f', '--label', 'io.kubernetes.pod.namespace=shop',
        '--label', 'io.kubernetes.pod.uid=0d3b7c5e-1111-4222-8333-444455556666', '--label', `io.kubernetes.sandbox.id=${sandboxId}`,
        '--label', 'owner=team-a', fx.image, 'sleep', '300',
      ])
    ).stdout.trim();
    resolver = new ContainerResolver({ dockerHost: fx.docker.host, podmanCli: false, podmanSocket: false, containerdAddresses: [], lookupBudgetMs: 2000 });
  });
  after(async () => {
    await resolver?.close();
    await fx?.docker.docker(['rm', '-f', `triad-app-${suffix}`, `triad-sandbox-${suffix}`, `triad-late-${suffix}`], { allowFail: true });
    await fx?.stop();
  });

  test('a container process resolves to id, name, image, digest, labels and Kubernetes identity', async () => {
    const pid = await containerPid(fx.docker, appId);
    const cg = cgroupOf(pid);
    const ev: RuntimeEvent = { time: new Date().toISOString(), source: 'bpftrace', type: 'openat', category: 'file', cgroupId: cg.id, process: { pid, comm: 'sleep' } };
    await resolver.attribute(ev);
    const c = ev.container!;
    assert.equal(c.id, appId);
    assert.equal(c.runtime, 'docker');
    assert.equal(c.name, `triad-app-${suffix}`);
    assert.equal(c.image, fx.image);
    assert.equal(c.imageDigest, fx.digest);
    assert.match(c.imageId ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.equal(c.privileged, false);
    assert.equal(c.labels?.owner, 'team-a');
    assert.deepEqual(c.k8s, { pod: 'web-7d9f', namespace: 'shop', podUid: '0d3b7c5e-1111-4222-8333-444455556666', labels: { app: 'web', tier: 'frontend' } });
    // The second event of the same cgroup is a synchronous cache hit with the same identity.
    const again: RuntimeEvent = { ...ev, container: undefined, process: { pid, comm: 'sleep' } };
    assert.equal(resolver.attribute(again), undefined);
    assert.equal(again.container, c);
  });

  test('a host process is attributed to the host', async () => {
    const ev: RuntimeEvent = { time: new Date().toISOString(), source: 'bpftrace', type: 'openat', category: 'file', cgroupId: cgroupOf(process.pid).id, process: { pid: process.pid, comm: 'node' } };
    await resolver.attribute(ev);
    assert.equal(ev.container?.id, 'host');
    assert.equal(ev.container?.runtime, 'host');
  });

  test('without a cgroup id, /proc/<pid>/cgroup attributes the event', async () => {
    const pid = await containerPid(fx.docker, appId);
    const ev: RuntimeEvent = { time: new Date().toISOString(), source: 'falco', type: 'openat', category: 'file', process: { pid, comm: 'sleep' } };
    await resolver.attribute(ev);
    assert.equal(ev.container?.id, appId);
  });

  test('a binary copied into the running container is drift; an image binary is not', async () => {
    // busybox picks its applet from the file name, so the dropped copy is called sleep.
    await fx.docker.docker(['exec', appId, 'sh', '-c', 'mkdir -p /tmp/drop && cp /bin/busybox /tmp/drop/sleep']);
    await fx.docker.docker(['exec', '-d', appId, '/tmp/drop/sleep', '60']);
    const cgPath = cgroupOf(await containerPid(fx.docker, appId)).path;
    let pids: number[] = [];
    await waitFor('dropped binary running', async () => (pids = findPids(cgPath, '/tmp/drop/sleep')).length > 0, 10_000);
    const drift = execEvent(pids[0]!, '/tmp/drop/sleep', cgroupOf(pids[0]!).id);
    await resolver.attribute(drift);
    assert.equal(drift.container?.id, appId);
    assert.equal(drift.process.exeFromUpperLayer, true);
    assert.notEqual(drift.process.exeFromMemfd, true);

    const initPid = await containerPid(fx.docker, appId);
    const clean = execEvent(initPid, '/bin/sleep', cgroupOf(initPid).id);
    await resolver.attribute(clean);
    assert.notEqual(clean.process.exeFromUpperLayer, true);
  });

  test('Kubernetes cgroup layout (kubepods/<qos>/pod<uid>/<id>): engine found by asking, pod uid from the path', async () => {
    const uid = '5f0c1e9a-2b3c-4d5e-8f90-a1b2c3d4e5f6';
    const id = (await fx.docker.docker(['run', '-d', '--name', `triad-kube-${suffix}`, '--cgroup-parent', `/kubepods/burstable/pod${uid}`, fx.image, 'sleep', '300'])).stdout.trim();
    try {
      const pid = await containerPid(fx.docker, id);
      const cg = cgroupOf(pid);
      assert.equal(cg.path, `/kubepods/burstable/pod${uid}/${id}`);
      const ev: RuntimeEvent = { time: new Date().toISOString(), source: 'bpftrace', type: 'openat', category: 'file', cgroupId: cg.id, process: { pid, comm: 'sleep' } };
      await resolver.attribute(ev);
      assert.equal(ev.container?.id, id);
      assert.equal(ev.container?.runtime, 'docker');
      assert.equal(ev.container?.k8s?.podUid, uid);
    } finally {
      await fx.docker.docker(['rm', '-f', id], { allowFail: true });
      removeEmptyCgroups([`kubepods/burstable/pod${uid}`, 'kubepods/burstable', 'kubepods']);
    }
  });

  test('a cgroup id whose process is gone is found by walking the cgroup tree; new container dirs are learned by inotify', async () => {
    const fresh = new ContainerResolver({ dockerHost: fx.docker.host, podmanCli: false, podmanSocket: false, containerdAddresses: [], lookupBudgetMs: 2000 });
    try {
      const cg = cgroupOf(await containerPid(fx.docker, appId));
      // pid 0x3fffffff never exists: only the index can map the cgroup id.
      const ev: RuntimeEvent = { time: new Date().toISOString(), source: 'bpftrace', type: 'openat', category: 'file', cgroupId: cg.id, process: { pid: 0x3fffffff, comm: 'gone' } };
      await fresh.attribute(ev);
      assert.equal(ev.container?.id, appId);
      assert.equal(fresh.index.refreshes, 1);
      const id = (await fx.docker.docker(['run', '-d', '--name', `triad-watch-${suffix}`, fx.image, 'sleep', '300'])).stdout.trim();
      try {
        const ino = cgroupOf(await containerPid(fx.docker, id)).id;
        await waitFor('inotify learned the new cgroup', async () => fresh.index.get(ino) !== undefined, 5000);
        assert.equal(fresh.index.refreshes, 1, 'no walk was needed');
      } finally {
        await fx.docker.docker(['rm', '-f', id], { allowFail: true });
      }
    } finally {
      await fresh.close();
    }
  });

  test('a slow engine answer: the first event goes on after the budget, its container info is completed later', async () => {
    const hasty = new ContainerResolver({ dockerHost: fx.docker.host, podmanCli: false, podmanSocket: false, containerdAddresses: [], lookupBudgetMs: 0 });
    try {
      const pid = await containerPid(fx.docker, appId);
      const ev: RuntimeEvent = { time: new Date().toISOString(), source: 'bpftrace', type: 'openat', category: 'file', cgroupId: cgroupOf(pid).id, process: { pid, comm: 'sleep' } };
      await hasty.attribute(ev);
      assert.deepEqual({ id: ev.container?.id, runtime: ev.container?.runtime, name: ev.container?.name }, { id: appId, runtime: 'docker', name: undefined });
      await waitFor('filled in place', async () => ev.container?.name === `triad-app-${suffix}`, 5000);
      assert.equal(ev.container?.imageDigest, fx.digest);
      assert.ok(hasty.stats.budgetExceeded >= 1);
    } finally {
      await hasty.close();
    }
  });

  test('the Docker event stream pre-resolves started containers and forgets dead ones', async () => {
    await resolver.start();
    const id = (await fx.docker.docker(['run', '-d', '--name', `triad-late-${suffix}`, fx.image, 'sleep', '300'])).stdout.trim();
    await waitFor('prefetched', async () => resolver.describe(id)?.info.name === `triad-late-${suffix}`, 10_000);
    const pid = await containerPid(fx.docker, id);
    const ev: RuntimeEvent = { time: new Date().toISOString(), source: 'bpftrace', type: 'openat', category: 'file', cgroupId: cgroupOf(pid).id, process: { pid, comm: 'sleep' } };
    assert.equal(resolver.attribute(ev), undefined, 'a pre-resolved container is a synchronous hit');
    assert.equal(ev.container?.imageDigest, fx.digest);
    assert.equal(resolver.describe(id.slice(0, 12))?.info.id, id);
    await fx.docker.docker(['rm', '-f', id]);
    await waitFor('evicted', async () => resolver.describe(id) === undefined, 10_000);
  });
});

describe('ContainerResolver with podman', { skip: podmanUnavailable() }, () => {
  test('podman container: identity, digest, IP and drift via podman inspect', async (t) => {
    const name = `triad-pod-${process.pid}`;
    const started = await podmanContainerOrSkip(t, name, ['sleep', '120'], ['--label', 'io.kubernetes.pod.namespace=ops']);
    if (!started) return;
    const { id, image } = started;
    const resolver = new ContainerResolver({ dockerHost: false, podmanSocket: false, podmanCli: true, containerdAddresses: [], lookupBudgetMs: 5000 });
    try {
      const pid = Number((await run('podman', ['inspect', '-f', '{{.State.Pid}}', id])).stdout.trim());
      const cg = cgroupOf(pid);
      const ev: RuntimeEvent = { time: new Date().toISOString(), source: 'bpftrace', type: 'openat', category: 'file', cgroupId: cg.id, process: { pid, comm: 'sleep' } };
      await resolver.attribute(ev);
      assert.equal(ev.container?.id, id);
      assert.equal(ev.container?.runtime, 'podman');
      assert.equal(ev.container?.name, name);
      assert.equal(ev.container?.image, image);
      const digest = (await run('podman', ['inspect', '-f', '{{.ImageDigest}}', id])).stdout.trim();
      assert.equal(ev.container?.imageDigest, digest);
      assert.equal(ev.container?.k8s?.namespace, 'ops');
      const ip = (await run('podman', ['inspect', '-f', '{{.NetworkSettings.IPAddress}}', id])).stdout.trim();
      if (ip) assert.equal(resolver.containerIPs().get(ip)?.id, id);

      await run('podman', ['exec', id, 'sh', '-c', 'mkdir -p /tmp/drop && cp /bin/busybox /tmp/drop/sleep']);
      await run('podman', ['exec', '-d', id, '/tmp/drop/sleep', '60']);
      let pids: number[] = [];
      await waitFor('dropped binary running', async () => (pids = findPids(cg.path, '/tmp/drop/sleep')).length > 0, 10_000);
      const drift = execEvent(pids[0]!, '/tmp/drop/sleep', cgroupOf(pids[0]!).id);
      await resolver.attribute(drift);
      assert.equal(drift.process.exeFromUpperLayer, true);

      // podman's Docker-compatible API service, when it runs, answers instead of the CLI.
      const sock = `/tmp/triad-podman-${process.pid}.sock`;
      const svc = spawn('podman', ['system', 'service', '-t', '0', `unix://${sock}`], { stdio: 'ignore' });
      try {
        await waitFor('podman API socket', async () => existsSync(sock), 10_000);
        const viaApi = new ContainerResolver({ dockerHost: false, podmanSocket: sock, podmanCli: false, containerdAddresses: [], lookupBudgetMs: 5000 });
        const ev2: RuntimeEvent = { time: new Date().toISOString(), source: 'bpftrace', type: 'openat', category: 'file', cgroupId: cg.id, process: { pid, comm: 'sleep' } };
        await viaApi.attribute(ev2);
        assert.deepEqual({ id: ev2.container?.id, runtime: ev2.container?.runtime, name: ev2.container?.name, image: ev2.container?.image, digest: ev2.container?.imageDigest }, { id, runtime: 'podman', name, image, digest });
        assert.equal(viaApi.describe(id)?.via, `unix://${sock}`);
        await viaApi.close();
      } finally {
        svc.kill('SIGTERM');
      }
    } finally {
      await resolver.close();
      await run('podman', ['rm', '-f', '-t', '0', id], { allowFail: true });
    }
  });
});

describe('ContainerResolver with containerd (ctr)', { skip: containerdUnavailable() }, () => {
  test('a ctr container under /<namespace>/<id> is confirmed with ctr and carries its labels and digest', async () => {
    const cd = await startContainerd();
    const resolver = new ContainerResolver({ dockerHost: false, podmanSocket: false, podmanCli: false, containerdAddresses: [cd.address], lookupBudgetMs: 5000 });
    try {
      await cd.ctr(['run', '-d', '--label', 'io.kubernetes.pod.name=batch-1', '--label', 'io.kubernetes.pod.namespace=jobs', cd.image, 'triad-c1', 'sleep', '120']);
      let pid = 0;
      await waitFor('ctr task running', async () => {
        const line = (await cd.ctr(['tasks', 'ls'])).stdout.split('\n').find((l) => l.startsWith('triad-c1 '));
        pid = Number(line?.trim().split(/\s+/)[1] ?? 0);
        return pid > 0;
      }, 20_000);
      const cg = cgroupOf(pid);
      assert.equal(cg.path, `/${cd.ns}/triad-c1`);
      const ev: RuntimeEvent = { time: new Date().toISOString(), source: 'bpftrace', type: 'openat', category: 'file', cgroupId: cg.id, process: { pid, comm: 'sleep' } };
      await resolver.attribute(ev);
      assert.equal(ev.container?.id, 'triad-c1');
      assert.equal(ev.container?.runtime, 'containerd');
      assert.equal(ev.container?.image, cd.image);
      const digest = (await cd.ctr(['images', 'ls'])).stdout.split('\n').find((l) => l.startsWith(cd.image))?.trim().split(/\s+/)[2];
      assert.equal(ev.container?.imageDigest, digest);
      assert.deepEqual({ pod: ev.container?.k8s?.pod, namespace: ev.container?.k8s?.namespace }, { pod: 'batch-1', namespace: 'jobs' });
      assert.equal(resolver.describe('triad-c1')?.ctrNamespace, cd.ns);
    } finally {
      await resolver.close();
      await cd.stop();
    }
  });
});

describe('memfd execution', { skip: process.platform !== 'linux' ? 'linux only' : undefined }, () => {
  test('a process executed from a memfd is flagged exeFromMemfd', async (t) => {
    // python3 is the only tool here that can memfd_create + exec; skip visibly without it.
    const py = spawn('python3', ['-c', "import os\nfd=os.memfd_create('triadmem', 0)\nos.write(fd, open('/bin/sleep','rb').read())\nos.execv('/proc/self/fd/%d' % fd, ['sleep', '30'])"], { stdio: 'ignore' });
    const spawned = await new Promise<boolean>((r) => {
      py.once('error', () => r(false));
      py.once('spawn', () => r(true));
    });
    if (!spawned) {
      t.skip('python3 not installed');
      return;
    }
    try {
      const { readlinkSync } = await import('node:fs');
      await waitFor('memfd exec', async () => readlinkSync(`/proc/${py.pid}/exe`).startsWith('/memfd:'), 5000);
      const resolver = new ContainerResolver({ dockerHost: false, podmanSocket: false, podmanCli: false, containerdAddresses: [] });
      const ev = execEvent(py.pid!, '/proc/self/fd/3');
      await resolver.attribute(ev);
      assert.equal(ev.process.exeFromMemfd, true);
      const plain = execEvent(process.pid, process.execPath);
      await resolver.attribute(plain);
      assert.notEqual(plain.process.exeFromMemfd, true);
      await resolver.close();
    } finally {
      py.kill('SIGKILL');
    }
  });
});
