// Downloads for `triad db update`: conditional requests (ETag / Last-Modified), retries with
// exponential backoff on network errors, 5xx and 429, an idle timeout, and a size bound checked
// against Content-Length and while streaming. The body goes to a file; nothing is kept in memory.

import { createWriteStream, promises as fs } from 'node:fs';
import { once } from 'node:events';

export interface Validators {
  etag?: string;
  lastModified?: string;
}

export interface FetchOptions {
  /** Conditional-request validators of the copy we already have. */
  validators?: Validators;
  /** Attempts in total (default 4). */
  attempts?: number;
  /** First backoff delay; doubles per attempt (default 1 s). */
  backoffMs?: number;
  /** Abort when no byte arrives for this long (default 60 s). */
  idleTimeoutMs?: number;
  /** Refuse bodies larger than this (default 4 GiB). */
  maxBytes?: number;
  log?: (line: string) => void;
}

export type FetchResult = ({ status: 'fresh'; bytes: number } | { status: 'not-modified' }) & Validators & { url: string };

/** A response that retrying will not fix (4xx, oversize): fails at once. */
class PermanentError extends Error {}

/**
 * With a mirror, `https://host/path?q` becomes `<mirror>/host/path?q`: one mirror can serve every
 * upstream host (air-gapped copies, tests on 127.0.0.1).
 */
export function mirrorURL(url: string, mirror?: string): string {
  if (!mirror) return url;
  const u = new URL(url);
  return `${mirror.replace(/\/+$/, '')}/${u.host}${u.pathname}${u.search}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function attempt(url: string, dest: string, o: Required<Omit<FetchOptions, 'validators' | 'log'>> & FetchOptions): Promise<FetchResult> {
  const ctrl = new AbortController();
  let timer = setTimeout(() => ctrl.abort(new Error(`no data for ${o.idleTimeoutMs} ms`)), o.idleTimeoutMs);
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => ctrl.abort(new Error(`no data for ${o.idleTimeoutMs} ms`)), o.idleTimeoutMs);
  };
  const headers: Record<string, string> = { 'user-agent': 'triad-db-update', accept: '*/*' };
  if (o.validators?.etag) headers['if-none-match'] = o.validators.etag;
  if (o.validators?.lastModified) headers['if-modified-since'] = o.validators.lastModified;
  try {
    const res = await fetch(url, { headers, signal: ctrl.signal, redirect: 'follow' });
    touch();
    const v: Validators = {
      ...(res.headers.get('etag') ? { etag: res.headers.get('etag')! } : {}),
      ...(res.headers.get('last-modified') ? { lastModified: res.headers.get('last-modified')! } : {}),
    };
    if (res.status === 304) {
      await res.body?.cancel();
      return { status: 'not-modified', url, ...o.validators, ...v };
    }
    if (!res.ok) {
      await res.body?.cancel();
      const msg = `HTTP ${res.status} ${res.statusText}`.trim();
      if (res.status === 429 || res.status >= 500) throw new Error(msg);
      throw new PermanentError(msg);
    }
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > o.maxBytes) {
      await res.body?.cancel();
      throw new PermanentError(`${declared} bytes exceeds the ${o.maxBytes}-byte limit`);
    }
    if (!res.body) throw new Error('empty response');
    const out = createWriteStream(dest, { mode: 0o644 });
    let bytes = 0;
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        touch();
        bytes += chunk.byteLength;
        if (bytes > o.maxBytes) {
          ctrl.abort();
          throw new PermanentError(`more than ${o.maxBytes} bytes; download refused`);
        }
        if (!out.write(chunk)) await once(out, 'drain');
      }
      if (Number.isFinite(declared) && bytes !== declared) throw new Error(`truncated: ${bytes} of ${declared} bytes`);
    } finally {
      out.end();
      await once(out, 'close').catch(() => {});
    }
    return { status: 'fresh', bytes, url, ...v };
  } finally {
    clearTimeout(timer);
  }
}

/** Downloads `url` to `dest` (created or overwritten). Throws naming the URL after the last attempt. */
export async function download(url: string, dest: string, opts: FetchOptions = {}): Promise<FetchResult> {
  const o = { attempts: 4, backoffMs: 1000, idleTimeoutMs: 60_000, maxBytes: 4 * 1024 ** 3, ...opts };
  let last: unknown;
  for (let i = 0; i < o.attempts; i++) {
    if (i > 0) {
      const delay = o.backoffMs * 2 ** (i - 1);
      o.log?.(`${url}: ${(last as Error).message}; retrying in ${(delay / 1000).toFixed(1)} s`);
      await sleep(delay);
    }
    try {
      return await attempt(url, dest, o);
    } catch (e) {
      last = e;
      await fs.rm(dest, { force: true });
      if (e instanceof PermanentError) break;
    }
  }
  const why = last instanceof Error ? (last.cause instanceof Error ? `${last.message} (${last.cause.message})` : last.message) : String(last);
  throw new Error(`${url}: ${why}`);
}
