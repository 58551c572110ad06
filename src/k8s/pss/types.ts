// Pod Security Standards as the upstream admission plugin (k8s.io/pod-security-admission) defines
// them: each control is a check with versioned implementations; a policy is a level at a version.
import type { PathSeg } from '../manifest/workloads.ts';

export type PssLevel = 'baseline' | 'restricted';

/** Kubernetes minor version the policy is pinned to: `v1.37` = { major: 1, minor: 37 }. */
export interface PssVersion {
  major: number;
  minor: number;
}

/** The pod as the checks see it: metadata (annotations) and spec, both possibly malformed. */
export interface PodView {
  annotations: Record<string, unknown>;
  spec: Record<string, unknown>;
}

/** A failed check, in upstream's words (`reason (detail)`), plus the offending fields. */
export interface PssViolation {
  /** Upstream's ForbiddenReason, e.g. `host namespaces`. */
  reason: string;
  /** Upstream's ForbiddenDetail, e.g. `hostNetwork=true`. */
  detail: string;
  /** Offending fields: ['spec', ...] inside the pod spec, ['metadata', ...] inside the pod's metadata. */
  paths: PathSeg[][];
}

export type CheckPod = (pod: PodView) => PssViolation | undefined;

export interface VersionedCheck {
  /** First version this implementation applies to. */
  minimumVersion: PssVersion;
  checkPod: CheckPod;
  /** Checks this one replaces at its level (restricted capabilities replace baseline capabilities). */
  overrides?: string[];
}

export interface PssCheck {
  /** Upstream check id: `hostNamespaces`, `capabilities_restricted` ... */
  id: string;
  level: PssLevel;
  title: string;
  rationale: string;
  remediation: string;
  /** Ascending by minimumVersion. */
  versions: VersionedCheck[];
}
