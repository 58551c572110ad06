// Falco field names → extractors over Triad's RuntimeEvent. Only what the event model really
// carries is here; everything else Falco knows is in falco-fields.ts as unsupported.
//
// An extractor returns undefined when the event has no value: as in Falco, every comparison on a
// missing value is false (`proc.tty != 0` is false when the tty is unknown), only `exists` tests it.

import { posix } from 'node:path';
import type { AncestorInfo, RuntimeEvent } from '../event.ts';
import { ptraceRequestName, resultName, socketDomainName } from './names.ts';
import type { IdResolver } from './users.ts';

export type FieldType = 'string' | 'number' | 'bool' | 'ip' | 'ipnet';
export type Scalar = string | number | boolean;
/** Arrays are multi-valued fields (`proc.aname` = any ancestor): a check matches if any value does. */
export type Extracted = Scalar | readonly Scalar[] | undefined;

export interface FieldContext {
  event: RuntimeEvent;
  /** Falco's evt.num: sequence number of the event in this engine (never 0). */
  evtNum: number;
  ids: IdResolver;
  /** IP → DNS name for fd.sip.name (e.g. the Kubernetes API service IP). */
  hostNames: ReadonlyMap<string, string>;
  hostname: string;
}

export type Extractor = (ctx: FieldContext) => Extracted;

export interface FieldDef {
  type: FieldType;
  desc: string;
  /** 'none': no [arg]; 'index': [N] optional; 'key': [name] required. */
  arg: 'none' | 'index' | 'key';
  /** Data a sensor may not provide at all (capabilities): a missing value is "unknown", so a rule
   *  never fires because of `not <check on missing data>`. Other fields follow Falco (missing = false). */
  optional?: boolean;
  bind(arg: string | undefined): Extractor;
}

const FILE_OPEN_TYPES = new Set(['open', 'openat', 'openat2', 'creat', 'open_by_handle_at']);
const SERVER_SIDE_TYPES = new Set(['accept', 'accept4', 'listen', 'bind']);
const LINK_TYPES = new Set(['link', 'linkat', 'symlink', 'symlinkat', 'rename', 'renameat', 'renameat2']);
const SYMLINK_TYPES = new Set(['symlink', 'symlinkat']);

function simple(type: FieldType, desc: string, fn: Extractor): FieldDef {
  return { type, desc, arg: 'none', bind: () => fn };
}

const nonEmpty = (s: string | undefined): string | undefined => (s ? s : undefined);
const args1 = (argv: string[] | undefined): string | undefined => (argv ? argv.slice(1).join(' ') : undefined);
function cmdline(comm: string | undefined, argv: string[] | undefined): string | undefined {
  if (!comm) return undefined;
  const rest = argv && argv.length > 1 ? ' ' + argv.slice(1).join(' ') : '';
  return comm + rest;
}

/** Ancestor N: 0 is the process itself, 1 its parent ... (Falco's proc.aname[N]). */
function ancestor(ev: RuntimeEvent, n: number): AncestorInfo | undefined {
  if (n === 0) return ev.process;
  return ev.process.ancestors?.[n - 1];
}

function ancestorField(type: FieldType, desc: string, pick: (a: AncestorInfo) => Scalar | undefined): FieldDef {
  return {
    type,
    desc,
    arg: 'index',
    bind(arg) {
      if (arg === undefined) {
        // Without an index: every ancestor from the parent up (any-match).
        return (ctx) => {
          const list = ctx.event.process.ancestors;
          if (!list || list.length === 0) return undefined;
          const out: Scalar[] = [];
          for (const a of list) {
            const v = pick(a);
            if (v !== undefined) out.push(v);
          }
          return out.length > 0 ? out : undefined;
        };
      }
      const n = Number(arg);
      return (ctx) => {
        const a = ancestor(ctx.event, n);
        return a ? pick(a) : undefined;
      };
    },
  };
}

// ---- file descriptor helpers ------------------------------------------------------------------

/** fd.name: the absolute, normalised path (relative paths resolved against the cwd). */
function fdPath(ev: RuntimeEvent): string | undefined {
  const p = ev.file?.path;
  if (!p) return undefined;
  if (p.startsWith('/')) return posix.normalize(p);
  const cwd = ev.process.cwd;
  return cwd ? posix.join(cwd, p) : p;
}

interface Sides { client?: string; cport?: number; server?: string; sport?: number }
function sides(ev: RuntimeEvent): Sides | undefined {
  const n = ev.net;
  if (!n || n.family === 'unix') return undefined;
  if (SERVER_SIDE_TYPES.has(ev.type)) return { server: n.localAddr, sport: n.localPort, client: n.remoteAddr, cport: n.remotePort };
  return { client: n.localAddr, cport: n.localPort, server: n.remoteAddr, sport: n.remotePort };
}

function fdName(ev: RuntimeEvent): string | undefined {
  if (ev.file) return fdPath(ev);
  const n = ev.net;
  if (!n) return undefined;
  if (n.family === 'unix') return n.path;
  const s = sides(ev)!;
  // connect events may not know their local end: the tuple then starts at '->'.
  if (s.server !== undefined) return `${s.client !== undefined ? `${s.client}:${s.cport ?? 0}` : ''}->${s.server}:${s.sport ?? 0}`;
  if (n.localAddr !== undefined) return `${n.localAddr}:${n.localPort ?? 0}`;
  return undefined;
}

function fdType(ev: RuntimeEvent): string | undefined {
  if (ev.file) return ev.file.flags?.includes('O_DIRECTORY') ? 'directory' : 'file';
  if (ev.net) return ev.net.family;
  return undefined;
}

const TYPECHAR: Record<string, string> = { file: 'f', directory: 'd', ipv4: '4', ipv6: '6', unix: 'u' };

function openMode(ev: RuntimeEvent, want: 'read' | 'write'): boolean | undefined {
  if (!FILE_OPEN_TYPES.has(ev.type)) return false;
  const f = ev.file;
  if (!f) return undefined;
  if (f.flags && f.flags.length > 0) {
    const rw = f.flags.includes('O_RDWR');
    if (want === 'write') return rw || f.flags.includes('O_WRONLY');
    return rw || (!f.flags.includes('O_WRONLY') && f.flags.includes('O_RDONLY')) || (!f.flags.includes('O_WRONLY') && !rw);
  }
  if (f.write === undefined) return undefined;
  return want === 'write' ? f.write : !f.write;
}

function fdNum(ev: RuntimeEvent): number | undefined {
  const explicit = ev.args?.fd;
  if (typeof explicit === 'number') return explicit;
  if (ev.file && FILE_OPEN_TYPES.has(ev.type) && ev.ret !== undefined) return ev.ret >= 0 ? ev.ret : -1;
  return undefined;
}

// ---- evt.arg.NAME ----------------------------------------------------------------------------

/** Falco's named syscall arguments, from event.args first, then from the structured parts. */
export function eventArg(ev: RuntimeEvent, name: string): string | undefined {
  const raw = ev.args?.[name];
  if (raw !== undefined) {
    if (name === 'request') return ptraceRequestName(raw);
    if (name === 'domain') return socketDomainName(raw);
    return String(raw);
  }
  const f = ev.file;
  switch (name) {
    case 'flags':
      if (f?.flags) return f.flags.join('|');
      if (ev.type === 'execve' || ev.type === 'execveat') {
        const flags: string[] = [];
        if (ev.process.exeFromUpperLayer === true) flags.push('EXE_UPPER_LAYER');
        if (ev.process.exeFromUpperLayer === false) flags.push('EXE_LOWER_LAYER');
        if (ev.process.exeFromMemfd) flags.push('EXE_FROM_MEMFD');
        return flags.length > 0 ? flags.join('|') : undefined;
      }
      return undefined;
    case 'filename':
      if (ev.type === 'execve' || ev.type === 'execveat') return ev.process.exe;
      return f?.path;
    case 'name':
    case 'path':
    case 'pathname':
      return f?.path;
    // Two-path syscalls, as the sensor records them: rename/link have path = old, target = new;
    // symlink has path = the link created (Falco's linkpath), target = what it points to.
    case 'oldpath':
      return f && LINK_TYPES.has(ev.type) && !SYMLINK_TYPES.has(ev.type) ? f.path : undefined;
    case 'newpath':
      return f && LINK_TYPES.has(ev.type) && !SYMLINK_TYPES.has(ev.type) ? f.target : undefined;
    case 'target':
      return f && SYMLINK_TYPES.has(ev.type) ? f.target : undefined;
    case 'linkpath':
      return f && SYMLINK_TYPES.has(ev.type) ? f.path : undefined;
    case 'res':
      return ev.ret === undefined ? undefined : String(ev.ret);
    default:
      return undefined;
  }
}

function allArgs(ev: RuntimeEvent): string | undefined {
  const parts: string[] = [];
  if (ev.file) {
    parts.push(`name=${ev.file.path}`);
    if (ev.file.flags) parts.push(`flags=${ev.file.flags.join('|')}`);
    if (ev.file.target !== undefined) parts.push(`target=${ev.file.target}`);
  }
  if (ev.args) for (const [k, v] of Object.entries(ev.args)) parts.push(`${k}=${eventArg(ev, k)}`);
  return parts.length > 0 ? parts.join(' ') : undefined;
}

// ---- container image reference parts -----------------------------------------------------------

export function imageParts(image: string | undefined): { repository?: string; tag?: string } {
  if (!image) return {};
  let ref = image;
  const at = ref.indexOf('@');
  if (at >= 0) ref = ref.slice(0, at);
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) return { repository: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { repository: ref };
}

function userId(ev: RuntimeEvent): number | undefined {
  return ev.process.euid ?? ev.process.uid;
}

function loginUid(ev: RuntimeEvent): number | undefined {
  const l = ev.process.loginuid;
  if (l === undefined) return undefined;
  return l === 4294967295 ? -1 : l;
}

function labelsText(labels: Record<string, string> | undefined): string | undefined {
  if (!labels) return undefined;
  const parts = Object.entries(labels).map(([k, v]) => `${k}:${v}`);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

const ev = (fn: (e: RuntimeEvent) => Extracted): Extractor => (ctx) => fn(ctx.event);

export const FIELDS: Record<string, FieldDef> = {
  'evt.type': simple('string', 'syscall name', ev((e) => e.type)),
  'syscall.type': simple('string', 'syscall name', ev((e) => e.type)),
  'evt.dir': simple('string', "always '<': events are completed syscalls", () => '<'),
  'evt.num': simple('number', 'event sequence number in this engine', (c) => c.evtNum),
  'evt.time': simple('string', 'event time (ISO-8601)', ev((e) => e.time)),
  'evt.time.s': simple('string', 'event time, seconds', ev((e) => e.time.slice(11, 19) || undefined)),
  'evt.time.iso8601': simple('string', 'event time (ISO-8601)', ev((e) => e.time)),
  'evt.datetime': simple('string', 'event date and time', ev((e) => e.time)),
  'evt.datetime.s': simple('string', 'event date and time, seconds', ev((e) => e.time.slice(0, 19) || undefined)),
  'evt.rawtime': simple('number', 'event time in ns since the epoch', ev((e) => { const t = Date.parse(e.time); return Number.isNaN(t) ? undefined : t * 1e6; })),
  'evt.hostname': simple('string', 'host name of the agent', (c) => c.hostname),
  'evt.source': simple('string', "'syscall'", () => 'syscall'),
  'evt.res': simple('string', 'SUCCESS or the errno name', ev((e) => (e.ret === undefined ? undefined : resultName(e.ret)))),
  'evt.rawres': simple('number', 'syscall return value', ev((e) => e.ret)),
  'evt.failed': simple('bool', 'syscall returned an error', ev((e) => (e.ret === undefined ? undefined : e.ret < 0))),
  'evt.is_open_read': simple('bool', 'open for reading', ev((e) => openMode(e, 'read'))),
  'evt.is_open_write': simple('bool', 'open for writing', ev((e) => openMode(e, 'write'))),
  'evt.args': simple('string', 'all arguments as name=value', ev(allArgs)),
  'evt.arg': {
    type: 'string',
    desc: 'named syscall argument (evt.arg.NAME)',
    arg: 'key',
    bind: (name) => (ctx) => eventArg(ctx.event, name ?? ''),
  },

  'proc.name': simple('string', 'process name (comm)', ev((e) => nonEmpty(e.process.comm))),
  'proc.exe': simple('string', 'argv[0]', ev((e) => e.process.argv?.[0] ?? e.process.exe)),
  'proc.exepath': simple('string', 'executable path', ev((e) => e.process.exe)),
  'proc.cmdline': simple('string', 'name and arguments', ev((e) => cmdline(e.process.comm, e.process.argv))),
  'proc.args': simple('string', 'arguments (argv[1..])', ev((e) => args1(e.process.argv))),
  'proc.pid': simple('number', 'pid', ev((e) => e.process.pid)),
  'proc.vpid': simple('number', 'pid in the container', ev((e) => e.process.vpid)),
  'proc.ppid': simple('number', 'parent pid', ev((e) => e.process.ppid ?? e.process.ancestors?.[0]?.pid)),
  'proc.tty': simple('number', 'controlling terminal (0: none)', ev((e) => e.process.tty)),
  'proc.cwd': simple('string', 'working directory (with trailing /)', ev((e) => { const c = e.process.cwd; return c ? (c.endsWith('/') ? c : c + '/') : undefined; })),
  'proc.pname': simple('string', 'parent name', ev((e) => nonEmpty(e.process.ancestors?.[0]?.comm))),
  'proc.pexe': simple('string', 'parent argv[0]', ev((e) => { const p = e.process.ancestors?.[0]; return p ? p.argv?.[0] ?? p.exe : undefined; })),
  'proc.pexepath': simple('string', 'parent executable path', ev((e) => e.process.ancestors?.[0]?.exe)),
  'proc.pcmdline': simple('string', 'parent command line', ev((e) => { const p = e.process.ancestors?.[0]; return p ? cmdline(p.comm, p.argv) : undefined; })),
  'proc.aname': ancestorField('string', 'ancestor name ([0] self, [1] parent ...; no index: any ancestor)', (a) => nonEmpty(a.comm)),
  'proc.apid': ancestorField('number', 'ancestor pid', (a) => a.pid),
  'proc.aexe': ancestorField('string', 'ancestor argv[0]', (a) => a.argv?.[0] ?? a.exe),
  'proc.aexepath': ancestorField('string', 'ancestor executable path', (a) => a.exe),
  'proc.acmdline': ancestorField('string', 'ancestor command line', (a) => cmdline(a.comm, a.argv)),
  'proc.is_exe_upper_layer': simple('bool', 'exe not from the image (drift)', ev((e) => e.process.exeFromUpperLayer)),
  'proc.is_exe_from_memfd': simple('bool', 'exe from memfd_create (fileless)', ev((e) => e.process.exeFromMemfd)),
  'thread.tid': simple('number', 'thread id', ev((e) => e.process.tid ?? e.process.pid)),
  'thread.cap_effective': { ...simple('string', 'effective capabilities', ev((e) => e.process.capEffective?.join(' '))), optional: true },
  'thread.cap_permitted': { ...simple('string', 'permitted capabilities', ev((e) => e.process.capPermitted?.join(' '))), optional: true },

  'user.uid': simple('number', 'effective uid', ev(userId)),
  'user.name': simple('string', "uid's name in the process's own /etc/passwd", (c) => {
    const uid = userId(c.event);
    return uid === undefined ? undefined : c.ids.userName(uid, c.event.process.pid, c.event.container?.id);
  }),
  'user.loginuid': simple('number', 'audit login uid (-1: unset)', ev(loginUid)),
  'user.loginname': simple('string', 'login uid name', (c) => {
    const l = loginUid(c.event);
    return l === undefined || l < 0 ? undefined : c.ids.userName(l, c.event.process.pid, c.event.container?.id);
  }),
  'group.gid': simple('number', 'gid', ev((e) => e.process.gid)),
  'group.name': simple('string', "gid's name in the process's own /etc/group", (c) => {
    const g = c.event.process.gid;
    return g === undefined ? undefined : c.ids.groupName(g, c.event.process.pid, c.event.container?.id);
  }),

  'fd.num': simple('number', 'fd number (-1: failed open)', ev(fdNum)),
  'fd.name': simple('string', 'absolute path, or the connection tuple', ev(fdName)),
  'fd.nameraw': simple('string', 'path as passed to the syscall', ev((e) => e.file?.path)),
  'fd.directory': simple('string', 'directory of fd.name', ev((e) => { const p = fdPath(e); return p ? posix.dirname(p) : undefined; })),
  'fd.filename': simple('string', 'file name of fd.name', ev((e) => { const p = fdPath(e); return p ? posix.basename(p) : undefined; })),
  'fd.type': simple('string', 'file, directory, ipv4, ipv6, unix', ev(fdType)),
  'fd.typechar': simple('string', 'f d 4 6 u', ev((e) => { const t = fdType(e); return t ? TYPECHAR[t] : undefined; })),
  'fd.sockfamily': simple('string', 'ip or unix', ev((e) => (e.net ? (e.net.family === 'unix' ? 'unix' : 'ip') : undefined))),
  'fd.l4proto': simple('string', 'tcp or udp', ev((e) => e.net?.protocol)),
  'fd.sip': simple('ip', 'server ip', ev((e) => sides(e)?.server)),
  'fd.cip': simple('ip', 'client ip', ev((e) => sides(e)?.client)),
  'fd.lip': simple('ip', 'local ip', ev((e) => (e.net?.family === 'unix' ? undefined : e.net?.localAddr))),
  'fd.rip': simple('ip', 'remote ip', ev((e) => (e.net?.family === 'unix' ? undefined : e.net?.remoteAddr))),
  'fd.sport': simple('number', 'server port', ev((e) => sides(e)?.sport)),
  'fd.cport': simple('number', 'client port', ev((e) => sides(e)?.cport)),
  'fd.lport': simple('number', 'local port', ev((e) => (e.net?.family === 'unix' ? undefined : e.net?.localPort))),
  'fd.rport': simple('number', 'remote port', ev((e) => (e.net?.family === 'unix' ? undefined : e.net?.remotePort))),
  'fd.ip': simple('ip', 'client or server ip (filter only)', ev((e) => bothIps(e))),
  'fd.port': simple('number', 'client or server port (filter only)', ev((e) => { const s = sides(e); return s ? [s.cport, s.sport].filter((x): x is number => x !== undefined) : undefined; })),
  'fd.net': simple('ipnet', 'client or server ip, compared with a CIDR', ev((e) => bothIps(e))),
  'fd.snet': simple('ipnet', 'server ip, compared with a CIDR', ev((e) => sides(e)?.server)),
  'fd.cnet': simple('ipnet', 'client ip, compared with a CIDR', ev((e) => sides(e)?.client)),
  'fd.lnet': simple('ipnet', 'local ip, compared with a CIDR', ev((e) => (e.net?.family === 'unix' ? undefined : e.net?.localAddr))),
  'fd.rnet': simple('ipnet', 'remote ip, compared with a CIDR', ev((e) => (e.net?.family === 'unix' ? undefined : e.net?.remoteAddr))),
  // Known only for the syscall that sets the socket's tuple: connect (connected when it succeeded
  // or is in progress) and accept. Other events leave them missing, so checks on them are false.
  'fd.connected': simple('bool', 'socket connected (connect/accept events)', ev((e) => {
    if (!e.net) return undefined;
    if (e.type === 'accept' || e.type === 'accept4') return true;
    if (e.type === 'connect') return e.ret === undefined ? undefined : e.ret >= 0 || e.ret === -115;
    return undefined;
  })),
  'fd.name_changed': simple('bool', 'the event set the fd tuple (connect/accept events)', ev((e) => (e.net && (e.type === 'connect' || e.type === 'accept' || e.type === 'accept4') ? true : undefined))),
  'fd.sip.name': simple('string', 'DNS name of the server ip (from configured host names)', (c) => { const s = sides(c.event)?.server; return s ? c.hostNames.get(s) : undefined; }),

  'container.id': simple('string', "12-char container id, 'host' for host processes", ev((e) => { const id = e.container?.id; return id === undefined ? undefined : id === 'host' ? id : id.slice(0, 12); })),
  'container.full_id': simple('string', 'full container id', ev((e) => e.container?.id)),
  'container.name': simple('string', 'container name', ev((e) => nonEmpty(e.container?.name))),
  'container.image': simple('string', 'image reference', ev((e) => nonEmpty(e.container?.image))),
  'container.image.repository': simple('string', 'image repository', ev((e) => imageParts(e.container?.image).repository)),
  'container.image.tag': simple('string', 'image tag', ev((e) => imageParts(e.container?.image).tag)),
  'container.image.digest': simple('string', 'image repository digest', ev((e) => e.container?.imageDigest)),
  'container.image.id': simple('string', 'image id (12 chars)', ev((e) => e.container?.imageId?.replace(/^sha256:/, '').slice(0, 12))),
  'container.type': simple('string', 'docker, containerd, podman, cri-o, host', ev((e) => e.container?.runtime)),
  'container.privileged': simple('bool', 'privileged container', ev((e) => e.container?.privileged)),
  'container.info': simple('string', 'container name and id (outputs)', ev((e) => { const c = e.container; return c ? `container_id=${c.id === 'host' ? 'host' : c.id.slice(0, 12)} container_name=${c.name ?? '<NA>'}` : undefined; })),
  'k8s.ns.name': simple('string', 'pod namespace', ev((e) => e.container?.k8s?.namespace)),
  'k8s.pod.name': simple('string', 'pod name', ev((e) => e.container?.k8s?.pod)),
  'k8s.pod.uid': simple('string', 'pod uid', ev((e) => e.container?.k8s?.podUid)),
  'k8s.pod.labels': simple('string', 'pod labels (k:v, ...)', ev((e) => labelsText(e.container?.k8s?.labels))),
  'k8s.pod.label': { type: 'string', desc: 'pod label [key]', arg: 'key', bind: (key) => ev((e) => e.container?.k8s?.labels?.[key ?? '']) },
};
// Falco spells the pod label lookup both ways.
FIELDS['k8s.pod.labels'] = { ...FIELDS['k8s.pod.labels']!, arg: 'index', bind: (key) => (key === undefined ? ev((e) => labelsText(e.container?.k8s?.labels)) : ev((e) => e.container?.k8s?.labels?.[key])) };

function bothIps(e: RuntimeEvent): string[] | undefined {
  const s = sides(e);
  if (!s) return undefined;
  const out = [s.client, s.server].filter((x): x is string => x !== undefined);
  return out.length > 0 ? out : undefined;
}
