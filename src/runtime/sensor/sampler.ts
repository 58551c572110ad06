// Flood degradation between the parser and the consumer: a bounded queue drained in slices on the
// event loop. Below the high-water mark everything passes. Above it, low-priority events (process
// exit, fork/clone, file opens that only read) are sampled, 1 kept in `sampleEvery`; security-relevant
// events (exec, connect/listen/accept, writes, privilege, namespace, kernel) are still queued. At the
// hard bound everything new is dropped. Every drop is counted; memory never grows past the hard bound.
import type { RuntimeEvent } from '../event.ts';

export interface SamplerOptions {
  highWater?: number;
  hardBound?: number;
  /** Above the high-water mark, keep one low-priority event in this many. */
  sampleEvery?: number;
  /** Events handed to the consumer per event-loop turn. */
  sliceSize?: number;
}

/** Events the detection does not depend on one by one. */
export function isLowPriority(e: RuntimeEvent): boolean {
  if (e.type === 'procexit' || e.type === 'clone' || e.type === 'clone3' || e.type === 'fork' || e.type === 'vfork') return true;
  return e.category === 'file' && e.file?.write === false;
}

export class Sampler {
  readonly highWater: number;
  readonly hardBound: number;
  private readonly sampleEvery: number;
  private readonly sliceSize: number;
  private queue: RuntimeEvent[] = [];
  private head = 0;
  private scheduled = false;
  private lowSeen = 0;
  dropped = 0;
  /** Highest queue length seen (for benches and health). */
  peak = 0;
  private readonly consumer: (e: RuntimeEvent) => void;

  constructor(consumer: (e: RuntimeEvent) => void, opts: SamplerOptions = {}) {
    this.consumer = consumer;
    this.highWater = opts.highWater ?? 50_000;
    this.hardBound = Math.max(this.highWater, opts.hardBound ?? 200_000);
    this.sampleEvery = Math.max(1, opts.sampleEvery ?? 10);
    this.sliceSize = Math.max(1, opts.sliceSize ?? 2_000);
  }

  get length(): number {
    return this.queue.length - this.head;
  }

  push(e: RuntimeEvent): void {
    const n = this.length;
    if (n >= this.hardBound) {
      this.dropped++;
      return;
    }
    if (n >= this.highWater && isLowPriority(e) && this.lowSeen++ % this.sampleEvery !== 0) {
      this.dropped++;
      return;
    }
    this.queue.push(e);
    if (n + 1 > this.peak) this.peak = n + 1;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.drain);
    }
  }

  /** Hands every queued event to the consumer now (at stop). */
  flush(): void {
    while (this.length) this.deliver(this.length);
  }

  private readonly drain = (): void => {
    this.scheduled = false;
    this.deliver(this.sliceSize);
    if (this.length && !this.scheduled) {
      this.scheduled = true;
      setImmediate(this.drain);
    }
  };

  private deliver(max: number): void {
    const end = Math.min(this.queue.length, this.head + max);
    while (this.head < end) {
      const e = this.queue[this.head]!;
      this.queue[this.head++] = undefined as unknown as RuntimeEvent;
      try {
        this.consumer(e);
      } catch {
        // A consumer's bug must not stop the sensor; the agent's pipeline reports its own errors.
      }
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 65_536) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}
