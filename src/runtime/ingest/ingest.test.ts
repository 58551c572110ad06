// Falco and Tetragon output recorded from the real tools (fixtures/SOURCES.md) through the mappings
// and the line-oriented sensor, plus garbage and hostile lines.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { RuntimeEvent } from '../event.ts';
import { falcoToEvent, parseFdTuple } from './falco.ts';
import { JsonLinesSensor } from './json-sensor.ts';
import { readJsonLines } from './line-reader.ts';
import { splitArguments, tetragonToEvent } from './tetragon.ts';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const lines = (name: string) => readFileSync(fixture(name), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

function ok(ev: RuntimeEvent | { skip: string }): RuntimeEvent {
  assert.ok(!('skip' in ev), 'skip' in ev ? ev.skip : '');
  return ev as RuntimeEvent;
}

test('Falco: sensitive file read by event-generator', () => {
  const [first, second] = lines('falco-event-generator.jsonl');
  const e = ok(falcoToEvent(first!));
  assert.equal(e.source, 'falco');
  assert.equal(e.type, 'openat');
  assert.equal(e.category, 'file');
  assert.equal(e.time, '2024-05-07T18:54:19.341081180Z');
  assert.equal(e.file?.path, '/etc/shadow');
  assert.equal(e.file?.write, undefined);
  assert.deepEqual(e.process, { pid: 0, comm: 'event-generator', uid: 0, loginuid: -1, tty: 0, exe: '/bin/event-generator', argv: ['event-generator', 'run', '--loop'], ancestors: [{ pid: 0, comm: 'containerd-shim' }] });
  assert.deepEqual(e.container, { id: '9656db3bb358', runtime: 'unknown', name: 'elastic-package-service-falco-event-generator-1' });
  assert.equal(e.args?.['falco.rule'], 'Read sensitive file untrusted');
  assert.equal(e.args?.['falco.priority'], 'Warning');
  assert.match(String(e.args?.['falco.tags']), /mitre_credential_access/);

  const full = ok(falcoToEvent(second!));
  assert.equal(full.container?.id, '9656db3bb3588e7b23da7d48fe889434573036c27ae5a74837233de441c3601e');
  assert.equal(full.container?.image, 'falcosecurity/event-generator:0.10.0');
  assert.equal(full.container?.imageId, 'sha256:16e0fa09a4f1018f22be6cce3ec21848dccaa566b063bda4c814c37dc36adfea');
  // Taken as Falco printed it (this recorded digest is one hex digit short in the source).
  assert.equal(full.container?.imageDigest, 'sha256:d977378f890d445c15e51795296e4e5062f109ce6da83e0a355fc4ad8699d27');
  assert.deepEqual(full.process.ancestors?.[0], { pid: 0, comm: 'event-generator', argv: ['event-generator', 'run', '--loop'] });
});

test('Falco: shell spawned (execve, ancestors chain) and Kubernetes fields', () => {
  const [, , shell, k8s] = lines('falco-event-generator.jsonl');
  const e = ok(falcoToEvent(shell!));
  assert.equal(e.type, 'execve');
  assert.equal(e.category, 'process');
  assert.equal(e.process.exe, '/bin/bash');
  assert.deepEqual(
    e.process.ancestors?.map((a) => a.comm),
    ['httpd', 'event-generator', 'containerd-shim', 'runc', 'init', 'init'],
  );
  assert.equal(e.process.ancestors?.[0]?.exe, '/bin/event-generator');
  assert.equal(e.args?.flags, 'EXE_WRITABLE');

  const k = ok(falcoToEvent(k8s!));
  assert.deepEqual(k.container?.k8s, { pod: 'kubernetes-pod-1', namespace: 'kubernetes-ns', podUid: 'aadadjh763wiuh', labels: { key1: 'value1', key2: 'value2', key3: 'value3' } });
  assert.equal(k.args?.res, 'ENOENT');
  assert.equal(k.ret, undefined);
});

test('Falco: other sources and non-alerts are skipped, host container, socket tuples', () => {
  assert.ok('skip' in falcoToEvent({ rule: 'x', source: 'k8s_audit', output_fields: {} }));
  assert.ok('skip' in falcoToEvent({ hello: 'world' }));
  const h = ok(falcoToEvent({ rule: 'r', time: '2024-01-01T00:00:00Z', output_fields: { 'container.id': 'host', 'evt.type': 'connect', 'fd.name': '10.0.0.1:43210->93.184.216.34:443', 'fd.l4proto': 'tcp', 'proc.pid': 42, 'proc.name': 'curl' } }));
  assert.equal(h.container?.id, 'host');
  assert.equal(h.category, 'network');
  assert.deepEqual(h.net, { family: 'ipv4', protocol: 'tcp', localAddr: '10.0.0.1', localPort: 43210, remoteAddr: '93.184.216.34', remotePort: 443 });
  assert.deepEqual(parseFdTuple('[::1]:80->[2001:db8::2]:5000'), { local: ['::1', 80], remote: ['2001:db8::2', 5000] });
  assert.equal(parseFdTuple('/etc/passwd'), undefined);
  const w = ok(falcoToEvent({ rule: 'r', output_fields: { 'evt.type': 'openat', 'fd.name': '/etc/x', 'evt.arg.flags': 'O_WRONLY|O_CREAT|O_CLOEXEC' } }));
  assert.deepEqual(w.file, { path: '/etc/x', flags: ['O_WRONLY', 'O_CREAT', 'O_CLOEXEC'], write: true });
  // Hostile types never crash the mapping.
  const weird = ok(falcoToEvent({ rule: 'r', output_fields: { 'proc.pid': 'x', 'proc.name': 7, 'container.id': ['a'], 'k8s.pod.name': 'p', 'k8s.pod.labels': [1, 'nocolon', 'a:b'] } }));
  assert.equal(weird.process.pid, 0);
  assert.deepEqual(weird.container?.id, 'unknown');
});

test('Tetragon: exec in a Kubernetes pod with parent, arguments and labels', () => {
  const [exec] = lines('tetragon-docs-events.jsonl');
  const e = ok(tetragonToEvent(exec!));
  assert.equal(e.source, 'tetragon');
  assert.equal(e.type, 'execve');
  assert.equal(e.category, 'process');
  assert.equal(e.time, '2023-10-06T22:03:57.700326678Z');
  assert.equal(e.process.pid, 52699);
  assert.equal(e.process.exe, '/usr/bin/curl');
  assert.equal(e.process.comm, 'curl');
  assert.equal(e.process.loginuid, -1);
  assert.deepEqual(e.process.argv, ['/usr/bin/curl', 'https://ebpf.io/applications/#tetragon']);
  assert.deepEqual(e.process.ancestors, [{ pid: 52699, comm: 'bash', exe: '/bin/bash', argv: ['/bin/bash', '-c', 'curl https://ebpf.io/applications/#tetragon'] }]);
  assert.deepEqual(e.container, {
    id: '551e161c47d8ff0eb665438a7bcd5b4e3ef5a297282b40a92b7c77d6bd168eb3',
    runtime: 'containerd',
    name: 'spaceship',
    image: 'docker.io/tgraf/netperf:latest',
    imageDigest: 'sha256:8e86f744bfea165fd4ce68caa05abc96500f40130b857773186401926af7e9e6',
    k8s: { pod: 'xwing', namespace: 'default', labels: { 'app.kubernetes.io/name': 'xwing', class: 'xwing', org: 'alliance' } },
  });
  assert.equal(e.args?.['tetragon.node'], 'gke-john-632-default-pool-7041cac0-9s95');
});

test('Tetragon: exit, kprobe write of /etc/passwd, connect', () => {
  const [, exit, kprobe, connect] = lines('tetragon-docs-events.jsonl');
  const x = ok(tetragonToEvent(exit!));
  assert.equal(x.type, 'procexit');
  assert.equal(x.container?.runtime, 'docker');
  assert.equal(x.container?.imageDigest, 'sha256:ff3aa5862fd17f8695984609743f4523188984adbcd25cf5ac4224b71084558c');
  const k = ok(tetragonToEvent(kprobe!));
  assert.equal(k.type, 'write');
  assert.equal(k.category, 'file');
  assert.deepEqual(k.file, { path: '/etc/passwd', write: true });
  assert.equal(k.args?.['tetragon.function'], '__x64_sys_write');
  assert.equal(k.args?.arg2, '627');
  const c = ok(tetragonToEvent(connect!));
  assert.equal(c.type, 'connect');
  assert.equal(c.category, 'network');
  assert.deepEqual(c.net, { family: 'ipv4', protocol: 'tcp', localAddr: '10.88.0.7', localPort: 49168, remoteAddr: '142.250.180.196', remotePort: 80 });
});

test('Tetragon: tracepoint (documented shape), host process, unknown kinds', () => {
  // Built from the gRPC API reference's ProcessTracepoint fields: no public recorded sample exists.
  const tp = ok(tetragonToEvent({ process_tracepoint: { process: { pid: 9, binary: '/usr/bin/strace', arguments: '-p 1' }, subsys: 'raw_syscalls', event: 'sys_enter', args: [{ syscall_id: { id: 101, abi: 'x64' } }], policy_name: 'ptrace', action: 'KPROBE_ACTION_POST' }, time: '2024-01-01T00:00:00Z' }));
  assert.equal(tp.args?.syscall, 101);
  assert.equal(tp.args?.['tetragon.tracepoint'], 'raw_syscalls/sys_enter');
  assert.equal(tp.container?.id, 'host');
  assert.deepEqual(splitArguments('-c "a \\"b\\" c" d  e'), ['-c', 'a "b" c', 'd', 'e']);
  assert.ok('skip' in tetragonToEvent({ process_loader: {}, node_name: 'n' }));
  assert.ok('skip' in tetragonToEvent({ process_exec: { process: 'x' } }));
  // camelCase (protojson) field names are accepted too.
  const cc = ok(tetragonToEvent({ processExec: { process: { pid: 3, binary: '/bin/ls', execId: 'abc' } }, nodeName: 'n1' }));
  assert.equal(cc.args?.['tetragon.exec_id'], 'abc');
});

test('line reader: garbage, blank, oversized and split lines', async () => {
  const good = JSON.stringify(lines('tetragon-docs-events.jsonl')[0]);
  const text = `${good}\nnot json\n\n[1,2]\n${'x'.repeat(5000)}\n${good}`;
  // Deliver in 7-byte chunks so lines span chunk boundaries.
  const chunks: Buffer[] = [];
  const buf = Buffer.from(text);
  for (let i = 0; i < buf.length; i += 7) chunks.push(buf.subarray(i, i + 7));
  const got: unknown[] = [];
  const stats = await readJsonLines(Readable.from(chunks), (o) => got.push(o), { maxLineBytes: 4096, where: 'test' });
  assert.equal(got.length, 2);
  assert.deepEqual({ lines: stats.lines, objects: stats.objects, garbage: stats.garbage, oversized: stats.oversized }, { lines: 5, objects: 2, garbage: 2, oversized: 1 });
});

test('JsonLinesSensor: Falco file through the Sensor interface, counting garbage', async () => {
  const text = readFileSync(fixture('falco-event-generator.jsonl'), 'utf8') + 'garbage line\n{"rule":"x","source":"k8s_audit"}\n';
  const sensor = new JsonLinesSensor({ format: 'falco', input: Readable.from([text]) });
  const events: RuntimeEvent[] = [];
  await sensor.start((e) => events.push(e));
  await sensor.finished();
  assert.equal(events.length, 4);
  assert.equal(sensor.skipped, 1);
  const h = sensor.health();
  assert.deepEqual({ state: h.state, events: h.events, dropped: h.dropped }, { state: 'stopped', events: 4, dropped: 1 });
  assert.match(h.lastError ?? '', /line 5/);

  const tet = new JsonLinesSensor({ format: 'tetragon', input: fixture('tetragon-docs-events.jsonl') });
  const got: RuntimeEvent[] = [];
  await tet.start((e) => got.push(e));
  await tet.finished();
  assert.deepEqual(got.map((e) => e.type), ['execve', 'procexit', 'write', 'connect']);
  await tet.stop();
});
