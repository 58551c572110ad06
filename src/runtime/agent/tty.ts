// The controlling terminal of a process (Falco's proc.tty), read from /proc/<pid>/stat on exec:
// the bpftrace sensor does not report it, and rules such as "Terminal shell in container" need it.
// The process is usually still alive when its exec event arrives (milliseconds later); when it is
// not, tty stays unknown and such rules do not match, as Falco's own would not without the field.
import { readFileSync, readlinkSync } from 'node:fs';
import type { RuntimeEvent } from '../event.ts';

export function readTty(pid: number, procRoot = '/proc'): number | undefined {
  let text: string;
  try {
    text = readFileSync(`${procRoot}/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // comm may hold spaces and parentheses: count fields from the last ')'. tty_nr is field 7.
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const tty = Number(text.slice(close + 2).split(' ')[4]);
  return Number.isInteger(tty) ? tty : undefined;
}

/** The ppid in /proc/<pid>/stat (field 4), or undefined when the process is gone. */
function procParent(pid: number, procRoot: string): number | undefined {
  try {
    const text = readFileSync(`${procRoot}/${pid}/stat`, 'utf8');
    const ppid = Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) ? ppid : undefined;
  } catch {
    return undefined;
  }
}

/** Fills process.tty on exec events that lack it. */
export function fillTty(event: RuntimeEvent, procRoot = '/proc'): void {
  if (event.process.tty !== undefined || (event.type !== 'execve' && event.type !== 'execveat')) return;
  const tty = readTty(event.process.pid, procRoot);
  if (tty !== undefined) event.process.tty = tty;
}

/**
 * On exec, the parent's image as /proc says it is now. The process table learns a parent's exec
 * from the sensor, and when that event is late (another CPU's buffer, a loaded sensor) the child's
 * exec arrives while the table still holds the parent's previous image (seen live: a container's
 * shell reported as "/usr/sbin/runc", the runtime it was exec'd from). The parent is normally alive
 * while its child execs, so one readlink settles it.
 */
export function fixParentExe(event: RuntimeEvent, procRoot = '/proc'): void {
  if (event.type !== 'execve' && event.type !== 'execveat') return;
  const parent = event.process.ancestors?.[0];
  if (!parent || !(parent.pid > 0)) return;
  // Only when /proc confirms the relationship now (the child is alive and this is its parent): a
  // stale ppid or a recycled pid must not put another program in the tree.
  if (procParent(event.process.pid, procRoot) !== parent.pid) return;
  let exe: string;
  try {
    exe = readlinkSync(`${procRoot}/${parent.pid}/exe`);
  } catch {
    return; // gone, or a kernel thread
  }
  if (exe.endsWith(' (deleted)')) exe = exe.slice(0, -10);
  if (exe && exe !== parent.exe) {
    parent.exe = exe;
    // argv of the old image would describe the wrong program; comm is kept (the kernel's).
    delete parent.argv;
  }
}
