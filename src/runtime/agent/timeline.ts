// The recent events of each container, so that an alert can show what led up to it. Bounded twice:
// a fixed ring per container and a fixed number of containers (least recently active evicted),
// whatever the event rate or container churn.
import type { RuntimeEvent } from '../event.ts';

export class Ring<T> {
  private readonly items: (T | undefined)[];
  private next = 0;
  private count = 0;
  readonly capacity: number;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.items = new Array<T | undefined>(Math.max(1, capacity));
  }

  push(item: T): void {
    this.items[this.next] = item;
    this.next = (this.next + 1) % this.items.length;
    if (this.count < this.items.length) this.count++;
  }

  /** Oldest first. */
  toArray(): T[] {
    const out: T[] = [];
    const start = (this.next - this.count + this.items.length) % this.items.length;
    for (let k = 0; k < this.count; k++) out.push(this.items[(start + k) % this.items.length]!);
    return out;
  }

  get size(): number {
    return this.count;
  }
}

export interface TimelineOptions {
  /** Events kept per container (default 32). */
  perContainer?: number;
  /** Containers tracked (default 2048). */
  containers?: number;
  /** Only events this recent (relative to the alert) go into an alert's timeline (default 60 s). */
  windowMs?: number;
}

export class Timelines {
  private readonly rings = new Map<string, Ring<RuntimeEvent>>();
  private readonly perContainer: number;
  private readonly maxContainers: number;
  private readonly windowMs: number;

  constructor(opts: TimelineOptions = {}) {
    this.perContainer = opts.perContainer ?? 32;
    this.maxContainers = opts.containers ?? 2048;
    this.windowMs = opts.windowMs ?? 60_000;
  }

  record(containerId: string, event: RuntimeEvent): void {
    let ring = this.rings.get(containerId);
    if (ring) this.rings.delete(containerId); // re-insert: Map order is the LRU order
    else {
      ring = new Ring<RuntimeEvent>(this.perContainer);
      if (this.rings.size >= this.maxContainers) this.rings.delete(this.rings.keys().next().value!);
    }
    this.rings.set(containerId, ring);
    ring.push(event);
  }

  /**
   * The container's recent events up to and including `event`, within the time window. Events are
   * copied without their own process ancestry and timeline-irrelevant bulk to keep alerts small.
   */
  around(containerId: string, event: RuntimeEvent): RuntimeEvent[] {
    const ring = this.rings.get(containerId);
    if (!ring) return [];
    const t = Date.parse(event.time);
    return ring
      .toArray()
      .filter((e) => Number.isNaN(t) || Math.abs(t - Date.parse(e.time)) <= this.windowMs || Number.isNaN(Date.parse(e.time)))
      .map((e) => {
        const { container: _c, ...rest } = e;
        const { ancestors: _a, ...proc } = e.process;
        return { ...rest, process: proc };
      });
  }

  forget(containerId: string): void {
    this.rings.delete(containerId);
  }
}
