// cgroup v2 id → cgroup path. bpftrace's `cgroup` builtin is the inode number of the task's
// directory in the unified hierarchy, so an index of that tree (inode → relative path) turns the
// sensor's number into a path the engines' naming conventions can be read from. The tree is walked
// on a miss (at most once per `minRefreshMs`, bounded in entries and depth), and directories where
// containers appear (/docker, /libpod_parent, the ctr namespace dirs ...) are watched with inotify so
// a new container's directory is usually indexed before its first event arrives.
import { existsSync, readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';

const MAX_ENTRIES = 200_000;
const MAX_DEPTH = 16;
const MAX_WATCHES = 64;
const CONTROL_FILE = /^(cgroup|cpu|cpuset|memory|io|pids|rdma|hugetlb|misc|freezer)\./;

/** Where the unified (v2) hierarchy is mounted: /sys/fs/cgroup on pure v2, /sys/fs/cgroup/unified on hybrid. */
export function defaultCgroupRoot(): string {
  if (existsSync('/sys/fs/cgroup/cgroup.controllers')) return '/sys/fs/cgroup';
  return '/sys/fs/cgroup/unified';
}

export class CgroupIndex {
  readonly root: string;
  private readonly byInode = new Map<number, string>();
  private lastRefresh = 0;
  private readonly minRefreshMs: number;
  private readonly watchers = new Map<string, FSWatcher>();
  refreshes = 0;
  truncated = false;

  constructor(opts: { root?: string; minRefreshMs?: number } = {}) {
    this.root = opts.root ?? defaultCgroupRoot();
    this.minRefreshMs = opts.minRefreshMs ?? 250;
  }

  /** Path (relative to the root, starting with "/") of the cgroup with this inode, if indexed. */
  get(inode: number): string | undefined {
    return this.byInode.get(inode);
  }

  /** Like get(), walking the tree again on a miss unless that was done less than minRefreshMs ago. */
  lookup(inode: number): string | undefined {
    const hit = this.byInode.get(inode);
    if (hit !== undefined) return hit;
    if (Date.now() - this.lastRefresh < this.minRefreshMs) return undefined;
    this.refresh();
    return this.byInode.get(inode);
  }

  /** Records a path learned elsewhere (/proc/<pid>/cgroup) after checking its inode. */
  learn(path: string): number | undefined {
    try {
      const st = statSync(join(this.root, path));
      if (!st.isDirectory()) return undefined;
      this.byInode.set(st.ino, path);
      return st.ino;
    } catch {
      return undefined;
    }
  }

  forget(path: string): void {
    for (const [ino, p] of this.byInode) if (p === path || p.startsWith(path + '/')) this.byInode.delete(ino);
  }

  refresh(): void {
    this.lastRefresh = Date.now();
    this.refreshes++;
    this.byInode.clear();
    this.truncated = false;
    const stack: Array<[string, number]> = [['/', 0]];
    while (stack.length) {
      const [rel, depth] = stack.pop()!;
      const abs = rel === '/' ? this.root : join(this.root, rel);
      let ino: number;
      try {
        ino = statSync(abs).ino;
      } catch {
        continue; // removed while walking
      }
      this.byInode.set(ino, rel);
      if (this.byInode.size >= MAX_ENTRIES) {
        this.truncated = true;
        return;
      }
      if (depth >= MAX_DEPTH) continue;
      let names: string[];
      try {
        names = readdirSync(abs, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
      } catch {
        continue;
      }
      for (const n of names) stack.push([rel === '/' ? `/${n}` : `${rel}/${n}`, depth + 1]);
    }
  }

  /** Watches `rel` for new child directories (inotify on cgroupfs reports mkdir), bounded in number. */
  watchDir(rel: string): void {
    if (this.watchers.has(rel) || this.watchers.size >= MAX_WATCHES) return;
    try {
      const w = watch(join(this.root, rel), { persistent: false }, (_type, name) => {
        // Control files (cgroup.procs, memory.max ...) also report changes; only directories matter.
        if (typeof name === 'string' && name && !CONTROL_FILE.test(name)) this.learn(rel === '/' ? `/${name}` : `${rel}/${name}`);
      });
      w.on('error', () => this.unwatch(rel));
      this.watchers.set(rel, w);
    } catch {
      // not watchable (gone, or inotify limits): misses still refresh the index
    }
  }

  private unwatch(rel: string): void {
    this.watchers.get(rel)?.close();
    this.watchers.delete(rel);
  }

  close(): void {
    for (const rel of [...this.watchers.keys()]) this.unwatch(rel);
  }

  get size(): number {
    return this.byInode.size;
  }
}
