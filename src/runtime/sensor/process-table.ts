// The agent's view of live processes: pid → comm / exe / argv / cwd / ppid, fed by the sensor's exec,
// fork and exit events and, at start-up, by /proc (processes that existed before the agent). It fills
// each event's process.ppid, cwd and ancestors (parent first, bounded depth), so rules and alerts see
// the process tree even after the parents exited (exits are forgotten only after a grace period).
// Bounded: at most maxEntries processes, oldest inserted evicted first; pids that /proc does not know are not retried.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { posix } from 'node:path';
import { readProcStat } from '../container/proc-stat.ts';
import type { AncestorInfo, RuntimeEvent } from '../event.ts';

export interface ProcessEntry {
  pid: number;
  ppid: number;
  comm: string;
  exe?: string;
  argv?: string[];
  cwd?: string;
  /** The kernel's self_exec_id of this image (from the exec event; a fork copies its parent's). */
  execId?: number;
  /** Date.now() of the exit; the entry is removed exitGraceMs later. */
  exitedAt?: number;
}

export interface ProcessTableOptions {
  maxEntries?: number;
  exitGraceMs?: number;
  maxDepth?: number;
  /** Look up unknown pids (and cwd of new execs) in /proc; off for replays of recordings. */
  useProc?: boolean;
  procRoot?: string;
  now?: () => number;
  /**
   * The sensor reports chdir/fchdir (the bpftrace sensor does): a process's cwd is then inherited at
   * fork and followed through chdir, and /proc/<pid>/cwd is read only when it is unknown or after an
   * fchdir. Otherwise it is read on every exec.
   */
  followChdir?: boolean;
}

const MAX_ARGV = 64;
const MAX_ARG_CHARS = 4096;

export class ProcessTable {
  private readonly entries = new Map<number, ProcessEntry>();
  private readonly exited: number[] = [];
  private readonly maxEntries: number;
  private readonly graceMs: number;
  private readonly maxDepth: number;
  private readonly useProc: boolean;
  private readonly proc: string;
  private readonly now: () => number;
  private readonly missing = new Set<number>();
  private readonly followChdir: boolean;

  constructor(opts: ProcessTableOptions = {}) {
    this.maxEntries = Math.max(16, opts.maxEntries ?? 32_768);
    this.graceMs = opts.exitGraceMs ?? 10_000;
    this.maxDepth = Math.max(0, Math.min(64, opts.maxDepth ?? 8));
    this.useProc = opts.useProc ?? true;
    this.proc = opts.procRoot ?? '/proc';
    this.now = opts.now ?? Date.now;
    this.followChdir = opts.followChdir ?? false;
  }

  get size(): number {
    return this.entries.size;
  }

  get(pid: number): ProcessEntry | undefined {
    return this.entries.get(pid);
  }

  /** Loads every process in /proc (call once at start-up, before events flow). */
  loadFromProc(): number {
    let n = 0;
    let names: string[];
    try {
      names = readdirSync(this.proc);
    } catch {
      return 0;
    }
    for (const name of names) {
      if (!/^\d+$/.test(name) || this.entries.size >= this.maxEntries) continue;
      const e = this.readProc(Number(name));
      if (e) {
        this.put(e);
        n++;
      }
    }
    return n;
  }

  /** Updates the table from one event and fills its ppid, cwd and ancestors. Never throws. */
  handle(event: RuntimeEvent): void {
    if (event.category === 'agent') return;
    const p = event.process;
    const pid = p.pid;
    if (!(pid > 0)) return;
    const type = event.type;
    if (type === 'execve' || type === 'execveat') {
      if (event.ret === undefined || event.ret >= 0) {
        const prev = this.entries.get(pid);
        // Without a chdir since, the cwd is this process's (or, first seen at this exec, its parent's:
        // a fork copies it).
        const known = prev?.cwd ?? (prev === undefined && p.ppid ? this.entries.get(p.ppid)?.cwd : undefined);
        const cwd = p.cwd ?? (this.followChdir && known !== undefined ? known : this.useProc ? this.readLink(pid, 'cwd') : undefined);
        // Fileless execution without the kernel's verdict (other sensors): the kernel names such an
        // exe "/memfd:NAME".
        if (this.useProc && p.exeFromMemfd === undefined && this.readLink(pid, 'exe')?.startsWith('/memfd:')) p.exeFromMemfd = true;
        const e: ProcessEntry = { pid, ppid: p.ppid ?? prev?.ppid ?? 0, comm: p.comm, exe: p.exe ?? prev?.exe, argv: clampArgv(p.argv), cwd: cwd ?? prev?.cwd, execId: p.execId };
        this.put(e);
      }
    } else if (type === 'clone' || type === 'clone3' || type === 'fork' || type === 'vfork') {
      this.putChild(pid, p.ppid ?? 0, p.comm, p.ppid !== undefined ? this.lookup(p.ppid) : undefined);
    } else if (p.ppid && !this.entries.has(pid)) {
      // A process first seen after its fork (fork events off or sampled away): what its fork made,
      // rather than a /proc read (known parents only).
      const parent = this.entries.get(p.ppid);
      if (parent) this.putChild(pid, p.ppid, p.comm, parent);
    }
    if (p.parentExecId !== undefined && p.ppid) this.checkParentImage(p.ppid, p.parentExecId);
    else if ((type === 'chdir' || type === 'fchdir') && event.ret === 0) this.chdir(pid, type === 'chdir' ? event.args?.path : undefined);
    const self = this.lookup(pid);
    if (self && p.ppid !== undefined && p.ppid > 0 && self.ppid !== p.ppid) self.ppid = p.ppid; // reparented
    if (p.ppid === undefined && self) p.ppid = self.ppid;
    if (p.cwd === undefined && self?.cwd !== undefined) p.cwd = self.cwd;
    if (p.exe === undefined && self?.exe !== undefined && type !== 'execve' && type !== 'execveat') p.exe = self.exe;
    if (this.maxDepth > 0 && p.ppid) p.ancestors = this.ancestors(p.ppid);
    if (type === 'procexit' && self) {
      self.exitedAt = this.now();
      this.exited.push(pid);
    }
    this.expire();
  }

  /** A forked child starts as a copy of its parent: same image, argv, cwd and exec id. */
  private putChild(pid: number, ppid: number, comm: string, parent: ProcessEntry | undefined): void {
    this.put({ pid, ppid, comm, exe: parent?.exe, argv: parent?.argv, cwd: parent?.cwd, execId: parent?.execId });
  }

  /**
   * The kernel said which image the parent ran when this process exec'd. When the table holds an
   * older one, the parent's own exec event is still on its way (another CPU's perf buffer, a loaded
   * sensor): the parent's image is read from /proc now (it is normally alive while its child
   * execs) rather than naming the program it used to be (seen live: a container's shell reported as
   * "/usr/sbin/runc", the runtime it was exec'd from).
   */
  private checkParentImage(ppid: number, parentExecId: number): void {
    const parent = this.entries.get(ppid);
    if (!parent || parent.execId === undefined || parent.execId === parentExecId) return;
    this.staleParents++;
    parent.execId = parentExecId;
    if (!this.useProc) return;
    let exe = this.readLink(ppid, 'exe');
    if (exe === undefined) return;
    if (exe.endsWith(' (deleted)')) exe = exe.slice(0, -10);
    if (exe !== parent.exe) {
      parent.exe = exe;
      // argv of the old image would describe the wrong program; its exec event brings the new one.
      delete parent.argv;
    }
  }

  /** A successful chdir(path) (path relative to the old cwd or absolute) or fchdir (path undefined). */
  private chdir(pid: number, path: unknown): void {
    const e = this.lookup(pid);
    if (!e) return;
    let cwd: string | undefined;
    if (typeof path === 'string' && path.startsWith('/')) cwd = posix.normalize(path);
    else if (typeof path === 'string' && path !== '' && e.cwd?.startsWith('/')) cwd = posix.join(e.cwd, path);
    else cwd = this.useProc ? this.readLink(pid, 'cwd') : undefined;
    // As /proc shows it: no trailing slash except for the root.
    e.cwd = cwd && cwd.length > 1 && cwd.endsWith('/') ? cwd.slice(0, -1) : cwd;
  }

  /** Parents whose newer image the table learned from a child's exec before the parent's own exec. */
  staleParents = 0;

  /** `pid` and its ancestors, parent first (the first element is `pid` itself), bounded by maxDepth. */
  ancestors(pid: number): AncestorInfo[] {
    const out: AncestorInfo[] = [];
    const seen = new Set<number>();
    let cur: number | undefined = pid;
    while (cur && cur > 0 && out.length < this.maxDepth && !seen.has(cur)) {
      seen.add(cur);
      const e = this.lookup(cur);
      if (!e) {
        out.push({ pid: cur, comm: '' });
        break;
      }
      const a: AncestorInfo = { pid: e.pid, comm: e.comm };
      if (e.exe !== undefined) a.exe = e.exe;
      if (e.argv !== undefined) a.argv = e.argv;
      out.push(a);
      cur = e.ppid;
    }
    return out;
  }

  private lookup(pid: number): ProcessEntry | undefined {
    const e = this.entries.get(pid);
    // No LRU touch: every event walks up to maxDepth ancestors, and re-inserting each into the Map
    // was the table's main cost in an exec storm. Eviction is by insertion (exec, fork or /proc
    // read) order instead; a long-lived process evicted that way is read back from /proc once.
    if (e) return e;
    if (!this.useProc || this.missing.has(pid)) return undefined;
    const r = this.readProc(pid);
    if (r) this.put(r);
    else {
      if (this.missing.size >= 4096) this.missing.clear();
      this.missing.add(pid);
    }
    return r;
  }

  private put(e: ProcessEntry): void {
    this.missing.delete(e.pid);
    this.entries.delete(e.pid);
    this.entries.set(e.pid, e);
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  private expire(): void {
    const now = this.now();
    while (this.exited.length) {
      const pid = this.exited[0]!;
      const e = this.entries.get(pid);
      if (e?.exitedAt !== undefined && now - e.exitedAt < this.graceMs) break;
      this.exited.shift();
      if (e?.exitedAt !== undefined) this.entries.delete(pid);
    }
    if (this.exited.length > this.maxEntries) this.exited.splice(0, this.exited.length - this.maxEntries);
  }

  private readLink(pid: number, what: string): string | undefined {
    try {
      return readlinkSync(`${this.proc}/${pid}/${what}`);
    } catch {
      return undefined;
    }
  }

  private readProc(pid: number): ProcessEntry | undefined {
    const st = readProcStat(pid, this.proc);
    if (!st) return undefined;
    const e: ProcessEntry = { pid, ppid: st.ppid, comm: st.comm };
    try {
      const raw = readFileSync(`${this.proc}/${pid}/cmdline`);
      if (raw.length) {
        const parts = raw.toString('utf8').split('\0');
        if (parts[parts.length - 1] === '') parts.pop();
        e.argv = clampArgv(parts);
      }
    } catch {
      // kernel threads and exited processes have no cmdline
    }
    const exe = this.readLink(pid, 'exe');
    if (exe !== undefined) e.exe = exe;
    const cwd = this.readLink(pid, 'cwd');
    if (cwd !== undefined) e.cwd = cwd;
    return e;
  }
}

function clampArgv(argv: string[] | undefined): string[] | undefined {
  if (!argv) return undefined;
  return argv.slice(0, MAX_ARGV).map((a) => (a.length > MAX_ARG_CHARS ? a.slice(0, MAX_ARG_CHARS) : a));
}
