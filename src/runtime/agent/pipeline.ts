// The agent's pipeline: sensor → process table → container attribution → timeline → Falco rules and
// baselines → alerts (process tree, timeline) → response → outputs. Events are handled in arrival
// order, synchronously while every stage is synchronous (the common case: attribution is cached);
// when attribution has to ask an engine, later events queue behind it, and the queue is bounded:
// past it, events are dropped and counted, never held without limit.
import type { Alert, AncestorInfo, ResponseAction, RuntimeEvent, Sensor } from '../event.ts';
import { deviationAlert, type Deviation } from '../baseline/manager.ts';
import type { Output, OutputRecord } from '../output/output.ts';
import type { Attributor, BaselineObserver, ProcessEnricher, ResponseExecutor, RuleEvaluator } from './components.ts';
import { LatencyReservoir, type AgentMetrics } from './metrics.ts';
import { ALERT_ONLY, decideAction, type ResponsePolicy } from './response-policy.ts';
import { ReorderBuffer } from './reorder.ts';
import { Timelines, type TimelineOptions } from './timeline.ts';

export interface AgentOptions {
  sensor: Sensor;
  outputs: Output[];
  processes?: ProcessEnricher;
  attributor?: Attributor;
  rules?: RuleEvaluator;
  baselines?: BaselineObserver;
  responder?: ResponseExecutor;
  responsePolicy?: ResponsePolicy;
  /** Also write every event (not only alerts) to the outputs. */
  emitEvents?: boolean;
  timeline?: TimelineOptions;
  /** Events waiting behind an asynchronous stage before new ones are dropped (default 100,000). */
  maxQueue?: number;
  /** Write a metrics record to the outputs this often (0 = only at stop; default 60 s). */
  metricsIntervalMs?: number;
  /**
   * Hold live events this long to put them back in kernel order (bpftrace's per-CPU buffers
   * interleave); 0 = off (replays are already in order). Default 0; the CLI uses 20 ms live.
   */
  reorderWindowMs?: number;
  /** Called with every attributed event (the network map); exceptions count as stage errors. */
  observers?: ((event: RuntimeEvent) => void)[];
  /** Called for every alert after it was written (tests, the CLI's counters). */
  onAlert?: (alert: Alert) => void;
  /** Diagnostics (stage errors, response failures): stderr in the CLI. */
  log?: (message: string) => void;
}

const MAX_ANCESTORS = 16;

export class Agent {
  private readonly o: AgentOptions;
  private readonly timelines: Timelines;
  private readonly latency = new LatencyReservoir();
  private readonly queue: RuntimeEvent[] = [];
  private draining = false;
  private idle: (() => void)[] = [];
  private metricsTimer: NodeJS.Timeout | undefined;
  private readonly pendingResponses = new Set<Promise<void>>();
  private stopped = false;
  private readonly m = { events: 0, alerts: 0, ruleAlerts: 0, baselineAlerts: 0, dropped: 0, stageErrors: 0, responses: 0, responseFailures: 0, attributionWaits: 0, attributionWaitMs: 0 };
  private lastStageError = new Map<string, number>();
  private readonly reorder: ReorderBuffer<RuntimeEvent> | undefined;
  private readonly byType = new Map<string, number>();

  constructor(opts: AgentOptions) {
    this.o = opts;
    this.timelines = new Timelines(opts.timeline);
    if (opts.reorderWindowMs && opts.reorderWindowMs > 0) this.reorder = new ReorderBuffer((e) => this.enqueue(e), { windowMs: opts.reorderWindowMs, maxPending: opts.maxQueue });
  }

  async start(): Promise<void> {
    await this.o.sensor.start((e) => this.accept(e));
    const every = this.o.metricsIntervalMs ?? 60_000;
    if (every > 0) {
      this.metricsTimer = setInterval(() => this.writeAll({ kind: 'agent', time: new Date().toISOString(), type: 'metrics', metrics: this.metrics() }), every);
      this.metricsTimer.unref();
    }
  }

  /** The sensor's emit callback. */
  accept(event: RuntimeEvent): void {
    if (this.stopped) return;
    if (this.reorder) this.reorder.push(event);
    else this.enqueue(event);
  }

  private enqueue(event: RuntimeEvent): void {
    if (this.queue.length >= (this.o.maxQueue ?? 100_000)) {
      this.m.dropped++;
      return;
    }
    this.queue.push(event);
    if (!this.draining) void this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      // Index walk, then one splice: shift() per event is quadratic on a long queue.
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.queue.length);
        for (const e of batch) {
          const pending = this.process(e);
          if (pending) await pending;
        }
      }
    } finally {
      this.draining = false;
      for (const w of this.idle.splice(0)) w();
    }
  }

  /** Runs one event through every stage; returns a promise only when a stage went asynchronous. */
  process(event: RuntimeEvent): Promise<void> | void {
    this.m.events++;
    // Syscall names are a small fixed vocabulary; the cap keeps junk types from a replay bounded.
    const t = this.byType.get(event.type);
    if (t !== undefined) this.byType.set(event.type, t + 1);
    else if (this.byType.size < 256) this.byType.set(event.type, 1);
    if (event.category === 'agent' || event.source === 'agent') {
      this.writeAll({ kind: 'agent', time: event.time, type: event.type, ...(event.args ?? {}), event });
      return;
    }
    this.stage('process table', () => this.o.processes?.enrich(event));
    let attributed: void | Promise<void> = undefined;
    try {
      attributed = this.o.attributor?.attribute(event);
    } catch (e) {
      this.stageError('attribution', e);
    }
    if (attributed && typeof (attributed as Promise<void>).then === 'function') {
      // Later events wait behind this one (order matters to the process table and baselines).
      this.m.attributionWaits++;
      const t0 = performance.now();
      return (attributed as Promise<void>).then(
        () => {
          this.m.attributionWaitMs += performance.now() - t0;
          this.afterAttribution(event);
        },
        (e) => {
          this.stageError('attribution', e);
          this.afterAttribution(event);
        },
      );
    }
    this.afterAttribution(event);
  }

  private afterAttribution(event: RuntimeEvent): void {
    const cid = event.container?.id ?? 'unknown';
    this.timelines.record(cid, event);
    if (this.o.emitEvents) this.writeAll({ kind: 'event', ...event });
    if (this.o.observers) for (const obs of this.o.observers) this.stage('observer', () => obs(event));
    const hits = this.stage('rules', () => this.o.rules?.evaluate(event)) ?? [];
    for (const h of hits) {
      this.raise(
        { time: event.time, rule: h.rule, priority: h.priority, output: h.output, tags: h.tags, source: 'rules', container: containerOf(event), event, outputFields: h.outputFields },
        undefined,
      );
    }
    const devs = this.stage('baselines', () => this.o.baselines?.observe(event)) ?? [];
    for (const d of devs) this.raise(deviationAlert(d), d);
  }

  private raise(alert: Alert, deviation: Deviation | undefined): void {
    const event = alert.event;
    alert.processTree = processTree(event);
    alert.timeline = this.timelines.around(alert.container.id, event);
    if (alert.source === 'rules') this.m.ruleAlerts++;
    else this.m.baselineAlerts++;
    this.m.alerts++;
    // Alerts carry the event's time (as Falco's do); the latency is measured against the wall clock.
    const latency = Date.now() - Date.parse(event.time);
    if (Number.isFinite(latency)) this.latency.add(latency);
    const action: ResponseAction = decideAction(this.o.responsePolicy ?? ALERT_ONLY, alert, deviation);
    if (action === 'alert' || !this.o.responder) {
      if (action !== 'alert') alert.response = { action, ok: false, error: 'no responder configured' };
      this.emitAlert(alert);
      return;
    }
    // The alert goes out once the action is done, so it says whether the action worked.
    this.m.responses++;
    const p = this.o.responder
      .execute(action, alert)
      .then(
        (r) => (alert.response = { action, ok: r.ok, ...(r.error ? { error: r.error } : {}) }),
        (e) => (alert.response = { action, ok: false, error: (e as Error).message }),
      )
      .then(() => {
        if (!alert.response?.ok) {
          this.m.responseFailures++;
          this.o.log?.(`response ${action} for "${alert.rule}" in ${alert.container.id.slice(0, 12)} failed: ${alert.response?.error ?? 'unknown'}`);
        }
        this.emitAlert(alert);
      })
      .finally(() => this.pendingResponses.delete(p));
    this.pendingResponses.add(p);
  }

  private emitAlert(alert: Alert): void {
    this.writeAll({ kind: 'alert', ...alert });
    try {
      this.o.onAlert?.(alert);
    } catch (e) {
      this.stageError('onAlert', e);
    }
  }

  private writeAll(record: OutputRecord): void {
    for (const out of this.o.outputs) out.write(record);
  }

  private stage<T>(name: string, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (e) {
      this.stageError(name, e);
      return undefined;
    }
  }

  private stageError(name: string, e: unknown): void {
    this.m.stageErrors++;
    // One line per stage per 10 s: a stage failing on every event must not flood stderr.
    const now = Date.now();
    if (now - (this.lastStageError.get(name) ?? 0) > 10_000) {
      this.lastStageError.set(name, now);
      this.o.log?.(`${name}: ${(e as Error)?.message ?? String(e)}`);
    }
  }

  metrics(): AgentMetrics {
    const h = this.o.sensor.health();
    const outputs: AgentMetrics['outputs'] = {};
    for (const out of this.o.outputs) outputs[out.name] = out.stats();
    return {
      ...this.m,
      reorderedLate: this.reorder?.late ?? 0,
      eventsByType: Object.fromEntries(this.byType),
      sensorLost: h.lost,
      sensorDropped: h.dropped,
      sensorRestarts: h.restarts,
      latencyMs: { p50: this.latency.percentile(50), p99: this.latency.percentile(99), max: this.latency.percentile(100), samples: this.latency.size },
      outputs,
      sensor: h,
    };
  }

  /** Resolves once every queued event went through the pipeline and every response finished. */
  async settle(): Promise<void> {
    if (this.draining) await new Promise<void>((r) => this.idle.push(r));
    while (this.pendingResponses.size > 0) await Promise.allSettled([...this.pendingResponses]);
  }

  /** SIGTERM path: stop the sensor (it flushes its last events), drain, write metrics, flush and close outputs. */
  async stop(): Promise<AgentMetrics> {
    if (this.metricsTimer) clearInterval(this.metricsTimer);
    try {
      await this.o.sensor.stop();
    } catch (e) {
      this.o.log?.(`sensor stop: ${(e as Error).message}`);
    }
    this.reorder?.flush();
    await this.settle();
    this.stopped = true;
    const metrics = this.metrics();
    this.writeAll({ kind: 'agent', time: new Date().toISOString(), type: 'metrics', final: true, metrics });
    await Promise.allSettled(this.o.outputs.map((o) => o.close()));
    return metrics;
  }
}

function containerOf(event: RuntimeEvent): Alert['container'] {
  const c = event.container;
  if (!c) return { id: 'unknown' };
  return { id: c.id, name: c.name, image: c.image, ...(c.imageDigest ? { imageDigest: c.imageDigest } : {}), ...(c.k8s ? { k8s: c.k8s } : {}) };
}

function processTree(event: RuntimeEvent): AncestorInfo[] {
  const p = event.process;
  const self: AncestorInfo = { pid: p.pid, comm: p.comm, ...(p.exe ? { exe: p.exe } : {}), ...(p.argv ? { argv: p.argv } : {}) };
  return [self, ...(p.ancestors ?? []).slice(0, MAX_ANCESTORS)];
}
