// Paginated LIST requests against the API server, bounded in time (one deadline for the whole
// scan) and in memory (the manifest loader's byte and object limits). JSON is read raw, not
// through the library's generated models, so checks see exactly the fields the server sent and
// a response is abandoned as soon as it exceeds its budget.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ClusterError, type ClusterConnection } from './kubeconfig.ts';
import { listPath, type ApiResource } from './resources.ts';

export interface ListBudget {
  /** Epoch ms after which no request may still run. */
  deadline: number;
  /** Largest single response, bytes. */
  maxResponseBytes: number;
  /** Bytes still allowed across all responses. */
  bytesLeft: number;
  /** Objects still allowed. */
  objectsLeft: number;
}

export type ListOutcome =
  | { ok: true; items: Record<string, unknown>[]; listKind: string; listApiVersion: string }
  /** 'skip': the user may not list it, or the cluster does not serve it (a warning); 'error': not read. */
  | { ok: false; level: 'skip' | 'error'; message: string; network?: boolean };

interface HttpResult {
  status: number;
  body: string;
}

class LimitError extends Error {}

function get(conn: ClusterConnection, path: string, budget: ListBudget): Promise<HttpResult> {
  const remaining = budget.deadline - Date.now();
  if (remaining <= 0) return Promise.reject(new DOMException('deadline passed', 'TimeoutError'));
  const url = new URL(conn.server + path);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const signal = AbortSignal.timeout(remaining);
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (e: unknown) => {
      if (!settled) (settled = true), reject(e);
    };
    const req = send(url, { ...conn.requestOptions, method: 'GET', headers: { ...conn.requestOptions.headers, Accept: 'application/json' }, signal }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const limit = Math.min(budget.maxResponseBytes, budget.bytesLeft);
      res.on('data', (c: Buffer) => {
        if (settled) return;
        size += c.length;
        if (size > limit) {
          const which = limit === budget.maxResponseBytes ? `one response exceeds ${budget.maxResponseBytes} bytes` : 'the responses exceed the total input limit';
          fail(new LimitError(`${which}; not read`));
          req.destroy();
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => {
        if (settled) return;
        settled = true;
        budget.bytesLeft -= size;
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end();
  });
}

/** The message of a `Status` body, if the server sent one. */
function statusMessage(body: string): string {
  try {
    const s = JSON.parse(body) as { kind?: string; message?: unknown };
    if (s && s.kind === 'Status' && typeof s.message === 'string') return s.message.slice(0, 300);
  } catch {
    // not JSON: a proxy's error page
  }
  return body.slice(0, 120).replace(/\s+/g, ' ').trim();
}

function describeFailure(e: unknown, timeoutMs: number): { message: string; network: boolean } {
  const err = e as Error & { code?: string; name?: string };
  if (err instanceof LimitError) return { message: err.message, network: false };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return { message: `timed out (the scan's limit is ${Math.round(timeoutMs / 1000)} s)`, network: false };
  const msg = String(err?.message ?? e).split('\n')[0]!;
  return { message: err?.code && !msg.includes(err.code) ? `${err.code}: ${msg}` : msg, network: true };
}

/**
 * Every item of one resource, page by page (`limit` + `continue`). Unauthorized (401) is thrown:
 * no other request can succeed either.
 */
export async function listResource(conn: ClusterConnection, r: ApiResource, opts: { namespace?: string; pageSize: number; timeoutMs: number }, budget: ListBudget): Promise<ListOutcome> {
  const items: Record<string, unknown>[] = [];
  let listKind = `${r.kind}List`;
  let listApiVersion = r.groupVersion;
  let token: string | undefined;
  const seen = new Set<string>();
  const base = listPath(r, opts.namespace);
  for (;;) {
    const q = new URLSearchParams({ limit: String(opts.pageSize) });
    if (token) q.set('continue', token);
    if (r.kind === 'Namespace' && opts.namespace !== undefined) q.set('fieldSelector', `metadata.name=${opts.namespace}`);
    let res: HttpResult;
    try {
      res = await get(conn, `${base}?${q}`, budget);
    } catch (e) {
      const f = describeFailure(e, opts.timeoutMs);
      return { ok: false, level: 'error', message: `${r.plural}: ${f.message}`, network: f.network };
    }
    if (res.status === 401) throw new ClusterError(`${conn.server} (context "${conn.context}"): unauthorized (401): ${statusMessage(res.body) || 'the credentials were refused'}`);
    if (res.status === 403) return { ok: false, level: 'skip', message: `${r.plural}: forbidden (403), not scanned: ${statusMessage(res.body)}` };
    if (res.status === 404) return { ok: false, level: 'skip', message: `${r.plural}: not served by this cluster (404 for ${r.groupVersion}), not scanned` };
    if (res.status === 410) return { ok: false, level: 'error', message: `${r.plural}: the list changed too much while paging (410 Gone); run the scan again` };
    if (res.status !== 200) return { ok: false, level: 'error', message: `${r.plural}: HTTP ${res.status}: ${statusMessage(res.body)}` };
    let doc: { kind?: unknown; apiVersion?: unknown; items?: unknown; metadata?: { continue?: unknown } };
    try {
      doc = JSON.parse(res.body);
    } catch (e) {
      return { ok: false, level: 'error', message: `${r.plural}: the response is not JSON (${String((e as Error).message).slice(0, 100)})` };
    }
    if (!doc || typeof doc !== 'object' || !Array.isArray(doc.items)) return { ok: false, level: 'error', message: `${r.plural}: the response is not a list (no items)` };
    if (typeof doc.kind === 'string' && doc.kind.endsWith('List')) listKind = doc.kind;
    if (typeof doc.apiVersion === 'string' && doc.apiVersion) listApiVersion = doc.apiVersion;
    for (const it of doc.items) {
      if (typeof it !== 'object' || it === null || Array.isArray(it)) continue;
      if (budget.objectsLeft <= 0) return { ok: false, level: 'error', message: `${r.plural}: more objects than the limit; the rest is not read` };
      budget.objectsLeft--;
      items.push(it as Record<string, unknown>);
    }
    const next = doc.metadata?.continue;
    if (typeof next !== 'string' || next === '') break;
    // A server that hands out the same token twice would page forever.
    if (seen.has(next)) return { ok: false, level: 'error', message: `${r.plural}: the server repeated a continue token; stopped` };
    seen.add(next);
    token = next;
  }
  return { ok: true, items, listKind, listApiVersion };
}
