// Where the agent's alerts and events go. Every output takes plain JSON-serialisable records and
// writes them as one JSON object per line (stdout, files) or as JSON batches (webhook). Outputs never
// throw from write(): a broken destination is counted and reported, the agent keeps running.
import type { Alert, RuntimeEvent } from '../event.ts';

/**
 * One line of output. Alerts are written as the Alert object itself plus `kind: "alert"`, so the
 * documented top-level fields (time, rule, priority, output, container) are where consumers expect
 * them; raw events (--events) and the agent's own events carry `kind: "event"` / `kind: "agent"`.
 */
export type OutputRecord =
  | ({ kind: 'alert' } & Alert)
  | ({ kind: 'event' } & RuntimeEvent)
  | { kind: 'agent'; time: string; type: string; [key: string]: unknown };

export interface OutputStats {
  written: number;
  /** Records that could not be written or were dropped to bound memory/disk. */
  dropped: number;
  errors: number;
  lastError?: string;
}

export interface Output {
  readonly name: string;
  /** Queues or writes one record; never throws. */
  write(record: OutputRecord): void;
  /** Resolves when everything written so far is durable at the destination (or as far as it can go). */
  flush(): Promise<void>;
  /** Flushes and releases the destination. */
  close(): Promise<void>;
  stats(): OutputStats;
}

/**
 * One JSON line. Records are produced by the agent from sensor data, so JSON.stringify cannot meet
 * cycles; it can meet a BigInt from a careless producer, which is written as a string instead of
 * crashing the output.
 */
export function toJsonLine(record: unknown): string {
  return `${JSON.stringify(record, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}\n`;
}

export type OutputSpec = { type: 'stdout' } | { type: 'file'; path: string } | { type: 'webhook'; url: string };

/** Parses `stdout`, `file:PATH` or `webhook:URL` (the CLI's --output). */
export function parseOutputSpec(spec: string): OutputSpec {
  if (spec === 'stdout' || spec === '-') return { type: 'stdout' };
  if (spec.startsWith('file:') && spec.length > 5) return { type: 'file', path: spec.slice(5) };
  if (spec.startsWith('webhook:')) {
    const url = spec.slice(8);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(`--output ${spec}: not a URL`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`--output ${spec}: only http and https webhooks are supported`);
    return { type: 'webhook', url };
  }
  throw new Error(`--output ${spec}: expected stdout, file:PATH or webhook:URL`);
}
