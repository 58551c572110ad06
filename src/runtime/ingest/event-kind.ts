// Syscall name → event category, shared by the Falco and Tetragon mappings (Falco's vocabulary:
// evt.type is the syscall name, procexit for a process exit).
import type { EventCategory } from '../event.ts';

const BY_TYPE: Record<string, EventCategory> = {};
const put = (cat: EventCategory, names: string[]) => names.forEach((n) => (BY_TYPE[n] = cat));
put('process', ['execve', 'execveat', 'clone', 'clone3', 'fork', 'vfork', 'procexit', 'exit', 'exit_group', 'kill', 'tkill', 'tgkill']);
put('network', ['connect', 'accept', 'accept4', 'listen', 'bind', 'sendto', 'sendmsg', 'recvfrom', 'recvmsg', 'socket', 'tcp_connect', 'tcp_close', 'tcp_sendmsg', 'close_connection']);
put('file', ['open', 'openat', 'openat2', 'creat', 'rename', 'renameat', 'renameat2', 'unlink', 'unlinkat', 'mkdir', 'mkdirat', 'rmdir', 'link', 'linkat', 'symlink', 'symlinkat', 'chmod', 'fchmod', 'fchmodat', 'chown', 'fchown', 'fchownat', 'truncate', 'ftruncate', 'write', 'pwrite64', 'writev', 'read', 'pread64', 'readv', 'close', 'fd_install', 'security_file_permission', 'security_file_open', 'file_open']);
put('privilege', ['setuid', 'setgid', 'setreuid', 'setregid', 'setresuid', 'setresgid', 'setfsuid', 'setfsgid', 'capset', 'commit_creds']);
put('namespace', ['setns', 'unshare', 'mount', 'umount', 'umount2', 'pivot_root', 'chroot']);
put('kernel', ['init_module', 'finit_module', 'delete_module', 'ptrace', 'bpf', 'perf_event_open', 'kexec_load', 'process_vm_writev', 'process_vm_readv']);

export function categoryOf(type: string): EventCategory | undefined {
  return BY_TYPE[type];
}

/** Kernel function / tracepoint names → syscall names: __x64_sys_write → write, sys_enter_openat → openat. */
export function syscallName(fn: string): string {
  return fn.replace(/^(?:__x64_sys_|__arm64_sys_|__ia32_sys_|__se_sys_|__do_sys_|ksys_|sys_enter_|sys_exit_|sys_)/, '');
}

const WRITE_FLAGS = ['O_WRONLY', 'O_RDWR', 'O_CREAT', 'O_TRUNC', 'O_APPEND'];
export function isWriteFlags(flags: string[]): boolean {
  return flags.some((f) => WRITE_FLAGS.includes(f));
}
