// /proc/<pid>/stat, read safely: the comm field may contain spaces and parentheses, so fields are
// counted from the LAST ')'. starttime (field 22) is in clock ticks since boot and identifies a
// process together with its pid: a recycled pid has a later start time.
import { readFileSync } from 'node:fs';

export interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  flags: number;
  /** Controlling terminal (tty_nr, 0 = none). */
  tty: number;
  /** Clock ticks since boot. */
  startTicks: number;
}

/** PF_KTHREAD: kernel threads are never a response target. */
export const PF_KTHREAD = 0x00200000;
/** USER_HZ: 100 on every Linux architecture Triad runs on (it is the ABI value, not CONFIG_HZ). */
export const CLOCK_TICKS = 100;

export function readProcStat(pid: number, procRoot = '/proc'): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`${procRoot}/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state); field N is rest[N - 3].
  const num = (n: number) => Number(rest[n - 3]);
  const st: ProcStat = { pid, comm: text.slice(open + 1, close), state: rest[0] ?? '?', ppid: num(4), tty: num(7), flags: num(9), startTicks: num(22) };
  return Number.isFinite(st.startTicks) && Number.isFinite(st.ppid) ? st : undefined;
}

/** Boot time in ms since the epoch (/proc/stat btime, whole seconds). */
export function bootTimeMs(procRoot = '/proc'): number | undefined {
  try {
    const m = /^btime (\d+)$/m.exec(readFileSync(`${procRoot}/stat`, 'utf8'));
    return m ? Number(m[1]) * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** The pids from `pid` up to 1 (bounded), for "never kill the agent's own ancestry". */
export function ancestry(pid: number, procRoot = '/proc'): number[] {
  const out: number[] = [];
  let cur = pid;
  for (let i = 0; i < 64 && cur > 0; i++) {
    out.push(cur);
    const st = readProcStat(cur, procRoot);
    if (!st || st.ppid === cur) break;
    cur = st.ppid;
  }
  return out;
}
