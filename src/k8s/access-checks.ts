// One entry point for the scan command: RBAC least-privilege and NetworkPolicy coverage/exposure
// findings over a set of parsed manifests, with every check's metadata for `--checks` and reports.
import type { CheckMeta } from '../misconfig/types.ts';
import { buildRbacGraph, rbacFindings, ALL_RBAC_CHECK_META, type Locate, type RbacFinding } from './rbac/index.ts';
import { analyzeNetworkPolicies, ALL_NETPOL_CHECK_META, type NetpolFinding } from './netpol/index.ts';

export const ACCESS_CHECKS: readonly CheckMeta[] = [...ALL_RBAC_CHECK_META, ...ALL_NETPOL_CHECK_META];

/** `checks`: ids to run (default all). Findings of malformed objects come with the rest. */
export function accessFindings(objects: readonly unknown[], locate?: Locate, checks?: ReadonlySet<string>): (RbacFinding | NetpolFinding)[] {
  const rbac = rbacFindings(buildRbacGraph(objects, locate), checks ? { checks } : {});
  const net = analyzeNetworkPolicies(objects, locate).findings.filter((f) => !checks || checks.has(f.checkId));
  return [...rbac, ...net];
}
