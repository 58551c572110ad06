// Falco's JSON alert output (json_output: true) → RuntimeEvent. A Falco line is an alert about one
// syscall event: the event part (proc.*, fd.*, user.*, container.*, k8s.* output fields) becomes the
// RuntimeEvent; the alert part (rule, priority, output, tags) rides in args as falco.* so the agent
// can pass it on as an alert. Only the fields the rule's output template printed are there, so
// everything is optional. Non-syscall sources (k8s_audit, plugins) are not runtime events.
import { HOST_CONTAINER, type AncestorInfo, type ContainerInfo, type NetActivity, type RuntimeEvent } from '../event.ts';
import { categoryOf, isWriteFlags } from './event-kind.ts';

type Fields = Record<string, unknown>;
const MAX_STR = 4096;

const s = (v: unknown): string | undefined => (typeof v === 'string' && v && v !== '<NA>' ? (v.length > MAX_STR ? v.slice(0, MAX_STR) : v) : undefined);
const n = (v: unknown): number | undefined => {
  const x = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : NaN;
  return Number.isSafeInteger(x) ? x : undefined;
};

export interface FalcoSkip {
  skip: string;
}

/** Falco's fd.name for sockets: "10.0.0.1:5432->10.0.0.2:80" (IPv6 in brackets). */
export function parseFdTuple(name: string): { local: [string, number]; remote: [string, number] } | undefined {
  const m = /^\[?([0-9a-fA-F.:]+?)\]?:(\d+)->\[?([0-9a-fA-F.:]+?)\]?:(\d+)$/.exec(name);
  return m ? { local: [m[1]!, Number(m[2])], remote: [m[3]!, Number(m[4])] } : undefined;
}

function container(f: Fields): ContainerInfo {
  const short = s(f['container.id']);
  const id = s(f['container.full_id']) ?? short;
  if (!id) return { id: 'unknown', runtime: 'unknown' };
  if (id === 'host') return HOST_CONTAINER;
  const digest = Array.isArray(f['container.image.digest']) ? s(f['container.image.digest'][0]) : s(f['container.image.digest']);
  const repo = s(f['container.image.repository']);
  const tag = s(f['container.image.tag']);
  const imageId = s(f['container.image.id']);
  const info: ContainerInfo = { id, runtime: 'unknown' };
  const name = s(f['container.name']);
  if (name) info.name = name;
  const image = s(f['container.image']) ?? (repo ? (tag ? `${repo}:${tag}` : repo) : undefined);
  if (image) info.image = image;
  if (digest?.startsWith('sha256:')) info.imageDigest = digest;
  if (imageId) info.imageId = imageId.startsWith('sha256:') ? imageId : `sha256:${imageId}`;
  if (f['container.privileged'] === true) info.privileged = true;
  const pod = s(f['k8s.pod.name']);
  const namespace = s(f['k8s.ns.name']);
  const podUid = s(f['k8s.pod.uid']);
  if (pod || namespace || podUid) {
    const labels: Record<string, string> = {};
    const raw = f['k8s.pod.labels'];
    // Falco prints pod labels as ["k:v", ...] (or one "k:v, k2:v2" string in older versions).
    const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(/,\s*/) : [];
    for (const it of items.slice(0, 256)) {
      if (typeof it !== 'string') continue;
      const i = it.indexOf(':');
      if (i > 0) labels[it.slice(0, i)] = it.slice(i + 1);
    }
    info.k8s = { ...(pod ? { pod } : {}), ...(namespace ? { namespace } : {}), ...(podUid ? { podUid } : {}), ...(Object.keys(labels).length ? { labels } : {}) };
  }
  return info;
}

function ancestors(f: Fields): AncestorInfo[] {
  const out: AncestorInfo[] = [];
  const pname = s(f['proc.pname']);
  if (pname) {
    const parent: AncestorInfo = { pid: n(f['proc.ppid']) ?? 0, comm: pname };
    const exe = s(f['proc.pexepath']) ?? s(f['proc.pexe']);
    if (exe) parent.exe = exe;
    const cmd = s(f['proc.pcmdline']);
    if (cmd) parent.argv = cmd.split(' ');
    out.push(parent);
    // proc.aname[2..] are the grandparents on up; a null ends the chain.
    for (let i = 2; i < 32; i++) {
      const a = s(f[`proc.aname[${i}]`]);
      if (!a) break;
      out.push({ pid: n(f[`proc.apid[${i}]`]) ?? 0, comm: a });
    }
  }
  return out;
}

function net(f: Fields): NetActivity | undefined {
  const fdType = s(f['fd.type']);
  const name = s(f['fd.name']);
  const tuple = name ? parseFdTuple(name) : undefined;
  const rip = s(f['fd.rip']) ?? s(f['fd.sip']);
  if (!tuple && !rip && fdType !== 'ipv4' && fdType !== 'ipv6' && fdType !== 'unix') return undefined;
  const remoteAddr = rip ?? tuple?.remote[0];
  const family: NetActivity['family'] = fdType === 'unix' ? 'unix' : fdType === 'ipv6' || remoteAddr?.includes(':') ? 'ipv6' : 'ipv4';
  const proto = s(f['fd.l4proto']);
  const a: NetActivity = { family };
  if (proto === 'tcp' || proto === 'udp') a.protocol = proto;
  if (family === 'unix') {
    if (name) a.path = name;
    return a;
  }
  // For accept the peer is the client; for connect the server. fd.name is always local->remote from the process's view.
  const local = tuple?.local;
  a.localAddr = s(f['fd.lip']) ?? local?.[0];
  a.localPort = n(f['fd.lport']) ?? local?.[1];
  a.remoteAddr = remoteAddr;
  a.remotePort = n(f['fd.rport']) ?? n(f['fd.sport']) ?? tuple?.remote[1];
  return a;
}

/** One Falco JSON alert → RuntimeEvent, or a reason it is not one. */
export function falcoToEvent(o: Record<string, unknown>): RuntimeEvent | FalcoSkip {
  const source = s(o.source) ?? 'syscall';
  if (source !== 'syscall') return { skip: `falco source ${source} is not a runtime event` };
  const rule = s(o.rule);
  const f = (o.output_fields && typeof o.output_fields === 'object' ? o.output_fields : {}) as Fields;
  if (!rule) return { skip: 'not a Falco alert (no rule)' };
  const type = s(f['evt.type']) ?? 'unknown';
  const fdName = s(f['fd.name']);
  const cmdline = s(f['proc.cmdline']);
  const comm = s(f['proc.name']) ?? cmdline?.split(' ')[0] ?? '';
  const process: RuntimeEvent['process'] = { pid: n(f['proc.pid']) ?? 0, comm: comm.slice(0, 15) };
  const setNum = (k: 'ppid' | 'tid' | 'vpid' | 'uid' | 'gid' | 'loginuid' | 'tty', field: string) => {
    const v = n(f[field]);
    if (v !== undefined) process[k] = v;
  };
  setNum('ppid', 'proc.ppid');
  setNum('tid', 'thread.tid');
  setNum('vpid', 'proc.vpid');
  setNum('uid', 'user.uid');
  setNum('gid', 'group.gid');
  setNum('loginuid', 'user.loginuid');
  setNum('tty', 'proc.tty');
  const exe = s(f['proc.exepath']) ?? s(f['proc.exe']);
  if (exe) process.exe = exe;
  // proc.cmdline joins argv with spaces: splitting it back is lossy for arguments with spaces.
  if (cmdline) process.argv = cmdline.split(' ');
  const cwd = s(f['proc.cwd']);
  if (cwd) process.cwd = cwd;
  if (f['proc.is_exe_upper_layer'] === true) process.exeFromUpperLayer = true;
  if (f['proc.is_exe_from_memfd'] === true) process.exeFromMemfd = true;
  const anc = ancestors(f);
  if (anc.length) process.ancestors = anc;

  const category = categoryOf(type) ?? (fdName?.startsWith('/') ? 'file' : 'process');
  const time = s(o.time) ?? new Date(0).toISOString();
  const ev: RuntimeEvent = { time, source: 'falco', type, category, process, container: container(f) };
  const raw = n(f['evt.rawtime']) ?? n(f['evt.time.iso8601']);
  if (raw !== undefined) ev.ts = raw;
  if (category === 'file' && fdName?.startsWith('/')) {
    const flags = (s(f['evt.arg.flags']) ?? '').split('|').filter((x) => x.startsWith('O_'));
    ev.file = { path: fdName, ...(flags.length ? { flags } : {}) };
    if (isWriteFlags(flags) || f['evt.is_open_write'] === true) ev.file.write = true;
  } else if (category === 'network') {
    const a = net(f);
    if (a) ev.net = a;
  }
  const res = s(f['evt.res']);
  if (res === 'SUCCESS') ev.ret = 0;
  const args: Record<string, string | number> = { 'falco.rule': rule };
  const pri = s(o.priority);
  if (pri) args['falco.priority'] = pri;
  const output = s(o.output);
  if (output) args['falco.output'] = output;
  if (Array.isArray(o.tags)) args['falco.tags'] = o.tags.filter((t) => typeof t === 'string').slice(0, 64).join(',');
  const host = s(o.hostname);
  if (host) args['falco.hostname'] = host;
  if (res && res !== 'SUCCESS') args.res = res;
  const evFlags = s(f['evt.arg.flags']);
  if (evFlags && type.startsWith('exec')) args.flags = evFlags;
  ev.args = args;
  return ev;
}
