// Generates the bpftrace program of Triad's sensor (bpftrace 0.17, tracepoints only: this kernel has
// no kprobes, fentry or BPF-LSM).
//
// Framing. bpftrace runs with `-f json`, so every printf() becomes one JSON line
// {"type": "printf", "data": "..."} whose data bpftrace escapes itself: quotes, backslashes and
// control bytes as JSON escapes, bytes >= 0x80 as "\uffffffXX" (a signed-char quirk of 0.17 that
// parse.ts decodes back to the byte). So a record can never be split or joined by hostile bytes. What
// JSON cannot give is the boundary between two strings inside one printf (a path may contain any byte
// but NUL, including our separators), hence the rule every record here follows:
//
//   ONE free-form string per printf, always the LAST field, after a fixed, self-described number of
//   space-separated numeric/address tokens.
//
// Events that carry more strings (exec: filename + argv; rename: two paths; mount: three) print one
// extra "S" record per string, keyed by the event's (ts, tid). All printfs of one probe run land in the
// same per-CPU buffer in order, but records of different CPUs interleave, and a syscall's exit may be
// read before its enter (the task migrated): parse.ts joins groups by key in any order.
//
// Records (tokens separated by one space; <...> is the trailing string):
//   H <name> ts tid pid ppid uid euid gid loginuid cgroup nstr nargs arg1..argN <comm>
//        an event header; H is a letter naming the shape (see parse.ts); nstr S records follow.
//        For the exec enter header (E) they are argv[0..n-1] then the filename (last, index n+1):
//        a filename on the header itself would exceed the 512-byte BPF stack next to the argv loop.
//   S ts tid idx <string>              string idx (1-based) of the event keyed (ts, tid)
//   R <name> ets tid ret <comm>       result of the pending syscall whose enter was keyed (ets, tid)
//   B ready                           printed by BEGIN once every probe is attached
//
// Limits (documented in the README): strings are cut at BPFTRACE_STRLEN-1 bytes (the max in 0.17 is
// 200), argv at ARGV_MAX entries (the header says whether more followed), and paths are filtered by
// prefix in the kernel, so relative paths (openat with a dirfd, or after chdir) are not seen.

export interface ScriptOptions {
  /** Max argv entries read per exec (each costs one printf). */
  argvMax?: number;
  /**
   * Module loads: 'tracepoints' uses sys_enter/exit_(f)init_module (kernels with CONFIG_MODULES);
   * 'raw' catches the attempts on kernels without module support through raw_syscalls:sys_exit, which
   * fires on EVERY syscall (filtered by id in the kernel) and costs ~30 % more in an exec storm;
   * 'off' disables both. The sensor picks 'tracepoints' when they exist, else 'off'.
   */
  moduleAttempts?: 'tracepoints' | 'raw' | 'off';
  /**
   * Report forks (clone/fork/vfork in the child). Off by default: every exec and every later event
   * carries the kernel's ppid, and the process table makes a child that does not exec a copy of its
   * parent when it first shows up, so in a fork+exec storm the fork records only cost (a sixth of
   * the sensor's output). No bundled Falco rule conditions on them.
   */
  forkEvents?: boolean;
}

export const DEFAULT_ARGV_MAX = 20;
/** The record BEGIN prints once every probe is attached. */
export const READY_RECORD = 'B ready';
/** The largest string size bpftrace 0.17 accepts (BPFTRACE_STRLEN). */
export const STRLEN = 200;

// Common header tokens after <name>: ts tid pid ppid uid euid gid loginuid cgroup.
const COMMON_FMT = '%llu %d %d %d %u %u %u %u %llu';
const COMMON_ARGS = '$ts, tid, pid, curtask->real_parent->tgid, uid, curtask->cred->euid.val, gid, curtask->loginuid.val, cgroup';

/** printf of an event header: `tag name common nstr nargs args... comm`. */
const OVERLAYFS_MAGIC = '0x794c7630';

function header(tag: string, name: string, nstr: string | number, args: Array<[fmt: string, expr: string]>, trailing = 'comm'): string {
  const fmt = [tag, name, COMMON_FMT, '%d', String(args.length), ...args.map((a) => a[0]), '%s'].join(' ');
  const exprs = [COMMON_ARGS, String(nstr), ...args.map((a) => a[1]), trailing].join(', ');
  return `printf("${fmt}", ${exprs});`;
}

function strRecord(idx: string | number, expr: string): string {
  return `printf("S %llu %d %d %s", $ts, tid, ${idx}, ${expr});`;
}

/** Remember that this tid has a pending syscall whose result the exit probe prints as an R record. */
const PEND = '@pend[tid] = $ts;';

function exitResult(syscall: string, name = syscall): string {
  return `tracepoint:syscalls:sys_exit_${syscall} /@pend[tid]/ {
  printf("R ${name} %llu %d %d %s", @pend[tid], tid, args->ret, comm);
  delete(@pend[tid]);
}`;
}

const WRITE_FLAGS = '0x243'; // O_WRONLY | O_RDWR | O_CREAT | O_TRUNC

/** Reads that matter even without write flags (Falco's sensitive_files and friends). */
const SENSITIVE_READS = ['/etc/shadow', '/etc/gshadow', '/etc/sudoers', '/etc/pam.', '/etc/security/', '/etc/ssh/', '/root/.ssh', '/home/'];
/** Any access. */
const ALWAYS = ['/var/run/docker.sock', '/run/docker.sock', '/run/containerd/containerd.sock', '/var/run/containerd/containerd.sock'];
/** Writes (and modifying syscalls) under these prefixes. */
const WRITES = ['/etc/', '/root/', '/bin/', '/sbin/', '/usr/bin/', '/usr/sbin/', '/usr/local/bin/', '/usr/local/sbin/', '/proc/sys/', '/boot/', '/lib/modules/', '/usr/lib/modules/'];

/** Little-endian integer of `bytes` as a bpftrace hex literal. */
function leHex(bytes: Buffer): string {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  return '0x' + v.toString(16);
}

/**
 * `ptr` (a user char*) starts with `prefix`, tested with integer loads instead of str()+strncmp:
 * strncmp on 200-byte strings blows bpftrace 0.17's 512-byte BPF stack, and integer loads are cheaper.
 * Each load is no wider than the bytes still to compare, so a string that matches never makes a load
 * cross past its own end (a string at the end of a mapped page is safe); a shorter string may make a
 * load fail, which reads as zero and correctly does not match. The first 4 bytes are compared by the
 * caller (`$w0`).
 */
function startsWith(ptr: string, prefix: string): string {
  const b = Buffer.from(prefix, 'latin1');
  const tests: string[] = [];
  let off = 4;
  while (off < b.length) {
    const rest = b.length - off;
    const width = rest >= 8 ? 8 : rest >= 4 ? 4 : rest >= 2 ? 2 : 1;
    tests.push(`*(uint${width * 8}*)(${ptr} + ${off}) == ${leHex(b.subarray(off, off + width))}`);
    off += width;
  }
  return tests.length ? tests.join(' && ') : '1';
}

/** Kernel-side filter: the path at user pointer `ptr` is worth reporting given write intent `w`.
 *  Needs `w0 = *(uint32*)ptr` loaded first; prefixes are grouped by their first 4 bytes. */
function sensitive(ptr: string, w: string, w0 = '$w0'): string {
  const groups = new Map<string, string[]>();
  const add = (prefix: string, cond: (m: string) => string) => {
    const key = prefix.slice(0, 4);
    const list = groups.get(key) ?? [];
    list.push(cond(startsWith(ptr, prefix)));
    groups.set(key, list);
  };
  for (const p of ALWAYS) add(p, (m) => `(${m})`);
  for (const p of SENSITIVE_READS) add(p, (m) => `(${m})`);
  for (const p of WRITES) add(p, (m) => `(${w} && ${m})`);
  const out: string[] = [];
  for (const [key, conds] of groups) out.push(`(${w0} == ${leHex(Buffer.from(key, 'latin1'))} && (${conds.join(' || ')}))`);
  return `(${out.join(' || ')})`;
}

function openProbe(syscall: string, flagsExpr: string, dfdExpr: string, ptr = 'args->filename'): string {
  // Every ctx field is loaded once into a variable: offsets from a modified ctx pointer fail the verifier.
  return `tracepoint:syscalls:sys_enter_${syscall} {
  $fn = ${ptr};
  $w0 = *(uint32*)$fn;
  $fl = ${flagsExpr};
  $w = ($fl & ${WRITE_FLAGS}) != 0;
  if (${sensitive('$fn', '$w')}) {
    $ts = nsecs;
    ${strRecord(1, 'str($fn)')}
    ${header('O', syscall, 1, [['%d', '$fl'], ['%d', dfdExpr]])}
    ${PEND}
  }
}
${exitResult(syscall)}`;
}

/** Two-path syscalls (rename, link, symlink): reported when either path is sensitive (for symlink the
 *  first "path" is the link's content, not a file being changed). */
function twoPathProbe(syscall: string, oldPtr: string, newPtr: string, oldIsPath = true): string {
  const oldTest = oldIsPath ? ` || ${sensitive('$on', '1', '$w1')}` : '';
  return `tracepoint:syscalls:sys_enter_${syscall} {
  $on = ${oldPtr};
  $nn = ${newPtr};
  $w0 = *(uint32*)$nn;
  $w1 = *(uint32*)$on;
  if (${sensitive('$nn', '1')}${oldTest}) {
    $ts = nsecs;
    ${strRecord(1, 'str($on)')}
    ${strRecord(2, 'str($nn)')}
    ${header('O', syscall, 2, [['%d', '0'], ['%d', '-100']])}
    ${PEND}
  }
}
${exitResult(syscall)}`;
}

function unlinkProbe(syscall: string): string {
  return `tracepoint:syscalls:sys_enter_${syscall} {
  $fn = args->pathname;
  $w0 = *(uint32*)$fn;
  if (${sensitive('$fn', '1')}) {
    $ts = nsecs;
    ${strRecord(1, 'str($fn)')}
    ${header('O', syscall, 1, [['%d', '0'], ['%d', syscall === 'unlinkat' ? 'args->dfd' : '-100']])}
    ${PEND}
  }
}
${exitResult(syscall)}`;
}

function execProbe(syscall: 'execve' | 'execveat', argvMax: number): string {
  const dfd = syscall === 'execveat' ? 'args->fd' : '-100';
  const flags = syscall === 'execveat' ? 'args->flags' : '0';
  return `tracepoint:syscalls:sys_enter_${syscall} {
  $ts = nsecs;
  $argv = args->argv; // one ctx load: offsets from a modified ctx pointer fail the verifier
  $n = 0;
  $more = 1;
  unroll(${argvMax}) {
    if ($more) {
      $a = *($argv + $n);
      if ($a == 0) { $more = 0; } else {
        ${strRecord('$n + 1', 'str($a)')}
        $n = $n + 1;
      }
    }
  }
  if ($more) { $more = *($argv + $n) != 0; }
  ${strRecord('$n + 1', 'str(args->filename)')}
  ${header('E', syscall, '$n + 1', [['%d', '$more'], ['%d', dfd], ['%d', flags]])}
  ${PEND}
}
tracepoint:syscalls:sys_exit_${syscall} /@pend[tid] && args->ret < 0/ {
  printf("R ${syscall} %llu %d %d %s", @pend[tid], tid, args->ret, comm);
  delete(@pend[tid]);
}`;
}

/** Start of a probe on a syscall with (fd, sockaddr): $ts, $sa, $fd, the address family $fam and the
 *  socket's protocol $proto (from the fd's struct socket: Falco's outbound macro needs TCP vs UDP). */
function sockaddrCall(sockaddr: string): string {
  return `$ts = nsecs;
  $sa = ${sockaddr};
  $fd = args->fd;
  $fam = ((struct sockaddr *)$sa)->sa_family;
  $proto = ((struct socket *)(*(curtask->files->fdt->fd + $fd))->private_data)->sk->sk_protocol;`;
}

/** Port (host order) and printable address of the sockaddr in $sa, IPv4 and IPv6. */
const SIN = { port: 'bswap(((struct sockaddr_in *)$sa)->sin_port)', addr: 'ntop(2, ((struct sockaddr_in *)$sa)->sin_addr.s_addr)' };
const SIN6 = { port: 'bswap(((struct sockaddr_in6 *)$sa)->sin6_port)', addr: 'ntop(10, ((struct sockaddr_in6 *)$sa)->sin6_addr.in6_u.u6_addr8)' };

function simpleProbe(tag: string, syscall: string, args: Array<[string, string]>): string {
  return `tracepoint:syscalls:sys_enter_${syscall} {
  $ts = nsecs;
  ${header(tag, syscall, 0, args)}
  ${PEND}
}
${exitResult(syscall)}`;
}

export function bpftraceScript(opts: ScriptOptions = {}): string {
  const argvMax = Math.max(1, Math.min(64, Math.floor(opts.argvMax ?? DEFAULT_ARGV_MAX)));
  const parts: string[] = [];
  parts.push(`// Generated by Triad (src/runtime/sensor/bpftrace-script.ts): see the framing rules there.`);
  // bpftrace prints "attached_probes" BEFORE attaching (68 probes take seconds); BEGIN runs once all are.
  parts.push(`BEGIN { printf("${READY_RECORD}"); }`);
  // ---- processes
  parts.push(execProbe('execve', argvMax), execProbe('execveat', argvMax));
  // Successful exec: the new image's identity (comm, euid after setuid bits, cgroup). old_pid is the
  // tid that called execve (it differs when a non-leader thread execs); it keys the enter record.
  // Facts that /proc would give only with several reads per exec (and not at all once a short process
  // is gone) are read here from the kernel's structures, at the moment of the exec:
  //   tty      tty_nr as /proc/<pid>/stat encodes it (0 = no controlling terminal)
  //   start    start_boottime in clock ticks (USER_HZ 100), /proc/<pid>/stat field 22: pid + start
  //            identify a process for responses
  //   flags    1: the exe has no link (memfd or deleted file: fileless); 2: the exe is on overlayfs
  //            and has an upper-layer copy (written or modified after the container started: drift).
  //            The upper dentry is the pointer that follows the VFS inode inside struct ovl_inode
  //            (the layout since Linux 4.13).
  //   execid   self_exec_id of the process and of its parent: the process table notices when it has
  //            not yet seen the parent's latest exec (another CPU's buffer) instead of naming the
  //            parent's old image
  //   pcgroup  the parent's cgroup v2 id: a parent outside the container is the runtime
  //   caps     effective and permitted capability masks after the exec
  parts.push(`tracepoint:sched:sched_process_exec {
  $ts = nsecs;
  $e = @pend[args->old_pid];
  delete(@pend[args->old_pid]);
  $t = curtask->signal->tty;
  $ttynr = (uint64)0;
  if ($t != 0) {
    $drv = (struct tty_driver *)$t->driver;
    $min = (uint64)($drv->minor_start + $t->index);
    $ttynr = ($min & 0xff) | ((uint64)$drv->major << 8) | (($min & ~0xff) << 12);
  }
  $ino = curtask->mm->exe_file->f_inode;
  $fl = $ino->__i_nlink == 0 ? 1 : 0;
  if ($ino->i_sb->s_magic == ${OVERLAYFS_MAGIC}) {
    if (*(uint64*)((uint64)$ino + sizeof(struct inode)) != 0) { $fl = $fl | 2; }
  }
  $par = curtask->real_parent;
  ${header('X', 'execve', 0, [
    ['%llu', '$e'],
    ['%d', 'args->old_pid'],
    ['%llu', '$ttynr'],
    ['%llu', 'curtask->start_boottime / 10000000'],
    ['%d', '$fl'],
    ['%llu', 'curtask->self_exec_id'],
    ['%llu', '$par->self_exec_id'],
    ['%llu', '$par->cgroups->dfl_cgrp->kn->id'],
    ['%llu', 'curtask->cred->cap_effective.val'],
    ['%llu', 'curtask->cred->cap_permitted.val'],
  ])}
}`);
  // New processes (not threads), seen in the child as it returns 0 from the fork-family syscall.
  for (const sc of opts.forkEvents ? ['clone', 'clone3', 'fork', 'vfork'] : []) {
    parts.push(`tracepoint:syscalls:sys_exit_${sc} /args->ret == 0 && pid == tid/ {
  $ts = nsecs;
  ${header('F', sc, 0, [])}
}`);
  }
  // A thread that dies inside a pending syscall (killed during a blocking connect) must not leak its
  // @pend entry: the map is bounded, and a full map would cost results to every later syscall.
  parts.push(`tracepoint:sched:sched_process_exit { delete(@pend[tid]); }`);
  parts.push(`tracepoint:sched:sched_process_exit /args->group_dead/ {
  $ts = nsecs;
  ${header('Q', 'procexit', 0, [['%d', 'curtask->exit_code'], ['%d', 'curtask->signal->group_exit_code']])}
}`);
  // ---- network
  parts.push(`tracepoint:syscalls:sys_enter_connect {
  ${sockaddrCall('args->uservaddr')}
  if ($fam == 2) {
    ${header('N', 'connect', 0, [['%d', '$fd'], ['%d', '$proto'], ['%d', '$fam'], ['%d', SIN.port], ['%s', SIN.addr]])}
    ${PEND}
  } else if ($fam == 10) {
    ${header('N', 'connect', 0, [['%d', '$fd'], ['%d', '$proto'], ['%d', '$fam'], ['%d', SIN6.port], ['%s', SIN6.addr]])}
    ${PEND}
  } else if ($fam == 1) {
    ${strRecord(1, '((struct sockaddr_un *)$sa)->sun_path')}
    ${header('N', 'connect', 1, [['%d', '$fd'], ['%d', '$proto'], ['%d', '$fam'], ['%d', '0'], ['%s', '"-"']])}
    ${PEND}
  }
}
${exitResult('connect')}`);
  // listen(): the kernel moves the socket to TCP_LISTEN in the caller's context, with the bound
  // address and port already set (also for port 0 → ephemeral), so no bind() bookkeeping is needed.
  parts.push(`tracepoint:sock:inet_sock_set_state /args->newstate == 10/ {
  $ts = nsecs;
  if (args->family == 2) {
    ${header('N', 'listen', 0, [['%d', 'args->protocol'], ['%d', 'args->family'], ['%d', 'args->sport'], ['%s', 'ntop(2, args->saddr)']])}
  } else {
    ${header('N', 'listen', 0, [['%d', 'args->protocol'], ['%d', 'args->family'], ['%d', 'args->sport'], ['%s', 'ntop(10, args->saddr_v6)']])}
  }
}`);
  // bind() of a UDP socket: a UDP server never calls listen(), so this is its "listening port".
  // TCP binds are left to listen() (most TCP binds are clients or listeners seen there anyway).
  parts.push(`tracepoint:syscalls:sys_enter_bind {
  ${sockaddrCall('args->umyaddr')}
  if ($proto == 17 && $fam == 2) {
    $port = ${SIN.port};
    if ($port != 0) {
      ${header('N', 'bind', 0, [['%d', '$proto'], ['%d', '$fam'], ['%d', '$port'], ['%s', SIN.addr]])}
      ${PEND}
    }
  } else if ($proto == 17 && $fam == 10) {
    $port6 = ${SIN6.port};
    if ($port6 != 0) {
      ${header('N', 'bind', 0, [['%d', '$proto'], ['%d', '$fam'], ['%d', '$port6'], ['%s', SIN6.addr]])}
      ${PEND}
    }
  }
}
${exitResult('bind')}`);
  // accept(): the peer and local address come from the new socket (works when the caller passed no
  // sockaddr buffer). fd table walk: current->files->fdt->fd[ret]->private_data is the struct socket.
  for (const sc of ['accept', 'accept4']) {
    parts.push(`tracepoint:syscalls:sys_exit_${sc} /args->ret >= 0/ {
  $ts = nsecs;
  $f = *(curtask->files->fdt->fd + args->ret);
  $sk = ((struct socket *)$f->private_data)->sk;
  $fam = $sk->__sk_common.skc_family;
  if ($fam == 2) {
    ${header('N', sc, 0, [['%d', 'args->ret'], ['%d', '$fam'], ['%d', '$sk->__sk_common.skc_num'], ['%s', 'ntop(2, $sk->__sk_common.skc_rcv_saddr)'], ['%d', 'bswap($sk->__sk_common.skc_dport)'], ['%s', 'ntop(2, $sk->__sk_common.skc_daddr)']])}
  } else if ($fam == 10) {
    ${header('N', sc, 0, [['%d', 'args->ret'], ['%d', '$fam'], ['%d', '$sk->__sk_common.skc_num'], ['%s', 'ntop(10, $sk->__sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8)'], ['%d', 'bswap($sk->__sk_common.skc_dport)'], ['%s', 'ntop(10, $sk->__sk_common.skc_v6_daddr.in6_u.u6_addr8)']])}
  }
}`);
  }
  // ---- files (prefix-filtered in the kernel)
  parts.push(openProbe('openat', 'args->flags', 'args->dfd'));
  parts.push(openProbe('open', 'args->flags', '-100'));
  parts.push(openProbe('openat2', '((struct open_how *)args->how)->flags', 'args->dfd'));
  parts.push(openProbe('creat', `${WRITE_FLAGS}`, '-100', 'args->pathname'));
  parts.push(twoPathProbe('rename', 'args->oldname', 'args->newname'));
  parts.push(twoPathProbe('renameat', 'args->oldname', 'args->newname'));
  parts.push(twoPathProbe('renameat2', 'args->oldname', 'args->newname'));
  parts.push(twoPathProbe('link', 'args->oldname', 'args->newname'));
  parts.push(twoPathProbe('linkat', 'args->oldname', 'args->newname'));
  parts.push(twoPathProbe('symlink', 'args->oldname', 'args->newname', false));
  parts.push(twoPathProbe('symlinkat', 'args->oldname', 'args->newname', false));
  parts.push(unlinkProbe('unlink'), unlinkProbe('unlinkat'));
  // ---- privilege
  parts.push(simpleProbe('P', 'setuid', [['%d', 'args->uid']]));
  parts.push(simpleProbe('P', 'setgid', [['%d', 'args->gid']]));
  parts.push(simpleProbe('P', 'setreuid', [['%d', 'args->ruid'], ['%d', 'args->euid']]));
  parts.push(simpleProbe('P', 'setregid', [['%d', 'args->rgid'], ['%d', 'args->egid']]));
  parts.push(simpleProbe('P', 'setresuid', [['%d', 'args->ruid'], ['%d', 'args->euid'], ['%d', 'args->suid']]));
  parts.push(simpleProbe('P', 'setresgid', [['%d', 'args->rgid'], ['%d', 'args->egid'], ['%d', 'args->sgid']]));
  parts.push(simpleProbe('P', 'setfsuid', [['%d', 'args->uid']]));
  parts.push(simpleProbe('P', 'setfsgid', [['%d', 'args->gid']]));
  // ---- namespaces
  parts.push(simpleProbe('U', 'unshare', [['%lu', 'args->unshare_flags']]));
  parts.push(simpleProbe('U', 'setns', [['%d', 'args->fd'], ['%d', 'args->flags']]));
  parts.push(`tracepoint:syscalls:sys_enter_mount {
  $ts = nsecs;
  ${strRecord(1, 'str(args->dev_name)')}
  ${strRecord(2, 'str(args->dir_name)')}
  ${strRecord(3, 'str(args->type)')}
  ${header('U', 'mount', 3, [['%lu', 'args->flags']])}
  ${PEND}
}
${exitResult('mount')}`);
  // ---- kernel
  // ---- working directory: the process table follows chdir/fchdir instead of reading /proc/<pid>/cwd
  // on every exec (a fork inherits its parent's; exec does not change it).
  parts.push(`tracepoint:syscalls:sys_enter_chdir {
  $ts = nsecs;
  ${strRecord(1, 'str(args->filename)')}
  ${header('W', 'chdir', 1, [])}
  ${PEND}
}
${exitResult('chdir')}`);
  parts.push(simpleProbe('W', 'fchdir', [['%d', 'args->fd']]));
  parts.push(simpleProbe('K', 'ptrace', [['%ld', 'args->request'], ['%ld', 'args->pid']]));
  parts.push(`tracepoint:syscalls:sys_enter_memfd_create {
  $ts = nsecs;
  ${strRecord(1, 'str(args->uname)')}
  ${header('K', 'memfd_create', 1, [['%u', 'args->flags']])}
  ${PEND}
}
${exitResult('memfd_create')}`);
  if (opts.moduleAttempts === 'raw') {
    // x86_64 syscall numbers: 175 init_module, 313 finit_module, 176 delete_module. On entry: on a
    // kernel built without modules these are sys_ni_syscall, whose raw sys_exit does not fire (seen
    // on 6.18); the attempt is what matters there (the result is always ENOSYS).
    parts.push(`tracepoint:raw_syscalls:sys_enter /args->id == 175 || args->id == 313 || args->id == 176/ {
  $ts = nsecs;
  ${header('K', 'module-enter', 0, [['%ld', 'args->id']])}
}`);
  } else if (opts.moduleAttempts === 'tracepoints') {
    for (const [sc, id] of [['init_module', 175], ['finit_module', 313], ['delete_module', 176]] as const) {
      parts.push(`tracepoint:syscalls:sys_exit_${sc} {
  $ts = nsecs;
  ${header('K', 'module', 0, [['%ld', String(id)], ['%ld', 'args->ret']])}
}`);
    }
  }
  return parts.join('\n') + '\n';
}
