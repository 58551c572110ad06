// Container identity from a cgroup path, by the naming conventions of each engine and cgroup driver:
//   Docker     cgroupfs  /docker/<id>                 systemd  .../docker-<id>.scope
//   podman     cgroupfs  /libpod_parent/libpod-<id>   systemd  .../libpod-<id>.scope
//   cri-o                .../crio-<id>.scope (crio-conmon-<id>.scope is the monitor, not the container)
//   containerd (k8s)     .../cri-containerd-<id>.scope, /kubepods/<qos>/pod<uid>/<id>
//   containerd (ctr, nerdctl)  /<namespace>/<id>: any name, so only a *candidate* the engine must confirm
// The outermost match wins: the engine on this host knows the outer container, and cgroups a
// container creates below its own (systemd inside, docker-in-docker) still belong to it.
import type { ContainerInfo } from '../event.ts';

export type Runtime = NonNullable<ContainerInfo['runtime']>;

export interface CgroupMatch {
  runtime: Runtime;
  id: string;
  /** Kubernetes pod uid (from a kubepods path), with dashes. */
  podUid?: string;
  /** containerd namespace for a /<namespace>/<id> candidate. */
  ctrNamespace?: string;
  /** True when only the path shape suggests a container (ctr/nerdctl): confirm with the engine. */
  candidate?: boolean;
}

const HEX64 = /^[0-9a-f]{64}$/;
const SCOPED: Array<[RegExp, Runtime]> = [
  [/^docker-([0-9a-f]{64})\.scope$/, 'docker'],
  [/^libpod-([0-9a-f]{64})(?:\.scope)?$/, 'podman'],
  [/^crio-([0-9a-f]{64})(?:\.scope)?$/, 'cri-o'],
  [/^cri-containerd-([0-9a-f]{64})\.scope$/, 'containerd'],
];
/** Top-level cgroups that are never a containerd namespace. */
const SYSTEM_TOP = new Set(['system.slice', 'user.slice', 'init.scope', 'machine.slice', 'kubepods', 'kubepods.slice', 'docker', 'libpod_parent', 'lxc', 'lxc.payload', 'lxc.monitor']);
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

function podUidFrom(segment: string): string | undefined {
  // cgroupfs: pod<uid>; systemd: kubepods-burstable-pod<uid with _ for ->.slice
  const m = /(?:^|-)pod([0-9a-f_-]{32,36})(?:\.slice)?$/.exec(segment);
  return m ? m[1]!.replace(/_/g, '-') : undefined;
}

/** The container a cgroup path (as in /proc/<pid>/cgroup's "0::" line) belongs to, or undefined for the host. */
export function containerFromCgroupPath(path: string): CgroupMatch | undefined {
  if (typeof path !== 'string' || path.length > 4096) return undefined;
  const segs = path.split('/').filter((s) => s.length > 0);
  let podUid: string | undefined;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i]!;
    podUid ??= segs[0]?.startsWith('kubepods') ? podUidFrom(seg) : undefined;
    for (const [re, runtime] of SCOPED) {
      const m = re.exec(seg);
      if (m) return { runtime, id: m[1]!, ...(podUid ? { podUid } : {}) };
    }
    if (HEX64.test(seg)) {
      const parent = i > 0 ? segs[i - 1]! : '';
      if (parent === 'docker') return { runtime: 'docker', id: seg };
      // /kubepods/.../pod<uid>/<id>: the engine (docker, containerd, cri-o) is found by asking them.
      return { runtime: 'unknown', id: seg, ...(podUid ? { podUid } : {}) };
    }
  }
  if (segs.length === 2 && !SYSTEM_TOP.has(segs[0]!) && NAME.test(segs[0]!) && NAME.test(segs[1]!) && !segs[1]!.endsWith('.scope') && !segs[1]!.endsWith('.slice')) {
    return { runtime: 'containerd', id: segs[1]!, ctrNamespace: segs[0]!, candidate: true };
  }
  return undefined;
}

/** The unified-hierarchy path from /proc/<pid>/cgroup content ("0::/docker/<id>"), or undefined. */
export function unifiedPathFromProcCgroup(text: string): string | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('0::')) return line.slice(3).trim() || '/';
  }
  return undefined;
}
