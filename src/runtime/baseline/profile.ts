// One learned baseline: the normal behaviour of every container running one image (by digest),
// its mode, and the times that drive automatic promotion. Every set is bounded; what did not fit
// is counted (overflow) so that a saturated baseline is visible rather than silently permissive.
import type { ResponseAction } from '../event.ts';
import type { Behaviour, BehaviourKind } from './behaviour.ts';
import { PathSet } from './paths.ts';

export type BaselineMode = 'learning' | 'monitor' | 'protect';
export const BASELINE_MODES: readonly BaselineMode[] = ['learning', 'monitor', 'protect'];

export interface BaselineLimits {
  /** Distinct (exe, parent) pairs. */
  processes: number;
  listen: number;
  connect: number;
  fileWrites: number;
  /** Entries below one directory before they collapse into DIR/** (see paths.ts). */
  filesPerDir: number;
  /** Workload keys remembered per baseline. */
  workloads: number;
}

export const DEFAULT_LIMITS: BaselineLimits = { processes: 512, listen: 128, connect: 512, fileWrites: 256, filesPerDir: 16, workloads: 32 };

export interface ImageIdentity {
  ref?: string;
  digest?: string;
  id?: string;
}

export interface BaselineTimes {
  created: number;
  /** Start of the learning window (first event, or the last relearn). */
  learningStarted: number;
  /** Last time learning added something (drives the quiet period). */
  lastNewBehaviour: number;
  lastSeen: number;
  modeChanged: number;
}

export class Baseline {
  readonly key: string;
  image: ImageIdentity;
  mode: BaselineMode = 'learning';
  /** Response in protect mode; undefined = the manager's default. */
  response?: Exclude<ResponseAction, 'alert'>;
  readonly workloads = new Set<string>();
  /** Key of the baseline that replaced this one for one of its workloads (a new image). */
  supersededBy?: string;
  times: BaselineTimes;
  /** exe → parents ('' = parent unknown when learned: any parent matches). */
  readonly processes = new Map<string, Set<string>>();
  readonly listen = new Set<string>();
  readonly connect = new Set<string>();
  readonly fileWrites: PathSet;
  readonly overflow: Record<BehaviourKind, number> = { process: 0, listen: 0, connect: 0, 'file-write': 0 };
  readonly limits: BaselineLimits;
  /** Changed since the last save. */
  dirty = true;

  constructor(key: string, image: ImageIdentity, now: number, limits: BaselineLimits = DEFAULT_LIMITS) {
    this.key = key;
    this.image = image;
    this.limits = limits;
    this.times = { created: now, learningStarted: now, lastNewBehaviour: now, lastSeen: now, modeChanged: now };
    this.fileWrites = new PathSet(limits.fileWrites, limits.filesPerDir);
  }

  get processCount(): number {
    let n = 0;
    for (const s of this.processes.values()) n += s.size;
    return n;
  }

  has(b: Behaviour): boolean {
    switch (b.kind) {
      case 'process': {
        const parents = this.processes.get(b.key);
        if (!parents) return false;
        // An unknown parent on either side cannot contradict the baseline.
        return !b.parent || parents.has(b.parent) || parents.has('');
      }
      case 'listen':
        return this.listen.has(b.key);
      case 'connect':
        return this.connect.has(b.key);
      case 'file-write':
        return this.fileWrites.has(b.key);
    }
  }

  /** Adds a behaviour; true when it was new and fitted. */
  learn(b: Behaviour): boolean {
    if (this.has(b)) return false;
    let added = false;
    switch (b.kind) {
      case 'process': {
        const parents = this.processes.get(b.key);
        if (this.processCount >= this.limits.processes) break;
        if (parents) parents.add(b.parent ?? '');
        else this.processes.set(b.key, new Set([b.parent ?? '']));
        added = true;
        break;
      }
      case 'listen':
        if (this.listen.size < this.limits.listen) { this.listen.add(b.key); added = true; }
        break;
      case 'connect':
        if (this.connect.size < this.limits.connect) { this.connect.add(b.key); added = true; }
        break;
      case 'file-write':
        // The path set aggregates (paths.ts): false here means it was full and could not merge.
        added = this.fileWrites.add(b.key);
        break;
    }
    if (!added) this.overflow[b.kind]++;
    else this.dirty = true;
    return added;
  }

  setMode(mode: BaselineMode, now: number): void {
    if (mode === this.mode) return;
    this.mode = mode;
    this.times.modeChanged = now;
    if (mode === 'learning') {
      this.times.learningStarted = now;
      this.times.lastNewBehaviour = now;
    }
    this.dirty = true;
  }

  addWorkload(key: string): void {
    if (this.workloads.has(key) || this.workloads.size >= this.limits.workloads) return;
    this.workloads.add(key);
    this.dirty = true;
  }

  summary(): { key: string; image: ImageIdentity; mode: BaselineMode; processes: number; listen: number; connect: number; fileWrites: number } {
    return { key: this.key, image: this.image, mode: this.mode, processes: this.processCount, listen: this.listen.size, connect: this.connect.size, fileWrites: this.fileWrites.entries.size };
  }
}
