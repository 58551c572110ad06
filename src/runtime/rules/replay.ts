// Recorded sensor events (JSON lines) prepared the way the agent's pipeline hands them to the
// rules: ancestors from a process table built over the recording, and a container record per
// cgroup (cgroup 1 is the host). Used by the recording test and the rules bench; the agent itself
// uses the real process table and container resolver.

import { readFileSync } from 'node:fs';
import { HOST_CONTAINER, type AncestorInfo, type ContainerInfo, type RuntimeEvent } from '../event.ts';

const MAX_ANCESTORS = 8;

export function readRecording(path: string, maxBytes = 256 << 20): RuntimeEvent[] {
  const text = readFileSync(path, 'utf8').slice(0, maxBytes);
  const out: RuntimeEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as RuntimeEvent;
      if (e && typeof e.type === 'string' && e.process && typeof e.process.pid === 'number') out.push(e);
    } catch {
      /* a torn last line of a live recording */
    }
  }
  return out;
}

/** Fills process.ancestors (from earlier exec/clone events) and container (per cgroup id) in place. */
export function enrichLikeAgent(events: RuntimeEvent[]): RuntimeEvent[] {
  const procs = new Map<number, AncestorInfo & { ppid?: number }>();
  const containers = new Map<number, ContainerInfo>();
  for (const e of events) {
    const p = e.process;
    const known = procs.get(p.pid);
    if (e.type === 'execve' || e.type === 'execveat' || !known) {
      procs.set(p.pid, { pid: p.pid, comm: p.comm, exe: p.exe ?? known?.exe, argv: p.argv ?? known?.argv, ppid: p.ppid ?? known?.ppid });
    }
    const ancestors: AncestorInfo[] = [];
    let ppid = p.ppid ?? known?.ppid;
    const seen = new Set<number>([p.pid]);
    while (ppid !== undefined && ppid > 0 && !seen.has(ppid) && ancestors.length < MAX_ANCESTORS) {
      seen.add(ppid);
      const a = procs.get(ppid);
      if (!a) break;
      ancestors.push({ pid: a.pid, comm: a.comm, exe: a.exe, argv: a.argv });
      ppid = a.ppid;
    }
    if (!p.ancestors && ancestors.length > 0) p.ancestors = ancestors;
    if (!p.argv && known?.argv) p.argv = known.argv;
    if (!p.exe && known?.exe) p.exe = known.exe;
    if (!e.container && e.cgroupId !== undefined) {
      if (e.cgroupId === 1) e.container = HOST_CONTAINER;
      else {
        let c = containers.get(e.cgroupId);
        if (!c) {
          const id = e.cgroupId.toString(16).padStart(64, '0');
          c = { id, name: `cgroup-${e.cgroupId}`, image: 'debian:bookworm', runtime: 'docker' };
          containers.set(e.cgroupId, c);
        }
        e.container = c;
      }
    }
    if (e.type === 'procexit') procs.delete(p.pid);
  }
  return events;
}
