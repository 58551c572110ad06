// Alerts to a webhook (the console consumes it): every record goes to the on-disk spool first, then
// segments are POSTed oldest first as JSON arrays and deleted once the receiver answered 2xx. While
// the receiver is down or failing, batches wait on disk and are retried with exponential backoff, so
// nothing is lost; a restarted agent resumes from the spool. Each batch carries its segment name in
// `X-Triad-Batch`: a batch acknowledged in the instant before a kill -9 (between the 2xx and the
// unlink) is the only one that can be sent twice, and the receiver can recognise it by that id.
import { Spool, type Segment, type SpoolOptions } from './spool.ts';
import { toJsonLine, type Output, type OutputRecord, type OutputStats } from './output.ts';

export interface WebhookOptions extends SpoolOptions {
  spoolDir: string;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
  /** First retry delay; doubles per failure up to maxBackoffMs (defaults 250 ms, 30 s). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long flush() waits for the receiver before leaving the rest in the spool (default 5 s). */
  flushTimeoutMs?: number;
  headers?: Record<string, string>;
}

/** Statuses that mean "this batch will never be accepted": retrying would block the queue forever. */
const REJECTED = new Set([400, 413, 422]);

export class WebhookOutput implements Output {
  readonly name: string;
  readonly url: string;
  private readonly spool: Spool;
  private readonly opts: Required<Omit<WebhookOptions, keyof SpoolOptions | 'headers'>> & { headers: Record<string, string> };
  private sending = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private backoff: number;
  private closed = false;
  private inflight: AbortController | undefined;
  private readonly counters: OutputStats & { sent: number; batches: number; retries: number; rejected: number } = {
    written: 0,
    dropped: 0,
    errors: 0,
    sent: 0,
    batches: 0,
    retries: 0,
    rejected: 0,
  };
  private idleWaiters: (() => void)[] = [];

  constructor(url: string, opts: WebhookOptions) {
    this.url = url;
    this.name = `webhook:${url}`;
    this.spool = new Spool(opts.spoolDir, opts);
    this.opts = {
      spoolDir: opts.spoolDir,
      timeoutMs: opts.timeoutMs ?? 10_000,
      minBackoffMs: opts.minBackoffMs ?? 250,
      maxBackoffMs: opts.maxBackoffMs ?? 30_000,
      flushTimeoutMs: opts.flushTimeoutMs ?? 5_000,
      headers: opts.headers ?? {},
    };
    this.backoff = this.opts.minBackoffMs;
    // Segments from a previous run go out right away.
    if (this.spool.pendingSegments() > 0) this.kick();
  }

  write(record: OutputRecord): void {
    if (this.closed) {
      this.counters.dropped++;
      return;
    }
    try {
      if (this.spool.append(toJsonLine(record))) this.counters.written++;
    } catch (e) {
      this.counters.dropped++;
      this.counters.errors++;
      this.counters.lastError = `spool ${this.spool.dir}: ${(e as Error).message}`;
      return;
    }
    this.kick();
  }

  /** Starts the sender unless it is busy or waiting out a backoff. */
  private kick(): void {
    if (this.sending || this.retryTimer || this.closed) return;
    this.sending = true;
    // Next turn: records written in the same turn join the same batch.
    setImmediate(() => void this.pump());
  }

  private async pump(): Promise<void> {
    try {
      for (;;) {
        if (this.closed) return;
        const seg = this.spool.next();
        if (!seg) return;
        const ok = await this.send(seg);
        if (!ok) {
          this.scheduleRetry();
          return;
        }
      }
    } finally {
      this.sending = false;
      if (!this.retryTimer && this.spool.pendingSegments() === 0) for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  private scheduleRetry(): void {
    if (this.closed) return;
    const delay = this.backoff * (0.8 + Math.random() * 0.4);
    this.backoff = Math.min(this.backoff * 2, this.opts.maxBackoffMs);
    this.counters.retries++;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.kick();
    }, delay);
    this.retryTimer.unref();
  }

  /** POSTs one segment; true when it left the spool (acknowledged or rejected for good). */
  private async send(seg: Segment): Promise<boolean> {
    const records = this.spool.read(seg);
    if (records.length === 0) {
      this.spool.ack(seg);
      return true;
    }
    const controller = new AbortController();
    this.inflight = controller;
    const timer = setTimeout(() => controller.abort(new Error(`timed out after ${this.opts.timeoutMs} ms`)), this.opts.timeoutMs);
    try {
      const res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-triad-batch': seg.name, ...this.opts.headers },
        body: `[${records.join(',')}]`,
        signal: controller.signal,
      });
      if (res.status >= 200 && res.status < 300) {
        // Delete before anything else: the window in which a kill would resend this batch is as
        // short as it can be.
        this.spool.ack(seg);
        this.counters.sent += records.length;
        this.counters.batches++;
        this.backoff = this.opts.minBackoffMs;
        await res.body?.cancel().catch(() => {});
        return true;
      }
      await res.body?.cancel().catch(() => {});
      this.counters.errors++;
      this.counters.lastError = `${this.url}: HTTP ${res.status}`;
      if (REJECTED.has(res.status)) {
        this.counters.rejected += records.length;
        this.spool.discard(seg);
        return true;
      }
      return false;
    } catch (e) {
      this.counters.errors++;
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      this.counters.lastError = `${this.url}: ${cause?.code ?? cause?.message ?? (e as Error).message}`;
      return false;
    } finally {
      clearTimeout(timer);
      this.inflight = undefined;
    }
  }

  /** fsyncs the spool and gives the receiver up to flushTimeoutMs to take everything. */
  async flush(): Promise<void> {
    try {
      this.spool.sync();
    } catch (e) {
      this.counters.errors++;
      this.counters.lastError = `spool ${this.spool.dir}: ${(e as Error).message}`;
    }
    if (this.spool.pendingSegments() === 0) return;
    // A flush is a good moment to try again now rather than after a long backoff.
    if (this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
    this.kick();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, this.opts.flushTimeoutMs))),
    ]);
    clearTimeout(timer);
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.inflight?.abort(new Error('output closed'));
    this.spool.close();
    for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Records still on disk waiting for the receiver. */
  pendingBytes(): number {
    return this.spool.bytes();
  }

  stats(): OutputStats & { sent: number; batches: number; retries: number; rejected: number; spoolBytes: number } {
    return { ...this.counters, dropped: this.counters.dropped + this.spool.dropped, spoolBytes: this.spool.bytes() };
  }
}
