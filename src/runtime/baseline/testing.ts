// Builders for RuntimeEvents shaped like the bpftrace sensor's, after attribution: used by the
// baseline and network-map tests to replay "runs" of a container with fresh ids, pids and times.
import type { ContainerInfo, RuntimeEvent } from '../event.ts';

export interface RunClock {
  t: number;
}

export function container(id: string, over: Partial<ContainerInfo> = {}): ContainerInfo {
  return { id, name: `web-${id.slice(0, 6)}`, image: 'shop/web:1.4', imageDigest: 'sha256:' + 'a'.repeat(64), runtime: 'docker', labels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'web' }, ...over };
}

function base(clock: RunClock, c: ContainerInfo, pid: number, comm: string): Pick<RuntimeEvent, 'time' | 'source' | 'container' | 'cgroupId'> & { process: RuntimeEvent['process'] } {
  clock.t += 7;
  return { time: new Date(clock.t).toISOString(), source: 'bpftrace', container: c, cgroupId: 4242, process: { pid, comm } };
}

export function exec(clock: RunClock, c: ContainerInfo, pid: number, exe: string, argv: string[], parent?: { pid: number; exe: string }): RuntimeEvent {
  const e = base(clock, c, pid, exe.split('/').pop()!.slice(0, 15));
  e.process.exe = exe;
  e.process.argv = argv;
  e.process.cwd = '/';
  if (parent) e.process.ancestors = [{ pid: parent.pid, comm: parent.exe.split('/').pop()!.slice(0, 15), exe: parent.exe }];
  return { ...e, type: 'execve', category: 'process', ret: 0 };
}

export function connect(clock: RunClock, c: ContainerInfo, pid: number, comm: string, addr: string, port: number, protocol: 'tcp' | 'udp' = 'tcp'): RuntimeEvent {
  return { ...base(clock, c, pid, comm), type: 'connect', category: 'network', ret: -115, net: { family: addr.includes(':') ? 'ipv6' : 'ipv4', protocol, remoteAddr: addr, remotePort: port } };
}

export function accept(clock: RunClock, c: ContainerInfo, pid: number, comm: string, peer: string, peerPort: number, localPort: number, localAddr?: string): RuntimeEvent {
  const e: RuntimeEvent = { ...base(clock, c, pid, comm), type: 'accept4', category: 'network', ret: 5, net: { family: 'ipv4', protocol: 'tcp', remoteAddr: peer, remotePort: peerPort, localPort } };
  if (localAddr) e.net!.localAddr = localAddr;
  return e;
}

export function listen(clock: RunClock, c: ContainerInfo, pid: number, comm: string, port: number): RuntimeEvent {
  return { ...base(clock, c, pid, comm), type: 'listen', category: 'network', ret: 0, net: { family: 'ipv4', protocol: 'tcp', localAddr: '0.0.0.0', localPort: port } };
}

export function write(clock: RunClock, c: ContainerInfo, pid: number, comm: string, path: string): RuntimeEvent {
  return { ...base(clock, c, pid, comm), type: 'openat', category: 'file', ret: 3, file: { path, flags: ['O_WRONLY', 'O_CREAT', 'O_TRUNC'], write: true } };
}

export function exit(clock: RunClock, c: ContainerInfo, pid: number, comm: string): RuntimeEvent {
  return { ...base(clock, c, pid, comm), type: 'procexit', category: 'process', args: { code: 0 } };
}
