// Puts live events back in kernel order. bpftrace delivers each CPU's perf buffer separately, so a
// child's fork/exec on one CPU can arrive before its parent's exec on another; the process table
// would then give the child the parent's old image as parent (seen live: "/bin/id (parent runc)"
// in a container whose shell had exec'd /bin/sh). Events are held for a short window and released
// in `ts` order once the monotonic clock is past ts + window. bpftrace's nsecs and Node's hrtime
// are both CLOCK_MONOTONIC, so the watermark needs no clock conversion. Events without ts pass
// straight through. Bounded: past maxPending everything held is released at once (in order).
export interface Timestamped {
  ts?: number;
}

export class ReorderBuffer<T extends Timestamped> {
  private pending: T[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly windowNs: number;
  private readonly tickMs: number;
  private readonly maxPending: number;
  private readonly emit: (e: T) => void;
  private readonly nowNs: () => number;
  /** Events released later than an event with a bigger ts (arrived after the window). */
  late = 0;
  private lastReleasedTs = 0;

  constructor(emit: (e: T) => void, opts: { windowMs?: number; maxPending?: number; nowNs?: () => number } = {}) {
    this.emit = emit;
    this.windowNs = (opts.windowMs ?? 20) * 1e6;
    this.tickMs = Math.max(1, Math.floor((opts.windowMs ?? 20) / 4));
    this.maxPending = opts.maxPending ?? 50_000;
    this.nowNs = opts.nowNs ?? (() => Number(process.hrtime.bigint()));
  }

  push(e: T): void {
    if (typeof e.ts !== 'number' || !Number.isFinite(e.ts)) {
      this.emit(e);
      return;
    }
    this.pending.push(e);
    if (this.pending.length >= this.maxPending) this.release(Infinity);
    else if (!this.timer) {
      this.timer = setInterval(() => this.release(this.nowNs() - this.windowNs), this.tickMs);
      this.timer.unref();
    }
  }

  /** Releases every held event with ts <= watermark, oldest first. */
  release(watermark: number): void {
    if (this.pending.length === 0) {
      if (this.timer) clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    const ready: T[] = [];
    const rest: T[] = [];
    for (const e of this.pending) (e.ts! <= watermark ? ready : rest).push(e);
    if (ready.length === 0) return;
    this.pending = rest;
    ready.sort((a, b) => a.ts! - b.ts!);
    for (const e of ready) {
      if (e.ts! < this.lastReleasedTs) this.late++;
      else this.lastReleasedTs = e.ts!;
      this.emit(e);
    }
  }

  /** Releases everything (stop). */
  flush(): void {
    this.release(Infinity);
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
