// ProcessTable: the real /proc of this machine at start-up, and the recorded real event stream
// (testdata/recording.jsonl) replayed through it: ancestors, exits with a grace period, the LRU bound.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RuntimeEvent } from '../event.ts';
import { ProcessTable } from './process-table.ts';

const RECORDING = join(import.meta.dirname, 'testdata', 'recording.jsonl');

function recorded(): RuntimeEvent[] {
  return readFileSync(RECORDING, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as RuntimeEvent);
}

const ev = (type: string, pid: number, ppid: number, extra: Partial<RuntimeEvent['process']> = {}, ret?: number): RuntimeEvent => ({
  time: new Date().toISOString(),
  source: 'bpftrace',
  type,
  category: 'process',
  process: { pid, ppid, comm: extra.comm ?? type, ...extra },
  ...(ret === undefined ? {} : { ret }),
});

test('loads this machine\'s /proc: this process, its parent chain up to pid 1', () => {
  const t = new ProcessTable();
  assert.ok(t.loadFromProc() > 5);
  const me = t.get(process.pid)!;
  assert.equal(me.exe, process.execPath);
  assert.equal(me.cwd, process.cwd());
  assert.equal(me.ppid, process.ppid);
  const chain = t.ancestors(process.pid);
  assert.equal(chain[0]!.pid, process.pid);
  assert.equal(chain[1]?.pid, process.ppid);
});

test('a process that exists only in /proc is looked up on demand (cwd and argv of a live child)', async () => {
  const child = spawn('/bin/sleep', ['5'], { cwd: '/tmp', stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 100));
    const t = new ProcessTable();
    const e = ev('openat', child.pid!, process.pid);
    e.category = 'file';
    t.handle(e);
    assert.equal(e.process.cwd, '/tmp');
    assert.equal(e.process.ancestors?.[0]?.pid, process.pid);
    assert.deepEqual(t.get(child.pid!)!.argv, ['/bin/sleep', '5']);
  } finally {
    child.kill();
  }
});

test('exec, fork and exit build the tree; exits are kept for the grace period only', () => {
  let now = 0;
  const t = new ProcessTable({ useProc: false, exitGraceMs: 1000, now: () => now });
  t.handle(ev('execve', 10, 1, { comm: 'bash', exe: '/bin/bash', argv: ['bash'] }));
  t.handle(ev('clone', 11, 10, { comm: 'bash' }));
  assert.equal(t.get(11)!.exe, '/bin/bash', 'a fork child starts as a copy of its parent');
  t.handle(ev('execve', 11, 10, { comm: 'curl', exe: '/usr/bin/curl', argv: ['curl', 'x'] }));
  t.handle(ev('execve', 11, 10, { comm: 'curl', exe: '/nope', argv: ['nope'] }, -2));
  assert.equal(t.get(11)!.exe, '/usr/bin/curl', 'a failed exec changes nothing');
  const c = ev('connect', 11, 10);
  c.category = 'network';
  delete c.process.ppid;
  t.handle(c);
  assert.equal(c.process.ppid, 10);
  assert.equal(c.process.exe, '/usr/bin/curl');
  assert.deepEqual(c.process.ancestors, [{ pid: 10, comm: 'bash', exe: '/bin/bash', argv: ['bash'] }, { pid: 1, comm: '' }]);
  t.handle(ev('procexit', 10, 1));
  now = 500;
  t.handle(ev('procexit', 99, 1));
  assert.ok(t.get(10), 'still there within the grace period');
  now = 2000;
  t.handle(ev('procexit', 98, 1));
  assert.equal(t.get(10), undefined);
});

test('bounded: LRU size, depth and cycles', () => {
  const t = new ProcessTable({ useProc: false, maxEntries: 100, maxDepth: 8 });
  for (let pid = 2; pid < 1000; pid++) t.handle(ev('execve', pid, pid - 1, { exe: `/bin/p${pid}` }));
  assert.equal(t.size, 100);
  const chain = t.ancestors(999);
  assert.equal(chain.length, 8);
  assert.deepEqual(chain.map((a) => a.pid), [999, 998, 997, 996, 995, 994, 993, 992]);
  // A reparenting loop (hostile or corrupt input) must not hang.
  t.handle(ev('execve', 5000, 5001));
  t.handle(ev('execve', 5001, 5000));
  assert.equal(t.ancestors(5000).length, 2);
});

test('the real recording replayed: container execs get their shell and the container init as ancestors', () => {
  const t = new ProcessTable({ useProc: false });
  const evs = recorded();
  for (const e of evs) t.handle(e);
  const cat = evs.find((e) => e.type === 'execve' && e.process.argv?.[0] === 'cat' && e.process.argv[1] === '/etc/shadow' && e.cgroupId !== 1);
  assert.ok(cat, 'the recording has the container reading /etc/shadow');
  const anc = cat.process.ancestors!;
  assert.ok(anc.length >= 1);
  assert.equal(anc[0]!.pid, cat.process.ppid);
  assert.equal(anc[0]!.comm, 'bash');
  for (const e of evs) if (e.process.ancestors) assert.ok(e.process.ancestors.length <= 8);
});

test('an exec whose /proc exe is a memfd is marked fileless even without the memfd_create event', async () => {
  const child = spawn('/usr/bin/perl', ['-e', 'my $n = "triad-pt"; my $fd = syscall(319, $n, 0); open(my $s, "<:raw", "/bin/sleep") or die; local $/; my $b = <$s>; open(my $m, ">&=", $fd) or die; syswrite($m, $b); exec {"/proc/self/fd/$fd"} "sleep", "3" or die'], { stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 400));
    const t = new ProcessTable();
    const e = ev('execve', child.pid!, process.pid, { exe: '/proc/self/fd/3', argv: ['sleep', '3'] }, 0);
    t.handle(e);
    assert.equal(e.process.exeFromMemfd, true);
    const plain = ev('execve', process.pid, process.ppid, { exe: process.execPath }, 0);
    t.handle(plain);
    assert.equal(plain.process.exeFromMemfd, undefined);
  } finally {
    child.kill();
  }
});

test('followChdir: cwd is inherited at fork, follows chdir (absolute and relative), survives exec; fchdir reads /proc', () => {
  const t = new ProcessTable({ useProc: false, followChdir: true });
  t.handle(ev('execve', 500, 1, { exe: '/bin/sh', cwd: '/srv' }));
  assert.equal(t.get(500)!.cwd, '/srv');
  t.handle({ ...ev('chdir', 500, 1, {}, 0), args: { path: 'app/../data' } });
  assert.equal(t.get(500)!.cwd, '/srv/data');
  t.handle({ ...ev('chdir', 500, 1, {}, -2), args: { path: '/nonexistent' } });
  assert.equal(t.get(500)!.cwd, '/srv/data', 'a failed chdir changes nothing');
  t.handle(ev('clone', 501, 500));
  const exec = ev('execve', 501, 500, { exe: './tool' });
  t.handle(exec);
  assert.equal(exec.process.cwd, '/srv/data', 'the child inherited the cwd and exec kept it');
  t.handle({ ...ev('chdir', 501, 500, {}, 0), args: { path: '/dev/shm/' } });
  const next = ev('execve', 501, 500, { exe: './x' });
  t.handle(next);
  assert.equal(next.process.cwd, '/dev/shm');
  // Live, an fchdir is settled by /proc: this process's own cwd.
  const live = new ProcessTable({ followChdir: true });
  live.handle(ev('execve', process.pid, process.ppid, { exe: process.execPath, cwd: '/somewhere-else' }));
  live.handle({ ...ev('fchdir', process.pid, process.ppid, {}, 0), args: { fd: 3 } });
  assert.equal(live.get(process.pid)!.cwd, process.cwd());
});

test('a child exec that names a newer parent image than the table holds makes the table read the parent from /proc', () => {
  const t = new ProcessTable({ followChdir: true });
  // The table believes this process (the parent) still runs an old image with exec id 7.
  t.handle(ev('execve', process.pid, process.ppid, { exe: '/usr/sbin/runc', argv: ['runc', 'init'], execId: 7 }));
  const child = ev('execve', 999_999, process.pid, { exe: '/bin/id', parentExecId: 8 });
  t.handle(child);
  assert.equal(child.process.ancestors?.[0]?.exe, process.execPath);
  assert.equal(child.process.ancestors?.[0]?.argv, undefined, "the old image's argv is dropped");
  assert.equal(t.staleParents, 1);
  // Same exec id: the table is trusted, no /proc read.
  const again = ev('execve', 999_998, process.pid, { exe: '/bin/ls', parentExecId: 8 });
  t.handle(again);
  assert.equal(t.staleParents, 1);
});
