// A stand-in for a Kubernetes API server, for tests only. No API server can run on the machines
// these tests run on, so this REPLAYS RECORDED API RESPONSES (../testdata, see SOURCES.md) over
// real HTTPS on 127.0.0.1: TLS with a CA made by openssl, bearer-token or client-certificate
// authentication, the list URLs of every resource (cluster-wide and per namespace), `limit` and
// `continue` paging that splits a recorded list into pages, `fieldSelector=metadata.name=`, a 403
// `Status` for resources the test forbids and deliberately slow answers for timeout tests.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';

export const RECORDED = join(import.meta.dirname, '..', 'testdata');

export interface Pki {
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A second CA that signed nothing here: a kubeconfig trusting it must fail to connect. */
  otherCaCert: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate (CN fernand, O dev), in `dir`. */
export function makePki(dir: string): Pki {
  const ca = (name: string) => openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`], dir);
  ca('ca');
  ca('other-ca');
  const leaf = (name: string, subj: string, ext: string) => {
    openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subj], dir);
    writeFileSync(join(dir, `${name}.ext`), ext);
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`], dir);
  };
  leaf('server', '/CN=kube-apiserver', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  leaf('client', '/O=dev/CN=fernand', 'extendedKeyUsage=clientAuth\n');
  const rd = (f: string) => readFileSync(join(dir, f), 'utf8');
  return { caCert: rd('ca.crt'), serverCert: rd('server.crt'), serverKey: rd('server.key'), clientCert: rd('client.crt'), clientKey: rd('client.key'), otherCaCert: rd('other-ca.crt') };
}

export interface ApiServerOptions {
  pki: Pki;
  /** The bearer token accepted (client certificates signed by the CA are accepted too). */
  token: string;
  /** Plurals answered with 403 Forbidden. */
  forbidden?: string[];
  /** Plurals answered only after this many ms. */
  slow?: Record<string, number>;
  /** Directory of recorded list responses (default ../testdata). */
  recorded?: string;
}

export interface ApiServer {
  url: string;
  /** Every request path with its query, in order. */
  requests: string[];
  close(): Promise<void>;
}

const LIST_PATH = /^\/(?:api\/v1|apis\/[^/]+\/[^/]+)\/(?:namespaces\/([^/]+)\/)?([a-z]+)$/;

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }));
}

export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const recorded = opts.recorded ?? RECORDED;
  const requests: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    requests.push(req.url ?? '');
    const sock = req.socket as TLSSocket;
    const certOk = sock.authorized && Boolean(sock.getPeerCertificate()?.subject);
    if (req.headers.authorization !== `Bearer ${opts.token}` && !certOk) return status(res, 401, 'Unauthorized', 'Unauthorized');
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const m = LIST_PATH.exec(url.pathname);
    if (req.method !== 'GET' || !m) return status(res, 404, 'NotFound', 'the server could not find the requested resource');
    const [, namespace, plural] = m as unknown as [string, string | undefined, string];
    if (opts.forbidden?.includes(plural)) {
      const body = readFileSync(join(recorded, `forbidden-${plural}.json`), 'utf8');
      res.writeHead(403, { 'Content-Type': 'application/json' });
      return res.end(body);
    }
    const file = join(recorded, `${plural}.json`);
    if (!existsSync(file)) return status(res, 404, 'NotFound', 'the server could not find the requested resource');
    const list = JSON.parse(readFileSync(file, 'utf8')) as { metadata: Record<string, unknown>; items: Array<{ metadata?: { name?: string; namespace?: string } }> };
    let items = namespace ? list.items.filter((i) => i.metadata?.namespace === namespace) : list.items;
    const field = /^metadata\.name=(.*)$/.exec(url.searchParams.get('fieldSelector') ?? '');
    if (field) items = items.filter((i) => i.metadata?.name === field[1]);
    // Paging as upstream: an opaque continue token; remainingItemCount while more follow.
    const limit = Number(url.searchParams.get('limit') ?? '0');
    const token = url.searchParams.get('continue');
    const start = token ? Number(JSON.parse(Buffer.from(token, 'base64url').toString()).start) : 0;
    const end = limit > 0 ? Math.min(items.length, start + limit) : items.length;
    const metadata: Record<string, unknown> = { resourceVersion: list.metadata.resourceVersion };
    if (end < items.length) {
      metadata.continue = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: list.metadata.resourceVersion, start: end })).toString('base64url');
      metadata.remainingItemCount = items.length - end;
    }
    const body = JSON.stringify({ ...list, metadata, items: items.slice(start, end) });
    const send = () => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(body);
    };
    const delay = opts.slow?.[plural];
    if (delay) {
      const t = setTimeout(() => (timers.delete(t), send()), delay);
      timers.add(t);
    } else send();
  };
  const server: Server = createServer({ key: opts.pki.serverKey, cert: opts.pki.serverCert, ca: opts.pki.caCert, requestCert: true, rejectUnauthorized: false }, handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `https://127.0.0.1:${port}`,
    requests,
    close: () => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** A kubeconfig with contexts `token` (current), `cert` (client certificate) and `wrong-ca`. */
export function writeKubeconfig(file: string, server: string, pki: Pki, token: string): void {
  const text = `apiVersion: v1
kind: Config
current-context: token
clusters:
- name: recorded
  cluster:
    server: ${server}
    certificate-authority-data: ${b64(pki.caCert)}
- name: recorded-wrong-ca
  cluster:
    server: ${server}
    certificate-authority-data: ${b64(pki.otherCaCert)}
users:
- name: bearer
  user:
    token: ${token}
- name: client-cert
  user:
    client-certificate-data: ${b64(pki.clientCert)}
    client-key-data: ${b64(pki.clientKey)}
contexts:
- name: token
  context: {cluster: recorded, user: bearer}
- name: cert
  context: {cluster: recorded, user: client-cert}
- name: wrong-ca
  context: {cluster: recorded-wrong-ca, user: bearer}
`;
  writeFileSync(file, text, { mode: 0o600 });
}
