// bpftrace records (see bpftrace-script.ts for the grammar) → RuntimeEvent. Records of one event are
// joined by their key (enter timestamp, tid) in whatever order they arrive: strings (S), the header
// and the syscall's result (R, or X for a successful exec). Bounded: at most maxPending incomplete
// groups, each flushed (or dropped when it has no header) after pendingTimeoutMs.
import type { EventCategory, RuntimeEvent } from '../event.ts';
import { decodeLine } from './decode.ts';
import { capabilityNames, openFlagNames, isWriteOpen, familyName, protocolName } from './syscall-names.ts';

export interface ParserStats {
  lines: number;
  events: number;
  /** Lines that were not valid records. */
  malformed: number;
  /** Groups flushed incomplete (missing strings or result) or dropped (no header). */
  incomplete: number;
  /** bpftrace's own "Lost N events" total. */
  lost: number;
}

export interface ParserOptions {
  /** Milliseconds since the epoch at kernel monotonic time 0 (bpftrace's nsecs is CLOCK_MONOTONIC). */
  monotonicEpochMs?: number;
  maxPending?: number;
  pendingTimeoutMs?: number;
  /** Called for bpftrace's attached_probes line. */
  onAttached?: (probes: number) => void;
  /** Called when BEGIN's ready record arrives: every probe is attached. */
  onReady?: () => void;
  /** Called with each "Lost N events" count. */
  onLost?: (events: number) => void;
  now?: () => number;
}

/** Epoch ms at CLOCK_MONOTONIC 0, as seen now (Node's hrtime is CLOCK_MONOTONIC too). */
export function monotonicEpochMs(): number {
  return Date.now() - Number(process.hrtime.bigint() / 1_000_000n);
}

interface Header {
  tag: string;
  name: string;
  ts: number;
  tid: number;
  pid: number;
  ppid: number;
  uid: number;
  euid: number;
  gid: number;
  loginuid: number;
  cgroup: number;
  nstr: number;
  args: string[];
  comm: string;
}

interface Group {
  key: string;
  header?: Header;
  strings: Array<string | undefined>;
  got: number;
  /** R record: ret and comm at exit. */
  result?: { ret: number; comm: string };
  /** X record: the successful exec's new identity. */
  exec?: Header;
  born: number;
}

/** Header tags/names whose event waits for the syscall's result. */
function needsResult(h: Header): boolean {
  switch (h.tag) {
    case 'E':
    case 'O':
    case 'P':
    case 'U':
    case 'W':
      return true;
    case 'N':
      return h.name === 'connect' || h.name === 'bind';
    case 'K':
      return h.name === 'ptrace' || h.name === 'memfd_create';
    default:
      return false;
  }
}

/** Splits "a b c rest..." into `count` tokens and the rest (which may contain spaces). */
function splitTokens(s: string, from: number, count: number, out: string[]): number {
  let pos = from;
  for (let i = 0; i < count; i++) {
    const sp = s.indexOf(' ', pos);
    if (sp < 0) return -1;
    out.push(s.slice(pos, sp));
    pos = sp + 1;
  }
  return pos;
}

/** A decimal integer token (optionally negative, at most 20 digits), else NaN. Hand-rolled: hot path. */
function num(s: string | undefined): number {
  if (s === undefined) return NaN;
  const n = s.length;
  let i = s.charCodeAt(0) === 45 ? 1 : 0;
  if (n === i || n - i > 20) return NaN;
  let v = 0;
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return s.charCodeAt(0) === 45 ? -v : v;
}

export class BpftraceParser {
  readonly stats: ParserStats = { lines: 0, events: 0, malformed: 0, incomplete: 0, lost: 0 };
  private readonly pending = new Map<string, Group>();
  private readonly maxPending: number;
  private readonly timeoutMs: number;
  private readonly epochMs: number;
  private readonly now: () => number;
  /** Memfd fds per pid (from memfd_create results), to recognise an exec of /proc/self/fd/N. Bounded. */
  private readonly memfds = new Map<number, Set<number>>();
  private lastSweep = 0;
  private readonly tokens: string[] = [];
  private readonly emit: (e: RuntimeEvent) => void;
  private readonly opts: ParserOptions;

  constructor(emit: (e: RuntimeEvent) => void, opts: ParserOptions = {}) {
    this.emit = emit;
    this.opts = opts;
    this.maxPending = opts.maxPending ?? 10_000;
    this.timeoutMs = opts.pendingTimeoutMs ?? 2_000;
    this.epochMs = opts.monotonicEpochMs ?? monotonicEpochMs();
    this.now = opts.now ?? Date.now;
  }

  /** One line of bpftrace -f json output. Never throws. */
  line(line: string): void {
    this.stats.lines++;
    const d = decodeLine(line);
    if (d.kind === 'printf') this.record(d.data);
    else if (d.kind === 'lost') {
      this.stats.lost += d.events;
      this.opts.onLost?.(d.events);
    } else if (d.kind === 'attached') this.opts.onAttached?.(d.probes);
    else if (d.kind === 'malformed') this.stats.malformed++;
    if ((this.stats.lines & 1023) === 0) this.sweep();
  }

  /** Emits every pending group that has a header (end of stream). */
  flush(): void {
    for (const g of [...this.pending.values()]) this.finish(g, true);
    this.pending.clear();
  }

  /** Flushes groups older than the timeout; call periodically when the stream is idle. */
  sweep(): void {
    const now = this.now();
    if (now - this.lastSweep < 100 && this.pending.size <= this.maxPending) return;
    this.lastSweep = now;
    for (const g of this.pending.values()) {
      if (now - g.born < this.timeoutMs && this.pending.size <= this.maxPending) break; // Map keeps insertion order
      this.pending.delete(g.key);
      this.finish(g, true);
    }
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** One decoded printf record. */
  record(data: string): void {
    const sp = data.indexOf(' ');
    const tag = sp === 1 ? data[0]! : '';
    const t = this.tokens;
    t.length = 0;
    if (tag === 'S') {
      const pos = splitTokens(data, 2, 3, t);
      const ts = num(t[0]), tid = num(t[1]), idx = num(t[2]);
      if (pos < 0 || !(idx >= 1 && idx <= 64) || Number.isNaN(ts) || Number.isNaN(tid)) return void this.stats.malformed++;
      const g = this.group(`${t[0]}:${t[1]}`);
      if (g.strings[idx - 1] === undefined) g.got++;
      g.strings[idx - 1] = data.slice(pos);
      return this.tryComplete(g);
    }
    if (tag === 'R') {
      const pos = splitTokens(data, 2, 4, t);
      const ret = num(t[3]);
      if (pos < 0 || Number.isNaN(ret) || Number.isNaN(num(t[1])) || Number.isNaN(num(t[2]))) return void this.stats.malformed++;
      const g = this.group(`${t[1]}:${t[2]}`);
      g.result = { ret, comm: data.slice(pos) };
      return this.tryComplete(g);
    }
    if (tag === 'B') return this.opts.onReady?.();
    if (!tag) return void this.stats.malformed++;
    // Header: tag name ts tid pid ppid uid euid gid loginuid cgroup nstr nargs args... comm
    let pos = splitTokens(data, 2, 12, t);
    const nargs = num(t[11]);
    if (pos < 0 || !(nargs >= 0 && nargs <= 16)) return void this.stats.malformed++;
    pos = splitTokens(data, pos, nargs, t);
    if (pos < 0) return void this.stats.malformed++;
    const h: Header = {
      tag,
      name: t[0]!,
      ts: num(t[1]),
      tid: num(t[2]),
      pid: num(t[3]),
      ppid: num(t[4]),
      uid: num(t[5]),
      euid: num(t[6]),
      gid: num(t[7]),
      loginuid: num(t[8]),
      cgroup: num(t[9]),
      nstr: num(t[10]),
      args: t.slice(12),
      comm: data.slice(pos),
    };
    if ([h.ts, h.tid, h.pid, h.nstr].some(Number.isNaN) || h.nstr < 0 || h.nstr > 64) return void this.stats.malformed++;
    if (tag === 'X') {
      // A successful exec: joins the enter group keyed (enter ts, old tid); alone when the enter was missed.
      const ets = h.args[0], otid = h.args[1];
      if (ets === '0' || ets === undefined) return this.emitExec(h, undefined, undefined);
      const g = this.group(`${ets}:${otid}`);
      g.exec = h;
      return this.tryComplete(g);
    }
    if (h.nstr === 0 && !needsResult(h)) return this.build(h, [], undefined);
    const g = this.group(`${t[1]}:${t[2]}`);
    g.header = h;
    this.tryComplete(g);
  }

  private group(key: string): Group {
    let g = this.pending.get(key);
    if (!g) {
      g = { key, strings: [], got: 0, born: this.now() };
      this.pending.set(key, g);
      if (this.pending.size > this.maxPending) this.sweep();
    }
    return g;
  }

  private tryComplete(g: Group): void {
    const h = g.header;
    if (!h || g.got < h.nstr) return;
    if (needsResult(h) && !g.result && !g.exec) return;
    this.pending.delete(g.key);
    this.finish(g, false);
  }

  private finish(g: Group, partial: boolean): void {
    const h = g.header;
    if (partial) this.stats.incomplete++;
    if (!h) {
      if (g.exec) this.emitExec(g.exec, undefined, undefined); // enter lost: still an exec
      return;
    }
    if (h.tag === 'E') return this.emitExec(g.exec ?? h, h, g, g.exec ? 0 : g.result?.ret);
    this.build(h, g.strings, g.result);
  }

  private isoMs = -1;
  private iso = '';

  /** ISO time of a kernel timestamp; bursts share milliseconds, so the last string is reused. */
  private isoTime(ts: number): string {
    const ms = Math.floor(this.epochMs + ts / 1e6);
    if (ms !== this.isoMs) {
      this.isoMs = ms;
      this.iso = Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString() : new Date(0).toISOString();
    }
    return this.iso;
  }

  private base(h: Header, type: string, category: EventCategory, comm = h.comm): RuntimeEvent {
    const e: RuntimeEvent = {
      time: this.isoTime(h.ts),
      ts: h.ts,
      source: 'bpftrace',
      type,
      category,
      cgroupId: h.cgroup,
      process: { pid: h.pid, tid: h.tid, ppid: h.ppid, uid: h.uid, euid: h.euid, gid: h.gid, loginuid: h.loginuid, comm },
    };
    return e;
  }

  /** An exec: `who` is the X header (after exec) or the enter header (failed exec). The enter's
   *  strings are argv then the filename (last); the failed exec's comm comes with its R record. */
  private emitExec(who: Header, enter: Header | undefined, g: Group | undefined, ret?: number): void {
    let comm = who.comm;
    if (who === enter) comm = g?.result?.comm ?? enter.comm;
    const e = this.base(who, enter?.name ?? 'execve', 'process', comm);
    if (enter && g) {
      const exe = g.strings[enter.nstr - 1] ?? '';
      e.process.exe = exe;
      const argv: string[] = [];
      for (let i = 0; i < enter.nstr - 1; i++) argv.push(g.strings[i] ?? '');
      e.process.argv = argv;
      const args: Record<string, string | number> = {};
      if (enter.args[0] === '1') args.argvTruncated = 1;
      if (enter.name === 'execveat') {
        args.dirfd = num(enter.args[1]);
        args.flags = num(enter.args[2]);
      }
      if (g.got < enter.nstr) args.incomplete = 1;
      if (Object.keys(args).length) e.args = args;
      if (this.isMemfdExec(who.pid, exe, enter)) e.process.exeFromMemfd = true;
    }
    if (who.tag === 'X') this.kernelExecFacts(who, e);
    if (ret !== undefined) e.ret = ret;
    this.out(e);
  }

  /** The X record's facts from the kernel (see the sched_process_exec probe): tty, start time,
   *  fileless / upper-layer flags, exec ids, the parent's cgroup and the capability masks. */
  private kernelExecFacts(x: Header, e: RuntimeEvent): void {
    const a = x.args;
    if (a.length < 10) return;
    const p = e.process;
    const tty = num(a[2]), start = num(a[3]), flags = num(a[4]), execId = num(a[5]), parentExecId = num(a[6]), pcg = num(a[7]), eff = num(a[8]), prm = num(a[9]);
    if (tty >= 0) p.tty = tty;
    if (start >= 0) p.startTicks = start;
    if (flags >= 0) {
      // The kernel's verdicts are final: attribution and the process table skip their /proc reads.
      p.exeFromMemfd = p.exeFromMemfd === true || (flags & 1) !== 0;
      p.exeFromUpperLayer = (flags & 2) !== 0;
    }
    if (execId >= 0) p.execId = execId;
    if (parentExecId >= 0) p.parentExecId = parentExecId;
    if (pcg > 0) p.parentCgroupId = pcg;
    if (eff >= 0) p.capEffective = capabilityNames(eff);
    if (prm >= 0) p.capPermitted = capabilityNames(prm);
  }

  private isMemfdExec(pid: number, exe: string, enter: Header): boolean {
    const m = /^\/(?:proc\/(?:self|\d+)|dev)\/fd\/(\d+)$/.exec(exe);
    let fd = m ? Number(m[1]) : -1;
    // fexecve(): execveat(fd, "", argv, envp, AT_EMPTY_PATH)
    if (!m && enter.name === 'execveat' && exe === '' && (num(enter.args[2]) & 0x1000) !== 0) fd = num(enter.args[1]);
    return fd >= 0 && (this.memfds.get(pid)?.has(fd) ?? false);
  }

  private build(h: Header, strs: Array<string | undefined>, result: { ret: number; comm: string } | undefined): void {
    const a = h.args;
    let e: RuntimeEvent;
    switch (h.tag) {
      case 'F':
        e = this.base(h, h.name, 'process');
        break;
      case 'Q': {
        e = this.base(h, 'procexit', 'process');
        const code = num(a[1]) || num(a[0]) || 0;
        e.args = { status: (code >> 8) & 0xff, signal: code & 0x7f };
        if (code & 0x80) e.args.coreDumped = 1;
        break;
      }
      case 'N': {
        e = this.base(h, h.name, 'network');
        if (h.name === 'connect') {
          const fam = familyName(num(a[2]));
          e.net = { family: fam, protocol: protocolName(num(a[1])) };
          if (fam === 'unix') {
            e.net.path = strs[0] ?? '';
            delete e.net.protocol;
          } else {
            e.net.remoteAddr = a[4];
            e.net.remotePort = num(a[3]);
          }
          e.args = { fd: num(a[0]) };
        } else if (h.name === 'listen' || h.name === 'bind') {
          e.net = { family: familyName(num(a[1])), protocol: protocolName(num(a[0])), localAddr: a[3], localPort: num(a[2]) };
          e.ret = 0; // bind: replaced by the syscall's result below
        } else {
          e.net = { family: familyName(num(a[1])), protocol: 'tcp', localPort: num(a[2]), localAddr: a[3], remotePort: num(a[4]), remoteAddr: a[5] };
          e.ret = num(a[0]);
        }
        break;
      }
      case 'O': {
        e = this.base(h, h.name, 'file');
        const flags = num(a[0]);
        const modifying = !h.name.startsWith('open') && h.name !== 'creat';
        if (h.name === 'symlink' || h.name === 'symlinkat') e.file = { path: strs[1] ?? '', target: strs[0] ?? '', write: true };
        else if (h.nstr === 2) e.file = { path: strs[0] ?? '', target: strs[1] ?? '', write: true };
        else e.file = { path: strs[0] ?? '', write: modifying || isWriteOpen(flags) };
        if (!modifying) e.file.flags = openFlagNames(flags);
        // The kernel filter cannot match /home/*/.ssh (no wildcard), so it sends all of /home: keep .ssh.
        if (e.file.path.startsWith('/home/') && !e.file.path.includes('/.ssh') && !(e.file.target ?? '').includes('/.ssh')) return;
        const dirfd = num(a[1]);
        if (dirfd !== -100) e.args = { dirfd };
        break;
      }
      case 'P': {
        e = this.base(h, h.name, 'privilege');
        const names = h.name.endsWith('resuid') ? ['ruid', 'euid', 'suid'] : h.name.endsWith('resgid') ? ['rgid', 'egid', 'sgid'] : h.name.endsWith('reuid') ? ['ruid', 'euid'] : h.name.endsWith('regid') ? ['rgid', 'egid'] : [h.name.endsWith('gid') ? 'gid' : 'uid'];
        e.args = {};
        names.forEach((n, i) => (e.args![n] = num(a[i])));
        break;
      }
      case 'U': {
        e = this.base(h, h.name, 'namespace');
        if (h.name === 'unshare') e.args = { flags: num(a[0]) };
        else if (h.name === 'setns') e.args = { fd: num(a[0]), nstype: num(a[1]) };
        else e.args = { source: strs[0] ?? '', target: strs[1] ?? '', fstype: strs[2] ?? '', flags: num(a[0]) };
        break;
      }
      case 'W':
        e = this.base(h, h.name, 'process');
        e.args = h.name === 'chdir' ? { path: strs[0] ?? '' } : { fd: num(a[0]) };
        break;
      case 'K': {
        if (h.name === 'ptrace') {
          e = this.base(h, 'ptrace', 'kernel');
          e.args = { request: num(a[0]), pid: num(a[1]) };
        } else if (h.name === 'memfd_create') {
          e = this.base(h, 'memfd_create', 'process');
          e.args = { name: strs[0] ?? '', flags: num(a[0]) };
          if (result && result.ret >= 0) this.noteMemfd(h.pid, result.ret);
        } else {
          const id = num(a[0]);
          e = this.base(h, id === 175 ? 'init_module' : id === 313 ? 'finit_module' : 'delete_module', 'kernel');
          if (h.name === 'module') e.ret = num(a[1]); // 'module-enter': the attempt, result unknown
        }
        break;
      }
      default:
        this.stats.malformed++;
        return;
    }
    if (result) e.ret = result.ret;
    this.out(e);
  }

  private noteMemfd(pid: number, fd: number): void {
    let s = this.memfds.get(pid);
    if (!s) {
      if (this.memfds.size >= 4096) this.memfds.delete(this.memfds.keys().next().value!);
      s = new Set();
      this.memfds.set(pid, s);
    }
    if (s.size < 64) s.add(fd);
  }

  private out(e: RuntimeEvent): void {
    if (e.type === 'procexit') this.memfds.delete(e.process.pid);
    this.stats.events++;
    this.emit(e);
  }
}
