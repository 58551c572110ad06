// A live cluster as the scan's input: the resources of resources.ts listed through the API, turned
// into the same K8sObjects the manifest loader produces, so every check runs unchanged. Objects are
// located as `cluster:<context>/<namespace>/<kind>/<name>` (`cluster:<context>/<kind>/<name>` when
// cluster-scoped) instead of a file and line.
import { DEFAULT_LIMITS, type K8sObject, type LoadOptions, type ManifestError, type ObjectMeta } from '../manifest/types.ts';
import { WORKLOAD_KINDS } from '../manifest/workloads.ts';
import { ClusterError, connect, type ClusterConnection, type KubeconfigOptions } from './kubeconfig.ts';
import { listResource, type ListBudget, type ListOutcome } from './list.ts';
import { SCAN_RESOURCES, type ApiResource } from './resources.ts';

export interface ClusterLoadOptions extends KubeconfigOptions {
  /** Only this namespace (cluster-scoped RBAC objects are still read; see resources.ts). */
  namespace?: string;
  /** Only these kinds (default every kind of SCAN_RESOURCES). */
  kinds?: readonly string[];
  /** Whole listing deadline, ms (default 60 s). */
  timeoutMs?: number;
  /** Items per page (default 500, as kubectl). */
  pageSize?: number;
  /** Also scan pods, ReplicaSets and Jobs created by a listed workload (default false; see ownedByListed). */
  includeOwned?: boolean;
  /** The manifest limits: maxFileBytes bounds one response, maxTotalBytes all, maxObjects the objects. */
  limits?: Omit<LoadOptions, 'stdin'>;
  /** An already open connection (tests); otherwise one is opened from the kubeconfig and closed. */
  connection?: ClusterConnection;
}

export interface ClusterLoadResult {
  objects: K8sObject[];
  /** Same shape as manifest errors; `file` is `cluster:<context>`. 'warning': skipped resources. */
  errors: ManifestError[];
  context: string;
  server: string;
  /** Objects not scanned because a listed workload owns them, by kind. */
  owned: Map<string, number>;
}

const CONCURRENCY = 4;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function clusterLocation(context: string, kind: string, name: string, namespace?: string): string {
  return `cluster:${context}/${namespace ? `${namespace}/` : ''}${kind}/${name}`;
}

function toObject(raw: Record<string, unknown>, kind: string, apiVersion: string, context: string): K8sObject {
  // List items carry no apiVersion/kind on the wire: the list's own tell them.
  raw.apiVersion = apiVersion;
  raw.kind = kind;
  if (!isRecord(raw.metadata)) raw.metadata = {};
  const metadata = raw.metadata as ObjectMeta;
  // Server-side apply bookkeeping is often the largest part of an object and no check reads it.
  delete metadata.managedFields;
  const name = typeof metadata.name === 'string' ? metadata.name : '';
  const ns = typeof metadata.namespace === 'string' ? metadata.namespace : undefined;
  return { apiVersion, kind, metadata, raw, source: { file: clusterLocation(context, kind, name, ns), doc: 1, line: 1 }, lineOf: () => 1 };
}

const WORKLOADS = new Set<string>(WORKLOAD_KINDS);

/**
 * A cluster repeats every workload's pod template in the objects its controllers create: a
 * Deployment's ReplicaSets (the current one and up to revisionHistoryLimit old ones) and their
 * pods, a CronJob's Jobs and theirs, a DaemonSet's pods on every node. Scanning those as well would
 * report each problem once per copy, so an object whose controlling owner (ownerReferences with
 * controller: true) is a listed workload is left out: the owner's template is scanned instead, as
 * it is for manifests. Pods owned by anything else (a Node for static pods, an operator's custom
 * resource, a workload kind the user may not list) are scanned themselves.
 */
export function ownedByListed(objects: K8sObject[]): Set<K8sObject> {
  const listed = new Set<string>();
  for (const o of objects) if (WORKLOADS.has(o.kind) && typeof o.metadata.uid === 'string') listed.add(o.metadata.uid);
  const owned = new Set<K8sObject>();
  for (const o of objects) {
    if (!WORKLOADS.has(o.kind)) continue;
    const refs = o.metadata.ownerReferences;
    if (!Array.isArray(refs)) continue;
    if (refs.some((r) => isRecord(r) && r.controller === true && typeof r.uid === 'string' && listed.has(r.uid))) owned.add(o);
  }
  return owned;
}

export async function loadCluster(opts: ClusterLoadOptions = {}): Promise<ClusterLoadResult> {
  const conn = opts.connection ?? (await connect(opts));
  try {
    return await listAll(conn, opts);
  } finally {
    if (!opts.connection) conn.close();
  }
}

async function listAll(conn: ClusterConnection, opts: ClusterLoadOptions): Promise<ClusterLoadResult> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const limits = opts.limits ?? {};
  const budget: ListBudget = {
    deadline: Date.now() + timeoutMs,
    maxResponseBytes: limits.maxFileBytes ?? DEFAULT_LIMITS.maxFileBytes,
    bytesLeft: limits.maxTotalBytes ?? DEFAULT_LIMITS.maxTotalBytes,
    objectsLeft: limits.maxObjects ?? DEFAULT_LIMITS.maxObjects,
  };
  const wanted = opts.kinds ? SCAN_RESOURCES.filter((r) => opts.kinds!.includes(r.kind)) : SCAN_RESOURCES;
  const outcomes = new Map<ApiResource, ListOutcome>();
  const queue = [...wanted];
  const listOpts = { pageSize: opts.pageSize ?? 500, timeoutMs, ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}) };
  const worker = async () => {
    for (let r = queue.shift(); r; r = queue.shift()) outcomes.set(r, await listResource(conn, r, listOpts, budget));
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, wanted.length) }, worker));

  const file = `cluster:${conn.context}`;
  const errors: ManifestError[] = [];
  let objects: K8sObject[] = [];
  let networkFailures = 0;
  // Results in the fixed order of SCAN_RESOURCES, whatever order the requests finished in.
  for (const r of wanted) {
    const out = outcomes.get(r)!;
    if (out.ok) {
      const kind = out.listKind.endsWith('List') && out.listKind.length > 4 ? out.listKind.slice(0, -4) : r.kind;
      for (const raw of out.items) objects.push(toObject(raw, kind, out.listApiVersion, conn.context));
    } else {
      if (out.network) networkFailures++;
      errors.push({ file, level: out.level === 'skip' ? 'warning' : 'error', message: out.message });
    }
  }
  // Nothing reachable at all: a wrong server, CA or proxy, not a partial scan.
  if (networkFailures > 0 && networkFailures === wanted.length) {
    throw new ClusterError(`cannot reach ${conn.server} (context "${conn.context}"): ${errors[0]!.message.replace(/^[a-z]+: /, '')}`);
  }
  const owned = new Map<string, number>();
  if (!opts.includeOwned) {
    const skip = ownedByListed(objects);
    for (const o of skip) owned.set(o.kind, (owned.get(o.kind) ?? 0) + 1);
    if (skip.size > 0) objects = objects.filter((o) => !skip.has(o));
  }
  return { objects, errors, context: conn.context, server: conn.server, owned };
}
