// A small Docker Engine API client for the runtime agent: inspect, pause/stop/kill and the event
// stream, over node:http on the engine's unix socket. Podman's Docker-compatible API socket speaks
// the same dialect, so one client serves both. Every call has a deadline and a bounded body.
import { request, type IncomingMessage } from 'node:http';
import { dockerEndpoint, type DockerEndpoint } from '../../image/daemon/docker-api.ts';

const MAX_BODY = 4 * 1024 * 1024;
const MAX_EVENT_LINE = 64 * 1024;

export class EngineError extends Error {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.status = status;
  }
}

export interface EngineEvent {
  Type?: string;
  Action?: string;
  status?: string;
  id?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
}

export class EngineClient {
  readonly endpoint: DockerEndpoint;
  readonly timeoutMs: number;

  constructor(host?: string, opts: { timeoutMs?: number } = {}) {
    this.endpoint = dockerEndpoint(host);
    this.timeoutMs = opts.timeoutMs ?? 5000;
  }

  get label(): string {
    return this.endpoint.label;
  }

  private open(method: string, path: string, timeoutMs: number): Promise<IncomingMessage> {
    const ep = this.endpoint;
    return new Promise((resolve, reject) => {
      const req = request({ socketPath: ep.socketPath, host: ep.socketPath ? 'docker' : ep.host, port: ep.socketPath ? undefined : ep.port, path, method, headers: { 'user-agent': 'triad-agent' } });
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`${ep.label}: ${method} ${path} got no answer for ${timeoutMs} ms`)));
      req.once('response', resolve);
      req.once('error', (e: NodeJS.ErrnoException) => reject(new EngineError(`${ep.label}: ${method} ${path}: ${e.code ?? e.message}`, 0)));
      req.end();
    });
  }

  /** A JSON (or empty) answer; non-2xx become EngineError with the engine's message. */
  async call<T = unknown>(method: string, path: string, timeoutMs = this.timeoutMs): Promise<T | undefined> {
    const res = await this.open(method, path, timeoutMs);
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const c of res) {
      total += (c as Buffer).length;
      if (total > MAX_BODY) {
        res.destroy();
        throw new EngineError(`${this.label}: ${method} ${path}: answer larger than ${MAX_BODY} bytes`, res.statusCode ?? 0);
      }
      chunks.push(c as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      let msg = `HTTP ${status}`;
      try {
        const m = (JSON.parse(text) as { message?: unknown }).message;
        if (typeof m === 'string' && m) msg = m;
      } catch {
        // not JSON: keep the status
      }
      throw new EngineError(`${this.label}: ${method} ${path}: ${msg}`, status);
    }
    if (!text.trim()) return undefined;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new EngineError(`${this.label}: ${method} ${path}: answer is not JSON`, status);
    }
  }

  async ping(): Promise<boolean> {
    try {
      const res = await this.open('GET', '/_ping', 2000);
      res.resume();
      return res.statusCode === 200;
    } catch {
      return false;
    }
  }

  inspectContainer(id: string): Promise<Record<string, unknown> | undefined> {
    return this.call<Record<string, unknown>>('GET', `/containers/${encodeURIComponent(id)}/json`);
  }

  /** podman's own container inspect (same shape as `podman inspect`: ImageName, ImageDigest). */
  inspectLibpodContainer(id: string): Promise<Record<string, unknown> | undefined> {
    return this.call<Record<string, unknown>>('GET', `/v4.0.0/libpod/containers/${encodeURIComponent(id)}/json`);
  }

  inspectImage(id: string): Promise<Record<string, unknown> | undefined> {
    return this.call<Record<string, unknown>>('GET', `/images/${encodeURIComponent(id)}/json`);
  }

  async listContainers(): Promise<Array<Record<string, unknown>>> {
    return (await this.call<Array<Record<string, unknown>>>('GET', '/containers/json')) ?? [];
  }

  async pause(id: string): Promise<void> {
    await this.call('POST', `/containers/${encodeURIComponent(id)}/pause`);
  }

  async stop(id: string, graceSeconds = 10): Promise<void> {
    await this.call('POST', `/containers/${encodeURIComponent(id)}/stop?t=${graceSeconds}`, (graceSeconds + 10) * 1000);
  }

  /**
   * Follows GET /events (container events only) until the returned stop() is called or the stream
   * ends; `onEnd` reports why it ended so the caller can reconnect.
   */
  watchEvents(onEvent: (e: EngineEvent) => void, onEnd: (err?: Error) => void): () => void {
    const filters = encodeURIComponent(JSON.stringify({ type: ['container'] }));
    const ep = this.endpoint;
    let stopped = false;
    const req = request({ socketPath: ep.socketPath, host: ep.socketPath ? 'docker' : ep.host, port: ep.socketPath ? undefined : ep.port, path: `/events?filters=${filters}`, method: 'GET', headers: { 'user-agent': 'triad-agent' } });
    req.once('error', (e) => {
      if (!stopped) onEnd(e);
    });
    req.once('response', (res) => {
      if ((res.statusCode ?? 0) !== 200) {
        res.resume();
        onEnd(new Error(`${ep.label}: GET /events: HTTP ${res.statusCode}`));
        return;
      }
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (!line) continue;
          try {
            onEvent(JSON.parse(line) as EngineEvent);
          } catch {
            // a garbled line in the stream: skip it, the next one is independent
          }
        }
        if (buf.length > MAX_EVENT_LINE) buf = '';
      });
      res.once('end', () => {
        if (!stopped) onEnd();
      });
      res.once('error', (e) => {
        if (!stopped) onEnd(e);
      });
    });
    req.end();
    return () => {
      stopped = true;
      req.destroy();
    };
  }
}
