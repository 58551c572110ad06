// Does a PolicyRule allow a request? The Kubernetes RBAC authorizer's matching rules
// (k8s.io/kubernetes pkg/apis/rbac/v1/evaluation_helpers.go), restated:
// - verbs / apiGroups: exact match or `*`; case-sensitive;
// - resources: `*`, the exact `resource` or `resource/subresource`, or `*/subresource` for any
//   resource's subresource. `pods/*` is NOT a wildcard for subresources (the authorizer has no such
//   form), and `pods` does not cover `pods/exec`;
// - resourceNames: empty = all names; otherwise the request must name one of them (so list/watch
//   of a whole collection is not covered by a name-restricted rule);
// - nonResourceURLs: `*`, exact, or a prefix ending in `*`.
import type { PolicyRule } from './types.ts';

export interface ResourceRequest {
  verb: string;
  apiGroup: string;
  /** `pods` or `pods/exec`. */
  resource: string;
  /** A specific object name; undefined = any/all objects. */
  name?: string;
}

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return rule.verbs.includes('*') || rule.verbs.includes(verb);
}

export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return rule.apiGroups.includes('*') || rule.apiGroups.includes(group);
}

export function resourceMatches(rule: PolicyRule, resource: string): boolean {
  const slash = resource.indexOf('/');
  const sub = slash >= 0 ? resource.slice(slash + 1) : '';
  for (const r of rule.resources) {
    if (r === '*' || r === resource) return true;
    if (sub !== '' && r === `*/${sub}`) return true;
  }
  return false;
}

export function resourceNameMatches(rule: PolicyRule, name: string | undefined): boolean {
  if (rule.resourceNames.length === 0) return true;
  return name !== undefined && rule.resourceNames.includes(name);
}

/** Whether the rule allows the request. */
export function ruleAllows(rule: PolicyRule, req: ResourceRequest): boolean {
  return (
    verbMatches(rule, req.verb) &&
    apiGroupMatches(rule, req.apiGroup) &&
    resourceMatches(rule, req.resource) &&
    resourceNameMatches(rule, req.name)
  );
}

export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const u of rule.nonResourceURLs) {
    if (u === '*' || u === path) return true;
    if (u.endsWith('*') && path.startsWith(u.slice(0, -1))) return true;
  }
  return false;
}

export function ruleAllowsNonResource(rule: PolicyRule, verb: string, path: string): boolean {
  return verbMatches(rule, verb) && nonResourceURLMatches(rule, path);
}

/**
 * Resources that exist only at cluster scope: a RoleBinding can never grant access to them (the
 * authorizer consults RoleBindings only for requests inside their namespace). Unknown resources
 * (CRDs) are assumed namespaced.
 */
export const CLUSTER_SCOPED_RESOURCES: ReadonlySet<string> = new Set([
  'nodes', 'nodes/proxy', 'nodes/status', 'namespaces', 'persistentvolumes', 'persistentvolumes/status',
  'componentstatuses', 'clusterroles', 'clusterrolebindings', 'certificatesigningrequests',
  'certificatesigningrequests/approval', 'certificatesigningrequests/status', 'signers',
  'validatingwebhookconfigurations', 'mutatingwebhookconfigurations', 'validatingadmissionpolicies',
  'validatingadmissionpolicybindings', 'mutatingadmissionpolicies', 'mutatingadmissionpolicybindings',
  'customresourcedefinitions', 'apiservices', 'storageclasses', 'csidrivers', 'csinodes',
  'volumeattachments', 'priorityclasses', 'runtimeclasses', 'ingressclasses', 'podsecuritypolicies',
  'tokenreviews', 'subjectaccessreviews', 'selfsubjectaccessreviews', 'selfsubjectrulesreviews',
  'selfsubjectreviews', 'users', 'groups', 'userextras', 'uids', 'flowschemas',
  'prioritylevelconfigurations', 'ipaddresses', 'servicecidrs', 'deviceclasses',
]);

export function isClusterScoped(resource: string): boolean {
  // `namespaces/finalize` etc.: a namespace's subresources are cluster-scoped requests... except
  // that the authorizer treats a request on namespace X as inside namespace X, so a RoleBinding in
  // X does cover `get namespaces/X`. Keep the simple rule: the base resource decides.
  const base = resource.split('/')[0]!;
  return CLUSTER_SCOPED_RESOURCES.has(resource) || (base !== 'namespaces' && CLUSTER_SCOPED_RESOURCES.has(base));
}
