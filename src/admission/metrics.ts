// A small Prometheus registry: counters and gauges with labels, one histogram, rendered in the text
// exposition format (version 0.0.4). Hand-written because the webhook needs five metrics, and a
// client library would bring a default registry, process collectors and more than we use.

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const escapeHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const num = (n: number) => (Number.isFinite(n) ? String(n) : n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN');

/** Label values → series; the number of series is bounded so that hostile label values cannot grow it. */
const MAX_SERIES = 10_000;

abstract class Metric {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  constructor(name: string, help: string, labelNames: readonly string[]) {
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
  }
  protected labelText(values: readonly string[], extra = ''): string {
    const parts = this.labelNames.map((n, i) => `${n}="${escapeLabel(values[i] ?? '')}"`);
    if (extra) parts.push(extra);
    return parts.length ? `{${parts.join(',')}}` : '';
  }
  abstract render(): string;
}

export class Counter extends Metric {
  #series = new Map<string, { labels: string[]; value: number }>();
  inc(labels: readonly string[] = [], by = 1): void {
    const key = labels.join('\u0000');
    let s = this.#series.get(key);
    if (!s) {
      if (this.#series.size >= MAX_SERIES) return;
      s = { labels: [...labels], value: 0 };
      this.#series.set(key, s);
    }
    s.value += by;
  }
  get(labels: readonly string[] = []): number {
    return this.#series.get(labels.join('\u0000'))?.value ?? 0;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} counter`];
    for (const s of this.#series.values()) lines.push(`${this.name}${this.labelText(s.labels)} ${num(s.value)}`);
    return lines.join('\n');
  }
}

export class Gauge extends Metric {
  #value = 0;
  #fn: (() => number) | undefined;
  constructor(name: string, help: string, fn?: () => number) {
    super(name, help, []);
    this.#fn = fn;
  }
  set(v: number): void {
    this.#value = v;
  }
  inc(by = 1): void {
    this.#value += by;
  }
  get value(): number {
    return this.#fn ? this.#fn() : this.#value;
  }
  render(): string {
    return [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} gauge`, `${this.name} ${num(this.value)}`].join('\n');
  }
}

export class Histogram extends Metric {
  readonly buckets: readonly number[];
  #counts: Float64Array;
  #sum = 0;
  #count = 0;
  constructor(name: string, help: string, buckets: readonly number[]) {
    super(name, help, []);
    this.buckets = [...buckets].sort((a, b) => a - b);
    this.#counts = new Float64Array(this.buckets.length);
  }
  observe(v: number): void {
    this.#sum += v;
    this.#count++;
    for (let i = 0; i < this.buckets.length; i++) if (v <= this.buckets[i]!) this.#counts[i]!++;
  }
  get count(): number {
    return this.#count;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} histogram`];
    this.buckets.forEach((b, i) => lines.push(`${this.name}_bucket{le="${num(b)}"} ${this.#counts[i]}`));
    lines.push(`${this.name}_bucket{le="+Inf"} ${this.#count}`, `${this.name}_sum ${this.#sum}`, `${this.name}_count ${this.#count}`);
    return lines.join('\n');
  }
}

export class Registry {
  #metrics: Metric[] = [];
  add<T extends Metric>(m: T): T {
    this.#metrics.push(m);
    return m;
  }
  render(): string {
    return `${this.#metrics.map((m) => m.render()).join('\n')}\n`;
  }
}

/** The webhook's metrics. */
export function webhookMetrics() {
  const r = new Registry();
  return {
    registry: r,
    requests: r.add(new Counter('triad_admission_requests_total', 'Admission reviews answered, by result (allowed, warned, denied, skipped: exempt namespace, failed_open / failed_closed: failure policy answers).', ['result'])),
    verdicts: r.add(new Counter('triad_admission_verdicts_total', 'Policy verdicts, by policy, action and result (pass, fail, error, exempt).', ['policy', 'action', 'result'])),
    latency: r.add(new Histogram('triad_admission_request_duration_seconds', 'Time from the end of the request body to the response, in seconds.', [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10])),
    evaluations: r.add(new Counter('triad_admission_evaluations_total', 'Reviews evaluated, by where: inline (on the HTTPS thread, within a short deadline), thread (an evaluator thread), inline_overrun (an inline evaluation passed its deadline and went to an evaluator thread).', ['where'])),
    failures: r.add(new Counter('triad_admission_failures_total', 'Reviews answered by the failure policy, by reason (malformed, api_version, no_request, too_large, invalid_input, timeout, unavailable, internal).', ['reason'])),
    inFlight: r.add(new Gauge('triad_admission_in_flight_requests', 'Reviews being evaluated now.')),
    scans: r.add(new Counter('triad_admission_scan_lookups_total', 'Container images looked up in the scan cache, by result (hit, miss).', ['result'])),
    signatures: r.add(new Counter('triad_admission_signature_verifications_total', 'Image signature verifications for verifyImages rules, by result (hit: answered from the cache or by a verification already running, miss: verification started, timeout: not finished within the budget).', ['result'])),
    reloads: r.add(new Counter('triad_admission_reloads_total', 'Policy reloads (SIGHUP), by result (success, error).', ['result'])),
    restarts: r.add(new Counter('triad_admission_evaluator_restarts_total', 'Evaluator threads restarted, by reason (stuck: over the time budget; crashed).', ['reason'])),
    policies: r.add(new Gauge('triad_admission_policies', 'Policies loaded.')),
    scanReports: r.add(new Gauge('triad_admission_scan_cache_reports', 'Scan reports in the scan cache.')),
  };
}

export type WebhookMetrics = ReturnType<typeof webhookMetrics>;
