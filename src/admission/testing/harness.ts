// Test harness: serving certificates from `triad admission certs` (once per process), a webhook on
// 127.0.0.1, and an HTTPS client that verifies the certificate against the generated CA and the
// Service name, as the API server does.
import { mkdtempSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCerts, type CertFiles } from '../certs.ts';
import { AdmissionWebhook, type WebhookOptions } from '../server.ts';

export const TESTDATA = new URL('../testdata/', import.meta.url).pathname;
export const REPO_POLICIES = new URL('../../../policies/', import.meta.url).pathname;
export const SERVICE = 'triad-admission';
export const NAMESPACE = 'triad';
export const SERVER_NAME = `${SERVICE}.${NAMESPACE}.svc`;

let certs: Promise<CertFiles> | undefined;
export function testCerts(): Promise<CertFiles> {
  certs ??= generateCerts({ service: SERVICE, namespace: NAMESPACE, outDir: mkdtempSync(join(tmpdir(), 'triad-adm-certs-')), days: 2, ips: ['127.0.0.1'] });
  return certs;
}

/** A webhook on 127.0.0.1 with test certificates. The default 10 s budget keeps correctness tests
 *  independent of a loaded CI machine; tests of the budget itself set their own. */
export async function startWebhook(over: Partial<WebhookOptions> = {}): Promise<AdmissionWebhook> {
  const c = await testCerts();
  return AdmissionWebhook.start({
    tlsCert: c.cert, tlsKey: c.key, host: '127.0.0.1', port: 0, policyPaths: [REPO_POLICIES], timeoutMs: 10_000, failurePolicy: 'fail',
    exemptNamespaces: ['kube-system', NAMESPACE], missingScan: 'warn', maxBodyBytes: 1 << 20, threads: 2, ...over,
  });
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => { apiVersion: string; kind: string; response: { uid: string; allowed: boolean; status?: { code: number; reason?: string; message: string }; warnings?: string[]; auditAnnotations?: Record<string, string> } };
}

export class Client {
  readonly agent: Agent;
  readonly port: number;
  readonly ca: Buffer;
  constructor(port: number, ca: Buffer, maxSockets = 16) {
    this.port = port;
    this.ca = ca;
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }
  static async for(hook: AdmissionWebhook, maxSockets = 16): Promise<Client> {
    return new Client(hook.port, readFileSync((await testCerts()).caCert), maxSockets);
  }
  send(method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: this.port, method, path, agent: this.agent, ca: this.ca, servername: SERVER_NAME, headers: { 'Content-Type': 'application/json', ...headers } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
  review(body: unknown): Promise<Reply> {
    return this.send('POST', '/validate', typeof body === 'string' ? body : JSON.stringify(body));
  }
  close(): void {
    this.agent.destroy();
  }
}

export function fixture(name: string): Record<string, any> {
  return JSON.parse(readFileSync(join(TESTDATA, 'reviews', name), 'utf8'));
}

/** An AdmissionReview v1 for a pod (or any object), as the API server would send it. */
export function reviewOf(object: Record<string, any>, over: { uid?: string; namespace?: string; operation?: string } = {}): Record<string, any> {
  const [group, version] = String(object.apiVersion ?? 'v1').includes('/') ? String(object.apiVersion).split('/') : ['', String(object.apiVersion ?? 'v1')];
  const namespace = over.namespace ?? object.metadata?.namespace ?? 'default';
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: over.uid ?? `uid-${Math.random().toString(16).slice(2)}`,
      kind: { group, version, kind: object.kind },
      resource: { group, version, resource: `${String(object.kind).toLowerCase()}s` },
      name: object.metadata?.name ?? '',
      namespace,
      operation: over.operation ?? 'CREATE',
      userInfo: { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] },
      object: { ...object, metadata: { ...(object.metadata ?? {}), namespace } },
      oldObject: null,
      dryRun: false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
    },
  };
}

/** Prometheus text → "name{labels}" → value. */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}
