// The bpftrace sensor against the REAL kernel: one sensor for the whole file (bpftrace takes 10-30 s
// to compile and attach here), real processes doing each kind of action, a real Docker container
// (cgroup id compared with the inode of its cgroup2 directory), and a killed bpftrace that must be
// restarted with a gap event. Skipped, with the reason, only where bpftrace cannot run.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { RuntimeEvent } from '../event.ts';
import { BpftraceSensor, bpftraceUnavailable, moduleAttemptsMode } from './bpftrace.ts';
import { ProcessTable } from './process-table.ts';
import { dockerUnavailable, startDocker, type TestDocker } from '../../../test/infra/docker.ts';
import { debianImageUnavailable, ensureDebianRootfs } from '../../../test/infra/debian-image.ts';

const why = bpftraceUnavailable();
const events: RuntimeEvent[] = [];
let sensor: BpftraceSensor | undefined;
const table = new ProcessTable({ followChdir: true });

before(async () => {
  if (why) return;
  table.loadFromProc();
  sensor = new BpftraceSensor({ backoffMs: 200 });
  await sensor.start((e) => {
    table.handle(e);
    events.push(e);
  });
});

after(async () => {
  await sensor?.stop();
});

async function waitEvent(what: string, pred: (e: RuntimeEvent) => boolean, timeoutMs = 30_000): Promise<RuntimeEvent> {
  const t0 = Date.now();
  for (;;) {
    const e = events.find(pred);
    if (e) return e;
    if (Date.now() - t0 > timeoutMs) throw new Error(`no ${what} event within ${timeoutMs} ms (${events.length} events seen)`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs a program (no shell) and resolves with its pid and exit code. */
function runProc(file: string, args: string[]): Promise<{ pid: number; code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const c = spawn(file, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.once('error', reject);
    c.once('exit', (code) => resolve({ pid: c.pid!, code, stdout }));
  });
}

const PERL = '/usr/bin/perl';

test('exec with hostile argv: exact argv, pid, ppid, uid and the process tree', { skip: why }, async () => {
  const r = await runProc(PERL, ['-e', 'exec "/bin/echo", "quo\\"te", "new\\nline", "tab\\there", "a\\xffb", "", "x" x 300']);
  const e = await waitEvent('echo exec', (e) => e.type === 'execve' && e.process.pid === r.pid && e.process.exe === '/bin/echo').catch((err) => {
    throw new Error(`${err.message}: ${JSON.stringify(events.filter((x) => x.process.pid === r.pid).map((x) => [x.type, x.process.exe, x.ret, x.process.comm]))}`);
  });
  assert.deepEqual(e.process.argv!.slice(0, 6), ['/bin/echo', 'quo"te', 'new\nline', 'tab\there', 'a\ufffdb', '']);
  assert.equal(e.process.argv![6]!.length, 199, 'strings are cut at BPFTRACE_STRLEN-1 bytes');
  assert.equal(e.ret, 0);
  assert.equal(e.process.ppid, process.pid);
  assert.equal(e.process.uid, 0);
  assert.equal(e.process.comm, 'echo');
  assert.equal(e.process.ancestors?.[0]?.pid, process.pid, 'the parent comes first');
  // The perl exec before it: same pid, the earlier image.
  const perl = await waitEvent('perl exec', (x) => x.type === 'execve' && x.process.pid === r.pid && x.process.exe === PERL);
  assert.ok(perl.ts! < e.ts!);
});

test('failed exec is reported with its errno', { skip: why }, async () => {
  const r = await runProc(PERL, ['-e', 'exec "/nonexistent/triad-bin", "a"; exit 3']);
  const e = await waitEvent('failed exec', (e) => e.type === 'execve' && e.process.pid === r.pid && e.process.exe === '/nonexistent/triad-bin');
  assert.equal(e.ret, -2);
  assert.deepEqual(e.process.argv, ['/nonexistent/triad-bin', 'a']);
  const x = await waitEvent('exit', (e) => e.type === 'procexit' && e.process.pid === r.pid);
  assert.equal(x.args?.status, 3);
});

test('writes under /etc with a quote and a newline in the name, then unlink', { skip: why }, async () => {
  const path = `/etc/triad-sensor-"q\n x ${process.pid}`;
  try {
    const r = await runProc('/bin/sh', ['-c', 'echo hi > "$1"; cat /etc/shadow > /dev/null; rm -f "$1"', 'sh', path]);
    const w = await waitEvent('open for write', (e) => e.category === 'file' && e.process.pid === r.pid && e.file?.path === path && e.type.startsWith('open'));
    assert.equal(w.file!.write, true);
    assert.ok(w.file!.flags!.includes('O_CREAT'));
    assert.ok(w.ret! >= 0);
    const rm = await waitEvent('unlink', (e) => e.type.startsWith('unlink') && e.file?.path === path);
    assert.equal(rm.ret, 0);
    const shadow = await waitEvent('shadow read', (e) => e.file?.path === '/etc/shadow' && e.process.comm === 'cat' && e.process.ppid === r.pid);
    assert.equal(shadow.file!.write, false);
  } finally {
    rmSync(path, { force: true });
  }
});

test('listen, outbound connect and accept on 127.0.0.1', { skip: why }, async () => {
  const srv = createServer((s) => s.end());
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  try {
    const l = await waitEvent('listen', (e) => e.type === 'listen' && e.net?.localPort === port);
    assert.equal(l.process.pid, process.pid);
    assert.equal(l.net!.localAddr, '127.0.0.1');
    const r = await runProc(PERL, ['-e', `use IO::Socket::INET; my $c = IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => ${port}, Proto => "tcp") or die; print $c->sockport`]);
    const c = await waitEvent('connect', (e) => e.type === 'connect' && e.process.pid === r.pid && e.net?.remotePort === port);
    assert.deepEqual([c.net!.family, c.net!.protocol, c.net!.remoteAddr], ['ipv4', 'tcp', '127.0.0.1']);
    assert.equal(c.ret, 0);
    const a = await waitEvent('accept', (e) => e.type.startsWith('accept') && e.process.pid === process.pid && e.net?.remotePort === Number(r.stdout));
    assert.equal(a.net!.localPort, port);
    assert.equal(a.net!.remoteAddr, '127.0.0.1');
  } finally {
    srv.close();
  }
  // A UDP server never calls listen(): its bind() is the listening port; a failed bind carries its errno.
  const u = await runProc(PERL, ['-e', 'use Socket; socket(my $e, PF_INET, SOCK_DGRAM, 0); bind($e, sockaddr_in(0, inet_aton("127.0.0.1"))); socket(my $t, PF_INET, SOCK_DGRAM, 0) or die; bind($t, sockaddr_in(5353, inet_aton("127.0.0.1"))) or die; socket(my $d, PF_INET, SOCK_DGRAM, 0); bind($d, sockaddr_in(5353, inet_aton("127.0.0.1"))) and die; print "ok"']);
  assert.equal(u.stdout, 'ok');
  const b = await waitEvent('udp bind', (e) => e.type === 'bind' && e.process.pid === u.pid && e.net?.localPort === 5353 && e.ret === 0);
  assert.deepEqual([b.net!.protocol, b.net!.family, b.net!.localAddr], ['udp', 'ipv4', '127.0.0.1']);
  await waitEvent('failed udp bind', (e) => e.type === 'bind' && e.process.pid === u.pid && e.net?.localPort === 5353 && (e.ret ?? 0) < 0);
  assert.ok(!events.some((e) => e.type === 'bind' && e.process.pid === u.pid && e.net?.localPort === 0), 'port 0 (ephemeral) binds are not listening ports');
});

test('setuid family, ptrace, unshare + mount, memfd exec', { skip: why }, async () => {
  const su = await runProc(PERL, ['-e', '$> = 65534; $< = 65534; exit 0']);
  const s = await waitEvent('setuid', (e) => e.category === 'privilege' && e.process.pid === su.pid && Object.values(e.args ?? {}).includes(65534));
  assert.equal(s.ret, 0);

  const pt = await runProc(PERL, ['-e', 'my $p = fork(); if (!$p) { sleep 2; exit 0 } print "$p"; syscall(101, 16, $p, 0, 0); select(undef,undef,undef,0.2); syscall(101, 17, $p, 0, 0); kill 9, $p; waitpid($p, 0);']);
  const p = await waitEvent('ptrace', (e) => e.type === 'ptrace' && e.process.pid === pt.pid && e.args?.request === 16);
  assert.equal(p.args!.pid, Number(pt.stdout));
  assert.equal(p.ret, 0);

  const un = await runProc('/usr/bin/unshare', ['-m', '/bin/sh', '-c', 'mount -t tmpfs triad-tmp /mnt']);
  const u = await waitEvent('unshare', (e) => e.type === 'unshare' && e.process.pid === un.pid);
  assert.ok((Number(u.args!.flags) & 0x20000) !== 0, 'CLONE_NEWNS');
  const m = await waitEvent('mount', (e) => e.type === 'mount' && e.args?.source === 'triad-tmp');
  assert.deepEqual([m.args!.target, m.args!.fstype, m.ret], ['/mnt', 'tmpfs', 0]);

  const mf = await runProc(PERL, ['-e', 'my $n = "triad-memfd"; my $fd = syscall(319, $n, 0); open(my $s, "<:raw", "/bin/true") or die; local $/; my $b = <$s>; open(my $m, ">&=", $fd) or die; syswrite($m, $b); exec {"/proc/self/fd/$fd"} "memfd-true" or die']);
  assert.equal(mf.code, 0);
  const mc = await waitEvent('memfd_create', (e) => e.type === 'memfd_create' && e.process.pid === mf.pid);
  assert.equal(mc.args!.name, 'triad-memfd');
  const x = await waitEvent('memfd exec', (e) => e.type === 'execve' && e.process.pid === mf.pid && e.process.exeFromMemfd === true);
  assert.match(x.process.exe!, /^\/proc\/self\/fd\/\d+$/);
});

test('fork without exec: the child shows up as a copy of its parent (no fork records by default); exit status', { skip: why }, async () => {
  const r = await runProc('/bin/sh', ['-c', '(echo x > /etc/triad-fork-test; true); rm -f /etc/triad-fork-test; exit 7']);
  const w = await waitEvent('write in the subshell', (e) => e.file?.path === '/etc/triad-fork-test' && e.file.write === true && e.process.ppid === r.pid);
  assert.notEqual(w.process.pid, r.pid, 'the subshell is a child');
  assert.equal(w.process.exe, '/bin/sh', "the parent's image");
  assert.equal(w.process.ancestors?.[0]?.pid, r.pid);
  assert.ok(!events.some((e) => ['clone', 'clone3', 'fork', 'vfork'].includes(e.type)), 'forks are not reported unless asked for');
  const x = await waitEvent('exit', (e) => e.type === 'procexit' && e.process.pid === r.pid);
  assert.equal(x.args!.status, 7);
});

test('kernel facts at exec: start ticks, tty, capabilities, exec ids, parent cgroup; cwd followed through chdir', { skip: why }, async () => {
  // A process that lives long enough to compare with /proc.
  const c = spawn('/bin/sleep', ['1']);
  const x = await waitEvent('sleep exec', (e) => e.type === 'execve' && e.process.pid === c.pid);
  const stat = readFileSync(`/proc/${c.pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  assert.equal(x.process.startTicks, Number(f[19]), 'start ticks as /proc/<pid>/stat field 22');
  assert.equal(x.process.tty, Number(f[4]), 'tty_nr as /proc says (none here)');
  assert.ok(x.process.capEffective?.includes('CAP_SYS_ADMIN'), 'root has CAP_SYS_ADMIN');
  assert.equal(x.process.exeFromMemfd, false);
  assert.equal(x.process.exeFromUpperLayer, false);
  assert.ok((x.process.execId ?? 0) > 0 && (x.process.parentExecId ?? 0) > 0);
  assert.equal(x.process.parentCgroupId, x.cgroupId, 'this test and its child share a cgroup');
  await new Promise((r) => c.once('exit', r));

  // A controlling terminal: script(1) gives the shell a pty; tty_nr must equal what /proc shows.
  const tty = await runProc('/usr/bin/script', ['-qc', '/bin/sh -c "cat /proc/self/stat; true triad-tty-mark"', '/dev/null']);
  const catTty = Number(tty.stdout.slice(tty.stdout.lastIndexOf(')') + 2).split(' ')[4]);
  assert.ok(catTty > 0, `script gave a tty (${tty.stdout.slice(0, 80)})`);
  const sh = await waitEvent('shell on a pty', (e) => e.type === 'execve' && (e.process.argv ?? []).some((a) => a.includes('triad-tty-mark')) && e.process.comm === 'sh');
  assert.equal(sh.process.tty, catTty);

  // cd then exec: the cwd of the exec comes from the chdir the sensor saw.
  await runProc('/bin/sh', ['-c', 'cd /usr/share && /bin/true triad-cwd-mark']);
  const t = await waitEvent('exec after cd', (e) => e.type === 'execve' && e.process.argv?.[1] === 'triad-cwd-mark');
  assert.equal(t.process.cwd, '/usr/share');
  assert.ok(events.some((e) => e.type === 'chdir' && e.args?.path === '/usr/share' && e.ret === 0));
});

const dockerWhy = why ?? dockerUnavailable() ?? debianImageUnavailable();
test('a Docker container: events carry the cgroup id of its cgroup2 directory', { skip: dockerWhy, timeout: 300_000 }, async () => {
  let docker: TestDocker | undefined;
  try {
    docker = await startDocker();
    const image = 'triad-sensor-test:bookworm';
    if ((await docker.docker(['image', 'inspect', image], { allowFail: true })).code !== 0) await docker.docker(['import', await ensureDebianRootfs(), image]);
    const name = `triad-sensor-${process.pid}`;
    const id = (await docker.docker(['run', '-d', '--name', name, '--network', 'none', image, 'sh', '-c', 'sleep 2; echo x > /etc/triad-ctr; cat /etc/shadow > /dev/null; sleep 60'])).stdout.trim();
    try {
      const pid = Number((await docker.docker(['inspect', '-f', '{{.State.Pid}}', id])).stdout.trim());
      const cg = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').find((l) => l.startsWith('0::'))!.slice(3);
      const ino = statSync(`/sys/fs/cgroup/unified${cg}`).ino;
      assert.ok(cg.includes(id), `cgroup path ${cg} names the container`);
      const w = await waitEvent('container write', (e) => e.file?.path === '/etc/triad-ctr' && e.file.write === true);
      assert.equal(w.cgroupId, ino);
      const cat = await waitEvent('container exec', (e) => e.type === 'execve' && e.cgroupId === ino && e.process.argv?.[1] === '/etc/shadow');
      assert.deepEqual(cat.process.argv, ['cat', '/etc/shadow']);
      assert.ok(cat.process.ancestors!.some((a) => a.pid === pid), 'the container init is an ancestor');
      assert.equal(cat.process.exeFromUpperLayer, false, 'cat is in the image');
      // Drift, from the kernel: a binary copied into the container after it started.
      await docker.docker(['exec', id, 'sh', '-c', 'cp /bin/true /tmp/triad-dropped && /tmp/triad-dropped']);
      const dropped = await waitEvent('dropped binary exec', (e) => e.type === 'execve' && e.process.exe === '/tmp/triad-dropped');
      assert.equal(dropped.process.exeFromUpperLayer, true);
      assert.notEqual(dropped.process.parentCgroupId, undefined);
    } finally {
      await docker.docker(['rm', '-f', id], { allowFail: true });
    }
  } finally {
    await docker?.stop();
  }
});

test('a killed bpftrace is restarted and the gap is reported', { skip: why, timeout: 300_000 }, async () => {
  const s = sensor!;
  const old = s.pid!;
  process.kill(old, 'SIGKILL');
  const gap = await waitEvent('sensor-gap', (e) => e.type === 'sensor-gap', 240_000);
  assert.equal(gap.category, 'agent');
  assert.ok(Date.parse(String(gap.args!.gapEnd)) >= Date.parse(String(gap.args!.gapStart)));
  assert.match(String(gap.args!.reason), /SIGKILL|exited/);
  await waitEvent('sensor-restart', (e) => e.type === 'sensor-restart');
  const h = s.health();
  assert.equal(h.state, 'running');
  assert.equal(h.restarts, 1);
  assert.notEqual(s.pid, old);
  // And it sees again.
  const r = await runProc('/bin/true', []);
  await waitEvent('exec after restart', (e) => e.type === 'execve' && e.process.pid === r.pid, 60_000).catch((err: Error) => {
    throw new Error(`${err.message}; health ${JSON.stringify(s.health())}; last events ${JSON.stringify(events.slice(-5).map((e) => [e.type, e.process.comm, e.time]))}`);
  });
  assert.ok(existsSync('/sys/kernel/tracing/events'));
});

test('module load attempts: their tracepoints where the kernel has them, else raw_syscalls when asked (--module-attempts raw)', { skip: why, timeout: 300_000 }, async () => {
  const hasTracepoints = existsSync('/sys/kernel/tracing/events/syscalls/sys_exit_finit_module');
  const seen: RuntimeEvent[] = [];
  // The default decides from the kernel and says so when it cannot watch them.
  const auto = moduleAttemptsMode();
  if (hasTracepoints) assert.deepEqual(auto, { mode: 'tracepoints' });
  else {
    assert.equal(auto.mode, 'off');
    assert.match(auto.note ?? '', /module load attempts are not watched/);
    // Asking for raw: a second sensor (another bpftrace) with the raw_syscalls probe.
    const raw = new BpftraceSensor({ moduleAttempts: 'raw' });
    await raw.start((e) => seen.push(e));
    try {
      const r = await runProc(PERL, ['-e', 'my $e = ""; my $z = ""; syscall(313, -1, $e, 0); syscall(175, 0, 0, $z); exit 0']);
      const t0 = Date.now();
      while (!(seen.some((e) => e.type === 'finit_module' && e.process.pid === r.pid) && seen.some((e) => e.type === 'init_module' && e.process.pid === r.pid)) && Date.now() - t0 < 30_000) await new Promise((res) => setTimeout(res, 50));
      const f = seen.find((e) => e.type === 'finit_module' && e.process.pid === r.pid);
      assert.ok(f, 'finit_module attempt seen');
      assert.equal(f.category, 'kernel');
      assert.ok(seen.some((e) => e.type === 'init_module' && e.process.pid === r.pid));
    } finally {
      await raw.stop();
    }
  }
  assert.deepEqual(moduleAttemptsMode('raw'), { mode: 'raw' }, 'asked for: no note');
});
