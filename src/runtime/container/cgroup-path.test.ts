// Path conventions of each engine and cgroup driver, as they appear in /proc/<pid>/cgroup. The Docker,
// podman and ctr shapes were also observed live on this machine (resolver.test.ts resolves them).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { containerFromCgroupPath, unifiedPathFromProcCgroup } from './cgroup-path.ts';
import { upperDirFromMountinfo, k8sFromLabels, podLabelsFromSandbox, metaFromInspect } from './metadata.ts';
import { looksLikeMemfd } from './drift.ts';

const ID = '71bc849ce654ebb7e512da099ce5f399287656ce193b7e85605e784f64e06f46';

test('engine naming conventions map to runtime and id', () => {
  assert.deepEqual(containerFromCgroupPath(`/docker/${ID}`), { runtime: 'docker', id: ID });
  assert.deepEqual(containerFromCgroupPath(`/system.slice/docker-${ID}.scope`), { runtime: 'docker', id: ID });
  assert.deepEqual(containerFromCgroupPath(`/libpod_parent/libpod-${ID}`), { runtime: 'podman', id: ID });
  assert.deepEqual(containerFromCgroupPath(`/machine.slice/libpod-${ID}.scope/container`), { runtime: 'podman', id: ID });
  assert.deepEqual(containerFromCgroupPath(`/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0d3b7c5e_1111_4222_8333_444455556666.slice/cri-containerd-${ID}.scope`), {
    runtime: 'containerd',
    id: ID,
    podUid: '0d3b7c5e-1111-4222-8333-444455556666',
  });
  assert.deepEqual(containerFromCgroupPath(`/kubepods/burstable/pod0d3b7c5e-1111-4222-8333-444455556666/${ID}`), { runtime: 'unknown', id: ID, podUid: '0d3b7c5e-1111-4222-8333-444455556666' });
  assert.deepEqual(containerFromCgroupPath(`/kubepods.slice/kubepods-pod0d3b7c5e_1111_4222_8333_444455556666.slice/crio-${ID}.scope`), { runtime: 'cri-o', id: ID, podUid: '0d3b7c5e-1111-4222-8333-444455556666' });
  assert.deepEqual(containerFromCgroupPath('/triadtest/triad-c1'), { runtime: 'containerd', id: 'triad-c1', ctrNamespace: 'triadtest', candidate: true });
});

test('host cgroups, monitors and the outermost container', () => {
  for (const p of ['/', '/init.scope', '/user.slice/user-0.slice/session-1.scope', '/system.slice/containerd.service', '/system.slice/docker.service', `/machine.slice/libpod-conmon-${ID}.scope`, `/kubepods.slice/kubepods-pod1.slice/crio-conmon-${ID}.scope`]) {
    assert.equal(containerFromCgroupPath(p), undefined, p);
  }
  // docker-in-docker and systemd inside a container: the outer container owns the inner cgroups.
  const inner = 'a'.repeat(64);
  assert.equal(containerFromCgroupPath(`/docker/${ID}/docker/${inner}`)?.id, ID);
  assert.equal(containerFromCgroupPath(`/docker/${ID}/init.scope`)?.id, ID);
  assert.equal(containerFromCgroupPath('x'.repeat(5000)), undefined);
});

test('/proc/<pid>/cgroup: the unified line wins on hybrid hierarchies', () => {
  const text = `9:name=systemd:/docker/${ID}\n6:freezer:/docker/${ID}\n0::/docker/${ID}\n`;
  assert.equal(unifiedPathFromProcCgroup(text), `/docker/${ID}`);
  assert.equal(unifiedPathFromProcCgroup('1:cpu:/x\n'), undefined);
  assert.equal(unifiedPathFromProcCgroup('0::/\n'), '/');
});

test('overlay upper dir from mountinfo (octal escapes decoded)', () => {
  const line = '74 49 0:39 / / rw,relatime master:2 - overlay overlay rw,lowerdir=/l/A:/l/B,upperdir=/var/lib/docker/overlay2/93b4/diff,workdir=/var/lib/docker/overlay2/93b4/work\n75 74 0:42 / /proc rw - proc proc rw\n';
  assert.equal(upperDirFromMountinfo(line), '/var/lib/docker/overlay2/93b4/diff');
  assert.equal(upperDirFromMountinfo(line.replace('93b4/diff', 'with\\040space/diff')), '/var/lib/docker/overlay2/with space/diff');
  assert.equal(upperDirFromMountinfo('22 1 8:1 / / rw - ext4 /dev/sda1 rw\n'), undefined);
});

test('Kubernetes identity from CRI labels; pod labels from the sandbox', () => {
  assert.equal(k8sFromLabels({ a: 'b' }), undefined);
  assert.deepEqual(k8sFromLabels({ 'io.kubernetes.pod.name': 'p', 'io.kubernetes.pod.namespace': 'n' }), { pod: 'p', namespace: 'n' });
  assert.deepEqual(podLabelsFromSandbox({ app: 'web', 'io.kubernetes.pod.name': 'p', 'annotation.kubernetes.io/config.seen': 'x' }), { app: 'web' });
});

test('hostile inspect answers do not crash and stay bounded', () => {
  const huge: Record<string, unknown> = {};
  for (let i = 0; i < 2000; i++) huge[`k${i}`] = 'v';
  const m = metaFromInspect({ Id: 5, Name: ['x'], Config: { Labels: huge, Image: 7 }, HostConfig: null, NetworkSettings: { Networks: { a: { IPAddress: 3 } } } } as unknown as Record<string, unknown>, 'docker');
  assert.equal(m.info.id, '');
  assert.equal(Object.keys(m.info.labels ?? {}).length, 512);
  assert.deepEqual(m.ips, []);
});

test('memfd and fd paths', () => {
  for (const p of ['/proc/self/fd/3', '/proc/1234/fd/7', '/dev/fd/4', 'memfd:x', '/memfd:payload (deleted)']) assert.equal(looksLikeMemfd(p), true, p);
  for (const p of ['/bin/sh', '/proc/self/exe', undefined]) assert.equal(looksLikeMemfd(p), false, String(p));
});
