// Pod Security Standards as checks: one finding per violated control and workload, worded as
// the admission controller words it (`violates PodSecurity "restricted:v1.37": ...`).
import type { CheckMeta } from '../../misconfig/types.ts';
import { podSpecOf, WORKLOAD_KINDS, type PathSeg, type PodSpecRef } from '../manifest/workloads.ts';
import { evaluatePod, forbiddenMessage, LATEST_VERSION, podView, PSS_CHECKS, type PssCheck } from '../pss/index.ts';
import { makeFinding } from './finding.ts';
import type { K8sAnalyzer, K8sFinding } from './types.ts';

/**
 * Trivy KSV checks that look for the same thing as a PSS control. Not here because they differ:
 * KSV003 accepts `drop: [all]` (upstream PSS wants exactly "ALL"), KSV022 flags every added
 * capability (baseline allows the runtime's default set), KSV005 only SYS_ADMIN.
 */
const TRIVY_EQUIVALENTS: Record<string, string[]> = {
  allowPrivilegeEscalation: ['KSV001'],
  appArmorProfile: ['KSV002'],
  hostNamespaces: ['KSV008', 'KSV009', 'KSV010'],
  privileged: ['KSV017'],
  hostPathVolumes: ['KSV023'],
  seLinuxOptions: ['KSV025'],
  sysctls: ['KSV026'],
  procMount: ['KSV027'],
  restrictedVolumes: ['KSV028'],
  runAsNonRoot: ['KSV012'],
  seccompProfile_restricted: ['KSV030'],
};

/** kubescape controls for the same thing. */
const KUBESCAPE_EQUIVALENTS: Record<string, string[]> = {
  allowPrivilegeEscalation: ['C-0016'],
  hostNamespaces: ['C-0038', 'C-0041'],
  privileged: ['C-0057'],
  hostPathVolumes: ['C-0048'],
  runAsNonRoot: ['C-0013'],
  capabilities_baseline: ['C-0046'],
  seccompProfile_restricted: ['C-0210'],
  hostPorts: ['C-0044'],
};

export function pssCheckId(id: string): string {
  return `PSS-${id}`;
}

function pssMeta(c: PssCheck): CheckMeta {
  const trivy = (TRIVY_EQUIVALENTS[c.id] ?? []).flatMap((k) => [k, `AVD-KSV-${k.slice(3).padStart(4, '0')}`]);
  return {
    id: pssCheckId(c.id),
    aliases: [c.id, ...trivy, ...(KUBESCAPE_EQUIVALENTS[c.id] ?? [])],
    title: `Pod Security Standards (${c.level}): ${c.title}`,
    severity: c.level === 'baseline' ? 'HIGH' : 'MEDIUM',
    rationale: c.rationale,
    remediation: c.remediation,
    references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/'],
  };
}

const META = new Map(PSS_CHECKS.map((c) => [c.id, pssMeta(c)]));
const BASELINE_IDS = PSS_CHECKS.filter((c) => c.level === 'baseline').map((c) => pssCheckId(c.id));
const ALL_IDS = PSS_CHECKS.map((c) => pssCheckId(c.id));

/** Paths of a violation are pod-relative (['spec', ...] / ['metadata', ...]); make them object-relative. */
function objectPath(pod: PodSpecRef, p: PathSeg[]): PathSeg[] {
  if (p[0] === 'spec') return [...pod.specPath, ...p.slice(1)];
  if (p[0] === 'metadata') return [...pod.metaPath, ...p.slice(1)];
  return p;
}

export const pssAnalyzer: K8sAnalyzer = {
  name: 'pss',
  checks: [...META.values()],
  groups: { 'pss-baseline': BASELINE_IDS, 'pss-restricted': ALL_IDS },
  kinds: WORKLOAD_KINDS,
  run({ objects, selected, options }) {
    const wanted = PSS_CHECKS.filter((c) => selected.has(pssCheckId(c.id)));
    if (wanted.length === 0) return [];
    // The restricted profile when any restricted control is asked for (its checks replace some
    // baseline ones, as upstream), else the baseline profile.
    const level = wanted.some((c) => c.level === 'restricted') ? 'restricted' : 'baseline';
    const version = options.pssVersion ?? LATEST_VERSION;
    const out: K8sFinding[] = [];
    for (const o of objects) {
      const pod = podSpecOf(o);
      if (!pod) continue;
      for (const r of evaluatePod(podView(pod), level, version)) {
        const meta = META.get(r.check.id)!;
        if (!selected.has(meta.id)) continue;
        out.push(makeFinding(meta, o, forbiddenMessage(level, version, [r]), r.violation.paths.map((p) => objectPath(pod, p))));
      }
    }
    return out;
  },
};
