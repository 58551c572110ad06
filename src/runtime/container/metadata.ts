// Engine answers → ContainerInfo. Docker's GET /containers/<id>/json and `podman inspect` share a
// shape (podman adds ImageName/ImageDigest); containerd's `ctr containers info` is its own. Kubernetes
// identity comes from the CRI labels kubelet puts on every container it creates.
import type { ContainerInfo } from '../event.ts';
import type { Runtime } from './cgroup-path.ts';

/** What the resolver keeps per container beyond ContainerInfo. */
export interface ContainerMeta {
  info: ContainerInfo;
  /** Host path of the container's writable overlay layer (drift detection). */
  upperDir?: string;
  ips: string[];
  /** Host pid of the container's init process, when the engine says. */
  pid?: number;
  /** containerd namespace and socket, for ctr calls. */
  ctrNamespace?: string;
  ctrAddress?: string;
  /** The engine endpoint that answered (docker/podman socket label, "podman-cli", ctr address). */
  via?: string;
  /** Sandbox (pod infra) container id, to read pod labels from. */
  sandboxId?: string;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

export function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  let n = 0;
  for (const [k, val] of Object.entries(obj(v))) {
    if (typeof val === 'string' && n++ < 512) out[k] = val.length > 4096 ? val.slice(0, 4096) : val;
  }
  return out;
}

/** Kubernetes identity from CRI labels (io.kubernetes.pod.name/namespace/uid). */
export function k8sFromLabels(labels: Record<string, string>): ContainerInfo['k8s'] | undefined {
  const pod = labels['io.kubernetes.pod.name'];
  const namespace = labels['io.kubernetes.pod.namespace'];
  const podUid = labels['io.kubernetes.pod.uid'];
  if (!pod && !namespace && !podUid) return undefined;
  return { ...(pod ? { pod } : {}), ...(namespace ? { namespace } : {}), ...(podUid ? { podUid } : {}) };
}

/** Pod labels as set on the sandbox container: everything that is not kubelet's or the runtime's own. */
export function podLabelsFromSandbox(labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) {
    if (k.startsWith('io.kubernetes.') || k.startsWith('annotation.') || k.startsWith('io.containerd.') || k.startsWith('io.cri-containerd.') || k === 'maintainer') continue;
    out[k] = v;
  }
  return out;
}

function digestFrom(ref: string | undefined): string | undefined {
  const at = ref?.lastIndexOf('@') ?? -1;
  const d = at >= 0 ? ref!.slice(at + 1) : undefined;
  return d && /^sha256:[0-9a-f]{64}$/.test(d) ? d : undefined;
}

function ipsFrom(ns: Obj): string[] {
  const ips = new Set<string>();
  for (const k of ['IPAddress', 'GlobalIPv6Address']) if (str(ns[k])) ips.add(ns[k] as string);
  for (const net of Object.values(obj(ns.Networks))) {
    const n = obj(net);
    for (const k of ['IPAddress', 'GlobalIPv6Address']) if (str(n[k])) ips.add(n[k] as string);
  }
  return [...ips];
}

/** Docker Engine API / podman inspect → ContainerMeta; repoDigests come from the image inspect. */
export function metaFromInspect(raw: Obj, runtime: Runtime, repoDigests: string[] = []): ContainerMeta {
  const config = obj(raw.Config);
  const host = obj(raw.HostConfig);
  const state = obj(raw.State);
  const labels = stringMap(config.Labels);
  const id = str(raw.Id) ?? str(raw.ID) ?? '';
  const image = str(raw.ImageName) ?? str(config.Image);
  const imageDigest = str(raw.ImageDigest) ?? digestFrom(repoDigests.find((d) => image && d.startsWith(image.split(':')[0]! + '@'))) ?? digestFrom(repoDigests[0]);
  const rawImage = str(raw.Image);
  const imageId = rawImage ? (rawImage.startsWith('sha256:') ? rawImage : `sha256:${rawImage}`) : undefined;
  const k8s = k8sFromLabels(labels);
  const info: ContainerInfo = {
    id,
    name: str(raw.Name)?.replace(/^\//, ''),
    image,
    imageDigest,
    imageId,
    runtime,
    privileged: host.Privileged === true,
    labels,
    ...(k8s ? { k8s } : {}),
  };
  const pid = typeof state.Pid === 'number' && state.Pid > 0 ? state.Pid : undefined;
  return {
    info,
    upperDir: str(obj(obj(raw.GraphDriver).Data).UpperDir),
    ips: ipsFrom(obj(raw.NetworkSettings)),
    pid,
    sandboxId: labels['io.kubernetes.sandbox.id'],
  };
}

/** `ctr containers info` → ContainerMeta (image digest is filled from `ctr images ls` by the caller). */
export function metaFromCtrInfo(raw: Obj, ns: string): ContainerMeta {
  const labels = stringMap(raw.Labels);
  const spec = obj(raw.Spec);
  const proc = obj(spec.process);
  const caps = obj(proc.capabilities);
  const effective = Array.isArray(caps.effective) ? caps.effective : [];
  const k8s = k8sFromLabels(labels);
  const name = labels['io.kubernetes.container.name'] ?? labels['nerdctl/name'] ?? str(raw.ID);
  const info: ContainerInfo = {
    id: str(raw.ID) ?? '',
    name,
    image: str(raw.Image),
    runtime: 'containerd',
    // Privileged containers get the full capability set; CAP_SYS_ADMIN alone is the usual tell.
    privileged: effective.includes('CAP_SYS_ADMIN'),
    labels,
    ...(k8s ? { k8s } : {}),
  };
  return { info, ips: [], ctrNamespace: ns, sandboxId: labels['io.kubernetes.sandbox.id'] ?? labels['io.cri-containerd.sandbox-id'] };
}

/** The overlay upper dir of a process's root mount, from /proc/<pid>/mountinfo content. */
export function upperDirFromMountinfo(text: string): string | undefined {
  for (const line of text.split('\n')) {
    const parts = line.split(' ');
    // id parent major:minor root mountpoint options ... - fstype source superoptions
    if (parts[4] !== '/') continue;
    const dash = parts.indexOf('-');
    if (dash < 0 || parts[dash + 1] !== 'overlay') continue;
    const superOpts = parts.slice(dash + 3).join(' ');
    const m = /(?:^|,)upperdir=([^,]+)/.exec(superOpts);
    if (m) return m[1]!.replace(/\\([0-7]{3})/g, (_s, o: string) => String.fromCharCode(parseInt(o, 8)));
  }
  return undefined;
}
