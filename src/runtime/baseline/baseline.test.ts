import test from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { ContainerInfo, RuntimeEvent } from '../event.ts';
import { HOST_CONTAINER } from '../event.ts';
import { BaselineManager, deviationAlert } from './manager.ts';
import { accept, connect, container, exec, exit, listen, write, type RunClock } from './testing.ts';

const DB_IP = '172.17.0.9';
const db: ContainerInfo = { id: 'd'.repeat(64), name: 'db', image: 'postgres:16', imageDigest: 'sha256:' + 'd'.repeat(64), runtime: 'docker' };
const peerOf = (ip: string) => (ip === DB_IP ? db : undefined);

/**
 * One normal run of a web container, as the sensor sees it: a fresh container id, fresh pids,
 * temp files with random names, the pid file, a connection to the database and to an external API.
 */
function normalRun(clock: RunClock, c = container(randomBytes(32).toString('hex'))): RuntimeEvent[] {
  const pid = 10_000 + Math.floor(Math.random() * 50_000);
  const runc = { pid: pid - 1, exe: '/usr/bin/runc' };
  const sh = { pid, exe: '/bin/sh' };
  const app = { pid: pid + 2, exe: '/usr/local/bin/web' };
  return [
    exec(clock, c, pid, '/bin/sh', ['/bin/sh', '/entrypoint.sh'], runc),
    exec(clock, c, pid + 1, '/bin/mkdir', ['mkdir', '-p', '/var/cache/web'], sh),
    exit(clock, c, pid + 1, 'mkdir'),
    exec(clock, c, app.pid, '/usr/local/bin/web', ['web', '--port', '8080'], sh),
    write(clock, c, app.pid, 'web', `/run/web.pid`),
    write(clock, c, app.pid, 'web', `/tmp/upload-${randomBytes(6).toString('hex')}`),
    write(clock, c, app.pid, 'web', `/var/cache/web/${Date.now()}${Math.floor(Math.random() * 1e6)}.cache`),
    write(clock, c, app.pid, 'web', `/proc/${app.pid}/oom_score_adj`),
    write(clock, c, app.pid, 'web', `/var/log/web/access.log`),
    listen(clock, c, app.pid, 'web', 8080),
    accept(clock, c, app.pid, 'web', '172.17.0.1', 40_000 + Math.floor(Math.random() * 20_000), 8080),
    connect(clock, c, app.pid, 'web', DB_IP, 5432),
    connect(clock, c, app.pid, 'web', '93.184.216.34', 443),
    exit(clock, c, app.pid, 'web'),
  ];
}

function feed(m: BaselineManager, events: RuntimeEvent[]) {
  return events.flatMap((e) => m.observe(e));
}

function learnedManager(clock: RunClock) {
  const m = new BaselineManager({ learningWindowMs: 500, quietPeriodMs: 200, peerOf, clock: () => clock.t });
  for (let i = 0; i < 3; i++) assert.deepEqual(feed(m, normalRun(clock)), [], 'no deviations while learning');
  clock.t += 1000; // learning window over and quiet since the last new behaviour
  m.tick(clock.t);
  return m;
}

test('learn a normal run; one deviation → exactly one alert; ten more normal runs → zero', () => {
  const clock = { t: Date.parse('2025-01-01T00:00:00Z') };
  const m = learnedManager(clock);
  const [b] = m.list();
  assert.equal(b!.mode, 'monitor');
  assert.equal(m.list().length, 1, 'one baseline per image, however many containers ran it');

  // The deviating run: normal behaviour plus one shell spawning a new binary (twice: still one alert).
  const c = container(randomBytes(32).toString('hex'));
  const run = normalRun(clock, c);
  const odd = exec(clock, c, 777, '/usr/bin/nc', ['nc', '-l', '4444'], { pid: 770, exe: '/bin/sh' });
  const again = exec(clock, c, 778, '/usr/bin/nc', ['nc', '-l', '4444'], { pid: 770, exe: '/bin/sh' });
  const devs = feed(m, [...run.slice(0, 5), odd, ...run.slice(5), again]);
  assert.equal(devs.length, 1);
  assert.equal(devs[0]!.kind, 'process');
  assert.equal(devs[0]!.key, '/usr/bin/nc');
  assert.equal(devs[0]!.mode, 'monitor');
  assert.equal(devs[0]!.action, 'alert');
  assert.equal(devs[0]!.event, odd);
  const alert = deviationAlert(devs[0]!);
  assert.equal(alert.rule, 'baseline:process');
  assert.equal(alert.container.id, c.id);
  assert.equal(alert.container.image, 'shop/web:1.4');
  assert.match(alert.output, /\/usr\/bin\/nc/);

  for (let i = 0; i < 10; i++) assert.deepEqual(feed(m, normalRun(clock)), [], `normal run ${i + 1} raised deviations`);
  assert.equal(m.list()[0]!.processes.has('/usr/bin/nc'), false, 'monitor mode does not learn');
});

test('each kind of new behaviour is a deviation: listen, connect (external, peer image), file-write', () => {
  const clock = { t: Date.parse('2025-01-01T00:00:00Z') };
  const m = learnedManager(clock);
  const c = container('f'.repeat(64));
  const other: ContainerInfo = { id: 'e'.repeat(64), name: 'cache', image: 'redis:7', runtime: 'docker' };
  const devs = feed(m, [
    listen(clock, c, 50, 'web', 9999),
    connect(clock, c, 50, 'web', '198.51.100.7', 443),
    connect(clock, c, 50, 'web', '172.17.0.44', 6379),
    write(clock, c, 50, 'web', '/etc/passwd'),
    connect(clock, c, 50, 'web', '::ffff:93.184.216.34', 443), // the learned external address, IPv4-mapped
    write(clock, c, 50, 'web', '/tmp/x'), // /tmp/** learned
  ].map((e) => e));
  assert.deepEqual(devs.map((d) => `${d.kind} ${d.key}`), ['listen tcp/9999', 'connect 198.51.100.7:443/tcp', 'connect 172.17.0.44:6379/tcp', 'file-write /etc/passwd']);
  // A peer container is known by what it runs, not by its IP: a new IP for the db is no deviation.
  const m2 = new BaselineManager({ learningWindowMs: 0, quietPeriodMs: 0, autoPromote: false, peerOf: (ip) => (ip === '172.17.0.44' ? other : ip === '172.17.0.45' ? { ...other, id: 'x'.repeat(64) } : undefined) });
  m2.observe(connect(clock, c, 50, 'web', '172.17.0.44', 6379));
  m2.setMode(m2.list()[0]!.key, 'monitor');
  assert.deepEqual(m2.observe(connect(clock, c, 50, 'web', '172.17.0.45', 6379)), []);
  assert.ok(m2.list()[0]!.connect.has('image:redis:7:6379/tcp'));
});

test('automatic promotion needs the learning window AND a quiet period', () => {
  const clock = { t: Date.parse('2025-01-01T00:00:00Z') };
  const m = new BaselineManager({ learningWindowMs: 1000, quietPeriodMs: 300, peerOf, clock: () => clock.t });
  feed(m, normalRun(clock));
  const b = m.list()[0]!;
  clock.t += 900;
  m.tick(clock.t);
  assert.equal(b.mode, 'learning', 'window not over');
  // New behaviour near the end of the window: learning continues until things are quiet.
  feed(m, [exec(clock, container('1'.repeat(64)), 5, '/usr/bin/env', ['env'], { pid: 4, exe: '/bin/sh' })]);
  clock.t += 200;
  m.tick(clock.t);
  assert.equal(b.mode, 'learning', 'not quiet yet');
  feed(m, normalRun(clock)); // nothing new: does not reset the quiet period
  clock.t += 250;
  m.tick(clock.t);
  assert.equal(b.mode, 'monitor');
  assert.ok(b.processes.has('/usr/bin/env'));
  // Promotion also happens on the next event, without tick().
  const m2 = new BaselineManager({ learningWindowMs: 100, quietPeriodMs: 50, clock: () => clock.t });
  feed(m2, normalRun(clock));
  clock.t += 1000;
  const devs = feed(m2, [exec(clock, container('2'.repeat(64)), 5, '/usr/bin/wget', ['wget'], { pid: 4, exe: '/bin/sh' })]);
  assert.equal(devs.length, 1);
  assert.equal(m2.list()[0]!.mode, 'monitor');
});

test('protect mode suggests the configured response; manual relearn goes back to learning', () => {
  const clock = { t: Date.parse('2025-01-01T00:00:00Z') };
  const m = learnedManager(clock);
  const key = m.list()[0]!.key;
  m.setMode(key, 'protect');
  const c = container('3'.repeat(64));
  let devs = feed(m, [exec(clock, c, 9, '/usr/bin/curl', ['curl'], { pid: 8, exe: '/bin/sh' })]);
  assert.equal(devs[0]!.action, 'kill');
  assert.equal(devs[0]!.priority, 'CRITICAL');
  m.setMode(key, 'protect', 'pause');
  devs = feed(m, [exec(clock, c, 9, '/usr/bin/wget', ['wget'], { pid: 8, exe: '/bin/sh' })]);
  assert.equal(devs[0]!.action, 'pause');
  m.setMode(key, 'learning');
  assert.deepEqual(feed(m, [exec(clock, c, 9, '/usr/bin/wget2', ['wget2'], { pid: 8, exe: '/bin/sh' })]), []);
  assert.ok(m.get(key)!.processes.has('/usr/bin/wget2'));
});

test('a workload that changes image starts a new baseline in learning; the old one is kept (bounded)', () => {
  const clock = { t: Date.parse('2025-01-01T00:00:00Z') };
  const m = learnedManager(clock);
  const v1 = m.list()[0]!;
  assert.equal(v1.mode, 'monitor');
  const digests = ['b', 'c', 'd', 'e', 'f'].map((ch) => 'sha256:' + ch.repeat(64));
  const v2c = container('4'.repeat(64), { image: 'shop/web:1.5', imageDigest: digests[0] });
  // New image: everything it does is learned, nothing is a deviation.
  assert.deepEqual(feed(m, [...normalRun(clock, v2c), exec(clock, v2c, 3, '/usr/bin/new-tool', ['new-tool'], { pid: 2, exe: '/bin/sh' })]), []);
  const v2 = m.get(digests[0]!)!;
  assert.equal(v2.mode, 'learning');
  assert.equal(v1.supersededBy, digests[0]);
  assert.ok(m.get(v1.key), 'old baseline kept');
  assert.ok(v2.workloads.has('compose:shop/web'));
  // The old image still running somewhere (a rollout in progress) keeps its baseline and mode.
  assert.equal(feed(m, [exec(clock, container('5'.repeat(64)), 3, '/usr/bin/new-tool', ['new-tool'], { pid: 2, exe: '/bin/sh' })]).length, 1);
  // Bounded history: after 4 more images (keepPerWorkload 3), the oldest baselines are gone.
  for (const d of digests.slice(1)) feed(m, normalRun(clock, container(randomBytes(32).toString('hex'), { imageDigest: d })));
  assert.equal(m.get(v1.key), undefined);
  assert.equal(m.get(digests[0]!), undefined);
  assert.equal(m.list().length, 4);
});

test('no baseline for the host or for containers whose image is unknown; hostile events are ignored', () => {
  const m = new BaselineManager({ learningWindowMs: 0, quietPeriodMs: 0 });
  const clock = { t: 0 };
  assert.deepEqual(m.observe(exec(clock, HOST_CONTAINER, 1, '/bin/sh', ['sh'])), []);
  assert.deepEqual(m.observe(exec(clock, { id: 'abc', runtime: 'docker' }, 1, '/bin/sh', ['sh'])), []);
  assert.equal(m.list().length, 0);
  const c = container('6'.repeat(64));
  const junk = [
    null, {}, { process: null, container: c }, { type: 'execve', category: 'process', process: { pid: 1 }, container: c },
    { type: 'connect', category: 'network', process: { pid: 1, comm: 'x' }, container: c, net: { family: 'ipv4', remoteAddr: 'not-an-ip', remotePort: 99999 } },
    { type: 'openat', category: 'file', process: { pid: 1, comm: 'x' }, container: c, file: { path: 'a'.repeat(100_000), write: true } },
    { time: 'yesterday', type: 'listen', category: 'network', process: { pid: 1, comm: 'x' }, container: c, net: { family: 'ipv4', localPort: -1 } },
  ];
  for (const j of junk) assert.deepEqual(m.observe(j as unknown as RuntimeEvent), []);
});

test('the dedup window is per container: another container with the same deviation alerts again', () => {
  const clock = { t: Date.parse('2025-01-01T00:00:00Z') };
  const m = new BaselineManager({ learningWindowMs: 0, quietPeriodMs: 0, dedupWindowMs: 1000, clock: () => clock.t });
  feed(m, normalRun(clock));
  clock.t += 10;
  const a = container('7'.repeat(64));
  const b = container('8'.repeat(64));
  const nc = (c: ContainerInfo) => exec(clock, c, 9, '/usr/bin/nc', ['nc'], { pid: 8, exe: '/bin/sh' });
  assert.equal(feed(m, [nc(a), nc(a), nc(b)]).length, 2);
  clock.t += 2000;
  assert.equal(feed(m, [nc(a)]).length, 1, 'reported again after the window');
  assert.equal(m.suppressed, 1);
});

test('the runtime: any parent outside the container is one parent; the runtime re-executing itself inside is not behaviour', async () => {
  const { extractBehaviour, RUNTIME_PARENT } = await import('./behaviour.ts');
  const cg = 4242;
  const ev = (exe: string, comm: string, parentCgroupId: number, parent: { pid: number; exe: string }): RuntimeEvent => ({
    time: new Date().toISOString(), source: 'bpftrace', type: 'execve', category: 'process', cgroupId: cg,
    process: { pid: 7, comm, exe, parentCgroupId, ancestors: [{ pid: parent.pid, comm: parent.exe.split('/').pop()!, exe: parent.exe }] },
  });
  // The entrypoint, started by runc in one run and by the shim in another: the same behaviour.
  const a = extractBehaviour(ev('/bin/sh', 'sh', 1, { pid: 3, exe: '/usr/sbin/runc' }));
  const b = extractBehaviour(ev('/bin/sh', 'sh', 1, { pid: 4, exe: '/usr/bin/containerd-shim-runc-v2' }));
  assert.equal(a?.parent, RUNTIME_PARENT);
  assert.deepEqual(a, b);
  // runc's own "runc init" in the container's cgroup, its parent outside: not the workload's.
  assert.equal(extractBehaviour(ev('/proc/self/exe', 'runc:[2:INIT]', 1, { pid: 3, exe: '/usr/sbin/runc' })), undefined);
  assert.equal(extractBehaviour(ev('runc', 'runc', 1, { pid: 3, exe: '/usr/sbin/runc' })), undefined);
  // A program called runc run by a shell inside the container is behaviour like any other.
  assert.equal(extractBehaviour(ev('/tmp/runc', 'runc', cg, { pid: 9, exe: '/bin/sh' }))?.key, '/tmp/runc');
  // Without the kernel's parent cgroup (other sources), a runtime binary as parent is recognised by name.
  const noCg = ev('/bin/sh', 'sh', 0, { pid: 3, exe: '/usr/bin/conmon' });
  delete noCg.process.parentCgroupId;
  assert.equal(extractBehaviour(noCg)?.parent, RUNTIME_PARENT);
});
