// HTTP for one repository of one registry, on the global fetch: authentication (anonymous, Basic,
// Bearer tokens), bounded retries with backoff on 429/5xx and connection failures, timeouts that
// only count time spent waiting for the network, and redirects followed by hand so that the
// Authorization header never leaves the registry's host (blob downloads are usually redirected to a
// storage service with its own signed URL).
import { Readable } from 'node:stream';
import { ImageInputError } from '../source.ts';
import { basicHeader, fetchBearerToken, parseChallenge, TokenAuthError, type Challenge } from './auth.ts';
import type { Credentials } from './credentials.ts';
import { isLoopbackHost, type ImageReference } from './reference.ts';

export interface ClientTuning {
  /** Milliseconds to wait for response headers, and for each chunk of a body. Default 60 s. */
  timeoutMs?: number;
  /** Extra attempts after a 429/5xx or a connection failure. Default 3. */
  retries?: number;
  /** First backoff delay; doubles per attempt. Default 500 ms. */
  retryBaseMs?: number;
}

export interface ClientOptions extends ClientTuning {
  credentials?: Credentials;
  insecure?: boolean;
}

const RETRY_STATUS = new Set([429, 500, 502, 503, 504]);
const MAX_REDIRECTS = 5;
const MAX_RETRY_WAIT_MS = 10_000;
const MAX_ERROR_BODY = 64 * 1024;

/** A failure that retrying cannot fix (bad redirect): passed straight through the retry loop. */
class PermanentError extends Error {}

interface RegistryErrorBody {
  errors?: Array<{ code?: string; message?: string; detail?: unknown }>;
}

export class RegistryClient {
  readonly ref: ImageReference;
  /** The reference as the user wrote it, for messages. */
  readonly input: string;
  readonly base: string;
  private readonly creds: Credentials | undefined;
  private readonly insecure: boolean;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryBaseMs: number;
  private authorization: string | undefined;
  private pendingAuth: Promise<void> | undefined;
  private readonly inflight = new Set<AbortController>();
  private closed = false;

  constructor(input: string, ref: ImageReference, opts: ClientOptions) {
    this.input = input;
    this.ref = ref;
    this.creds = opts.credentials;
    this.insecure = opts.insecure ?? false;
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.retries = opts.retries ?? 3;
    this.retryBaseMs = opts.retryBaseMs ?? 500;
    const scheme = this.insecure || isLoopbackHost(ref.apiHost) ? 'http' : 'https';
    this.base = `${scheme}://${ref.apiHost}/v2/${ref.repository}`;
  }

  /** "registry 127.0.0.1:5000" */
  get where(): string {
    return `registry ${this.ref.registry}`;
  }

  inputError(msg: string): ImageInputError {
    return new ImageInputError(this.input, `${this.where}: ${msg}`);
  }

  error(msg: string): Error {
    return new Error(`${this.input}: ${this.where}: ${msg}`);
  }

  /** GET BASE/path with auth; non-2xx answers become errors except those in `pass`. */
  async get(path: string, accept?: string, pass: number[] = []): Promise<{ res: Response; ctrl: AbortController }> {
    const url = `${this.base}/${path}`;
    let { res, ctrl } = await this.send(url, accept, this.authorization);
    if (res.status === 401) {
      const used = this.authorization;
      const ch = parseChallenge(res.headers.get('www-authenticate'));
      await this.drop(res, ctrl);
      await this.authenticate(ch, used);
      ({ res, ctrl } = await this.send(url, accept, this.authorization));
      if (res.status === 401) {
        await this.drop(res, ctrl);
        throw this.unauthorized();
      }
    }
    if (res.ok || pass.includes(res.status)) return { res, ctrl };
    throw await this.failure(res, ctrl, path);
  }

  /** The error for a non-2xx answer to GET BASE/path, from the registry's JSON error body. */
  async failure(res: Response, ctrl: AbortController, path: string): Promise<Error> {
    return this.describe(res.status, await this.errorBody(res, ctrl), path);
  }

  /** The registry's error code (NAME_UNKNOWN, MANIFEST_UNKNOWN ...) of a non-2xx answer. */
  async errorCode(res: Response, ctrl: AbortController): Promise<string | undefined> {
    return (await this.errorBody(res, ctrl))?.errors?.[0]?.code;
  }

  private unauthorized(): ImageInputError {
    if (this.creds) return this.inputError(`unauthorized: the registry rejected the credentials from ${this.creds.source} for ${this.ref.repository}`);
    return this.inputError(`unauthorized: authentication required for ${this.ref.repository} (no credentials found; pass a username/password or run docker login; or the repository does not exist)`);
  }

  /** Sets `authorization` from a 401 challenge; concurrent requests share one token fetch. */
  private async authenticate(ch: Challenge | undefined, used: string | undefined): Promise<void> {
    if (this.authorization !== used) return; // another request already re-authenticated
    if (!this.pendingAuth) {
      this.pendingAuth = (async () => {
        if (ch?.scheme === 'basic') {
          if (!this.creds || this.creds.identityToken) throw this.unauthorized();
          this.authorization = basicHeader(this.creds);
        } else if (ch?.scheme === 'bearer') {
          const scope = ch.params.scope || `repository:${this.ref.repository}:pull`;
          try {
            const t = await fetchBearerToken((u, init) => this.fetchRetrying(u, init), ch, scope, this.creds);
            this.authorization = `Bearer ${t.token}`;
          } catch (e) {
            if (e instanceof TokenAuthError) throw this.inputError(`unauthorized: ${e.message}`);
            throw this.error((e as Error).message);
          }
        } else {
          throw this.inputError(`unauthorized (unsupported authentication scheme ${JSON.stringify(ch?.scheme ?? 'none')})`);
        }
      })().finally(() => (this.pendingAuth = undefined));
    }
    await this.pendingAuth;
  }

  private async drop(res: Response, ctrl: AbortController): Promise<void> {
    await res.body?.cancel().catch(() => {});
    this.inflight.delete(ctrl);
  }

  private async errorBody(res: Response, ctrl: AbortController): Promise<RegistryErrorBody | undefined> {
    try {
      const buf = await this.readBounded(res, ctrl, MAX_ERROR_BODY, 'error response', true);
      return JSON.parse(buf.toString('utf8')) as RegistryErrorBody;
    } catch {
      return undefined;
    }
  }

  private describe(status: number, body: RegistryErrorBody | undefined, path: string): Error {
    const e = body?.errors?.[0];
    const code = e?.code ?? '';
    const msg = e?.message ?? '';
    if (code === 'NAME_UNKNOWN') return this.inputError(`repository ${this.ref.repository} not found`);
    if (code === 'MANIFEST_UNKNOWN') return this.inputError(`manifest ${path.replace(/^manifests\//, '')} not found in repository ${this.ref.repository}`);
    if (code === 'BLOB_UNKNOWN' || (status === 404 && path.startsWith('blobs/'))) return this.inputError(`blob ${path.replace(/^blobs\//, '')} not found in repository ${this.ref.repository}`);
    if (status === 404) return this.inputError(`${path} not found in repository ${this.ref.repository}`);
    if (status === 403 || code === 'DENIED') return this.inputError(`access denied to ${this.ref.repository}${msg ? ` (${msg})` : ''}`);
    if (status === 429) return this.error(`rate limited (HTTP 429, gave up after ${this.retries + 1} attempts)${msg ? `: ${msg}` : ''}`);
    return this.error(`HTTP ${status} for ${path}${code || msg ? `: ${[code, msg].filter(Boolean).join(' ')}` : ''}`);
  }

  private async send(url: string, accept: string | undefined, authorization: string | undefined): Promise<{ res: Response; ctrl: AbortController }> {
    const headers: Record<string, string> = { 'user-agent': 'triad' };
    if (accept) headers.accept = accept;
    if (authorization) headers.authorization = authorization;
    return this.fetchRetryingCtrl(url, { method: 'GET', headers });
  }

  /** For token requests: small answers read by the caller, so the deadline covers the body too. */
  private async fetchRetrying(url: string, init: { method: string; headers: Record<string, string>; body?: string }): Promise<Response> {
    const { res, ctrl } = await this.fetchRetryingCtrl(url, init);
    const t = setTimeout(() => {
      this.inflight.delete(ctrl);
      ctrl.abort(new Error(`no complete answer within ${this.timeoutMs} ms`));
    }, this.timeoutMs);
    t.unref();
    return res;
  }

  /** One logical request: redirects followed by hand, retried with backoff on 429/5xx and network errors. */
  private async fetchRetryingCtrl(url: string, init: { method: string; headers: Record<string, string>; body?: string }): Promise<{ res: Response; ctrl: AbortController }> {
    for (let attempt = 0; ; attempt++) {
      if (this.closed) throw this.error('image source was closed');
      const ctrl = new AbortController();
      this.inflight.add(ctrl);
      const timer = setTimeout(() => ctrl.abort(new Error(`no response within ${this.timeoutMs} ms`)), this.timeoutMs);
      let res: Response;
      try {
        res = await this.followRedirects(url, init, ctrl.signal);
      } catch (e) {
        clearTimeout(timer);
        this.inflight.delete(ctrl);
        if (e instanceof ImageInputError || e instanceof PermanentError) throw e;
        const err = e as Error & { cause?: { code?: string; message?: string } };
        const why = ctrl.signal.aborted ? String((ctrl.signal.reason as Error)?.message ?? 'aborted') : (err.cause?.code ?? err.cause?.message ?? err.message);
        if (attempt < this.retries && !this.closed) {
          await this.backoff(attempt, null);
          continue;
        }
        throw this.error(`cannot reach ${new URL(url).host}: ${why}`);
      }
      clearTimeout(timer);
      if (RETRY_STATUS.has(res.status) && attempt < this.retries) {
        await this.drop(res, ctrl);
        await this.backoff(attempt, res.headers.get('retry-after'));
        continue;
      }
      return { res, ctrl };
    }
  }

  private async backoff(attempt: number, retryAfter: string | null): Promise<void> {
    let ms = this.retryBaseMs * 2 ** attempt * (0.75 + Math.random() * 0.5);
    const secs = retryAfter !== null ? Number(retryAfter) : NaN;
    if (Number.isFinite(secs) && secs >= 0) ms = Math.max(ms, secs * 1000);
    await new Promise((r) => setTimeout(r, Math.min(ms, MAX_RETRY_WAIT_MS)));
  }

  private async followRedirects(start: string, init: { method: string; headers: Record<string, string>; body?: string }, signal: AbortSignal): Promise<Response> {
    let url = new URL(start);
    const origin = url.host;
    let headers = { ...init.headers };
    for (let hop = 0; ; hop++) {
      const res = await fetch(url, { method: init.method, headers, body: init.body, redirect: 'manual', signal });
      const loc = res.headers.get('location');
      if (![301, 302, 303, 307, 308].includes(res.status) || !loc) return res;
      await res.body?.cancel().catch(() => {});
      const fail = (m: string) => new PermanentError(`${this.input}: ${this.where}: ${m}`);
      if (hop >= MAX_REDIRECTS) throw fail(`too many redirects fetching ${start}`);
      const next = new URL(loc, url);
      if (next.protocol !== 'https:' && next.protocol !== 'http:') throw fail(`redirect to unsupported URL scheme ${next.protocol}`);
      if (url.protocol === 'https:' && next.protocol === 'http:' && !this.insecure) throw fail(`refusing redirect from https to ${next.origin}`);
      // Credentials are for the registry only: storage backends get their own signed URL.
      if (next.host !== origin) {
        const { authorization: _drop, ...rest } = headers;
        headers = rest;
      }
      url = next;
    }
  }

  /** Reads a whole (small) body, failing past `max` bytes; used for manifests, configs, errors. */
  async readBounded(res: Response, ctrl: AbortController, max: number, what: string, truncate = false): Promise<Buffer> {
    try {
      const len = Number(res.headers.get('content-length') ?? NaN);
      if (!truncate && Number.isFinite(len) && len > max) throw this.error(`${what} is too large (${len} bytes, limit ${max})`);
      const chunks: Buffer[] = [];
      let total = 0;
      const body = this.bodyStream(res, ctrl, what);
      for await (const c of body) {
        total += (c as Buffer).length;
        if (total > max) {
          body.destroy();
          if (truncate) break;
          throw this.error(`${what} is too large (more than ${max} bytes)`);
        }
        chunks.push(c as Buffer);
      }
      return Buffer.concat(chunks);
    } finally {
      this.inflight.delete(ctrl);
    }
  }

  /**
   * The response body as a Node stream. The idle timer runs only while the consumer is waiting
   * for the network, so a slow consumer (a large file being scanned) never trips it.
   */
  bodyStream(res: Response, ctrl: AbortController, what: string): Readable {
    if (!res.body) return Readable.from([]);
    const reader = res.body.getReader();
    const timeoutMs = this.timeoutMs;
    const done = () => this.inflight.delete(ctrl);
    const self = this;
    return new Readable({
      highWaterMark: 1024 * 1024,
      read() {
        const timer = setTimeout(() => {
          ctrl.abort();
          this.destroy(self.error(`${what}: no data for ${timeoutMs} ms`));
        }, timeoutMs);
        reader.read().then(
          ({ done: end, value }) => {
            clearTimeout(timer);
            if (end) {
              done();
              this.push(null);
            } else {
              this.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
            }
          },
          (err: Error) => {
            clearTimeout(timer);
            if (!this.destroyed) this.destroy(self.error(`${what}: ${(err as Error & { cause?: Error }).cause?.message ?? err.message}`));
          },
        );
      },
      destroy(err, cb) {
        done();
        reader.cancel().catch(() => {});
        cb(err);
      },
    });
  }

  /** Aborts whatever is still downloading. */
  close(): void {
    this.closed = true;
    for (const c of this.inflight) c.abort(new Error('closed'));
    this.inflight.clear();
  }
}
