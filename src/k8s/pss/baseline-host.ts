// Baseline controls about the host: namespaces, ports, hostPath volumes, privileged containers,
// Windows HostProcess, and probe/lifecycle handlers aimed at other hosts.
import type { PathSeg } from '../manifest/workloads.ts';
import type { PssCheck, PssViolation } from './types.ts';
import { v } from './version.ts';
import { containerList, containers, containerSC, isRec, joinQuote, pluralize, podSC, rec, type Rec, uniq } from './util.ts';

const hostNamespaces: PssCheck = {
  id: 'hostNamespaces',
  level: 'baseline',
  title: 'Host namespaces',
  rationale: 'Sharing the host network, PID or IPC namespace lets a pod see and reach host processes and traffic.',
  remediation: 'Remove spec.hostNetwork, spec.hostPID and spec.hostIPC (or set them to false).',
  versions: [
    {
      minimumVersion: v(1, 0),
      checkPod: ({ spec }) => {
        const set = ['hostNetwork', 'hostPID', 'hostIPC'].filter((f) => spec[f] === true);
        if (set.length === 0) return undefined;
        return { reason: 'host namespaces', detail: set.map((f) => `${f}=true`).join(', '), paths: set.map((f) => ['spec', f]) };
      },
    },
  ],
};

const privileged: PssCheck = {
  id: 'privileged',
  level: 'baseline',
  title: 'Privileged containers',
  rationale: 'A privileged container has every capability and all host devices: it is root on the node.',
  remediation: 'Remove securityContext.privileged (or set it to false) on every container.',
  versions: [
    {
      minimumVersion: v(1, 0),
      checkPod: ({ spec }) => {
        const bad = containers(spec).filter((x) => containerSC(x.c)?.privileged === true);
        if (bad.length === 0) return undefined;
        return {
          reason: 'privileged',
          detail: `${containerList(bad.map((x) => x.name))} must not set securityContext.privileged=true`,
          paths: bad.map((x) => [...x.path, 'securityContext', 'privileged']),
        };
      },
    },
  ],
};

const hostPathVolumes: PssCheck = {
  id: 'hostPathVolumes',
  level: 'baseline',
  title: 'HostPath volumes',
  rationale: 'hostPath volumes expose the node filesystem to the pod (container escape, credential theft).',
  remediation: 'Use configMap, secret, emptyDir, projected or persistentVolumeClaim volumes instead of hostPath.',
  versions: [
    {
      minimumVersion: v(1, 0),
      checkPod: ({ spec }) => {
        const vols = Array.isArray(spec.volumes) ? spec.volumes : [];
        const bad: Array<{ name: string; i: number }> = [];
        vols.forEach((vol, i) => {
          if (isRec(vol) && vol.hostPath !== undefined && vol.hostPath !== null) bad.push({ name: String(vol.name ?? ''), i });
        });
        if (bad.length === 0) return undefined;
        return {
          reason: 'hostPath volumes',
          detail: `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad.map((b) => b.name))}`,
          paths: bad.map((b) => ['spec', 'volumes', b.i, 'hostPath']),
        };
      },
    },
  ],
};

const hostPorts: PssCheck = {
  id: 'hostPorts',
  level: 'baseline',
  title: 'Host ports',
  rationale: 'Host ports bind the node\'s network interfaces, bypassing network policy and exposing the pod.',
  remediation: 'Remove hostPort from container ports; expose the pod through a Service.',
  versions: [
    {
      minimumVersion: v(1, 0),
      checkPod: ({ spec }) => {
        const names: string[] = [];
        const ports: string[] = [];
        const paths: PathSeg[][] = [];
        for (const x of containers(spec)) {
          const list = Array.isArray(x.c.ports) ? x.c.ports : [];
          let found = false;
          list.forEach((p, i) => {
            const hp = rec(p)?.hostPort;
            if (typeof hp === 'number' && hp !== 0) {
              found = true;
              ports.push(String(hp));
              paths.push([...x.path, 'ports', i, 'hostPort']);
            }
          });
          if (found) names.push(x.name);
        }
        if (names.length === 0) return undefined;
        const u = uniq(ports);
        return {
          reason: 'hostPort',
          detail: `${containerList(names)} ${pluralize('uses', 'use', names.length)} ${pluralize('hostPort', 'hostPorts', u.length)} ${u.join(', ')}`,
          paths,
        };
      },
    },
  ],
};

function hostProcessSetters(spec: Rec): { setters: string[]; paths: PathSeg[][] } {
  const setters: string[] = [];
  const paths: PathSeg[][] = [];
  if (rec(podSC(spec)?.windowsOptions)?.hostProcess === true) {
    setters.push('pod');
    paths.push(['spec', 'securityContext', 'windowsOptions', 'hostProcess']);
  }
  const bad = containers(spec).filter((x) => rec(containerSC(x.c)?.windowsOptions)?.hostProcess === true);
  if (bad.length > 0) {
    setters.push(containerList(bad.map((x) => x.name)));
    for (const x of bad) paths.push([...x.path, 'securityContext', 'windowsOptions', 'hostProcess']);
  }
  return { setters, paths };
}

const windowsHostProcess: PssCheck = {
  id: 'windowsHostProcess',
  level: 'baseline',
  title: 'HostProcess (Windows)',
  rationale: 'Windows HostProcess containers run directly on the host with full privileges.',
  remediation: 'Remove securityContext.windowsOptions.hostProcess (or set it to false) on the pod and every container.',
  versions: [
    {
      minimumVersion: v(1, 0),
      checkPod: ({ spec }) => {
        const { setters, paths } = hostProcessSetters(spec);
        if (setters.length === 0) return undefined;
        return { reason: 'hostProcess', detail: `${setters.join(' and ')} must not set securityContext.windowsOptions.hostProcess=true`, paths };
      },
    },
  ],
};

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;
const LIFECYCLE = ['postStart', 'preStop'] as const;

/** Handlers (probes, lifecycle hooks) that name a host: the kubelet would connect to it for the pod. */
function hostHandlers(c: Rec, base: PathSeg[]): Array<{ host: string; path: PathSeg[] }> {
  const out: Array<{ host: string; path: PathSeg[] }> = [];
  const visit = (handler: unknown, at: PathSeg[]) => {
    const h = rec(handler);
    if (!h) return;
    for (const kind of ['httpGet', 'tcpSocket']) {
      const host = rec(h[kind])?.host;
      if (typeof host === 'string' && host !== '') out.push({ host, path: [...at, kind, 'host'] });
    }
  };
  for (const p of PROBES) visit(c[p], [...base, p]);
  const lc = rec(c.lifecycle);
  if (lc) for (const l of LIFECYCLE) visit(lc[l], [...base, 'lifecycle', l]);
  return out;
}

const hostProbesAndHostLifecycle: PssCheck = {
  id: 'hostProbesAndHostLifecycle',
  level: 'baseline',
  title: 'Host probes and lifecycle hooks',
  rationale: 'A probe or lifecycle hook with a host makes the kubelet connect to that host from the node (SSRF into the node network).',
  remediation: 'Remove the host field from httpGet/tcpSocket probes and lifecycle handlers; they then target the pod itself.',
  versions: [
    {
      minimumVersion: v(1, 34),
      checkPod: ({ spec }) => {
        const names: string[] = [];
        const hosts: string[] = [];
        const paths: PathSeg[][] = [];
        for (const x of containers(spec)) {
          const hh = hostHandlers(x.c, x.path);
          if (hh.length === 0) continue;
          names.push(x.name);
          for (const h of hh) {
            hosts.push(h.host);
            paths.push(h.path);
          }
        }
        if (names.length === 0) return undefined;
        const u = uniq(hosts);
        return {
          reason: 'probe or lifecycle host',
          detail: `${containerList(names)} ${pluralize('uses', 'use', names.length)} probe or lifecycle ${pluralize('host', 'hosts', u.length)} ${joinQuote(u)}`,
          paths,
        };
      },
    },
  ],
};

export const BASELINE_HOST_CHECKS: PssCheck[] = [hostNamespaces, privileged, hostPathVolumes, hostPorts, windowsHostProcess, hostProbesAndHostLifecycle];

export type { PssViolation };
