// Workload identity: what a container *is* across restarts and replicas, so that baselines,
// flows and generated policies speak about workloads (a Deployment, a compose service) rather
// than about one container id or one IP that the next rollout changes.
//   Kubernetes: namespace + the owner's name guessed from the pod name and the controller labels,
//               with the pod's labels minus the ones a controller stamps per revision/replica.
//   Docker compose: project/service labels.   Other containers: the container name.
import type { ContainerInfo } from '../event.ts';

export interface WorkloadIdentity {
  kind: 'k8s' | 'container';
  /** Stable key: `k8s:NS/OWNER`, `compose:PROJECT/SERVICE`, `container:NAME` or `image:REF`. */
  key: string;
  /** Workload name (k8s owner, compose service, container name). */
  name: string;
  namespace?: string;
  /** Stable pod labels (k8s only): what a podSelector can select this workload by. */
  labels?: Record<string, string>;
  image?: string;
}

/** Labels a controller sets per revision or per replica: selecting on them breaks at the next rollout. */
export const VOLATILE_POD_LABELS = new Set([
  'pod-template-hash',
  'controller-revision-hash',
  'pod-template-generation',
  'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index',
  'controller-uid',
  'batch.kubernetes.io/controller-uid',
  'batch.kubernetes.io/job-completion-index',
]);

const MAX_LABELS = 64;
const MAX_TEXT = 253;

export function stableLabels(labels: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!labels || typeof labels !== 'object') return out;
  let n = 0;
  for (const k of Object.keys(labels).sort()) {
    const v = labels[k];
    if (VOLATILE_POD_LABELS.has(k) || typeof v !== 'string' || k.length > MAX_TEXT || v.length > 63) continue;
    if (++n > MAX_LABELS) break;
    out[k] = v;
  }
  return out;
}

/** The owning controller's name, from the pod name and the labels controllers add. */
export function k8sOwnerName(pod: string, labels: Record<string, string>): string {
  const hash = labels['pod-template-hash'];
  if (hash && pod.includes(`-${hash}-`)) return pod.slice(0, pod.lastIndexOf(`-${hash}-`)); // Deployment → ReplicaSet → pod
  if (labels['statefulset.kubernetes.io/pod-name'] !== undefined) return pod.replace(/-\d+$/, '');
  if (labels['job-name'] || labels['batch.kubernetes.io/job-name']) return labels['batch.kubernetes.io/job-name'] ?? labels['job-name']!;
  if (labels['controller-revision-hash'] !== undefined) return pod.replace(/-[a-z0-9]{5}$/, ''); // DaemonSet
  return pod;
}

/**
 * A pod's sandbox (pause) container carries the pod labels as its own container labels, next to
 * the runtime's (dockershim: io.kubernetes.docker.type=podsandbox; containerd CRI:
 * io.cri-containerd.kind=sandbox). Peers are often resolved by IP to the sandbox, which holds the
 * pod's network namespace. Application containers' labels are image labels, never pod labels.
 */
function sandboxPodLabels(labels: Record<string, string> | undefined): Record<string, string> {
  if (!labels || typeof labels !== 'object') return {};
  if (labels['io.kubernetes.docker.type'] !== 'podsandbox' && labels['io.cri-containerd.kind'] !== 'sandbox') return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) {
    if (/^(io\.kubernetes\.|annotation\.|io\.containerd\.|io\.cri-containerd\.)/.test(k) || k === 'maintainer') continue;
    out[k] = v;
  }
  return out;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v.slice(0, MAX_TEXT) : undefined;
}

/** The workload a container belongs to; undefined for the host and for containers known by nothing. */
export function workloadOf(c: ContainerInfo | undefined): WorkloadIdentity | undefined {
  if (!c || typeof c !== 'object' || c.id === 'host' || c.runtime === 'host') return undefined;
  const image = text(c.image);
  const k8s = c.k8s && typeof c.k8s === 'object' ? c.k8s : undefined;
  const ns = text(k8s?.namespace);
  const pod = text(k8s?.pod);
  if (ns && pod) {
    const raw = k8s?.labels && typeof k8s.labels === 'object' ? k8s.labels : sandboxPodLabels(c.labels);
    const name = k8sOwnerName(pod, raw);
    const id: WorkloadIdentity = { kind: 'k8s', key: `k8s:${ns}/${name}`, name, namespace: ns, labels: stableLabels(raw) };
    if (image) id.image = image;
    return id;
  }
  const labels = c.labels && typeof c.labels === 'object' ? c.labels : {};
  const project = text(labels['com.docker.compose.project']);
  const service = text(labels['com.docker.compose.service']);
  let id: WorkloadIdentity | undefined;
  if (project && service) id = { kind: 'container', key: `compose:${project}/${service}`, name: service };
  else if (text(c.name)) id = { kind: 'container', key: `container:${text(c.name)!.replace(/^\//, '')}`, name: text(c.name)!.replace(/^\//, '') };
  else if (image) id = { kind: 'container', key: `image:${image}`, name: image };
  if (id && image) id.image = image;
  return id;
}

/**
 * How a baseline names another container it talks to: by what it runs, not by its IP (which the
 * next restart changes). Kubernetes: namespace + stable labels; otherwise the image reference.
 */
export function peerKey(c: ContainerInfo | undefined): string | undefined {
  const w = workloadOf(c);
  if (!w) return undefined;
  if (w.kind === 'k8s') {
    const labels = Object.entries(w.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
    return `k8s:${w.namespace}/${labels || w.name}`;
  }
  return w.image ? `image:${w.image}` : w.key;
}
