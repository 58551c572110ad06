// `triad admission serve`: the HTTPS front of the webhook. POST /validate takes an AdmissionReview
// and always answers one (a verdict, or the failure policy's answer: never an HTTP error, a crash
// or a hang); GET /healthz (alive), /readyz (policies compiled), /metrics (Prometheus). Evaluation
// happens on evaluator threads (pool.ts) under a hard time budget, or for small reviews and
// policy sets that cannot run away, inline on this thread under a short deadline (inline.ts); reload() swaps in a new
// policy set and scan cache atomically, and re-reads the TLS key pair (certificate rotation).
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MissingScanAction } from './evaluator.ts';
import { webhookMetrics, type WebhookMetrics } from './metrics.ts';
import { InlineEvaluator } from './inline.ts';
import { EvaluatorPool, type EvaluatorConfig } from './pool.ts';
import type { ReviewOutcome } from './evaluator.ts';
import type { SignatureConfig } from './signatures.ts';
import { failureResponse, responseBody, uidOf, type FailurePolicyMode, type FailureReason } from './review.ts';

export interface WebhookOptions {
  tlsCert: string;
  tlsKey: string;
  host: string;
  /** 0: any free port (tests). */
  port: number;
  policyPaths: string[];
  timeoutMs: number;
  failurePolicy: FailurePolicyMode;
  exemptNamespaces: string[];
  scanCache?: string;
  missingScan: MissingScanAction;
  maxBodyBytes: number;
  threads: number;
  /**
   * Judge small reviews on the HTTPS thread when the policy set allows it (inline.ts), instead of
   * always on an evaluator thread. Default true.
   */
  inline?: boolean;
  /**
   * Verify image signatures for policies with verifyImages rules (nothing happens when there are
   * none). budgetMs defaults to 3/4 of timeoutMs. Undefined: not verified, and those rules answer
   * with their failurePolicy.
   */
  signatures?: Omit<SignatureConfig, 'budgetMs'> & { budgetMs?: number };
  /** Fixed evaluation clock (tests). */
  now?: string;
  log?: (line: string) => void;
}

export class WebhookStartError extends Error {}

function readKeyPair(opts: WebhookOptions): { cert: Buffer; key: Buffer } {
  const read = (what: string, f: string) => {
    try {
      return readFileSync(f);
    } catch (e) {
      throw new WebhookStartError(`${what} ${f}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  };
  return { cert: read('--tls-cert', opts.tlsCert), key: read('--tls-key', opts.tlsKey) };
}

export class AdmissionWebhook {
  readonly opts: WebhookOptions;
  readonly metrics: WebhookMetrics = webhookMetrics();
  #server: Server;
  #pool: EvaluatorPool | undefined;
  /** Swapped together with the pool (same policies): undefined when the policy set forbids it. */
  #inline: InlineEvaluator | undefined;
  #reloading: Promise<void> | undefined;

  private constructor(opts: WebhookOptions, server: Server) {
    this.opts = opts;
    this.#server = server;
  }

  /** Listens at once (health answers during compilation), then compiles; rejects when policies do not compile. */
  static async start(opts: WebhookOptions): Promise<AdmissionWebhook> {
    const pair = readKeyPair(opts);
    for (const [flag, path] of [['--trusted-root', opts.signatures?.trustedRoot], ['--signatures', opts.signatures?.signaturesDir]] as const) {
      if (path !== undefined && !existsSync(path)) throw new WebhookStartError(`${flag} ${path}: no such file or directory`);
    }
    let server: Server;
    try {
      server = createServer({ ...pair, minVersion: 'TLSv1.2' });
    } catch (e) {
      throw new WebhookStartError(`TLS key pair ${opts.tlsCert} / ${opts.tlsKey}: ${(e as Error).message}`);
    }
    const hook = new AdmissionWebhook(opts, server);
    server.on('request', (req, res) => hook.#handle(req, res));
    server.on('clientError', (_e, socket) => socket.destroy());
    // The API server's client keeps connections for 90 s: outlive it, so that it closes first.
    server.keepAliveTimeout = 120_000;
    server.headersTimeout = 10_000;
    server.requestTimeout = Math.max(30_000, opts.timeoutMs * 2);
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e) => reject(new WebhookStartError(`cannot listen on ${opts.host}:${opts.port}: ${(e as Error).message}`)));
      server.listen(opts.port, opts.host, () => resolve());
    });
    try {
      const started = await hook.#startPool();
      hook.#pool = started.pool;
      hook.#inline = started.inline;
    } catch (e) {
      await hook.close();
      throw e;
    }
    return hook;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  get ready(): boolean {
    return this.#pool !== undefined;
  }

  #config(): EvaluatorConfig {
    const o = this.opts;
    const signatures = o.signatures ? { ...o.signatures, budgetMs: o.signatures.budgetMs ?? Math.floor(o.timeoutMs * 0.75) } : undefined;
    return { policyPaths: o.policyPaths, scanCache: o.scanCache, failurePolicy: o.failurePolicy, exemptNamespaces: o.exemptNamespaces, missingScan: o.missingScan, signatures, now: o.now };
  }

  async #startPool(): Promise<{ pool: EvaluatorPool; inline?: InlineEvaluator }> {
    let pool: EvaluatorPool;
    try {
      pool = await EvaluatorPool.start(this.#config(), {
        threads: this.opts.threads,
        timeoutMs: this.opts.timeoutMs,
        onRestart: (reason) => {
          this.metrics.restarts.inc([reason]);
          this.opts.log?.(`evaluator thread ${reason === 'stuck' ? 'overran the time budget' : 'crashed'}; restarted`);
        },
      });
    } catch (e) {
      throw new WebhookStartError((e as Error).message);
    }
    this.metrics.policies.set(pool.info.policies);
    this.metrics.scanReports.set(pool.info.scanReports);
    for (const w of pool.info.warnings) this.opts.log?.(`scan cache: ${w}`);
    // Compiled here once the threads have shown that the policies compile (blocks this thread for
    // the compile time, at start and on reload).
    if (this.opts.inline === false) return { pool };
    const inline = InlineEvaluator.create(this.#config());
    if (inline instanceof InlineEvaluator) return { pool, inline };
    this.opts.log?.(`inline evaluation off, every review goes to an evaluator thread: ${inline.off}`);
    return { pool };
  }

  /** SIGHUP: new policies, scan cache and key pair, all or nothing (the old ones stay on any error). */
  reload(): Promise<void> {
    this.#reloading ??= this.#reload().finally(() => (this.#reloading = undefined));
    return this.#reloading;
  }

  async #reload(): Promise<void> {
    try {
      const pair = readKeyPair(this.opts);
      const { pool, inline } = await this.#startPool();
      try {
        this.#server.setSecureContext({ ...pair, minVersion: 'TLSv1.2' });
      } catch (e) {
        void pool.close();
        throw new WebhookStartError(`TLS key pair: ${(e as Error).message}`);
      }
      const old = this.#pool;
      this.#pool = pool;
      this.#inline = inline;
      void old?.close();
      this.metrics.reloads.inc(['success']);
      this.opts.log?.(`reloaded: ${pool.info.policies} policies (${pool.info.validations} validations), ${pool.info.scanReports} scan reports`);
    } catch (e) {
      this.metrics.reloads.inc(['error']);
      this.opts.log?.(`reload failed, keeping the current policies: ${(e as Error).message}`);
      throw e;
    }
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
    await this.#pool?.close();
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/validate') {
      if (req.method !== 'POST') return plain(res, 405, 'POST an AdmissionReview to /validate\n', { Allow: 'POST' });
      return this.#validate(req, res);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'method not allowed\n', { Allow: 'GET' });
    if (path === '/healthz' || path === '/livez') return plain(res, 200, 'ok\n');
    if (path === '/readyz') return this.ready ? plain(res, 200, 'ok\n') : plain(res, 503, 'policies not compiled yet\n');
    if (path === '/metrics') return plain(res, 200, this.metrics.registry.render(), { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
    plain(res, 404, 'not found: the webhook answers POST /validate, GET /healthz, /readyz, /metrics\n');
  }

  #validate(req: IncomingMessage, res: ServerResponse): void {
    const t0 = performance.now();
    const m = this.metrics;
    m.inFlight.inc();
    let done = false;
    const finish = (body: string, result: string, failure?: FailureReason, close = false) => {
      if (done) return;
      done = true;
      m.inFlight.inc(-1);
      m.requests.inc([result]);
      if (failure) m.failures.inc([failure]);
      const headers: Record<string, string | number> = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) };
      if (close) headers.Connection = 'close';
      if (!res.destroyed) res.writeHead(200, headers).end(body);
      m.latency.observe((performance.now() - t0) / 1000);
    };
    const fail = (reason: FailureReason, message: string, uid: string, close = false) => {
      const mode = this.opts.failurePolicy;
      finish(responseBody(failureResponse(reason, message, uid, mode)), mode === 'ignore' ? 'failed_open' : 'failed_closed', reason, close);
    };
    const limit = this.opts.maxBodyBytes;
    const declared = Number(req.headers['content-length']);
    const tooLarge = () => {
      fail('too_large', `request body larger than ${limit} bytes`, chunks.length ? uidOf(chunks[0]!.toString('utf8', 0, 4096), false) : '', true);
      // Stop reading; the connection closes after the answer.
      res.once('finish', () => req.destroy());
    };
    const chunks: Buffer[] = [];
    let size = 0;
    if (Number.isFinite(declared) && declared > limit) return tooLarge();
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) return tooLarge();
      chunks.push(c);
    });
    req.on('error', () => {
      if (!done) {
        done = true;
        m.inFlight.inc(-1);
      }
    });
    const answer = (o: ReviewOutcome) => {
      for (const v of o.verdicts) m.verdicts.inc(v.split('\t'));
      if (o.scanHits) m.scans.inc(['hit'], o.scanHits);
      if (o.scanMisses) m.scans.inc(['miss'], o.scanMisses);
      const sig = o.signatures;
      if (sig) for (const k of ['hits', 'misses', 'timeouts'] as const) if (sig[k]) m.signatures.inc([k === 'hits' ? 'hit' : k === 'misses' ? 'miss' : 'timeout'], sig[k]);
      finish(o.body, o.result, o.failure);
    };
    req.on('end', () => {
      if (done) return;
      const tEnd = performance.now();
      const pool = this.#pool;
      // The text is needed here only on the failure paths: decoded lazily, from the chunks.
      const body = () => (chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'));
      if (!pool) return fail('unavailable', 'policies are not compiled yet', uidOf(body(), true));
      // Inline evaluation (inline.ts) decodes the bytes here; otherwise the evaluator thread gets
      // them in a buffer of their own, moved (not copied) to it, and decodes them there. (Socket
      // chunks share pooled memory, so they are copied once into a fresh buffer.)
      const bytes = new Uint8Array(size);
      let at = 0;
      for (const c of chunks) {
        bytes.set(c, at);
        at += c.length;
      }
      const inline = this.#inline?.tryReview(bytes);
      if (inline?.kind === 'done') {
        m.evaluations.inc(['inline']);
        return answer(inline.outcome);
      }
      m.evaluations.inc([inline?.kind === 'overran' ? 'inline_overrun' : 'thread']);
      // The budget runs from the end of the body: an abandoned inline attempt used some of it.
      void pool.submit(bytes, this.opts.timeoutMs - (performance.now() - tEnd)).then((a) => {
        if (a.kind === 'done') answer(a.outcome);
        else if (a.kind === 'timeout') {
          fail('timeout', `policy evaluation exceeded the ${this.opts.timeoutMs} ms budget`, uidOf(body(), true));
        } else fail('unavailable', a.message, uidOf(body(), true));
      });
    });
  }
}

function plain(res: ServerResponse, code: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers }).end(text);
}
