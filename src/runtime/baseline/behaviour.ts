// What a baseline learns from one event: at most one behaviour, as a canonical key.
//   process     an exec: executable path + the parent's executable (or comm when the exe is unknown)
//   listen      a listening port: tcp/PORT from listen(), udp/PORT from a bind() of a UDP socket
//   connect     an outbound destination: another container by what it runs (peer key), an external
//               address (optionally reduced to a prefix), or a unix socket path
//   file-write  a written path, canonicalised by paths.ts (the aggregation happens in the baseline)
import { posix } from 'node:path';
import type { ContainerInfo, RuntimeEvent } from '../event.ts';
import { cidrOf, isLoopback, parseIp } from '../netmap/ip.ts';
import { peerKey } from '../netmap/identity.ts';
import { canonicalPath } from './paths.ts';

export type BehaviourKind = 'process' | 'listen' | 'connect' | 'file-write';

export interface Behaviour {
  kind: BehaviourKind;
  /** process: exe; listen: proto/port; connect: destination:port/proto; file-write: canonical path. */
  key: string;
  /** process only: the parent's exe ('' when unknown). */
  parent?: string;
  /** Human-readable, for deviations and alerts. */
  what: string;
}

export interface ExtractOptions {
  /** IP → the container behind it (the container resolver's containerIPs()); undefined = external. */
  peerOf?: (ip: string) => ContainerInfo | undefined;
  /** Keep external IPv4 destinations as /N networks (default 32: exact). */
  externalPrefixV4?: number;
  /** Same for IPv6 (default 128). */
  externalPrefixV6?: number;
}

const MAX_PATH = 4096;
const EXEC_TYPES = new Set(['execve', 'execveat']);
const ACCEPT_LIKE = new Set(['accept', 'accept4']);

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_PATH ? v : undefined;
}

function port(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= 65535 ? v : undefined;
}

/** An absolute, normalised executable path (relative ones are joined to the cwd when known). */
export function exePath(exe: string | undefined, cwd: string | undefined): string | undefined {
  if (!exe) return undefined;
  if (exe.startsWith('/')) return posix.normalize(exe);
  if (cwd && cwd.startsWith('/')) return posix.join(cwd, exe);
  return exe;
}

/**
 * The parent of a container's first process, and of every `docker exec`, is the runtime on the
 * host: runc (or crun) while it is still alive, the shim (containerd-shim, conmon) once it
 * reparented the process. Which of them a given run sees is a race, so a baseline that named them
 * would raise false deviations; they are all one parent, "the container runtime".
 */
export const RUNTIME_PARENT = '(container runtime)';
const RUNTIME_BINARIES = /^(?:runc|crun|youki|runsc|containerd-shim(?:-[a-z0-9-]+)?|conmon|docker-containerd-shim)$/;

function isRuntimeBinary(exe: string | undefined, comm: string | undefined): boolean {
  const base = exe?.split('/').pop();
  if (base && RUNTIME_BINARIES.test(base)) return true;
  if (exe?.includes('runc_cloned')) return true; // runc's memfd copy of itself
  // comm: "runc", "runc:[2:INIT]", "containerd-shim", "conmon", ...
  return comm !== undefined && RUNTIME_BINARIES.test(comm.replace(/:\[.*$/, ''));
}

function parentOutside(event: RuntimeEvent): boolean {
  const p = event.process;
  // The kernel's answer: the parent's cgroup is not the container's.
  if (typeof p.parentCgroupId === 'number' && typeof event.cgroupId === 'number') return p.parentCgroupId !== event.cgroupId;
  // Other sources: a parent that is a runtime binary.
  const a = Array.isArray(p.ancestors) ? p.ancestors[0] : undefined;
  const name = (str(a?.exe) ?? str(a?.comm))?.split('/').pop();
  return name !== undefined && RUNTIME_BINARIES.test(name);
}

export function extractBehaviour(event: RuntimeEvent, opts: ExtractOptions = {}): Behaviour | undefined {
  if (!event || typeof event !== 'object' || !event.process || typeof event.process !== 'object') return undefined;
  const failed = typeof event.ret === 'number' && event.ret < 0;
  const p = event.process;
  if (event.category === 'process' && EXEC_TYPES.has(event.type)) {
    if (failed) return undefined; // the exec did not happen
    const exe = exePath(str(p.exe), str(p.cwd)) ?? str(p.comm);
    if (!exe) return undefined;
    const a = Array.isArray(p.ancestors) ? p.ancestors[0] : undefined;
    const outside = parentOutside(event);
    // The runtime's own set-up inside the new container (runc re-executing itself as "runc init"
    // after it joined the container's cgroup, seen under load) is not the workload's behaviour.
    // A program called runc started from inside the container still counts: its parent is inside.
    if (outside && isRuntimeBinary(exe, str(p.comm))) return undefined;
    const parent = outside ? RUNTIME_PARENT : ((a && (exePath(str(a.exe), undefined) ?? str(a.comm))) ?? '');
    return { kind: 'process', key: exe, parent, what: `${exe} (parent ${parent || 'unknown'})` };
  }
  const net = event.net;
  if (event.category === 'network' && net && typeof net === 'object') {
    const proto = net.protocol === 'udp' ? 'udp' : 'tcp';
    if (event.type === 'listen' || (event.type === 'bind' && proto === 'udp')) {
      const lp = port(net.localPort);
      if (lp === undefined || failed) return undefined;
      return { kind: 'listen', key: `${proto}/${lp}`, what: `listening on ${proto}/${lp}` };
    }
    if (event.type === 'connect' || event.type === 'sendto' || event.type === 'sendmsg') {
      if (net.family === 'unix') {
        const path = str(net.path);
        return path ? { kind: 'connect', key: `unix:${path}`, what: `connect to unix socket ${path}` } : undefined;
      }
      const ip = parseIp(net.remoteAddr);
      const rp = port(net.remotePort);
      if (!ip || rp === undefined) return undefined;
      let dest: string;
      const peer = isLoopback(ip) ? undefined : peerKey(opts.peerOf?.(ip.address));
      if (peer) dest = peer;
      else if (isLoopback(ip)) dest = ip.address;
      else {
        const prefix = ip.family === 4 ? opts.externalPrefixV4 : opts.externalPrefixV6;
        dest = prefix === undefined || prefix >= (ip.family === 4 ? 32 : 128) ? ip.address : cidrOf(ip, prefix);
      }
      const key = `${dest}:${rp}/${proto}`;
      return { kind: 'connect', key, what: `connect to ${key}${peer ? ` (${ip.address})` : ''}` };
    }
    return undefined;
  }
  if (event.category === 'file' && event.file && typeof event.file === 'object' && event.file.write === true) {
    const raw = str(event.type === 'rename' || event.type === 'renameat' || event.type === 'renameat2' ? event.file.target ?? event.file.path : event.file.path);
    const path = raw ? canonicalPath(raw, str(p.cwd)) : undefined;
    return path ? { kind: 'file-write', key: path, what: `write to ${raw}` } : undefined;
  }
  return undefined;
}

/** accept/accept4 are inbound: they say nothing about the container's own outbound behaviour. */
export function isInbound(event: RuntimeEvent): boolean {
  return ACCEPT_LIKE.has(event.type);
}
