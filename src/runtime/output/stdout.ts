// JSON lines to a stream (stdout by default). Lines are gathered and written in one chunk per
// event-loop turn, because one write() per event costs more than the rest of the pipeline during an
// exec storm; memory stays bounded by dropping (and counting) lines when the reader stops reading.
import type { Writable } from 'node:stream';
import { toJsonLine, type Output, type OutputRecord, type OutputStats } from './output.ts';

export interface StreamOutputOptions {
  /** Bytes queued in memory when the reader is slower than the agent; beyond it lines are dropped. */
  maxPendingBytes?: number;
}

export class StreamOutput implements Output {
  readonly name: string;
  private readonly stream: Writable;
  private readonly maxPending: number;
  private batch: string[] = [];
  private batchBytes = 0;
  private scheduled = false;
  private pendingWrites = 0;
  private pendingBytes = 0;
  private broken = false;
  private readonly counters: OutputStats = { written: 0, dropped: 0, errors: 0 };
  private idleWaiters: (() => void)[] = [];

  constructor(stream: Writable = process.stdout, name = 'stdout', opts: StreamOutputOptions = {}) {
    this.stream = stream;
    this.name = name;
    this.maxPending = opts.maxPendingBytes ?? 64 << 20;
    // EPIPE (reader went away) must not kill the agent: count and keep detecting.
    stream.on('error', (e: Error) => {
      this.broken = true;
      this.counters.errors++;
      this.counters.lastError = e.message;
    });
  }

  write(record: OutputRecord): void {
    if (this.broken) {
      this.counters.dropped++;
      return;
    }
    const line = toJsonLine(record);
    if (this.pendingBytes + this.batchBytes + line.length > this.maxPending) {
      this.counters.dropped++;
      return;
    }
    this.batch.push(line);
    this.batchBytes += line.length;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.drainBatch());
    }
  }

  private drainBatch(): void {
    this.scheduled = false;
    if (this.batch.length === 0) return;
    const chunk = this.batch.join('');
    const n = this.batch.length;
    this.batch = [];
    this.batchBytes = 0;
    if (this.broken) {
      this.counters.dropped += n;
      return;
    }
    this.pendingWrites++;
    this.pendingBytes += chunk.length;
    this.stream.write(chunk, (err) => {
      this.pendingWrites--;
      this.pendingBytes -= chunk.length;
      if (err) this.counters.dropped += n;
      else this.counters.written += n;
      if (this.pendingWrites === 0) for (const w of this.idleWaiters.splice(0)) w();
    });
  }

  async flush(): Promise<void> {
    this.drainBatch();
    if (this.pendingWrites === 0 || this.broken) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    await this.flush();
  }

  stats(): OutputStats {
    return { ...this.counters };
  }
}
