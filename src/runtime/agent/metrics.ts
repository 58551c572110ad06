// The agent's counters and the exec-to-alert latency distribution. Latencies are kept in a fixed
// reservoir (the most recent N), so percentiles cost bounded memory on an agent that runs for months.
import type { SensorHealth } from '../event.ts';

export class LatencyReservoir {
  private readonly values: Float64Array;
  private next = 0;
  private count = 0;

  constructor(capacity = 10_000) {
    this.values = new Float64Array(Math.max(1, capacity));
  }

  add(ms: number): void {
    if (!Number.isFinite(ms)) return;
    this.values[this.next] = ms;
    this.next = (this.next + 1) % this.values.length;
    if (this.count < this.values.length) this.count++;
  }

  percentile(p: number): number | undefined {
    if (this.count === 0) return undefined;
    const sorted = Array.from(this.values.subarray(0, this.count)).sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
  }

  get size(): number {
    return this.count;
  }
}

export interface AgentMetrics {
  events: number;
  alerts: number;
  /** Alerts by source: rules, baseline. */
  ruleAlerts: number;
  baselineAlerts: number;
  /** Events the pipeline dropped (queue full while attribution was waiting on an engine). */
  dropped: number;
  /** Events the sensor reported lost or dropped by sampling. */
  sensorLost: number;
  sensorDropped: number;
  sensorRestarts: number;
  /** Events that made a pipeline stage throw (counted, the event goes on without that stage). */
  stageErrors: number;
  /** Live events that arrived after the reorder window had already released a later one. */
  reorderedLate: number;
  /** Events per type (execve, openat, ...). */
  eventsByType: Record<string, number>;
  /** Events whose container had to be looked up in an engine (the pipeline waited), and for how long in all. */
  attributionWaits: number;
  attributionWaitMs: number;
  responses: number;
  responseFailures: number;
  latencyMs: { p50?: number; p99?: number; max?: number; samples: number };
  outputs: Record<string, { written: number; dropped: number; errors: number; lastError?: string }>;
  sensor?: SensorHealth;
}
