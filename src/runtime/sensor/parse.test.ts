// Parser tests: bpftrace 0.17's JSON escaping of arbitrary bytes (encoded here exactly as its
// json_escape() does, signed-char quirk included), record joins in any arrival order, hostile and
// truncated input, bounded state, and a replay of the real raw stream recorded by make-recording.ts.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RuntimeEvent } from '../event.ts';
import { decodeLine, unescapeData } from './decode.ts';
import { BpftraceParser } from './parse.ts';
import { seededRandom } from '../../../test/infra/random.ts';

function createRandom(seed: number) {
  const r = seededRandom(seed);
  return { int: (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1)) };
}

const TESTDATA = join(import.meta.dirname, 'testdata');

/** bpftrace 0.17's JsonOutput::json_escape over raw bytes (char is signed: bytes >= 0x80 → \uffffffXX). */
function bpftraceEscape(bytes: Buffer): string {
  let s = '';
  for (const b of bytes) {
    if (b === 0x22) s += '\\"';
    else if (b === 0x5c) s += '\\\\';
    else if (b === 0x0a) s += '\\n';
    else if (b === 0x0d) s += '\\r';
    else if (b === 0x09) s += '\\t';
    else if (b < 0x20) s += '\\u' + b.toString(16).padStart(4, '0');
    else if (b >= 0x80) s += '\\u' + ((0xffffff00 | b) >>> 0).toString(16);
    else s += String.fromCharCode(b);
  }
  return s;
}

function line(data: Buffer | string): string {
  return `{"type": "printf", "data": "${bpftraceEscape(typeof data === 'string' ? Buffer.from(data, 'utf8') : data)}"}`;
}

const COMMON = (ts: number, tid: number) => `${ts} ${tid} ${tid} 1 0 0 0 4294967295 4242`;

function collect(opts = {}) {
  const events: RuntimeEvent[] = [];
  const p = new BpftraceParser((e) => events.push(e), { monotonicEpochMs: 0, ...opts });
  return { p, events };
}

test('any byte (but NUL) survives bpftrace escaping and decoding', () => {
  const rnd = createRandom(6);
  for (let i = 0; i < 2000; i++) {
    const len = rnd.int(0, 200);
    const bytes = Buffer.alloc(len);
    for (let j = 0; j < len; j++) bytes[j] = rnd.int(1, 255);
    const d = decodeLine(line(bytes));
    assert.equal(d.kind, 'printf');
    assert.equal((d as { data: string }).data, bytes.toString('utf8'));
  }
});

test('a path with quotes, newlines, tabs, spaces and invalid UTF-8 is one exact string field', () => {
  const { p, events } = collect();
  const path = Buffer.concat([Buffer.from('/etc/we"ird \n\tname S 1 2 3 '), Buffer.from([0xff, 0xfe, 0x01]), Buffer.from('\\u0041 end')]);
  p.line(line(Buffer.concat([Buffer.from('S 100 7 1 '), path])));
  p.line(line(`O openat ${COMMON(100, 7)} 1 2 577 -100 evil comm "x"`));
  p.line(line('R openat 100 7 3 evil comm "x"'));
  assert.equal(events.length, 1);
  const e = events[0]!;
  assert.equal(e.type, 'openat');
  assert.equal(e.file?.path, path.toString('utf8'));
  assert.equal(e.file?.write, true);
  assert.deepEqual(e.file?.flags, ['O_WRONLY', 'O_CREAT', 'O_TRUNC']);
  assert.equal(e.ret, 3);
  assert.equal(e.process.comm, 'evil comm "x"');
  assert.equal(e.cgroupId, 4242);
});

test('/home is reported only for .ssh paths', () => {
  const { p, events } = collect();
  p.line(line('S 1 3 1 /home/alice/notes.txt'));
  p.line(line(`O openat ${COMMON(1, 3)} 1 2 0 -100 cat`));
  p.line(line('R openat 1 3 3 cat'));
  p.line(line('S 2 3 1 /home/alice/.ssh/id_ed25519'));
  p.line(line(`O openat ${COMMON(2, 3)} 1 2 0 -100 cat`));
  p.line(line('R openat 2 3 3 cat'));
  assert.deepEqual(events.map((e) => e.file?.path), ['/home/alice/.ssh/id_ed25519']);
});

test('exec records join in every arrival order; failed exec keeps ret and old comm', () => {
  const recs = [
    line('S 500 9 1 ls'),
    line('S 500 9 2 -l\nx'),
    line('S 500 9 3 /bin/ls'),
    line(`E execve ${COMMON(500, 9)} 3 3 0 -100 0 bash`),
    line(`X execve ${COMMON(600, 9)} 0 2 500 9 ls`),
  ];
  const perms = (a: string[]): string[][] => (a.length <= 1 ? [a] : a.flatMap((x, i) => perms([...a.slice(0, i), ...a.slice(i + 1)]).map((r) => [x, ...r])));
  for (const order of perms(recs)) {
    const { p, events } = collect();
    for (const l of order) p.line(l);
    assert.equal(events.length, 1, order.join('\n'));
    const e = events[0]!;
    assert.equal(e.type, 'execve');
    assert.equal(e.process.exe, '/bin/ls');
    assert.deepEqual(e.process.argv, ['ls', '-l\nx']);
    assert.equal(e.process.comm, 'ls');
    assert.equal(e.ret, 0);
    assert.equal(p.pendingCount, 0);
  }
  const { p, events } = collect();
  p.line(line('R execve 700 9 -2 bash'));
  p.line(line('S 700 9 1 /nope'));
  p.line(line(`E execve ${COMMON(700, 9)} 1 3 0 -100 0 bash`));
  assert.equal(events.length, 1);
  assert.equal(events[0]!.ret, -2);
  assert.equal(events[0]!.process.comm, 'bash');
  assert.equal(events[0]!.process.exe, '/nope');
  assert.deepEqual(events[0]!.process.argv, []);
});

test('an exec whose enter was missed is still reported; a lone result is dropped after the timeout', () => {
  let now = 0;
  const { p, events } = collect({ now: () => now, pendingTimeoutMs: 1000 });
  p.line(line(`X execve ${COMMON(900, 11)} 0 2 0 11 sleep`));
  assert.equal(events.length, 1);
  assert.equal(events[0]!.process.exe, undefined);
  p.line(line('R connect 901 12 0 curl'));
  assert.equal(p.pendingCount, 1);
  now = 5000;
  p.sweep();
  assert.equal(p.pendingCount, 0);
  assert.equal(events.length, 1);
  assert.equal(p.stats.incomplete, 1);
});

test('network, privilege, namespace and kernel records', () => {
  const { p, events } = collect();
  p.line(line(`N connect ${COMMON(1, 2)} 0 5 3 6 2 8080 10.1.2.3 curl`));
  p.line(line('R connect 1 2 -115 curl'));
  p.line(line('S 3 2 1 /run/docker.sock'));
  p.line(line(`N connect ${COMMON(3, 2)} 1 5 4 0 1 0 - curl`));
  p.line(line('R connect 3 2 0 curl'));
  p.line(line(`N listen ${COMMON(4, 2)} 0 4 6 10 443 :: nginx`));
  p.line(line(`N accept4 ${COMMON(5, 2)} 0 6 7 2 443 10.0.0.1 51000 10.0.0.9 nginx`));
  p.line(line(`P setresuid ${COMMON(6, 2)} 0 3 -1 0 -1 su`));
  p.line(line('R setresuid 6 2 0 su'));
  p.line(line(`U unshare ${COMMON(7, 2)} 0 1 268435456 unshare`));
  p.line(line('R unshare 7 2 -1 unshare'));
  p.line(line('S 8 2 1 none'));
  p.line(line('S 8 2 3 tmpfs'));
  p.line(line('S 8 2 2 /mnt'));
  p.line(line(`U mount ${COMMON(8, 2)} 3 1 0 mount`));
  p.line(line('R mount 8 2 0 mount'));
  p.line(line(`K ptrace ${COMMON(9, 2)} 0 2 16 1234 gdb`));
  p.line(line('R ptrace 9 2 0 gdb'));
  p.line(line(`K module ${COMMON(10, 2)} 0 2 313 -38 modprobe`));
  p.line(line(`Q procexit ${COMMON(11, 2)} 0 2 256 0 curl`));
  const by = (t: string) => events.filter((e) => e.type === t);
  assert.deepEqual(by('connect')[0]!.net, { family: 'ipv4', protocol: 'tcp', remoteAddr: '10.1.2.3', remotePort: 8080 });
  assert.equal(by('connect')[0]!.ret, -115);
  assert.deepEqual(by('connect')[1]!.net, { family: 'unix', path: '/run/docker.sock' });
  assert.deepEqual(by('listen')[0]!.net, { family: 'ipv6', protocol: 'tcp', localAddr: '::', localPort: 443 });
  assert.deepEqual(by('accept4')[0]!.net, { family: 'ipv4', protocol: 'tcp', localPort: 443, localAddr: '10.0.0.1', remotePort: 51000, remoteAddr: '10.0.0.9' });
  assert.equal(by('accept4')[0]!.ret, 7);
  assert.deepEqual(by('setresuid')[0]!.args, { ruid: -1, euid: 0, suid: -1 });
  assert.deepEqual(by('unshare')[0]!.args, { flags: 268435456 });
  assert.equal(by('unshare')[0]!.ret, -1);
  assert.deepEqual(by('mount')[0]!.args, { source: 'none', target: '/mnt', fstype: 'tmpfs', flags: 0 });
  assert.deepEqual(by('ptrace')[0]!.args, { request: 16, pid: 1234 });
  assert.equal(by('finit_module')[0]!.ret, -38);
  assert.deepEqual(by('procexit')[0]!.args, { status: 1, signal: 0 });
  assert.equal(events.length, 10);
});

test('memfd_create then exec of /proc/self/fd/N is fileless', () => {
  const { p, events } = collect();
  p.line(line('S 1 5 1 x'));
  p.line(line(`K memfd_create ${COMMON(1, 5)} 1 1 0 perl`));
  p.line(line('R memfd_create 1 5 3 perl'));
  p.line(line('S 2 5 1 payload'));
  p.line(line('S 2 5 2 /proc/self/fd/3'));
  p.line(line(`E execve ${COMMON(2, 5)} 2 3 0 -100 0 perl`));
  p.line(line(`X execve ${COMMON(3, 5)} 0 2 2 5 3`));
  p.line(line('S 4 5 1 /proc/self/fd/4'));
  p.line(line(`E execve ${COMMON(4, 5)} 1 3 0 -100 0 perl`));
  p.line(line(`X execve ${COMMON(5, 5)} 0 2 4 5 4`));
  assert.equal(events[1]!.process.exeFromMemfd, true);
  assert.equal(events[2]!.process.exeFromMemfd, undefined);
});

test('hostile lines never throw, are counted, and pending state stays bounded', () => {
  const rnd = createRandom(66);
  const { p, events } = collect({ maxPending: 100 });
  const pieces = ['S ', 'R ', 'E execve ', 'O openat ', 'X execve ', 'N connect ', '1 ', '-1 ', '99999999999999999999999 ', 'NaN ', '\n', '"', '\\', ' ', 'ÿ'];
  for (let i = 0; i < 20_000; i++) {
    let s = '';
    const n = rnd.int(0, 20);
    for (let j = 0; j < n; j++) s += pieces[rnd.int(0, pieces.length - 1)]!;
    p.line(rnd.int(0, 3) === 0 ? s : line(s));
    // raw garbage too: truncated JSON, bad escapes
    if (i % 100 === 0) p.line('{"type": "printf", "data": "\\u12"}');
    if (i % 100 === 1) p.line('{"type": "printf", "data": "S 1 2 1 x');
  }
  for (let i = 0; i < 5000; i++) p.line(line(`S ${i} ${i} 1 open-group-${i}`));
  assert.ok(p.pendingCount <= 101, `pending ${p.pendingCount}`);
  assert.ok(p.stats.malformed > 1000);
  for (const e of events) assert.equal(typeof e.process.pid, 'number');
});

test('lost events and attached probes lines', () => {
  let lost = 0, probes = 0;
  const p = new BpftraceParser(() => {}, { onLost: (n) => (lost += n), onAttached: (n) => (probes = n) });
  p.line('{"type": "attached_probes", "data": {"probes": 68}}');
  p.line('{"type": "lost_events", "data": {"events": 12}}');
  assert.equal(probes, 68);
  assert.equal(lost, 12);
  assert.equal(p.stats.lost, 12);
  assert.equal(unescapeData('\\uffffff'), undefined);
});

test('replays the real raw bpftrace stream: every line understood, throughput printed', (t) => {
  const raw = join(TESTDATA, 'recording.raw.jsonl');
  if (!existsSync(raw)) return t.skip('no raw recording (run testdata/make-recording.ts)');
  const lines = readFileSync(raw, 'utf8').split('\n').filter(Boolean);
  const { p, events } = collect();
  for (const l of lines) p.line(l);
  p.flush();
  assert.equal(p.stats.malformed, 0);
  assert.ok(events.some((e) => e.type === 'execve' && e.process.argv && e.process.exe));
  // Throughput: the same lines replayed until ~1 s has passed.
  let n = 0;
  const sink = new BpftraceParser(() => n++, { monotonicEpochMs: 0 });
  const t0 = process.hrtime.bigint();
  let rounds = 0;
  while (process.hrtime.bigint() - t0 < 1_000_000_000n && rounds < 200) {
    for (const l of lines) sink.line(l);
    rounds++;
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  t.diagnostic(`parser: ${Math.round(n / secs)} events/s, ${Math.round((rounds * lines.length) / secs)} lines/s on one core`);
});
