// Falco (libsinsp + container plugin) field names of the syscall source that Triad's event model
// cannot provide. A condition using one of these is valid Falco, so its rule is reported as
// UNSUPPORTED (never silently evaluated as false); a name in neither this list nor the supported
// table (fields.ts) is a typo or a field of another source, and the rule is rejected.
//
// Names ending in '*' take any suffix / argument (evt.rawarg.X, container.mount.dest[...]).

export const KNOWN_UNSUPPORTED_FIELDS: Record<string, string> = {
  // evt
  'evt.latency': 'no enter/exit pairs', 'evt.latency.s': 'no enter/exit pairs', 'evt.latency.ns': 'no enter/exit pairs',
  'evt.latency.human': 'no enter/exit pairs', 'evt.deltatime': 'no event stream state', 'evt.deltatime.s': 'no event stream state',
  'evt.deltatime.ns': 'no event stream state', 'evt.outputtime': 'not recorded', 'evt.cpu': 'not recorded',
  'evt.info': 'not recorded', 'evt.buffer': 'I/O buffers are not captured', 'evt.buflen': 'I/O buffers are not captured',
  'evt.is_io': 'read/write are not traced', 'evt.is_io_read': 'read/write are not traced', 'evt.is_io_write': 'read/write are not traced',
  'evt.io_dir': 'read/write are not traced', 'evt.is_wait': 'not recorded', 'evt.wait_latency': 'not recorded',
  'evt.is_syslog': 'not recorded', 'evt.count*': 'no aggregation', 'evt.around': 'no capture file',
  'evt.abspath*': 'dirfd paths are not resolved', 'evt.is_open_exec': 'open flags carry no exec mode',
  'evt.category': 'Falco categories differ from Triad\'s', 'evt.rawarg*': 'raw arguments are not recorded',
  'evt.arg[*': 'positional arguments are not recorded (use evt.arg.NAME)', 'evt.asynctype': 'no async events',
  'evt.plugininfo': 'no plugins', 'evt.pluginname': 'no plugins', 'evt.reltime*': 'no capture start time',
  'evt.is_async': 'no async events', 'evt.dir.*': 'no enter events',
  // proc
  'proc.env': 'environment is not recorded', 'proc.aenv*': 'environment is not recorded',
  'proc.cmdnargs': 'not derived', 'proc.cmdlenargs': 'not derived', 'proc.exeline': 'not derived',
  'proc.loginshellid': 'no session tracking', 'proc.nthreads': 'no thread tracking', 'proc.nchilds': 'no thread tracking',
  'proc.duration': 'process start time is not recorded', 'proc.ppid.duration': 'process start time is not recorded',
  'proc.pid.ts': 'process start time is not recorded', 'proc.ppid.ts': 'process start time is not recorded',
  'proc.is_exe_writable': 'exe permissions are not recorded', 'proc.is_sid_leader': 'no session tracking',
  'proc.is_vpgid_leader': 'no process-group tracking', 'proc.exe_ino*': 'exe inode is not recorded',
  'proc.pidns_init_start_ts': 'not recorded', 'proc.fdopencount': 'no fd table', 'proc.fdlimit': 'no fd table',
  'proc.fdusage': 'no fd table', 'proc.vmsize': 'no memory stats', 'proc.vmrss': 'no memory stats', 'proc.vmswap': 'no memory stats',
  'proc.sid': 'no session tracking', 'proc.sname': 'no session tracking', 'proc.sid.exe': 'no session tracking',
  'proc.sid.exepath': 'no session tracking', 'proc.vpgid': 'no process-group tracking', 'proc.vpgid.name': 'no process-group tracking',
  'proc.vpgid.exe': 'no process-group tracking', 'proc.vpgid.exepath': 'no process-group tracking', 'proc.pgid*': 'no process-group tracking',
  'proc.pvpid': 'parent vpid is not recorded', 'proc.is_container_healthcheck': 'no health-check tracking',
  'proc.is_container_liveness_probe': 'no probe tracking', 'proc.is_container_readiness_probe': 'no probe tracking',
  'proc.stdin.*': 'no fd table', 'proc.stdout.*': 'no fd table', 'proc.stderr.*': 'no fd table', 'proc.fd*': 'no fd table',
  // thread
  'thread.ismain': 'no thread tracking', 'thread.exectime': 'no scheduler events', 'thread.totexectime': 'no scheduler events',
  'thread.cgroups': 'cgroup paths are not recorded', 'thread.cgroup*': 'cgroup paths are not recorded', 'thread.vtid': 'not recorded',
  'thread.nametid': 'not recorded', 'thread.cpu*': 'no cpu stats', 'thread.vmsize*': 'no memory stats', 'thread.vmrss*': 'no memory stats',
  'thread.pfmajor': 'no memory stats', 'thread.pfminor': 'no memory stats', 'thread.cap_inheritable': 'not recorded',
  // user / group
  'user.homedir': 'passwd home is not resolved', 'user.shell': 'passwd shell is not resolved',
  // fd
  'fd.is_server': 'socket role is not tracked', 'fd.uid': 'no fd table', 'fd.containername': 'not derived',
  'fd.containerdirectory': 'not derived', 'fd.proto': 'no protocol names', 'fd.cproto': 'no protocol names', 'fd.sproto': 'no protocol names',
  'fd.lproto': 'no protocol names', 'fd.rproto': 'no protocol names', 'fd.dev*': 'device numbers are not recorded', 'fd.ino': 'inodes are not recorded',
  'fd.types*': 'no fd table', 'fd.cip.name': 'no DNS tracking', 'fd.rip.name': 'no DNS tracking', 'fd.lip.name': 'no DNS tracking',
  'fdlist.*': 'no fd lists (poll)',
  // fs.path (newer libsinsp)
  'fs.path.*': 'fs.path fields are not derived',
  // container
  'container.mounts': 'mounts are not recorded', 'container.mount*': 'mounts are not recorded',
  'container.healthcheck': 'not recorded', 'container.liveness_probe': 'not recorded', 'container.readiness_probe': 'not recorded',
  'container.start_ts': 'container start time is not recorded', 'container.duration': 'container start time is not recorded',
  'container.ip': 'not recorded', 'container.cni.json': 'not recorded', 'container.host_pid': 'not recorded',
  'container.host_network': 'not recorded', 'container.host_ipc': 'not recorded',
  'container.label*': 'engine labels are not mapped (k8s labels are: k8s.pod.label[...])',
  'container.user': 'not recorded', 'container.cpu*': 'not recorded', 'container.memory*': 'not recorded',
  // k8s (k8smeta plugin / container plugin)
  'k8s.pod.id': 'not recorded', 'k8s.pod.sandbox_id': 'not recorded', 'k8s.pod.full_sandbox_id': 'not recorded',
  'k8s.pod.ip': 'not recorded', 'k8s.pod.cni.json': 'not recorded', 'k8s.ns.id': 'not recorded', 'k8s.ns.label*': 'not recorded',
  'k8s.rc.*': 'workload objects are not resolved', 'k8s.rs.*': 'workload objects are not resolved',
  'k8s.svc.*': 'workload objects are not resolved', 'k8s.deployment.*': 'workload objects are not resolved',
  'k8s.daemonset.*': 'workload objects are not resolved', 'k8s.statefulset.*': 'workload objects are not resolved',
  'k8s.job.*': 'workload objects are not resolved', 'k8s.cronjob.*': 'workload objects are not resolved',
  'k8s.node.*': 'not recorded',
};

/** Why a known-but-unsupported field cannot be provided; undefined when the name is not known. */
export function unsupportedReason(name: string): string | undefined {
  const exact = KNOWN_UNSUPPORTED_FIELDS[name];
  if (exact !== undefined) return exact;
  for (const [key, reason] of Object.entries(KNOWN_UNSUPPORTED_FIELDS)) {
    if (key.endsWith('*') && name.startsWith(key.slice(0, -1))) return reason;
  }
  return undefined;
}
