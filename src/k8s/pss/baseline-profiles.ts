// Baseline controls about confinement: capabilities, AppArmor, SELinux, seccomp, /proc masking
// and sysctls. Allowed values follow upstream per version.
import type { PathSeg } from '../manifest/workloads.ts';
import type { CheckPod, PssCheck } from './types.ts';
import { v } from './version.ts';
import { containerList, containers, containerSC, isRec, joinQuote, pluralize, podSC, quote, rec, str, uniq } from './util.ts';

/** Capabilities the default container runtime profile grants; baseline allows adding only these. */
const BASELINE_CAPABILITIES = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);

const capabilitiesBaseline: PssCheck = {
  id: 'capabilities_baseline',
  level: 'baseline',
  title: 'Capabilities',
  rationale: 'Capabilities beyond the runtime default (NET_RAW, SYS_ADMIN ...) give containers powers that lead to node compromise.',
  remediation: `Add only these capabilities, if any: ${[...BASELINE_CAPABILITIES].join(', ')}.`,
  versions: [
    {
      minimumVersion: v(1, 0),
      checkPod: ({ spec }) => {
        const names: string[] = [];
        const caps: string[] = [];
        const paths: PathSeg[][] = [];
        for (const x of containers(spec)) {
          const add = rec(containerSC(x.c)?.capabilities)?.add;
          if (!Array.isArray(add)) continue;
          let bad = false;
          add.forEach((cap, i) => {
            if (typeof cap === 'string' && BASELINE_CAPABILITIES.has(cap)) return;
            bad = true;
            caps.push(String(cap));
            paths.push([...x.path, 'securityContext', 'capabilities', 'add', i]);
          });
          if (bad) names.push(x.name);
        }
        if (names.length === 0) return undefined;
        return { reason: 'non-default capabilities', detail: `${containerList(names)} must not include ${joinQuote(uniq(caps))} in securityContext.capabilities.add`, paths };
      },
    },
  ],
};

const APPARMOR_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

function appArmorAnnotations(annotations: Record<string, unknown>): { bad: string[]; paths: PathSeg[][] } {
  const bad: string[] = [];
  const paths: PathSeg[][] = [];
  for (const [k, val] of Object.entries(annotations)) {
    if (!k.startsWith(APPARMOR_PREFIX)) continue;
    const s = typeof val === 'string' ? val : String(val);
    if (s === '' || s === 'runtime/default' || s.startsWith('localhost/')) continue;
    bad.push(`${k}=${quote(s)}`);
    paths.push(['metadata', 'annotations', k]);
  }
  return { bad: bad.sort(), paths };
}

const appArmor_1_0: CheckPod = ({ annotations }) => {
  const { bad, paths } = appArmorAnnotations(annotations);
  if (bad.length === 0) return undefined;
  return { reason: pluralize('forbidden AppArmor profile', 'forbidden AppArmor profiles', bad.length), detail: bad.join(', '), paths };
};

/** From v1.30 the securityContext.appArmorProfile fields count too: only RuntimeDefault and Localhost. */
const appArmor_1_30: CheckPod = (pod) => {
  const { bad, paths } = appArmorAnnotations(pod.annotations);
  const fieldBad: string[] = [];
  const check = (sc: Record<string, unknown> | undefined, who: string, at: PathSeg[]) => {
    const prof = rec(sc?.appArmorProfile);
    if (!prof) return;
    const type = str(prof.type) ?? '';
    if (type === 'RuntimeDefault' || type === 'Localhost') return;
    fieldBad.push(`${who}=${quote(type)}`);
    paths.push([...at, 'securityContext', 'appArmorProfile', 'type']);
  };
  check(podSC(pod.spec), 'securityContext.appArmorProfile.type', ['spec']);
  for (const x of containers(pod.spec)) check(containerSC(x.c), `container ${quote(x.name)} securityContext.appArmorProfile.type`, x.path);
  const all = [...fieldBad, ...bad];
  if (all.length === 0) return undefined;
  return { reason: pluralize('forbidden AppArmor profile', 'forbidden AppArmor profiles', all.length), detail: all.join(', '), paths };
};

const appArmorProfile: PssCheck = {
  id: 'appArmorProfile',
  level: 'baseline',
  title: 'AppArmor',
  rationale: 'Overriding or disabling the default AppArmor profile removes a layer of confinement.',
  remediation: 'Leave the AppArmor profile unset, or use RuntimeDefault / Localhost (annotations: runtime/default, localhost/*).',
  versions: [
    { minimumVersion: v(1, 0), checkPod: appArmor_1_0 },
    { minimumVersion: v(1, 30), checkPod: appArmor_1_30 },
  ],
};

function seLinuxCheck(allowedTypes: ReadonlySet<string>): CheckPod {
  return ({ spec }) => {
    const setters: string[] = [];
    const badContainers: string[] = [];
    const types: string[] = [];
    const users: string[] = [];
    const roles: string[] = [];
    const paths: PathSeg[][] = [];
    const inspect = (opts: unknown, at: PathSeg[]): boolean => {
      const o = rec(opts);
      if (!o) return false;
      let bad = false;
      const type = str(o.type) ?? '';
      if (!allowedTypes.has(type)) {
        types.push(type);
        paths.push([...at, 'type']);
        bad = true;
      }
      for (const [field, into] of [['user', users], ['role', roles]] as const) {
        const val = str(o[field]) ?? '';
        if (val !== '') {
          into.push(val);
          paths.push([...at, field]);
          bad = true;
        }
      }
      return bad;
    };
    if (inspect(podSC(spec)?.seLinuxOptions, ['spec', 'securityContext', 'seLinuxOptions'])) setters.push('pod');
    for (const x of containers(spec)) if (inspect(containerSC(x.c)?.seLinuxOptions, [...x.path, 'securityContext', 'seLinuxOptions'])) badContainers.push(x.name);
    if (badContainers.length > 0) setters.push(containerList(badContainers));
    if (setters.length === 0) return undefined;
    const what: string[] = [];
    if (types.length) what.push(`${pluralize('type', 'types', uniq(types).length)} ${joinQuote(uniq(types))}`);
    if (users.length) what.push(`${pluralize('user', 'users', uniq(users).length)} ${joinQuote(uniq(users))}`);
    if (roles.length) what.push(`${pluralize('role', 'roles', uniq(roles).length)} ${joinQuote(uniq(roles))}`);
    return { reason: 'seLinuxOptions', detail: `${setters.join(' and ')} set forbidden securityContext.seLinuxOptions: ${what.join('; ')}`, paths };
  };
}

const SELINUX_TYPES_1_0 = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t']);
const SELINUX_TYPES_1_31 = new Set([...SELINUX_TYPES_1_0, 'container_engine_t']);

const seLinuxOptions: PssCheck = {
  id: 'seLinuxOptions',
  level: 'baseline',
  title: 'SELinux',
  rationale: 'Custom SELinux users, roles or types can lift the confinement that the container types give.',
  remediation: 'Leave seLinuxOptions.user and .role unset; use only the container_t family of types.',
  versions: [
    { minimumVersion: v(1, 0), checkPod: seLinuxCheck(SELINUX_TYPES_1_0) },
    { minimumVersion: v(1, 31), checkPod: seLinuxCheck(SELINUX_TYPES_1_31) },
  ],
};

/** Containers whose procMount is set to something other than Default. */
function unmaskedProc(spec: Record<string, unknown>): CheckPodResultParts | undefined {
  const names: string[] = [];
  const values: string[] = [];
  const paths: PathSeg[][] = [];
  for (const x of containers(spec)) {
    const pm = containerSC(x.c)?.procMount;
    if (pm === undefined || pm === null || pm === 'Default') continue;
    names.push(x.name);
    values.push(String(pm));
    paths.push([...x.path, 'securityContext', 'procMount']);
  }
  return names.length === 0 ? undefined : { names, values: uniq(values), paths };
}

interface CheckPodResultParts {
  names: string[];
  values: string[];
  paths: PathSeg[][];
}

export function procMountViolation(parts: CheckPodResultParts) {
  return { reason: 'procMount', detail: `${containerList(parts.names)} must not set securityContext.procMount to ${joinQuote(parts.values)}`, paths: parts.paths };
}

const procMount: PssCheck = {
  id: 'procMount',
  level: 'baseline',
  title: '/proc mount type',
  rationale: 'An unmasked /proc exposes host kernel interfaces that the default mask hides.',
  remediation: 'Leave securityContext.procMount unset or Default (v1.35+: Unmasked only in pods with hostUsers: false).',
  versions: [
    {
      minimumVersion: v(1, 0),
      checkPod: ({ spec }) => {
        const parts = unmaskedProc(spec);
        return parts && procMountViolation(parts);
      },
    },
    {
      // A pod in its own user namespace cannot reach the host through /proc: baseline allows it.
      minimumVersion: v(1, 35),
      checkPod: ({ spec }) => {
        if (spec.hostUsers === false) return undefined;
        const parts = unmaskedProc(spec);
        return parts && procMountViolation(parts);
      },
    },
  ],
};

export { unmaskedProc };

const SECCOMP_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const SECCOMP_CONTAINER_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';

const seccompBaseline_1_0: CheckPod = ({ annotations, spec }) => {
  const bad: string[] = [];
  const paths: PathSeg[][] = [];
  const look = (key: string) => {
    const val = annotations[key];
    if (val === 'unconfined') {
      bad.push(`${key}=${quote('unconfined')}`);
      paths.push(['metadata', 'annotations', key]);
    }
  };
  look(SECCOMP_POD_ANNOTATION);
  for (const x of containers(spec)) look(SECCOMP_CONTAINER_PREFIX + x.name);
  const u = uniq(bad).sort();
  if (u.length === 0) return undefined;
  return { reason: 'seccompProfile', detail: `forbidden ${pluralize('annotation', 'annotations', u.length)} ${u.join(', ')}`, paths };
};

const seccompBaseline_1_19: CheckPod = ({ spec }) => {
  const setters: string[] = [];
  const paths: PathSeg[][] = [];
  if (rec(podSC(spec)?.seccompProfile)?.type === 'Unconfined') {
    setters.push('pod');
    paths.push(['spec', 'securityContext', 'seccompProfile', 'type']);
  }
  const bad = containers(spec).filter((x) => rec(containerSC(x.c)?.seccompProfile)?.type === 'Unconfined');
  if (bad.length > 0) setters.push(containerList(bad.map((x) => x.name)));
  for (const x of bad) paths.push([...x.path, 'securityContext', 'seccompProfile', 'type']);
  if (setters.length === 0) return undefined;
  return { reason: 'seccompProfile', detail: `${setters.join(' and ')} must not set securityContext.seccompProfile.type to "Unconfined"`, paths };
};

const seccompProfileBaseline: PssCheck = {
  id: 'seccompProfile_baseline',
  level: 'baseline',
  title: 'Seccomp',
  rationale: 'Running Unconfined removes the syscall filter that blocks most kernel attack surface.',
  remediation: 'Do not set the seccomp profile to Unconfined (annotations before v1.19: unconfined).',
  versions: [
    { minimumVersion: v(1, 0), checkPod: seccompBaseline_1_0 },
    { minimumVersion: v(1, 19), checkPod: seccompBaseline_1_19 },
  ],
};

const SAFE_SYSCTLS_1_0 = ['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_unprivileged_port_start'];
const SAFE_SYSCTLS_1_27 = [...SAFE_SYSCTLS_1_0, 'net.ipv4.ip_local_reserved_ports'];
const SAFE_SYSCTLS_1_29 = [...SAFE_SYSCTLS_1_27, 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes'];
const SAFE_SYSCTLS_1_32 = [...SAFE_SYSCTLS_1_29, 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'];
const SAFE_SYSCTLS_1_37 = [...SAFE_SYSCTLS_1_32, 'net.ipv4.tcp_slow_start_after_idle', 'net.ipv4.tcp_notsent_lowat'];

function sysctlCheck(allowedList: readonly string[]): CheckPod {
  const allowed = new Set(allowedList);
  return ({ spec }) => {
    const list = podSC(spec)?.sysctls;
    if (!Array.isArray(list)) return undefined;
    const bad: string[] = [];
    const paths: PathSeg[][] = [];
    list.forEach((s, i) => {
      const name = isRec(s) ? str(s.name) ?? '' : '';
      if (allowed.has(name)) return;
      bad.push(name);
      paths.push(['spec', 'securityContext', 'sysctls', i, 'name']);
    });
    if (bad.length === 0) return undefined;
    return { reason: 'forbidden sysctls', detail: uniq(bad).join(', '), paths };
  };
}

const sysctls: PssCheck = {
  id: 'sysctls',
  level: 'baseline',
  title: 'Sysctls',
  rationale: 'Sysctls outside the namespaced "safe" set can affect the whole node or other pods.',
  remediation: 'Set only the safe sysctls of the policy version (e.g. net.ipv4.ip_local_port_range, net.ipv4.tcp_syncookies).',
  versions: [
    { minimumVersion: v(1, 0), checkPod: sysctlCheck(SAFE_SYSCTLS_1_0) },
    { minimumVersion: v(1, 27), checkPod: sysctlCheck(SAFE_SYSCTLS_1_27) },
    { minimumVersion: v(1, 29), checkPod: sysctlCheck(SAFE_SYSCTLS_1_29) },
    { minimumVersion: v(1, 32), checkPod: sysctlCheck(SAFE_SYSCTLS_1_32) },
    { minimumVersion: v(1, 37), checkPod: sysctlCheck(SAFE_SYSCTLS_1_37) },
  ],
};

export const BASELINE_PROFILE_CHECKS: PssCheck[] = [appArmorProfile, capabilitiesBaseline, procMount, seccompProfileBaseline, seLinuxOptions, sysctls];
