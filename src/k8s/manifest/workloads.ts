// The pod a workload runs: every workload kind's pod spec and pod metadata, with the path to the
// spec inside the object so findings can point at the right lines.
import type { K8sObject, ObjectMeta } from './types.ts';

export const WORKLOAD_KINDS = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicaSet', 'ReplicationController', 'PodTemplate'] as const;

export type PathSeg = string | number;

export interface PodSpecRef {
  object: K8sObject;
  /** The pod spec (may be malformed: checks read it defensively). */
  spec: Record<string, unknown>;
  /** The pod's metadata: the Pod's own, or the template's (annotations matter to PSS). */
  podMeta: ObjectMeta;
  /** Path of the pod spec inside the object: ['spec'], ['spec','template','spec'] ... */
  specPath: PathSeg[];
  /** Path of the pod's metadata inside the object. */
  metaPath: PathSeg[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function get(obj: unknown, path: PathSeg[]): unknown {
  let cur = obj;
  for (const seg of path) {
    if (!isRecord(cur) && !Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[seg as string];
  }
  return cur;
}

/** Where each kind keeps its pod template (relative to the object). */
function templatePath(kind: string): PathSeg[] | undefined {
  switch (kind) {
    case 'Pod':
      return [];
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'Job':
    case 'ReplicaSet':
    case 'ReplicationController':
      return ['spec', 'template'];
    case 'CronJob':
      return ['spec', 'jobTemplate', 'spec', 'template'];
    case 'PodTemplate':
      return ['template'];
    default:
      return undefined;
  }
}

export function isWorkload(o: K8sObject): boolean {
  return templatePath(o.kind) !== undefined;
}

/** The pod spec of a workload object, or undefined when the kind has none or it is missing. */
export function podSpecOf(o: K8sObject): PodSpecRef | undefined {
  const tp = templatePath(o.kind);
  if (!tp) return undefined;
  const specPath = [...tp, 'spec'];
  const metaPath = [...tp, 'metadata'];
  const spec = get(o.raw, specPath);
  if (!isRecord(spec)) return undefined;
  const meta = get(o.raw, metaPath);
  return { object: o, spec, podMeta: isRecord(meta) ? (meta as ObjectMeta) : {}, specPath, metaPath };
}

/** `.spec.template.spec.containers[0]` — the JSONPath-ish form users read in messages. */
export function formatPath(path: ReadonlyArray<PathSeg>): string {
  return path.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('') || '.';
}

export interface ContainerRef {
  container: Record<string, unknown>;
  name: string;
  /** 'containers' | 'initContainers' | 'ephemeralContainers' */
  field: 'containers' | 'initContainers' | 'ephemeralContainers';
  index: number;
  /** Full path inside the object. */
  path: PathSeg[];
}

export const CONTAINER_FIELDS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

/** Every container of a pod spec (init, regular, ephemeral), defensively. */
export function containersOf(p: PodSpecRef, fields: ReadonlyArray<ContainerRef['field']> = CONTAINER_FIELDS): ContainerRef[] {
  const out: ContainerRef[] = [];
  for (const field of fields) {
    const list = p.spec[field];
    if (!Array.isArray(list)) continue;
    list.forEach((c, index) => {
      if (!isRecord(c)) return;
      out.push({ container: c, name: typeof c.name === 'string' ? c.name : `#${index}`, field, index, path: [...p.specPath, field, index] });
    });
  }
  return out;
}
