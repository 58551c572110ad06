import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BaselineManager } from './manager.ts';
import { BaselineFormatError, exportBaselineYaml, importBaselineYaml } from './yaml.ts';
import { loadBaselines, readBaselineDir, saveBaselines } from './store.ts';
import { canonicalPath, PathSet } from './paths.ts';
import { connect, container, exec, listen, write } from './testing.ts';

function learned(): BaselineManager {
  const clock = { t: Date.parse('2025-03-01T12:00:00Z') };
  const peer = { id: 'p'.repeat(64), image: 'postgres:16', runtime: 'docker' as const, k8s: { namespace: 'shop', pod: 'db-0', labels: { app: 'db', 'statefulset.kubernetes.io/pod-name': 'db-0' } } };
  const m = new BaselineManager({ learningWindowMs: 0, quietPeriodMs: 0, autoPromote: false, peerOf: (ip) => (ip === '10.1.0.5' ? peer : undefined), clock: () => clock.t });
  const c = container('9'.repeat(64));
  for (const e of [
    exec(clock, c, 1, '/bin/sh', ['sh'], { pid: 0, exe: '/usr/bin/containerd-shim-runc-v2' }),
    exec(clock, c, 2, '/usr/sbin/nginx', ['nginx'], { pid: 1, exe: '/bin/sh' }),
    exec(clock, c, 3, '/usr/sbin/nginx', ['nginx'], { pid: 2, exe: '/usr/sbin/nginx' }),
    listen(clock, c, 2, 'nginx', 80),
    connect(clock, c, 2, 'nginx', '10.1.0.5', 5432),
    connect(clock, c, 2, 'nginx', '2001:db8::1', 443),
    { ...connect(clock, c, 2, 'nginx', '0.0.0.0', 1), net: { family: 'unix' as const, path: '/run/dbus/system_bus_socket' } },
    write(clock, c, 2, 'nginx', '/var/log/nginx/access.log'),
    write(clock, c, 2, 'nginx', '/tmp/nginx.XYZ'),
  ]) m.observe(e);
  m.setMode(m.list()[0]!.key, 'protect', 'stop');
  return m;
}

test('export → import round trip keeps everything; the document is readable YAML', () => {
  const m = learned();
  const b = m.list()[0]!;
  const text = m.exportYaml(b.key);
  assert.match(text, /^kind: TriadRuntimeBaseline$/m);
  assert.match(text, /^version: 1$/m);
  assert.match(text, /to: k8s:shop\/app=db/);
  const m2 = new BaselineManager();
  const b2 = m2.importYaml(text, 'web.yaml');
  assert.equal(exportBaselineYaml(b2), text);
  assert.equal(b2.mode, 'protect');
  assert.equal(b2.response, 'stop');
  assert.deepEqual([...b2.processes.get('/usr/sbin/nginx')!].sort(), ['/bin/sh', '/usr/sbin/nginx']);
  assert.ok(b2.connect.has('2001:db8::1:443/tcp'));
  assert.ok(b2.connect.has('unix:/run/dbus/system_bus_socket'));
  assert.ok(b2.fileWrites.has('/tmp/**'));
  // The imported baseline judges events like the original.
  const c = container('0'.repeat(64));
  const t = { t: Date.parse('2025-03-02T00:00:00Z') };
  assert.deepEqual(m2.observe(exec(t, c, 5, '/usr/sbin/nginx', ['nginx'], { pid: 4, exe: '/bin/sh' })), []);
  assert.equal(m2.observe(exec(t, c, 6, '/bin/bash', ['bash'], { pid: 4, exe: '/usr/sbin/nginx' }))[0]?.action, 'stop');
});

test('hostile or wrong documents are rejected with the file and the path in the document', () => {
  const good = learned().exportYaml(learned().list()[0]!.key);
  const cases: [string, RegExp][] = [
    ['', /^x\.yaml: \(document\): must be a mapping/],
    ['- a\n- b\n', /\(document\): must be a mapping, got a list/],
    ['kind: Pod\n', /^x\.yaml: kind: must be TriadRuntimeBaseline/],
    [good.replace('version: 1', 'version: 99'), /version: unsupported version 99/],
    [good.replace(/^mode: .*$/m, 'mode: enforce'), /^x\.yaml: mode: must be one of learning, monitor, protect/],
    [good.replace('exe: /usr/sbin/nginx', 'exe: [1, 2]'), /processes\[\d\]\.exe: must be a string, got a list/],
    [good.replace('port: 80', 'port: 70000'), /listen\[0\]\.port: must be a port number 1-65535, got 70000/],
    [good.replace('protocol: tcp\n', 'protocol: sctp\n'), /(listen|connect)\[\d\]\.protocol: must be/],
    [good.replace('  - /var/log/nginx/access.log', '  - var/log'), /fileWrites\[\d\]: must be an absolute path/],
    [good.replace('  - /var/log/nginx/access.log', '  - /**'), /fileWrites\[\d\]: must not cover the whole filesystem/],
    [good.replace(/created: .*$/m, 'created: soon'), /times\.created: is not an ISO-8601 time/],
    [good + 'mode: learning\n', /invalid YAML: .*(duplicate|unique)/i],
    ['kind: [unclosed\n', /^x\.yaml: invalid YAML/],
    [`a: &a [x, x, x, x, x, x, x, x, x, x]\n${Array.from({ length: 12 }, (_, i) => `b${i}: &b${i} [${Array(10).fill(i ? `*b${i - 1}` : '*a').join(', ')}]`).join('\n')}\n`, /^x\.yaml: /],
    [good.replace(/^key: .*$/m, `key: "${'k'.repeat(5000)}"`), /key: is longer than 4096/],
    [good.replace(/^workloads:$/m, 'workloads: 5\nold:'), /workloads: must be a list, got number 5/],
    [good.replace('  - /var/log/nginx/access.log', '  - "/etc/x\\nmode: learning"'), /fileWrites\[\d\]: must not contain NUL or line breaks/],
  ];
  for (const [text, re] of cases) {
    assert.throws(() => importBaselineYaml(text, 'x.yaml'), (e: unknown) => e instanceof BaselineFormatError && re.test(e.message), `expected ${re} for ${text.slice(0, 80)}`);
  }
  // Limits: a list longer than the configured bound is refused, not truncated.
  const many = good.replace(/^listen:\n(  - .*\n    .*\n)/m, (_all, one: string) => `listen:\n${one.repeat(200)}`);
  assert.throws(() => importBaselineYaml(many, 'big.yaml'), /big\.yaml: listen: has 200 entries; the limit is 128/);
});

test('a baseline directory: atomic writes of changed baselines, load back, bad files named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'triad-baselines-'));
  try {
    const m = learned();
    assert.equal(saveBaselines(m, dir), 1);
    assert.equal(saveBaselines(m, dir), 0, 'nothing changed');
    const files = readdirSync(dir);
    assert.equal(files.length, 1);
    assert.match(files[0]!, /^sha256_a{64}\.[0-9a-f]{8}\.yaml$/);
    writeFileSync(join(dir, 'broken.yaml'), 'kind: TriadRuntimeBaseline\nversion: 1\nkey: x\nmode: monitor\nlisten: [{protocol: tcp, port: zero}]\n');
    const m2 = new BaselineManager();
    const errors = loadBaselines(m2, dir);
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /broken\.yaml: listen\[0\]\.port: must be a port number/);
    assert.equal(m2.list().length, 1);
    assert.equal(readFileSync(join(dir, files[0]!), 'utf8'), m.exportYaml(m.list()[0]!.key));
    assert.deepEqual(readBaselineDir(join(dir, 'missing')), { baselines: [], errors: [] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('file-write aggregation: canonical paths, scratch dirs, fan-out collapse, bounded with overflow', () => {
  assert.equal(canonicalPath('/proc/1234/oom_score_adj'), '/proc/*/oom_score_adj');
  assert.equal(canonicalPath('/proc/self/fd/1'), '/proc/*/fd/**');
  assert.equal(canonicalPath('/proc/self/attr/current'), '/proc/*/attr/current');
  assert.equal(canonicalPath('/proc/77/fd/3'), '/proc/*/fd/**');
  assert.equal(canonicalPath('/tmp/a/b'), '/tmp/**');
  assert.equal(canonicalPath('/var/run/x.pid'), '/var/run/**');
  assert.equal(canonicalPath('logs/app.log', '/srv/app'), '/srv/app/logs/app.log');
  assert.equal(canonicalPath('/srv/../etc//passwd'), '/etc/passwd');
  assert.equal(canonicalPath('/data/3f2504e0-4f89-11d3-9a0c-0305e82c3301/part'), '/data/*/part');
  assert.equal(canonicalPath('/cache/20250301120000.bin'), '/cache/*');
  const s = new PathSet(8, 3);
  for (const f of ['a', 'b', 'c']) assert.ok(s.add(`/var/lib/app/${f}`));
  assert.ok(s.add('/var/lib/app/d'), 'fourth file below one directory collapses them');
  assert.deepEqual([...s.entries], ['/var/lib/app/**']);
  assert.ok(s.has('/var/lib/app/zzz/deeper'));
  assert.equal(s.has('/var/lib/other'), false);
  for (const f of ['/a1/x', '/a2/x', '/a3/x', '/a4/x', '/a5/x', '/a6/x', '/a7/x']) s.add(f);
  assert.equal(s.entries.size, 8);
  assert.equal(s.add('/a8/x'), false, 'full and nothing to merge with: not learned');
  assert.equal(s.overflow, 1);
  assert.ok(s.add('/a1/y'), 'full, but merges with /a1/x into /a1/**');
  assert.ok(s.has('/a1/x') && s.has('/a1/y'));
  assert.equal(s.entries.size, 8);
});
