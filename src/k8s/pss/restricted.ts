// Restricted controls: volume types, privilege escalation, non-root, seccomp, dropped
// capabilities and /proc masking. Windows pods (spec.os.name: windows) are exempt from the
// Linux-only controls from v1.25, as upstream.
import type { PathSeg } from '../manifest/workloads.ts';
import type { CheckPod, PssCheck } from './types.ts';
import { procMountViolation, unmaskedProc } from './baseline-profiles.ts';
import { v } from './version.ts';
import { containerList, containers, containerSC, isRec, isWindowsPod, joinQuote, pluralize, podSC, rec, uniq } from './util.ts';

/** Volume sources restricted forbids (everything that is not configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected, secret). */
const RESTRICTED_VOLUME_TYPES = [
  'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'nfs', 'iscsi', 'glusterfs', 'rbd', 'flexVolume', 'cinder', 'cephfs',
  'flocker', 'fc', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'portworxVolume', 'photonPersistentDisk', 'scaleIO', 'storageos', 'hostPath',
];

const restrictedVolumes: PssCheck = {
  id: 'restrictedVolumes',
  level: 'restricted',
  title: 'Volume types',
  rationale: 'Only ephemeral, projected and claim-based volumes keep storage access under the cluster\'s control.',
  remediation: 'Use only configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected and secret volumes.',
  versions: [
    {
      minimumVersion: v(1, 0),
      checkPod: ({ spec }) => {
        const vols = Array.isArray(spec.volumes) ? spec.volumes : [];
        const names: string[] = [];
        const types: string[] = [];
        const paths: PathSeg[][] = [];
        vols.forEach((vol, i) => {
          if (!isRec(vol)) return;
          const found = RESTRICTED_VOLUME_TYPES.filter((t) => vol[t] !== undefined && vol[t] !== null);
          if (found.length === 0) return;
          names.push(String(vol.name ?? ''));
          types.push(...found);
          for (const t of found) paths.push(['spec', 'volumes', i, t]);
        });
        if (names.length === 0) return undefined;
        const u = uniq(types);
        return {
          reason: 'restricted volume types',
          detail: `${pluralize('volume', 'volumes', names.length)} ${joinQuote(names)} ${pluralize('uses', 'use', names.length)} restricted volume ${pluralize('type', 'types', u.length)} ${joinQuote(u)}`,
          paths,
        };
      },
    },
  ],
};

const allowPrivilegeEscalation_1_8: CheckPod = ({ spec }) => {
  const bad = containers(spec).filter((x) => containerSC(x.c)?.allowPrivilegeEscalation !== false);
  if (bad.length === 0) return undefined;
  return {
    reason: 'allowPrivilegeEscalation != false',
    detail: `${containerList(bad.map((x) => x.name))} must set securityContext.allowPrivilegeEscalation=false`,
    paths: bad.map((x) => [...x.path, 'securityContext', 'allowPrivilegeEscalation']),
  };
};

/** From v1.25, Linux-only controls do not apply to pods that declare spec.os.name: windows. */
function exemptWindows(check: CheckPod): CheckPod {
  return (pod) => (isWindowsPod(pod.spec) ? undefined : check(pod));
}

const allowPrivilegeEscalation: PssCheck = {
  id: 'allowPrivilegeEscalation',
  level: 'restricted',
  title: 'Privilege escalation',
  rationale: 'Without allowPrivilegeEscalation: false, setuid binaries and file capabilities can gain privileges (no_new_privs unset).',
  remediation: 'Set securityContext.allowPrivilegeEscalation: false on every container.',
  versions: [
    { minimumVersion: v(1, 8), checkPod: allowPrivilegeEscalation_1_8 },
    { minimumVersion: v(1, 25), checkPod: exemptWindows(allowPrivilegeEscalation_1_8) },
  ],
};

const runAsNonRoot: PssCheck = {
  id: 'runAsNonRoot',
  level: 'restricted',
  title: 'Running as non-root',
  rationale: 'Containers running as root inherit root\'s power over anything a breakout reaches.',
  remediation: 'Set securityContext.runAsNonRoot: true on the pod (or on every container), and never false.',
  versions: [
    {
      minimumVersion: v(1, 0),
      checkPod: ({ spec }) => {
        const details: string[] = [];
        const paths: PathSeg[][] = [];
        const pod = podSC(spec)?.runAsNonRoot;
        let podOK = false;
        if (typeof pod === 'boolean') {
          if (!pod) {
            details.push('pod must not set securityContext.runAsNonRoot=false');
            paths.push(['spec', 'securityContext', 'runAsNonRoot']);
          } else podOK = true;
        }
        const explicit: string[] = [];
        const implicit: string[] = [];
        for (const x of containers(spec)) {
          const val = containerSC(x.c)?.runAsNonRoot;
          if (typeof val === 'boolean') {
            if (!val) {
              explicit.push(x.name);
              paths.push([...x.path, 'securityContext', 'runAsNonRoot']);
            }
          } else if (!podOK) {
            implicit.push(x.name);
            paths.push(x.path);
          }
        }
        if (explicit.length) details.push(`${containerList(explicit)} must not set securityContext.runAsNonRoot=false`);
        if (implicit.length) details.push(`pod or ${containerList(implicit)} must set securityContext.runAsNonRoot=true`);
        if (details.length === 0) return undefined;
        return { reason: 'runAsNonRoot != true', detail: details.join('; '), paths };
      },
    },
  ],
};

const runAsUser: PssCheck = {
  id: 'runAsUser',
  level: 'restricted',
  title: 'Running as non-root user',
  rationale: 'runAsUser: 0 runs the container as root whatever the image says.',
  remediation: 'Do not set runAsUser to 0 on the pod or any container.',
  versions: [
    {
      minimumVersion: v(1, 23),
      checkPod: ({ spec }) => {
        const setters: string[] = [];
        const paths: PathSeg[][] = [];
        if (podSC(spec)?.runAsUser === 0) {
          setters.push('pod');
          paths.push(['spec', 'securityContext', 'runAsUser']);
        }
        const bad = containers(spec).filter((x) => containerSC(x.c)?.runAsUser === 0);
        if (bad.length) setters.push(containerList(bad.map((x) => x.name)));
        for (const x of bad) paths.push([...x.path, 'securityContext', 'runAsUser']);
        if (setters.length === 0) return undefined;
        return { reason: 'runAsUser=0', detail: `${setters.join(' and ')} must not set runAsUser=0`, paths };
      },
    },
  ],
};

const VALID_SECCOMP = new Set(['RuntimeDefault', 'Localhost']);

const seccompRestricted_1_19: CheckPod = ({ spec }) => {
  const setters: string[] = [];
  const values: string[] = [];
  const paths: PathSeg[][] = [];
  let podOK = false;
  const podProfile = rec(podSC(spec)?.seccompProfile);
  if (podProfile) {
    if (VALID_SECCOMP.has(String(podProfile.type))) podOK = true;
    else {
      setters.push('pod');
      values.push(String(podProfile.type ?? ''));
      paths.push(['spec', 'securityContext', 'seccompProfile', 'type']);
    }
  }
  const explicit: string[] = [];
  const implicit: string[] = [];
  for (const x of containers(spec)) {
    const prof = rec(containerSC(x.c)?.seccompProfile);
    if (prof) {
      if (!VALID_SECCOMP.has(String(prof.type))) {
        explicit.push(x.name);
        values.push(String(prof.type ?? ''));
        paths.push([...x.path, 'securityContext', 'seccompProfile', 'type']);
      }
    } else if (!podOK) {
      implicit.push(x.name);
      paths.push(x.path);
    }
  }
  if (explicit.length) setters.push(containerList(explicit));
  const details: string[] = [];
  if (setters.length) details.push(`${setters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(uniq(values))}`);
  if (implicit.length) details.push(`pod or ${containerList(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`);
  if (details.length === 0) return undefined;
  return { reason: 'seccompProfile', detail: details.join('; '), paths };
};

const seccompProfileRestricted: PssCheck = {
  id: 'seccompProfile_restricted',
  level: 'restricted',
  title: 'Seccomp (restricted)',
  rationale: 'Without an explicit RuntimeDefault or Localhost seccomp profile, containers run with every syscall available.',
  remediation: 'Set securityContext.seccompProfile.type: RuntimeDefault (or Localhost) on the pod or every container.',
  versions: [
    { minimumVersion: v(1, 19), checkPod: seccompRestricted_1_19, overrides: ['seccompProfile_baseline'] },
    { minimumVersion: v(1, 25), checkPod: exemptWindows(seccompRestricted_1_19), overrides: ['seccompProfile_baseline'] },
  ],
};

const capabilitiesRestricted_1_22: CheckPod = ({ spec }) => {
  const missingDrop: string[] = [];
  const adding: string[] = [];
  const caps: string[] = [];
  const paths: PathSeg[][] = [];
  for (const x of containers(spec)) {
    const c = rec(containerSC(x.c)?.capabilities);
    const drop = c?.drop;
    if (!Array.isArray(drop) || !drop.includes('ALL')) {
      missingDrop.push(x.name);
      paths.push([...x.path, 'securityContext', 'capabilities']);
    }
    const add = c?.add;
    if (Array.isArray(add)) {
      let bad = false;
      add.forEach((cap, i) => {
        if (cap === 'NET_BIND_SERVICE') return;
        bad = true;
        caps.push(String(cap));
        paths.push([...x.path, 'securityContext', 'capabilities', 'add', i]);
      });
      if (bad) adding.push(x.name);
    }
  }
  const details: string[] = [];
  if (missingDrop.length) details.push(`${containerList(missingDrop)} must set securityContext.capabilities.drop=["ALL"]`);
  if (adding.length) details.push(`${containerList(adding)} must not include ${joinQuote(uniq(caps))} in securityContext.capabilities.add`);
  if (details.length === 0) return undefined;
  return { reason: 'unrestricted capabilities', detail: details.join('; '), paths };
};

const capabilitiesRestricted: PssCheck = {
  id: 'capabilities_restricted',
  level: 'restricted',
  title: 'Capabilities (restricted)',
  rationale: 'Containers should drop every capability and add back at most NET_BIND_SERVICE.',
  remediation: 'Set securityContext.capabilities.drop: ["ALL"] on every container; add only NET_BIND_SERVICE.',
  versions: [
    { minimumVersion: v(1, 22), checkPod: capabilitiesRestricted_1_22, overrides: ['capabilities_baseline'] },
    { minimumVersion: v(1, 25), checkPod: exemptWindows(capabilitiesRestricted_1_22), overrides: ['capabilities_baseline'] },
  ],
};

const procMountRestricted: PssCheck = {
  id: 'procMount_restricted',
  level: 'restricted',
  title: '/proc mount type (restricted)',
  rationale: 'Restricted pods keep the default /proc mask even in their own user namespace.',
  remediation: 'Leave securityContext.procMount unset or Default.',
  versions: [
    {
      minimumVersion: v(1, 35),
      checkPod: ({ spec }) => {
        const parts = unmaskedProc(spec);
        return parts && procMountViolation(parts);
      },
      overrides: ['procMount'],
    },
  ],
};

export const RESTRICTED_CHECKS: PssCheck[] = [allowPrivilegeEscalation, capabilitiesRestricted, procMountRestricted, restrictedVolumes, runAsNonRoot, runAsUser, seccompProfileRestricted];
