// Tetragon's JSON events (its JSON log / `tetra getevents -o json`) → RuntimeEvent. Every event is
// one top-level key naming its kind (process_exec, process_exit, process_kprobe, process_tracepoint,
// process_lsm, process_uprobe, and the early process_connect/listen/close) beside node_name and time;
// each kind carries `process` (and usually `parent`) with pod and container identity. Field names
// are snake_case in the JSON log; camelCase (protojson) is accepted too.
import { posix } from 'node:path';
import { HOST_CONTAINER, type AncestorInfo, type ContainerInfo, type ProcessInfo, type RuntimeEvent } from '../event.ts';
import { categoryOf, syscallName } from './event-kind.ts';

type Obj = Record<string, unknown>;
const o = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const s = (v: unknown): string | undefined => (typeof v === 'string' && v ? (v.length > 4096 ? v.slice(0, 4096) : v) : undefined);
const n = (v: unknown): number | undefined => {
  const x = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : NaN;
  return Number.isSafeInteger(x) ? x : undefined;
};
/** snake_case or camelCase key. */
const g = (obj: Obj, key: string): unknown => obj[key] ?? obj[key.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())];

const KINDS = ['process_exec', 'process_exit', 'process_kprobe', 'process_tracepoint', 'process_lsm', 'process_uprobe', 'process_usdt', 'process_connect', 'process_listen', 'process_close'];

export interface TetragonSkip {
  skip: string;
}

/** Tetragon's `arguments` string → argv items: whitespace-separated, double quotes group (as it prints them). */
export function splitArguments(args: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  let has = false;
  for (let i = 0; i < args.length && out.length < 4096; i++) {
    const c = args[i]!;
    if (c === '\\' && quoted && (args[i + 1] === '"' || args[i + 1] === '\\')) {
      cur += args[++i];
      has = true;
    } else if (c === '"') {
      quoted = !quoted;
      has = true;
    } else if (!quoted && (c === ' ' || c === '\t')) {
      if (has) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (has) out.push(cur);
  return out;
}

function processInfo(p: Obj): ProcessInfo {
  const binary = s(g(p, 'binary'));
  const info: ProcessInfo = { pid: n(g(p, 'pid')) ?? 0, comm: binary ? posix.basename(binary).slice(0, 15) : '' };
  const tid = n(g(p, 'tid'));
  if (tid !== undefined) info.tid = tid;
  const uid = n(g(p, 'uid'));
  if (uid !== undefined) info.uid = uid;
  const auid = n(g(p, 'auid'));
  if (auid !== undefined) info.loginuid = auid === 4294967295 ? -1 : auid;
  if (binary) info.exe = binary;
  const args = s(g(p, 'arguments'));
  if (binary) info.argv = [binary, ...(args ? splitArguments(args) : [])];
  const cwd = s(g(p, 'cwd'));
  if (cwd) info.cwd = cwd;
  const creds = o(g(p, 'process_credentials'));
  const euid = n(g(creds, 'euid'));
  if (euid !== undefined) info.euid = euid;
  return info;
}

function ancestor(p: Obj): AncestorInfo {
  const pi = processInfo(p);
  return { pid: pi.pid, comm: pi.comm, ...(pi.exe ? { exe: pi.exe } : {}), ...(pi.argv ? { argv: pi.argv } : {}) };
}

function containerInfo(p: Obj): ContainerInfo {
  const pod = o(g(p, 'pod'));
  const c = o(g(pod, 'container'));
  const rawId = s(g(c, 'id'));
  if (rawId) {
    const m = /^([a-z-]+):\/\/(.+)$/.exec(rawId);
    const scheme = m?.[1];
    const runtime: ContainerInfo['runtime'] = scheme === 'containerd' ? 'containerd' : scheme === 'docker' ? 'docker' : scheme === 'cri-o' ? 'cri-o' : 'unknown';
    const info: ContainerInfo = { id: m ? m[2]! : rawId, runtime };
    const name = s(g(c, 'name'));
    if (name) info.name = name;
    const img = o(g(c, 'image'));
    const imageName = s(g(img, 'name'));
    if (imageName) info.image = imageName;
    const imageId = s(g(img, 'id'));
    const digest = imageId ? /@(sha256:[0-9a-f]{64})$/.exec(imageId)?.[1] : undefined;
    if (digest) info.imageDigest = digest;
    const k8s: NonNullable<ContainerInfo['k8s']> = {};
    const podName = s(g(pod, 'name'));
    const ns = s(g(pod, 'namespace'));
    if (podName) k8s.pod = podName;
    if (ns) k8s.namespace = ns;
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(o(g(pod, 'pod_labels'))).slice(0, 256)) if (typeof v === 'string') labels[k] = v;
    if (Object.keys(labels).length) k8s.labels = labels;
    if (Object.keys(k8s).length) info.k8s = k8s;
    return info;
  }
  // Outside Kubernetes Tetragon only knows the (truncated) container id from the cgroup name.
  const docker = s(g(p, 'docker'));
  return docker ? { id: docker, runtime: 'unknown' } : HOST_CONTAINER;
}

/** A kprobe/tracepoint/lsm argument list → file path, socket, extras. */
function readArgs(args: unknown[], ev: RuntimeEvent): void {
  const extras: Record<string, string | number> = {};
  args.slice(0, 16).forEach((raw, i) => {
    const a = o(raw);
    const file = o(g(a, 'file_arg') ?? g(a, 'path_arg') ?? g(a, 'linux_binprm_arg'));
    const path = s(g(file, 'path'));
    if (path && !ev.file) ev.file = { path: path.startsWith('/') ? path : `/${path}` };
    const sock = o(g(a, 'sock_arg') ?? g(a, 'sockaddr_arg'));
    const daddr = s(g(sock, 'daddr')) ?? s(g(sock, 'addr'));
    if (daddr && !ev.net) {
      const proto = s(g(sock, 'protocol'))?.toLowerCase().replace('ipproto_', '');
      ev.net = {
        family: s(g(sock, 'family'))?.includes('INET6') || daddr.includes(':') ? 'ipv6' : 'ipv4',
        ...(proto === 'tcp' || proto === 'udp' ? { protocol: proto } : {}),
        ...(s(g(sock, 'saddr')) ? { localAddr: s(g(sock, 'saddr')) } : {}),
        ...(n(g(sock, 'sport')) !== undefined ? { localPort: n(g(sock, 'sport')) } : {}),
        remoteAddr: daddr,
        ...(n(g(sock, 'dport')) ?? n(g(sock, 'port')) ? { remotePort: n(g(sock, 'dport')) ?? n(g(sock, 'port')) } : {}),
      };
    }
    for (const k of ['int_arg', 'uint_arg', 'size_arg', 'long_arg', 'string_arg']) {
      const v = g(a, k);
      if (typeof v === 'number' || typeof v === 'string') extras[`arg${i}`] = typeof v === 'string' && v.length > 1024 ? v.slice(0, 1024) : v;
    }
    const sc = o(g(a, 'syscall_id'));
    if (n(g(sc, 'id')) !== undefined) extras.syscall = n(g(sc, 'id'))!;
  });
  if (Object.keys(extras).length) ev.args = { ...ev.args, ...extras };
}

/** One Tetragon JSON event → RuntimeEvent, or a reason it is not one. */
export function tetragonToEvent(obj: Record<string, unknown>): RuntimeEvent | TetragonSkip {
  const kind = KINDS.find((k) => obj[k] !== undefined || obj[k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())] !== undefined);
  if (!kind) return { skip: `not a Tetragon process event (keys: ${Object.keys(obj).slice(0, 5).join(', ')})` };
  const body = o(g(obj, kind));
  const p = o(g(body, 'process'));
  if (!Object.keys(p).length) return { skip: `${kind} without process` };
  const process = processInfo(p);
  const parent = o(g(body, 'parent'));
  const anc: AncestorInfo[] = [];
  if (Object.keys(parent).length) {
    const pa = ancestor(parent);
    anc.push(pa);
    process.ppid = pa.pid;
  }
  for (const a of (Array.isArray(g(body, 'ancestors')) ? (g(body, 'ancestors') as unknown[]) : []).slice(0, 32)) anc.push(ancestor(o(a)));
  if (anc.length) process.ancestors = anc;
  const time = s(obj.time) ?? s(g(p, 'start_time')) ?? new Date(0).toISOString();
  const args: Record<string, string | number> = {};
  const execId = s(g(p, 'exec_id'));
  if (execId) args['tetragon.exec_id'] = execId;
  const node = s(g(obj, 'node_name'));
  if (node) args['tetragon.node'] = node;
  const policy = s(g(body, 'policy_name'));
  if (policy) args['tetragon.policy'] = policy;
  const action = s(g(body, 'action'));
  if (action) args['tetragon.action'] = action;
  const ev: RuntimeEvent = { time, source: 'tetragon', type: 'unknown', category: 'process', process, container: containerInfo(p), args };

  if (kind === 'process_exec') {
    ev.type = 'execve';
  } else if (kind === 'process_exit') {
    ev.type = 'procexit';
    const sig = s(g(body, 'signal'));
    if (sig) args.signal = sig;
    const status = n(g(body, 'status'));
    if (status !== undefined) args.status = status;
  } else if (kind === 'process_connect' || kind === 'process_listen' || kind === 'process_close') {
    ev.type = kind === 'process_connect' ? 'connect' : kind === 'process_listen' ? 'listen' : 'close';
    ev.category = 'network';
    const dst = s(g(body, 'destination_ip'));
    const proto = s(g(body, 'protocol'))?.toLowerCase();
    ev.net = {
      family: (dst ?? s(g(body, 'source_ip')) ?? '').includes(':') ? 'ipv6' : 'ipv4',
      ...(proto === 'tcp' || proto === 'udp' ? { protocol: proto } : {}),
      ...(s(g(body, 'source_ip')) ? { localAddr: s(g(body, 'source_ip')) } : {}),
      ...(n(g(body, 'source_port')) !== undefined ? { localPort: n(g(body, 'source_port')) } : {}),
      ...(dst ? { remoteAddr: dst } : {}),
      ...(n(g(body, 'destination_port')) !== undefined ? { remotePort: n(g(body, 'destination_port')) } : {}),
    };
  } else {
    // kprobe / lsm / uprobe: function_name; tracepoint: subsys + event.
    const fn = s(g(body, 'function_name')) ?? s(g(body, 'symbol'));
    const tpEvent = s(g(body, 'event'));
    const subsys = s(g(body, 'subsys'));
    const name = fn ? syscallName(fn) : tpEvent ? syscallName(tpEvent) : kind;
    ev.type = fn === 'tcp_connect' ? 'connect' : name;
    if (subsys) args['tetragon.tracepoint'] = `${subsys}/${tpEvent ?? ''}`;
    if (fn) args['tetragon.function'] = fn;
    readArgs(Array.isArray(g(body, 'args')) ? (g(body, 'args') as unknown[]) : [], ev);
    ev.category = categoryOf(ev.type) ?? (ev.net ? 'network' : ev.file ? 'file' : 'kernel');
    if (ev.file && (ev.type === 'write' || ev.type === 'pwrite64' || ev.type === 'writev' || ev.type === 'truncate')) ev.file.write = true;
  }
  return ev;
}
