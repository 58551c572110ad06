// Picks the checks of a policy (level + version) the way upstream does: each check's newest
// implementation not newer than the version; restricted implementations may override baseline
// ones (restricted capabilities replace baseline capabilities). Then evaluates pods against them.
import type { PodSpecRef } from '../manifest/workloads.ts';
import { BASELINE_HOST_CHECKS } from './baseline-host.ts';
import { BASELINE_PROFILE_CHECKS } from './baseline-profiles.ts';
import { RESTRICTED_CHECKS } from './restricted.ts';
import type { CheckPod, PodView, PssCheck, PssLevel, PssVersion, PssViolation } from './types.ts';
import { compareVersions, formatVersion, LATEST_VERSION } from './version.ts';
import { isRec } from './util.ts';

export const PSS_CHECKS: readonly PssCheck[] = [...BASELINE_HOST_CHECKS, ...BASELINE_PROFILE_CHECKS, ...RESTRICTED_CHECKS].sort((a, b) =>
  a.id.toLowerCase() < b.id.toLowerCase() ? -1 : a.id.toLowerCase() > b.id.toLowerCase() ? 1 : 0,
);

export interface SelectedCheck {
  check: PssCheck;
  checkPod: CheckPod;
}

const cache = new Map<string, SelectedCheck[]>();

/** The checks a policy runs, in a stable order. */
export function policyChecks(level: PssLevel, version: PssVersion = LATEST_VERSION): SelectedCheck[] {
  const key = `${level}:${formatVersion(version)}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const selected: Array<SelectedCheck & { overrides: string[] }> = [];
  for (const check of PSS_CHECKS) {
    if (level === 'baseline' && check.level !== 'baseline') continue;
    let impl;
    for (const vc of check.versions) if (compareVersions(vc.minimumVersion, version) <= 0) impl = vc;
    if (impl) selected.push({ check, checkPod: impl.checkPod, overrides: impl.overrides ?? [] });
  }
  const overridden = new Set(selected.flatMap((s) => s.overrides));
  const out = selected.filter((s) => !overridden.has(s.check.id)).map(({ check, checkPod }) => ({ check, checkPod }));
  cache.set(key, out);
  return out;
}

export interface PssResult {
  check: PssCheck;
  violation: PssViolation;
}

export function podView(p: Pick<PodSpecRef, 'spec' | 'podMeta'>): PodView {
  const ann = p.podMeta.annotations;
  return { spec: p.spec, annotations: isRec(ann) ? ann : {} };
}

/** Every failed check of the policy for one pod (empty: the pod is allowed). Never throws on bad input. */
export function evaluatePod(pod: PodView, level: PssLevel, version: PssVersion = LATEST_VERSION): PssResult[] {
  const out: PssResult[] = [];
  for (const { check, checkPod } of policyChecks(level, version)) {
    let violation: PssViolation | undefined;
    try {
      violation = checkPod(pod);
    } catch (e) {
      // A shape no check anticipated: report it as a failure rather than silently allowing it.
      violation = { reason: check.id, detail: `cannot evaluate: ${(e as Error).message}`, paths: [] };
    }
    if (violation) out.push({ check, violation });
  }
  return out;
}

/** Upstream's wording: `violates PodSecurity "restricted:v1.37": reason (detail), reason (detail)`. */
export function forbiddenMessage(level: PssLevel, version: PssVersion, results: PssResult[]): string {
  const parts = results.map(({ violation: v }) => (v.detail ? `${v.reason} (${v.detail})` : v.reason));
  return `violates PodSecurity "${level}:${formatVersion(version)}": ${parts.join(', ')}`;
}
