// The pods a manifest set will run: Pods themselves and the pod templates of every workload kind.
// NetworkPolicies and Services select pods by the labels of these templates.
import { labelsOf, toLabels, type Labels } from '../selector/selector.ts';
import { refOf, type Locate } from '../rbac/model.ts';
import type { ObjectRef } from '../rbac/types.ts';

export interface PodTemplate {
  /** The Pod or the workload that owns the template. */
  owner: ObjectRef;
  namespace: string;
  labels: Labels;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'ReplicationController']);

/** `metadata.namespace`, or `default` as `kubectl apply` would use without `-n`. */
export function namespaceOf(obj: Record<string, unknown>): string {
  const md = isRecord(obj.metadata) ? obj.metadata : {};
  return typeof md.namespace === 'string' && md.namespace !== '' ? md.namespace : 'default';
}

function templateLabels(template: unknown): Labels | undefined {
  if (!isRecord(template)) return undefined;
  return toLabels(isRecord(template.metadata) ? template.metadata.labels : undefined);
}

export function podTemplates(objects: Iterable<unknown>, locate?: Locate): PodTemplate[] {
  const out: PodTemplate[] = [];
  for (const obj of objects) {
    if (!isRecord(obj) || typeof obj.kind !== 'string') continue;
    const spec = isRecord(obj.spec) ? obj.spec : undefined;
    let labels: Labels | undefined;
    if (obj.kind === 'Pod') labels = labelsOf(obj);
    else if (TEMPLATE_KINDS.has(obj.kind)) labels = templateLabels(spec?.template);
    else if (obj.kind === 'CronJob') {
      const jt = isRecord(spec?.jobTemplate) ? spec.jobTemplate : undefined;
      labels = templateLabels(isRecord(jt?.spec) ? jt.spec.template : undefined);
    } else if (obj.kind === 'PodTemplate') labels = templateLabels(obj.template);
    if (labels === undefined) continue;
    const owner = refOf(obj, locate);
    const namespace = namespaceOf(obj);
    owner.namespace = namespace;
    out.push({ owner, namespace, labels });
  }
  return out;
}
