// Test helper: a real HTTP server on 127.0.0.1 standing in for the upstream hosts, as
// `--mirror http://127.0.0.1:PORT` expects them (/HOST/PATH). Serves bytes with ETag and
// Last-Modified, answers conditional requests with 304, and can misbehave on purpose.

import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Behaviour =
  | { kind: 'ok' }
  /** 503 for the first `n` requests, then ok. */
  | { kind: 'flaky'; n: number }
  /** Headers and half of the body, then silence (a stalled or killed transfer). */
  | { kind: 'hang' };

export interface Route {
  body: Buffer;
  behaviour?: Behaviour;
}

export interface MirrorServer {
  url: string;
  routes: Map<string, Route>;
  requests: Array<{ path: string; headers: IncomingMessage['headers'] }>;
  close(): Promise<void>;
}

export async function startMirror(routes: Record<string, Route>): Promise<MirrorServer> {
  const map = new Map(Object.entries(routes));
  const requests: MirrorServer['requests'] = [];
  const served = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push({ path, headers: req.headers });
    const route = map.get(path);
    if (!route) {
      res.writeHead(404).end('not found');
      return;
    }
    const count = (served.get(path) ?? 0) + 1;
    served.set(path, count);
    const b = route.behaviour ?? { kind: 'ok' };
    if (b.kind === 'flaky' && count <= b.n) {
      res.writeHead(503).end('try later');
      return;
    }
    const etag = `"${createHash('sha256').update(route.body).digest('hex').slice(0, 16)}"`;
    const lastModified = new Date(Date.UTC(2025, 0, 1) + route.body.length * 1000).toUTCString();
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag }).end();
      return;
    }
    res.writeHead(200, { etag, 'last-modified': lastModified, 'content-length': route.body.length });
    if (b.kind === 'hang') {
      res.write(route.body.subarray(0, Math.floor(route.body.length / 2)));
      return; // never ends
    }
    res.end(route.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    routes: map,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
