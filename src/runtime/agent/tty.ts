// The controlling terminal of a process (Falco's proc.tty), which rules such as "Terminal shell in
// container" need: read from /proc/<pid>/stat on exec for sources that do not report it (the
// bpftrace sensor reads it from the kernel at the exec).
// The process is usually still alive when its exec event arrives (milliseconds later); when it is
// not, tty stays unknown and such rules do not match, as Falco's own would not without the field.
import { readProcStat } from '../container/proc-stat.ts';
import type { RuntimeEvent } from '../event.ts';

export function readTty(pid: number, procRoot = '/proc'): number | undefined {
  const tty = readProcStat(pid, procRoot)?.tty;
  return Number.isInteger(tty) ? tty : undefined;
}

/** Fills process.tty on exec events that lack it. */
export function fillTty(event: RuntimeEvent, procRoot = '/proc'): void {
  if (event.process.tty !== undefined || (event.type !== 'execve' && event.type !== 'execveat')) return;
  const tty = readTty(event.process.pid, procRoot);
  if (tty !== undefined) event.process.tty = tty;
}
