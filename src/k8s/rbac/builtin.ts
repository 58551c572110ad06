// Kubernetes' default user-facing ClusterRoles (bootstrap policy, plugin/pkg/auth/authorizer/rbac/
// bootstrappolicy), so that a binding to `cluster-admin`, `admin`, `edit` or `view` is understood
// when the manifests only hold the binding. Only the rules that matter for privilege are spelled
// out; manifests that define a role of the same name replace these.
import type { PolicyRule, RoleDef } from './types.ts';

const RW = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const RO = ['get', 'list', 'watch'];

function rule(apiGroups: string[], resources: string[], verbs: string[]): PolicyRule {
  return { apiGroups, resources, verbs, resourceNames: [], nonResourceURLs: [] };
}

const VIEW_CORE = [
  'configmaps', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'pods',
  'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status',
  'bindings', 'events', 'limitranges', 'namespaces/status', 'pods/log', 'pods/status',
  'replicationcontrollers/status', 'resourcequotas', 'resourcequotas/status', 'namespaces',
];

const VIEW: PolicyRule[] = [
  rule([''], VIEW_CORE, RO),
  rule(['apps'], ['controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale', 'statefulsets/status'], RO),
  rule(['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status'], RO),
  rule(['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status'], RO),
  rule(['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies'], RO),
  rule(['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status'], RO),
  rule(['discovery.k8s.io'], ['endpointslices'], RO),
];

const EDIT: PolicyRule[] = [
  rule([''], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy'], RO),
  rule([''], ['serviceaccounts'], ['impersonate']),
  rule([''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy'], RW),
  rule([''], ['pods/eviction'], ['create']),
  rule([''], ['configmaps', 'events', 'persistentvolumeclaims', 'replicationcontrollers', 'replicationcontrollers/scale', 'secrets', 'serviceaccounts', 'services', 'services/proxy'], RW),
  rule([''], ['serviceaccounts/token'], ['create']),
  rule(['apps'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale'], RW),
  rule(['autoscaling'], ['horizontalpodautoscalers'], RW),
  rule(['batch'], ['cronjobs', 'jobs'], RW),
  rule(['networking.k8s.io'], ['ingresses', 'networkpolicies'], RW),
  rule(['policy'], ['poddisruptionbudgets'], RW),
  ...VIEW,
];

const ADMIN: PolicyRule[] = [
  rule(['authorization.k8s.io'], ['localsubjectaccessreviews'], ['create']),
  rule(['rbac.authorization.k8s.io'], ['rolebindings', 'roles'], [...RW, ...RO]),
  ...EDIT,
];

function builtin(name: string, rules: PolicyRule[]): RoleDef {
  return { ref: { kind: 'ClusterRole', name }, cluster: true, rules, builtin: true };
}

export const BUILTIN_CLUSTER_ROLES: readonly RoleDef[] = [
  builtin('cluster-admin', [rule(['*'], ['*'], ['*']), { ...rule([], [], ['*']), nonResourceURLs: ['*'] }]),
  builtin('admin', ADMIN),
  builtin('edit', EDIT),
  builtin('view', VIEW),
];
