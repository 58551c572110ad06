// The API resources a posture scan lists: every kind some check reads (workloads through their pod
// templates, the RBAC objects, what NetworkPolicy coverage needs). Secrets and ConfigMaps are never
// read: no check needs their contents, and a scan should not hold credentials in memory.

export interface ApiResource {
  /** The kind of one item (the list is `<kind>List`). */
  kind: string;
  /** `v1` for the core group, `apps/v1` ... */
  groupVersion: string;
  /** The URL name: pods, deployments ... */
  plural: string;
  namespaced: boolean;
}

export const SCAN_RESOURCES: readonly ApiResource[] = [
  { kind: 'Namespace', groupVersion: 'v1', plural: 'namespaces', namespaced: false },
  { kind: 'Pod', groupVersion: 'v1', plural: 'pods', namespaced: true },
  { kind: 'ReplicationController', groupVersion: 'v1', plural: 'replicationcontrollers', namespaced: true },
  { kind: 'Service', groupVersion: 'v1', plural: 'services', namespaced: true },
  { kind: 'ServiceAccount', groupVersion: 'v1', plural: 'serviceaccounts', namespaced: true },
  { kind: 'Deployment', groupVersion: 'apps/v1', plural: 'deployments', namespaced: true },
  { kind: 'StatefulSet', groupVersion: 'apps/v1', plural: 'statefulsets', namespaced: true },
  { kind: 'DaemonSet', groupVersion: 'apps/v1', plural: 'daemonsets', namespaced: true },
  { kind: 'ReplicaSet', groupVersion: 'apps/v1', plural: 'replicasets', namespaced: true },
  { kind: 'Job', groupVersion: 'batch/v1', plural: 'jobs', namespaced: true },
  { kind: 'CronJob', groupVersion: 'batch/v1', plural: 'cronjobs', namespaced: true },
  { kind: 'Ingress', groupVersion: 'networking.k8s.io/v1', plural: 'ingresses', namespaced: true },
  { kind: 'NetworkPolicy', groupVersion: 'networking.k8s.io/v1', plural: 'networkpolicies', namespaced: true },
  { kind: 'Role', groupVersion: 'rbac.authorization.k8s.io/v1', plural: 'roles', namespaced: true },
  { kind: 'RoleBinding', groupVersion: 'rbac.authorization.k8s.io/v1', plural: 'rolebindings', namespaced: true },
  { kind: 'ClusterRole', groupVersion: 'rbac.authorization.k8s.io/v1', plural: 'clusterroles', namespaced: false },
  { kind: 'ClusterRoleBinding', groupVersion: 'rbac.authorization.k8s.io/v1', plural: 'clusterrolebindings', namespaced: false },
];

export const RBAC_KINDS: readonly string[] = ['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'];

/**
 * The list URL of a resource, in one namespace or across all. With a namespace, cluster-scoped
 * resources are still listed whole (ClusterRoles and ClusterRoleBindings grant in every
 * namespace), except Namespaces, where only the one asked for is read.
 */
export function listPath(r: ApiResource, namespace?: string): string {
  const base = r.groupVersion === 'v1' ? '/api/v1' : `/apis/${r.groupVersion}`;
  if (namespace !== undefined && r.namespaced) return `${base}/namespaces/${encodeURIComponent(namespace)}/${r.plural}`;
  return `${base}/${r.plural}`;
}
