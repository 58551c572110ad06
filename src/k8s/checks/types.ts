// Kubernetes posture checks: every analyzer (workload hardening, Pod Security Standards, RBAC,
// NetworkPolicy) reports MisconfigFindings so that every report format renders them alike.
import type { CheckMeta, MisconfigFinding } from '../../misconfig/types.ts';
import type { K8sObject } from '../manifest/types.ts';
import type { PathSeg, PodSpecRef } from '../manifest/workloads.ts';
import type { PssVersion } from '../pss/types.ts';

export interface K8sScanOptions {
  /** Pod Security Standards version (default latest). */
  pssVersion?: PssVersion;
  /** Registries (or registry/path prefixes) images may come from; empty: the registry check is off. */
  trustedRegistries?: string[];
}

/** The resource a finding is about. */
export interface ResourceRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface K8sFinding extends MisconfigFinding {
  resource: ResourceRef;
  /** Document index in the file, and the Helm template when the input was rendered by Helm. */
  doc?: number;
  template?: string;
  /** JSON paths (`.spec.template.spec.containers[0].image`) of the offending fields. */
  fields?: string[];
}

export interface AnalyzerInput {
  objects: K8sObject[];
  /** Check ids to run (analyzers may skip work for checks not selected). */
  selected: ReadonlySet<string>;
  options: K8sScanOptions;
}

/**
 * A source of checks. Triad registers the workload and PSS analyzers; RBAC and NetworkPolicy
 * analyses register theirs the same way (see registry.ts).
 */
export interface K8sAnalyzer {
  name: string;
  /** Every check the analyzer can report. */
  checks: readonly CheckMeta[];
  /** Named groups of its check ids usable in --checks (e.g. pss-baseline). */
  groups?: Record<string, readonly string[]>;
  /** The kinds the analyzer reads (others count as "not checked" in the scan summary). */
  kinds: readonly string[];
  run(input: AnalyzerInput): K8sFinding[];
}

/** One problem in one pod: what, and where (paths relative to the object). */
export interface Hit {
  message: string;
  paths: PathSeg[][];
}

export interface WorkloadCheck {
  meta: CheckMeta;
  /** Workload kinds it applies to; default every workload kind. */
  kinds?: readonly string[];
  check(pod: PodSpecRef, ctx: WorkloadContext): Hit[];
}

export interface WorkloadContext {
  options: K8sScanOptions;
  /** ServiceAccounts in the input, by `namespace/name`. */
  serviceAccounts: ReadonlyMap<string, K8sObject>;
}
