// Evaluator threads and the hard time budget. Each request goes to the least busy ready thread
// with a deadline; when the deadline passes first, the caller gets a timeout at once (and answers
// with the failure policy). A thread that makes no progress for budget + grace is stuck on a
// runaway evaluation: it is terminated and replaced, and what was queued on it times out.
// Reloads build a whole new pool and swap it in only when every thread compiled (atomic).
import { Worker } from 'node:worker_threads';
import type { MissingScanAction, ReviewOutcome } from './evaluator.ts';
import type { FailurePolicyMode } from './review.ts';
import type { SignatureConfig } from './signatures.ts';

export interface EvaluatorConfig {
  policyPaths: string[];
  scanCache?: string;
  failurePolicy: FailurePolicyMode;
  exemptNamespaces: string[];
  missingScan: MissingScanAction;
  /** Verify what verifyImages rules need (only used when the policies have such rules). */
  signatures?: SignatureConfig;
  /** Fixed clock (tests). */
  now?: string;
}

export interface PoolInfo {
  policies: number;
  validations: number;
  scanReports: number;
  warnings: string[];
}

/** body: the request's bytes (UTF-8), moved to the thread without a copy, or text (tests, tools). */
export type ToWorker = { t: 'review'; id: number; body: string | Uint8Array };
type FromWorker = { t: 'ready'; info: PoolInfo } | { t: 'error'; message: string } | ({ t: 'done'; id: number } & ReviewOutcome);

export type PoolAnswer = { kind: 'done'; outcome: ReviewOutcome } | { kind: 'timeout' } | { kind: 'unavailable'; message: string };

export class PoolStartError extends Error {}

interface Pending {
  resolve: (a: PoolAnswer) => void;
  timer: NodeJS.Timeout;
}

const WORKER_URL = new URL('./worker.ts', import.meta.url);

interface Slot {
  worker?: Worker;
  ready: boolean;
  pending: Map<number, Pending>;
  /** Reviews sent and not answered yet, timed-out ones included (the thread is still on them). */
  outstanding: number;
  /** Last time the thread answered, or took work while idle. */
  progressAt: number;
}

function spawn(cfg: EvaluatorConfig, maxHeapMb: number): Promise<{ worker: Worker; info: PoolInfo }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_URL, { workerData: cfg, resourceLimits: { maxOldGenerationSizeMb: maxHeapMb } });
    const fail = (msg: string) => {
      cleanup();
      void worker.terminate();
      reject(new PoolStartError(msg));
    };
    const onMessage = (m: FromWorker) => {
      if (m.t === 'ready') {
        cleanup();
        resolve({ worker, info: m.info });
      } else if (m.t === 'error') fail(m.message);
    };
    const onError = (e: Error) => fail(`evaluator thread failed to start: ${e.message}`);
    const onExit = (code: number) => fail(`evaluator thread exited (code ${code}) before it was ready`);
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.once('error', onError);
    worker.once('exit', onExit);
  });
}

export interface PoolOptions {
  threads: number;
  /** The per-request budget (ms). */
  timeoutMs: number;
  /** Heap limit per thread (MB): a hostile request that exhausts it kills its thread, not the server. */
  maxHeapMb?: number;
  onRestart?: (reason: 'stuck' | 'crashed') => void;
}

export class EvaluatorPool {
  readonly cfg: EvaluatorConfig;
  readonly info: PoolInfo;
  readonly opts: Required<Omit<PoolOptions, 'onRestart'>> & Pick<PoolOptions, 'onRestart'>;
  #slots: Slot[] = [];
  #nextId = 1;
  #watchdog: NodeJS.Timeout;
  #closed = false;

  private constructor(cfg: EvaluatorConfig, info: PoolInfo, opts: EvaluatorPool['opts']) {
    this.cfg = cfg;
    this.info = info;
    this.opts = opts;
    const every = Math.max(20, Math.min(250, Math.floor(opts.timeoutMs / 2)));
    this.#watchdog = setInterval(() => this.#checkStuck(), every);
    this.#watchdog.unref();
  }

  /** Starts every thread; rejects (PoolStartError with the policy error) when any fails to compile. */
  static async start(cfg: EvaluatorConfig, options: PoolOptions): Promise<EvaluatorPool> {
    const opts = { maxHeapMb: 1024, ...options, threads: Math.max(1, Math.floor(options.threads)) };
    const started = await Promise.allSettled(Array.from({ length: opts.threads }, () => spawn(cfg, opts.maxHeapMb)));
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) {
      for (const s of started) if (s.status === 'fulfilled') void s.value.worker.terminate();
      throw failed.reason;
    }
    const ok = started as PromiseFulfilledResult<{ worker: Worker; info: PoolInfo }>[];
    const pool = new EvaluatorPool(cfg, ok[0]!.value.info, opts);
    for (const s of ok) pool.#attach(s.value.worker);
    return pool;
  }

  #attach(worker: Worker, slot?: Slot): void {
    const s: Slot = slot ?? { ready: false, pending: new Map(), outstanding: 0, progressAt: Date.now() };
    s.worker = worker;
    s.ready = true;
    s.outstanding = 0;
    s.progressAt = Date.now();
    if (!slot) this.#slots.push(s);
    worker.on('message', (m: FromWorker) => {
      if (m.t !== 'done') return;
      s.progressAt = Date.now();
      s.outstanding--;
      const p = s.pending.get(m.id);
      if (!p) return;
      s.pending.delete(m.id);
      clearTimeout(p.timer);
      const { t: _t, id: _id, ...outcome } = m;
      p.resolve({ kind: 'done', outcome });
    });
    // A thread that dies (heap limit, a bug) fails what it held and is replaced.
    worker.once('exit', () => {
      if (s.worker !== worker) return;
      this.#replace(s, 'crashed');
    });
  }

  get busy(): number {
    return this.#slots.reduce((n, s) => n + s.pending.size, 0);
  }

  /**
   * Evaluates one review body within the budget (budgetMs: what is left of it, default all).
   * Never rejects. A Uint8Array body is transferred to the thread (its buffer is detached here): decoding and
   * parsing happen there, off the thread that serves TLS. It must own its whole ArrayBuffer.
   */
  submit(body: string | Uint8Array, budgetMs: number = this.opts.timeoutMs): Promise<PoolAnswer> {
    let best: Slot | undefined;
    for (const s of this.#slots) if (s.ready && (!best || s.outstanding < best.outstanding)) best = s;
    if (!best || this.#closed) return Promise.resolve({ kind: 'unavailable', message: 'no policy evaluator is ready (restarting after a timeout)' });
    const slot = best;
    const id = this.#nextId++;
    if (slot.outstanding === 0) slot.progressAt = Date.now();
    slot.outstanding++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        slot.pending.delete(id);
        resolve({ kind: 'timeout' });
      }, Math.max(0, budgetMs));
      slot.pending.set(id, { resolve, timer });
      const transfer = typeof body === 'string' || body.byteOffset !== 0 || body.byteLength !== body.buffer.byteLength ? [] : [body.buffer as ArrayBuffer];
      slot.worker!.postMessage({ t: 'review', id, body } satisfies ToWorker, transfer);
    });
  }

  #checkStuck(): void {
    const now = Date.now();
    const grace = Math.max(this.opts.timeoutMs, 250);
    for (const s of this.#slots) {
      if (!s.ready || !s.worker) continue;
      if (s.outstanding > 0 && now - s.progressAt > this.opts.timeoutMs + grace) this.#replace(s, 'stuck');
    }
  }

  #replace(s: Slot, reason: 'stuck' | 'crashed'): void {
    const old = s.worker;
    s.worker = undefined;
    s.ready = false;
    for (const p of s.pending.values()) {
      clearTimeout(p.timer);
      p.resolve({ kind: 'timeout' });
    }
    s.pending.clear();
    s.outstanding = 0;
    if (old) void old.terminate();
    if (this.#closed) return;
    this.opts.onRestart?.(reason);
    const retry = () => {
      if (this.#closed) return;
      spawn(this.cfg, this.opts.maxHeapMb).then(
        ({ worker }) => (this.#closed ? void worker.terminate() : this.#attach(worker, s)),
        () => setTimeout(retry, 1000).unref(),
      );
    };
    retry();
  }

  /** Stops taking work; waits for what is in flight (at most the budget), then ends the threads. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#watchdog);
    const deadline = Date.now() + this.opts.timeoutMs;
    while (this.busy > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await Promise.all(this.#slots.map((s) => s.worker?.terminate()));
  }
}
