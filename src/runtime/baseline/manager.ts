// BaselineManager: one baseline per image (digest, else image id, else reference; never the host),
// learning → monitor → protect, deviations de-duplicated per container.
//
// Time is the events' own time (replays of recordings behave like the live run), falling back to
// the clock for events without a usable time; a baseline's clock never goes backwards.
//   learning  every new behaviour is added; no deviations.
//   monitor   new behaviour is a deviation with action 'alert'; the baseline does not change.
//   protect   the same with the configured response (kill / pause / stop).
// Automatic promotion learning → monitor: once `learningWindowMs` has passed since learning
// started AND nothing new was learned for `quietPeriodMs`. protect is only ever set by hand.
// A workload (k8s owner / compose service / container name) that starts running a different image
// gets that image's baseline — a new one starts in learning — and the old baseline is kept, marked
// supersededBy, up to `keepPerWorkload` old images per workload.
import type { Alert, ContainerInfo, ResponseAction, RuntimeEvent } from '../event.ts';
import { workloadOf } from '../netmap/identity.ts';
import { extractBehaviour, isInbound, type BehaviourKind, type ExtractOptions } from './behaviour.ts';
import { Baseline, DEFAULT_LIMITS, type BaselineLimits, type BaselineMode } from './profile.ts';
import { exportBaselineYaml, importBaselineYaml } from './yaml.ts';

export interface BaselineOptions extends ExtractOptions {
  /** Minimum learning time (default 1 h). */
  learningWindowMs?: number;
  /** Promotion needs this long without new behaviour (default 10 min). */
  quietPeriodMs?: number;
  /** Promote to monitor automatically (default true). */
  autoPromote?: boolean;
  /** A deviation is reported once per container and behaviour within this window (default 1 h). */
  dedupWindowMs?: number;
  /** Action in protect mode unless the baseline sets its own (default kill). */
  protectResponse?: Exclude<ResponseAction, 'alert'>;
  /** Most baselines kept (default 1,000); the least recently seen superseded ones go first. */
  maxBaselines?: number;
  /** Old images' baselines kept per workload (default 3). */
  keepPerWorkload?: number;
  limits?: Partial<BaselineLimits>;
  /** Milliseconds since the epoch; default Date.now. */
  clock?: () => number;
}

export interface Deviation {
  kind: BehaviourKind;
  /** Human-readable: "/usr/bin/curl (parent /bin/sh)", "connect to 1.2.3.4:443/tcp". */
  what: string;
  /** One sentence for the alert's output (the agent pipeline's BaselineDeviation.description). */
  description: string;
  /** Alert priority: WARNING in monitor, CRITICAL in protect. */
  priority: string;
  imageDigest?: string;
  /** The behaviour's canonical key as stored in baselines. */
  key: string;
  /** The baseline (image key) it deviates from. */
  baseline: string;
  mode: Exclude<BaselineMode, 'learning'>;
  /** Suggested response: alert in monitor, the configured action in protect. */
  action: ResponseAction;
  container: ContainerInfo;
  event: RuntimeEvent;
}

const MAX_DEDUP = 20_000;
const MAX_WORKLOADS = 20_000;

/** The image key a container's baseline is stored under; undefined for the host or unknown images. */
export function baselineKeyOf(c: ContainerInfo | undefined): string | undefined {
  if (!c || typeof c !== 'object' || c.id === 'host' || c.runtime === 'host') return undefined;
  for (const v of [c.imageDigest, c.imageId, c.image]) if (typeof v === 'string' && v.length > 0 && v.length <= 512) return v;
  return undefined;
}

export class BaselineManager {
  private readonly baselines = new Map<string, Baseline>();
  /** workload key → image keys it ran, oldest first (bounded). */
  private readonly history = new Map<string, string[]>();
  /** `${container}\0${kind}\0${key}` → time reported (insertion order = age). */
  private readonly reported = new Map<string, number>();
  private readonly opts: Required<Omit<BaselineOptions, 'peerOf' | 'externalPrefixV4' | 'externalPrefixV6' | 'limits'>> & ExtractOptions;
  private readonly limits: BaselineLimits;
  /** Deviations suppressed as duplicates (metric). */
  suppressed = 0;

  constructor(opts: BaselineOptions = {}) {
    this.opts = {
      learningWindowMs: opts.learningWindowMs ?? 3_600_000,
      quietPeriodMs: opts.quietPeriodMs ?? 600_000,
      autoPromote: opts.autoPromote ?? true,
      dedupWindowMs: opts.dedupWindowMs ?? 3_600_000,
      protectResponse: opts.protectResponse ?? 'kill',
      maxBaselines: Math.max(1, opts.maxBaselines ?? 1000),
      keepPerWorkload: Math.max(0, opts.keepPerWorkload ?? 3),
      clock: opts.clock ?? Date.now,
      peerOf: opts.peerOf,
      externalPrefixV4: opts.externalPrefixV4,
      externalPrefixV6: opts.externalPrefixV6,
    };
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
  }

  get(key: string): Baseline | undefined {
    return this.baselines.get(key);
  }

  list(): Baseline[] {
    return [...this.baselines.values()];
  }

  /** The baseline for a container (created in learning on first sight). */
  baselineFor(c: ContainerInfo, now: number): Baseline | undefined {
    const key = baselineKeyOf(c);
    if (!key) return undefined;
    let b = this.baselines.get(key);
    if (!b) {
      b = new Baseline(key, imageOf(c), now, this.limits);
      this.baselines.set(key, b);
    } else if (!b.image.ref && c.image) {
      b.image = { ...b.image, ...imageOf(c) };
    }
    const w = workloadOf(c);
    if (w) this.noteWorkload(w.key, b);
    this.evict();
    return b;
  }

  observe(event: RuntimeEvent): Deviation[] {
    if (!event || typeof event !== 'object') return [];
    const c = event.container;
    if (!c || !baselineKeyOf(c)) return [];
    const now = this.timeOf(event);
    const b = this.baselineFor(c, now)!;
    b.times.lastSeen = Math.max(b.times.lastSeen, now);
    this.maybePromote(b, now);
    if (isInbound(event)) return [];
    const beh = extractBehaviour(event, this.opts);
    if (!beh) return [];
    if (b.mode === 'learning') {
      if (b.learn(beh)) b.times.lastNewBehaviour = Math.max(b.times.lastNewBehaviour, now);
      return [];
    }
    if (b.has(beh)) return [];
    const dedup = `${c.id}\0${beh.kind}\0${beh.key}`;
    const last = this.reported.get(dedup);
    if (last !== undefined && now - last < this.opts.dedupWindowMs) {
      this.suppressed++;
      return [];
    }
    this.reported.delete(dedup);
    this.reported.set(dedup, now);
    if (this.reported.size > MAX_DEDUP) this.reported.delete(this.reported.keys().next().value!);
    const action: ResponseAction = b.mode === 'protect' ? (b.response ?? this.opts.protectResponse) : 'alert';
    const d: Deviation = {
      kind: beh.kind, what: beh.what, key: beh.key, baseline: b.key, mode: b.mode, action, container: c, event,
      description: `Baseline deviation (${b.mode}): ${beh.what} in container ${c.name ?? c.id} (image ${c.image ?? b.key})`,
      priority: PRIORITY[action],
    };
    if (c.imageDigest) d.imageDigest = c.imageDigest;
    return [d];
  }

  /** Applies automatic promotion to every baseline (call periodically when events are rare). */
  tick(now = this.opts.clock()): BaselineMode[] {
    return this.list().map((b) => (this.maybePromote(b, now), b.mode));
  }

  /** Manual mode change (protect is only reached this way); back to learning restarts the window. */
  setMode(key: string, mode: BaselineMode, response?: Exclude<ResponseAction, 'alert'>): Baseline {
    const b = this.baselines.get(key);
    if (!b) throw new Error(`no baseline for ${key}`);
    b.setMode(mode, this.opts.clock());
    if (response) b.response = response;
    return b;
  }

  exportYaml(key: string): string {
    const b = this.baselines.get(key);
    if (!b) throw new Error(`no baseline for ${key}`);
    return exportBaselineYaml(b);
  }

  /** Imports (and replaces) a baseline; throws BaselineFormatError naming `file` and the path. */
  importYaml(text: string, file: string): Baseline {
    const b = importBaselineYaml(text, file, this.limits, this.opts.clock());
    b.dirty = true;
    this.add(b);
    return b;
  }

  /** Adds a loaded baseline (replacing one with the same key). */
  add(b: Baseline): void {
    this.baselines.set(b.key, b);
    for (const w of b.workloads) {
      const h = this.history.get(w) ?? [];
      if (!h.includes(b.key)) {
        // A superseded baseline goes before the ones that replaced it.
        if (b.supersededBy) h.unshift(b.key);
        else h.push(b.key);
      }
      this.history.set(w, h);
    }
    this.evict();
  }

  private timeOf(event: RuntimeEvent): number {
    const t = typeof event.time === 'string' ? Date.parse(event.time) : NaN;
    return Number.isFinite(t) ? t : this.opts.clock();
  }

  private maybePromote(b: Baseline, now: number): void {
    if (b.mode !== 'learning' || !this.opts.autoPromote) return;
    if (now - b.times.learningStarted >= this.opts.learningWindowMs && now - b.times.lastNewBehaviour >= this.opts.quietPeriodMs) b.setMode('monitor', now);
  }

  private noteWorkload(workload: string, b: Baseline): void {
    b.addWorkload(workload);
    let h = this.history.get(workload);
    if (!h) {
      if (this.history.size >= MAX_WORKLOADS) this.history.delete(this.history.keys().next().value!);
      this.history.set(workload, (h = []));
    }
    // Already known (a replica still on the old image during a rollout, a rollback): no change.
    if (h.includes(b.key)) return;
    const current = h[h.length - 1];
    if (current !== undefined) {
      const old = this.baselines.get(current);
      if (old) {
        old.supersededBy = b.key;
        old.dirty = true;
      }
    }
    h.push(b.key);
    // Old images beyond the bound are forgotten unless another workload still runs them.
    while (h.length > this.opts.keepPerWorkload + 1) {
      const gone = h.shift()!;
      if (![...this.history.values()].some((o) => o !== h && o[o.length - 1] === gone)) this.baselines.delete(gone);
    }
  }

  private evict(): void {
    if (this.baselines.size <= this.opts.maxBaselines) return;
    const order = this.list().sort((a, c) => Number(!!c.supersededBy) - Number(!!a.supersededBy) || a.times.lastSeen - c.times.lastSeen);
    for (const b of order) {
      if (this.baselines.size <= this.opts.maxBaselines) break;
      this.baselines.delete(b.key);
    }
  }
}

function imageOf(c: ContainerInfo): { ref?: string; digest?: string; id?: string } {
  const out: { ref?: string; digest?: string; id?: string } = {};
  if (typeof c.image === 'string' && c.image) out.ref = c.image;
  if (typeof c.imageDigest === 'string' && c.imageDigest) out.digest = c.imageDigest;
  if (typeof c.imageId === 'string' && c.imageId) out.id = c.imageId;
  return out;
}

const PRIORITY: Record<ResponseAction, string> = { alert: 'WARNING', kill: 'CRITICAL', pause: 'CRITICAL', stop: 'CRITICAL' };

/** The alert a deviation becomes (rule `baseline:<kind>`); the agent adds process tree and timeline. */
export function deviationAlert(d: Deviation): Alert {
  const c = d.container;
  const container: Alert['container'] = { id: c.id };
  if (c.name) container.name = c.name;
  if (c.image) container.image = c.image;
  if (c.imageDigest) container.imageDigest = c.imageDigest;
  if (c.k8s) container.k8s = c.k8s;
  return {
    time: d.event.time,
    rule: `baseline:${d.kind}`,
    priority: d.priority,
    output: d.description,
    tags: ['baseline', d.kind],
    source: 'baseline',
    container,
    event: d.event,
    outputFields: { 'baseline.kind': d.kind, 'baseline.what': d.what, 'baseline.key': d.baseline, 'baseline.mode': d.mode, 'baseline.action': d.action },
  };
}
