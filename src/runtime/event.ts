// The runtime event model: every sensor (Triad's bpftrace sensor, Falco JSON, Tetragon JSON) turns
// what it saw into RuntimeEvent, and everything downstream (container attribution, Falco rules,
// baselines, the network map, response, outputs) reads only this. Plain JSON-serialisable data, so
// events can be recorded to disk and replayed through the pipeline (tests and benchmarks do).
//
// Names follow Falco's vocabulary where one exists (evt.type is the syscall name; "procexit" for
// process exit), because the Falco rule engine maps its fields straight onto these.

/** Which part of the system an event is about; lets consumers skip what they don't need cheaply. */
export type EventCategory =
  | 'process' // execve, procexit, clone/fork
  | 'network' // connect, listen, accept
  | 'file' // open/openat/creat/rename/unlink ... under watched paths
  | 'privilege' // setuid family, capset
  | 'namespace' // setns, unshare, mount
  | 'kernel' // init_module / finit_module, ptrace, bpf
  | 'agent'; // the agent's own events: sensor start/restart/gap, drops

export type EventSource = 'bpftrace' | 'falco' | 'tetragon' | 'agent';

export interface ProcessInfo {
  /** Thread-group id as seen from the host pid namespace. */
  pid: number;
  tid?: number;
  ppid?: number;
  /** Pid inside the container's pid namespace, when known. */
  vpid?: number;
  uid?: number;
  euid?: number;
  gid?: number;
  /** Audit login uid; -1 / 4294967295 means unset (Falco: user.loginuid). */
  loginuid?: number;
  /** Kernel comm (max 15 chars): Falco's proc.name. */
  comm: string;
  /** Full executable path (Falco: proc.exepath); for execve the filename argument. */
  exe?: string;
  /** argv including argv[0]; Falco's proc.args are argv[1..]. */
  argv?: string[];
  cwd?: string;
  /** Controlling terminal number (0 = none); Falco: proc.tty. */
  tty?: number;
  /** Exe came from a memfd (fileless execution). */
  exeFromMemfd?: boolean;
  /** Exe does not exist in the image's layers: written after the container started (drift). */
  exeFromUpperLayer?: boolean;
  /** Start time in clock ticks since boot (/proc/<pid>/stat field 22): with pid, identifies the
   *  process, so a response never hits a recycled pid. Filled on exec by attribution when readable. */
  startTicks?: number;
  /** Effective / permitted capabilities by name (CAP_SYS_ADMIN, ...), e.g. from /proc/<pid>/status
   *  CapEff/CapPrm; Falco: thread.cap_effective / thread.cap_permitted. */
  capEffective?: string[];
  capPermitted?: string[];
  /** The kernel's exec counter of this process after the exec, and of its parent at that moment
   *  (task_struct self_exec_id): the process table tells a parent image it has not seen yet. */
  execId?: number;
  parentExecId?: number;
  /** The parent's cgroup v2 id at exec: when it differs from the event's cgroupId the parent is
   *  outside the container (the runtime that started or exec'd into it). */
  parentCgroupId?: number;
  /** Ancestors, parent first, filled by the agent's process table (bounded depth). */
  ancestors?: AncestorInfo[];
}

export interface AncestorInfo {
  pid: number;
  comm: string;
  exe?: string;
  argv?: string[];
}

export interface ContainerInfo {
  /** Full container id, or "host" for processes outside any container. */
  id: string;
  name?: string;
  /** Image reference as the engine knows it (e.g. "nginx:1.27"). */
  image?: string;
  /** Repository digest (sha256:...) when the engine knows it. */
  imageDigest?: string;
  /** Engine image id (config digest). */
  imageId?: string;
  runtime?: 'docker' | 'containerd' | 'podman' | 'cri-o' | 'host' | 'unknown';
  privileged?: boolean;
  labels?: Record<string, string>;
  k8s?: { pod?: string; namespace?: string; podUid?: string; labels?: Record<string, string> };
}

/** File activity (open/openat/creat/rename/unlink/...). */
export interface FileActivity {
  path: string;
  /** Open flags as names (O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, ...). */
  flags?: string[];
  /** Convenience: opened for writing (O_WRONLY|O_RDWR|O_CREAT|O_TRUNC) or a modifying syscall. */
  write?: boolean;
  /** rename/link target. */
  target?: string;
}

/** Network activity: connect (outbound), listen, accept (inbound peer). */
export interface NetActivity {
  family: 'ipv4' | 'ipv6' | 'unix';
  protocol?: 'tcp' | 'udp';
  /** Local address and port. */
  localAddr?: string;
  localPort?: number;
  /** Remote address and port (connect: destination; accept: peer). */
  remoteAddr?: string;
  remotePort?: number;
  /** unix socket path. */
  path?: string;
}

export interface RuntimeEvent {
  /** ISO-8601 with at least millisecond precision. */
  time: string;
  /** Monotonic-ish nanoseconds from the source (kernel ns for bpftrace); for ordering only. */
  ts?: number;
  source: EventSource;
  /** Falco's evt.type: the syscall name (execve, connect, openat, setuid, ptrace, ...), or procexit. */
  type: string;
  category: EventCategory;
  /** cgroup v2 id (inode of the task's cgroup dir) from the sensor, used for attribution. */
  cgroupId?: number;
  process: ProcessInfo;
  /** Filled by attribution; sensors may leave it out. */
  container?: ContainerInfo;
  file?: FileActivity;
  net?: NetActivity;
  /** Syscall return value when known (negative errno on failure). */
  ret?: number;
  /** Syscall-specific extras: ptrace request, setuid target uid, mount source/target/fstype,
   *  unshare/setns flags, module name, signal for exit, exit code. */
  args?: Record<string, string | number>;
}

export const HOST_CONTAINER: ContainerInfo = Object.freeze({ id: 'host', name: 'host', runtime: 'host' }) as ContainerInfo;

/** An alert: what rule or baseline deviation fired, with the whole story around it. */
export interface Alert {
  time: string;
  /** Falco rule name, or "baseline:<kind>" for a baseline deviation. */
  rule: string;
  /** Falco priorities: EMERGENCY ALERT CRITICAL ERROR WARNING NOTICE INFORMATIONAL DEBUG. */
  priority: string;
  /** Rendered output template. */
  output: string;
  tags?: string[];
  source: 'rules' | 'baseline' | 'agent';
  container: { id: string; name?: string; image?: string; imageDigest?: string; k8s?: ContainerInfo['k8s'] };
  /** The triggering event. */
  event: RuntimeEvent;
  /** Process tree: the process and its ancestors (parent first). */
  processTree?: AncestorInfo[];
  /** Events from the same container shortly before the alert (bounded). */
  timeline?: RuntimeEvent[];
  /** Values of the fields the output template used (Falco's output_fields). */
  outputFields?: Record<string, string | number | boolean | null>;
  /** Response taken: none, kill, pause, stop — and whether it succeeded. */
  response?: { action: ResponseAction; ok: boolean; error?: string };
}

export type ResponseAction = 'alert' | 'kill' | 'pause' | 'stop';

/** One step of the pipeline after the sensor: may enrich an event, raise alerts, or both. */
export interface EventSink {
  handle(event: RuntimeEvent): void | Promise<void>;
  close?(): Promise<void>;
}

/** A source of events (Triad's bpftrace sensor, a Falco or Tetragon JSON stream, a recording). */
export interface Sensor {
  readonly name: string;
  /** Starts producing events; resolves once the source is live (e.g. bpftrace attached its probes). */
  start(emit: (event: RuntimeEvent) => void): Promise<void>;
  /** Stops and flushes; resolves when no more events will be emitted. */
  stop(): Promise<void>;
  health(): SensorHealth;
}

export interface SensorHealth {
  state: 'starting' | 'running' | 'restarting' | 'stopped' | 'failed';
  restarts: number;
  events: number;
  /** Events the source reported lost (bpftrace "Lost N events") plus those dropped by sampling. */
  lost: number;
  dropped: number;
  lastError?: string;
}
