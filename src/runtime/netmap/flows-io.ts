// Flows on disk: the agent saves its network map so that policies can be generated and dry-runs
// replayed later, elsewhere (`{"kind":"TriadFlows","version":1,"flows":[...]}`). Reading validates
// every field and rejects a document with an error naming the file and the JSON path.
import type { Flow, FlowEndpoint } from './flows.ts';

export const FLOWS_KIND = 'TriadFlows';
export const FLOWS_VERSION = 1;
const MAX_FLOWS = 200_000;
const MAX_BYTES = 256 * 1024 * 1024;

export function flowsToJson(flows: Flow[]): string {
  return JSON.stringify({ kind: FLOWS_KIND, version: FLOWS_VERSION, flows });
}

export class FlowsFormatError extends Error {
  constructor(file: string, path: string, reason: string) {
    super(`${file}: ${path}: ${reason}`);
    this.name = 'FlowsFormatError';
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function flowsFromJson(text: string, file: string): Flow[] {
  const fail = (path: string, reason: string): never => { throw new FlowsFormatError(file, path, reason); };
  if (text.length > MAX_BYTES) fail('$', `larger than ${MAX_BYTES} bytes`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    fail('$', `invalid JSON: ${(e as Error).message}`);
  }
  if (!isObj(doc)) return fail('$', 'must be an object');
  if (doc.kind !== FLOWS_KIND) fail('$.kind', `must be ${FLOWS_KIND}`);
  if (doc.version !== FLOWS_VERSION) fail('$.version', `unsupported version ${JSON.stringify(doc.version)?.slice(0, 20)}`);
  if (!Array.isArray(doc.flows)) return fail('$.flows', 'must be a list');
  if (doc.flows.length > MAX_FLOWS) fail('$.flows', `has ${doc.flows.length} entries; the limit is ${MAX_FLOWS}`);
  const str = (v: unknown, at: string, optional = false): string | undefined => {
    if (v === undefined && optional) return undefined;
    if (typeof v !== 'string' || v.length > 4096) return fail(at, 'must be a string (at most 4096 characters)');
    return v;
  };
  const strMap = (v: unknown, at: string): Record<string, string> | undefined => {
    if (v === undefined) return undefined;
    if (!isObj(v)) return fail(at, 'must be an object of strings');
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(v).slice(0, 256)) out[k] = str(x, `${at}.${k}`)!;
    return out;
  };
  const count = (v: unknown, at: string): number => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : fail(at, 'must be a non-negative integer'));
  const endpoint = (v: unknown, at: string): FlowEndpoint => {
    if (!isObj(v)) return fail(at, 'must be an object');
    if (v.kind !== 'k8s' && v.kind !== 'container' && v.kind !== 'external') fail(`${at}.kind`, 'must be k8s, container or external');
    if (!Array.isArray(v.addresses) || v.addresses.length > 64) fail(`${at}.addresses`, 'must be a list of at most 64 addresses');
    const e: FlowEndpoint = { kind: v.kind as FlowEndpoint['kind'], key: str(v.key, `${at}.key`)!, name: str(v.name, `${at}.name`)!, addresses: (v.addresses as unknown[]).map((a, i) => str(a, `${at}.addresses[${i}]`)!) };
    const ns = str(v.namespace, `${at}.namespace`, true);
    if (ns !== undefined) e.namespace = ns;
    const labels = strMap(v.labels, `${at}.labels`);
    if (labels) e.labels = labels;
    const image = str(v.image, `${at}.image`, true);
    if (image !== undefined) e.image = image;
    if (v.monitored === true) e.monitored = true;
    if (e.kind === 'k8s' && !e.namespace) fail(`${at}.namespace`, 'is required for k8s endpoints');
    return e;
  };
  return doc.flows.map((f, i): Flow => {
    const at = `$.flows[${i}]`;
    if (!isObj(f)) return fail(at, 'must be an object');
    const port = count(f.port, `${at}.port`);
    if (port < 1 || port > 65535) fail(`${at}.port`, 'must be 1-65535');
    if (f.protocol !== 'TCP' && f.protocol !== 'UDP') fail(`${at}.protocol`, 'must be TCP or UDP');
    const firstSeen = str(f.firstSeen, `${at}.firstSeen`)!;
    const lastSeen = str(f.lastSeen, `${at}.lastSeen`)!;
    if (!Number.isFinite(Date.parse(firstSeen))) fail(`${at}.firstSeen`, 'must be an ISO-8601 time');
    if (!Number.isFinite(Date.parse(lastSeen))) fail(`${at}.lastSeen`, 'must be an ISO-8601 time');
    return {
      src: endpoint(f.src, `${at}.src`), dst: endpoint(f.dst, `${at}.dst`), port, protocol: f.protocol as Flow['protocol'],
      count: count(f.count, `${at}.count`), egressSeen: count(f.egressSeen, `${at}.egressSeen`), ingressSeen: count(f.ingressSeen, `${at}.ingressSeen`),
      firstSeen, lastSeen,
    };
  });
}
