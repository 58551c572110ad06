// The RBAC least-privilege checks: each is a capability (a set of requests, any of which is enough)
// or a rule shape (wildcards). Ids are Triad's; aliases name kubescape's controls/rules and Trivy's
// KSV checks that look for the same thing (those look at one Role at a time; these resolve who
// actually holds the permission, through bindings and aggregation).
import type { CheckMeta } from '../../misconfig/types.ts';

export interface CapabilityRequest {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  /** Only this object name (e.g. the `coredns` ConfigMap). */
  name?: string;
  /** Only in this namespace (RoleBindings elsewhere do not count). */
  namespace?: string;
  /**
   * Checked inside the namespace even though the resource is cluster-scoped: RBAC asks for `bind` /
   * `escalate` on `clusterroles` in the RoleBinding's namespace when a RoleBinding references a
   * ClusterRole, so a Role can hold them.
   */
  namespacedCheck?: boolean;
}

export interface RbacCheck {
  meta: CheckMeta;
  /** Capability checks: the subject can make any of these requests. */
  requests?: CapabilityRequest[];
  /** Shape checks: the rule itself is the problem. */
  shape?: 'full-control' | 'wildcard-verbs' | 'wildcard-resources';
  /** What the subject can do, for the message (`can read secrets`). */
  can: string;
}

const DOCS = 'https://kubernetes.io/docs/concepts/security/rbac-good-practices/';
const WORKLOADS = ['deployments', 'daemonsets', 'statefulsets', 'replicasets', 'jobs', 'cronjobs', 'replicationcontrollers'];
const WRITE = ['create', 'update', 'patch'];

function check(id: string, title: string, severity: CheckMeta['severity'], aliases: string[], can: string, rationale: string, remediation: string, extra: Partial<RbacCheck>): RbacCheck {
  return { meta: { id, title, severity, aliases, rationale, remediation, references: [DOCS] }, can, ...extra };
}

export const RBAC_CHECKS: readonly RbacCheck[] = [
  check('TRIAD-K8S-RBAC-001', 'Full control: every verb on every resource (cluster-admin or equivalent)', 'CRITICAL',
    ['C-0035', 'C-0187', 'rule-list-all-cluster-admins-v1', 'KSV044', 'AVD-KSV-0044'], 'do anything (every verb on every resource)',
    'A subject with `*` verbs on `*` resources controls everything in its scope: secrets, workloads, RBAC itself.',
    'Bind a role that lists the verbs and resources the subject needs; keep cluster-admin for break-glass accounts.',
    { shape: 'full-control' }),
  check('TRIAD-K8S-RBAC-002', 'Binding to the cluster-admin ClusterRole', 'CRITICAL',
    ['C-0185', 'cluster-admin-role'], 'act as cluster-admin',
    'cluster-admin bound cluster-wide gives unrestricted control of the cluster.',
    'Replace the ClusterRoleBinding with narrower roles; use a RoleBinding to `admin` for namespace administration.',
    {}),
  check('TRIAD-K8S-RBAC-003', 'Wildcard verbs in a granted rule', 'MEDIUM',
    ['KSV045', 'AVD-KSV-0045'], 'use every verb (`*`) on some resources',
    'A `*` verb includes escalate, bind, impersonate and verbs added by future API versions.',
    'List the verbs the subject needs.', { shape: 'wildcard-verbs' }),
  check('TRIAD-K8S-RBAC-004', 'Wildcard resources in a granted rule', 'MEDIUM',
    ['KSV046', 'AVD-KSV-0046', 'KSV112', 'AVD-KSV-0112'], 'act on every resource (`*`) of some API groups',
    'A `*` resource covers secrets, subresources such as pods/exec, and resources added later (CRDs).',
    'List the resources the subject needs.', { shape: 'wildcard-resources' }),
  check('TRIAD-K8S-RBAC-005', 'Can read secrets', 'HIGH',
    ['C-0015', 'C-0186', 'rule-can-list-get-secrets-v1', 'KSV041', 'AVD-KSV-0041', 'KSV113', 'AVD-KSV-0113'], 'read secrets',
    'Secrets hold service-account tokens and credentials; list and watch return the data of every secret in scope, not just names.',
    'Grant `get` on named secrets (resourceNames) only where needed; never list/watch.',
    { requests: [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['secrets'] }] }),
  check('TRIAD-K8S-RBAC-006', 'Can exec into pods', 'HIGH',
    ['C-0002', 'exec-into-container-v1', 'KSV053', 'AVD-KSV-0053'], 'exec into containers (pods/exec)',
    'Exec gives a shell in any pod in scope, with that pod\'s service-account token and mounted secrets.',
    'Remove pods/exec; use ephemeral debug tooling with audit instead.',
    { requests: [{ verbs: ['create', 'get'], apiGroups: [''], resources: ['pods/exec'] }] }),
  check('TRIAD-K8S-RBAC-007', 'Can attach to pods', 'HIGH',
    ['KSV054', 'AVD-KSV-0054'], 'attach to running containers (pods/attach)',
    'Attach reaches the container\'s main process stdin/stdout, often a shell.',
    'Remove pods/attach.', { requests: [{ verbs: ['create', 'get'], apiGroups: [''], resources: ['pods/attach'] }] }),
  check('TRIAD-K8S-RBAC-008', 'Can port-forward to pods', 'MEDIUM',
    ['C-0063', 'rule-can-portforward-v1'], 'port-forward to pods (pods/portforward)',
    'Port-forwarding bypasses NetworkPolicies and reaches any port of any pod in scope.',
    'Remove pods/portforward.', { requests: [{ verbs: ['create', 'get'], apiGroups: [''], resources: ['pods/portforward'] }] }),
  check('TRIAD-K8S-RBAC-009', 'Can create pods', 'HIGH',
    ['C-0188', 'rule-can-create-pod', 'KSV048', 'AVD-KSV-0048'], 'create pods',
    'Whoever can create a pod can run it as any service account of the namespace and read the mounted token: the privileges of every service account in scope.',
    'Let controllers create pods; give people and CI narrowly scoped workload roles, and admission policies on pod specs.',
    { requests: [{ verbs: ['create'], apiGroups: [''], resources: ['pods'] }] }),
  check('TRIAD-K8S-RBAC-010', 'Can create or modify workloads', 'HIGH',
    ['KSV048', 'AVD-KSV-0048'], 'create or modify workload controllers (deployments, daemonsets, jobs ...)',
    'A workload controller creates pods on the subject\'s behalf: the same escalation as creating pods (any service account, hostPath mounts where admission allows).',
    'Limit write access to workloads to deployment pipelines; enforce pod security admission.',
    { requests: [{ verbs: WRITE, apiGroups: ['apps', 'batch', 'extensions', ''], resources: WORKLOADS }] }),
  check('TRIAD-K8S-RBAC-011', 'Can escalate or bind roles', 'CRITICAL',
    ['C-0191', 'rule-can-bind-escalate'], 'bind or escalate roles',
    '`escalate` lets a subject write roles with permissions it does not hold; `bind` lets it bind roles it does not hold: both lead to cluster-admin.',
    'Remove escalate and bind; let an administrator manage RBAC.',
    { requests: [{ verbs: ['bind', 'escalate'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'clusterroles'], namespacedCheck: true }] }),
  check('TRIAD-K8S-RBAC-012', 'Can impersonate users, groups or service accounts', 'CRITICAL',
    ['C-0065', 'C-0191', 'rule-can-impersonate-users-groups-v1', 'KSV043', 'AVD-KSV-0043'], 'impersonate other identities',
    'Impersonation acts as another user, group (system:masters) or service account, with all of its permissions.',
    'Remove the impersonate verb, or restrict it with resourceNames.',
    { requests: [
      { verbs: ['impersonate'], apiGroups: [''], resources: ['users', 'groups', 'serviceaccounts'] },
      { verbs: ['impersonate'], apiGroups: ['authentication.k8s.io'], resources: ['userextras/scopes', 'uids'] },
    ] }),
  check('TRIAD-K8S-RBAC-013', 'Can use the nodes/proxy subresource', 'HIGH',
    ['C-0279', 'rule-can-access-proxy-subresource', 'KSV047', 'AVD-KSV-0047'], 'reach kubelets through nodes/proxy',
    'nodes/proxy reaches the kubelet API, which runs commands in any pod on the node and bypasses audit and admission.',
    'Remove nodes/proxy; monitoring needs only nodes/metrics and nodes/stats.',
    { requests: [{ verbs: ['get', 'create', 'update', 'patch'], apiGroups: [''], resources: ['nodes/proxy'] }] }),
  check('TRIAD-K8S-RBAC-014', 'Can create service-account tokens', 'HIGH',
    ['C-0282', 'rule-can-create-service-account-token'], 'create service-account tokens (serviceaccounts/token)',
    'A TokenRequest mints a token for any service account in scope, with its permissions.',
    'Remove create on serviceaccounts/token.',
    { requests: [{ verbs: ['create'], apiGroups: [''], resources: ['serviceaccounts/token'] }] }),
  check('TRIAD-K8S-RBAC-015', 'Can approve certificate signing requests', 'HIGH',
    ['C-0280', 'rule-can-approve-cert-signing-request'], 'approve certificate signing requests',
    'Approving a CSR (with a signer that issues client certificates) mints credentials for any user or group, including system:masters.',
    'Remove update/patch on certificatesigningrequests/approval and approve on signers.',
    { requests: [
      { verbs: ['update', 'patch'], apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests/approval'] },
      { verbs: ['approve'], apiGroups: ['certificates.k8s.io'], resources: ['signers'] },
    ] }),
  check('TRIAD-K8S-RBAC-016', 'Can modify admission webhook configurations', 'HIGH',
    ['C-0281', 'rule-can-modify-admission-webhooks', 'KSV114', 'AVD-KSV-0114'], 'modify admission webhook configurations',
    'Webhooks see and can mutate or block every object they match, secrets included; deleting one disables a policy.',
    'Limit webhook configuration changes to the cluster administrators.',
    { requests: [{ verbs: ['create', 'update', 'patch', 'delete', 'deletecollection'], apiGroups: ['admissionregistration.k8s.io'], resources: ['validatingwebhookconfigurations', 'mutatingwebhookconfigurations'] }] }),
  check('TRIAD-K8S-RBAC-017', 'Can create persistent volumes', 'HIGH',
    ['C-0278', 'rule-can-create-pv'], 'create persistent volumes',
    'A PersistentVolume may be a hostPath: creating one and claiming it mounts the node\'s filesystem into a pod.',
    'Let a provisioner create volumes through StorageClasses.',
    { requests: [{ verbs: ['create'], apiGroups: [''], resources: ['persistentvolumes'] }] }),
  check('TRIAD-K8S-RBAC-018', 'Can delete important resources', 'MEDIUM',
    ['C-0007', 'rule-excessive-delete-rights-v1'], 'delete important resources',
    'Deleting workloads, services, secrets or config destroys data and availability.',
    'Grant delete only where needed, on named objects.',
    { requests: [
      { verbs: ['delete', 'deletecollection'], apiGroups: [''], resources: ['pods', 'services', 'secrets', 'configmaps', 'persistentvolumeclaims', 'serviceaccounts', 'namespaces', 'persistentvolumes'] },
      { verbs: ['delete', 'deletecollection'], apiGroups: ['apps', 'batch', 'extensions'], resources: WORKLOADS },
    ] }),
  check('TRIAD-K8S-RBAC-019', 'Can delete events', 'LOW',
    ['C-0031', 'rule-can-delete-k8s-events-v1'], 'delete events',
    'Deleting events hides an attacker\'s tracks.', 'Remove delete on events.',
    { requests: [{ verbs: ['delete', 'deletecollection'], apiGroups: ['', 'events.k8s.io'], resources: ['events'] }] }),
  check('TRIAD-K8S-RBAC-020', "Can modify the 'coredns' ConfigMap", 'HIGH',
    ['C-0037', 'rule-can-update-configmap-v1'], "modify the 'coredns' ConfigMap in kube-system",
    'Changing CoreDNS configuration redirects cluster DNS (DNS poisoning).', 'Remove update/patch on kube-system ConfigMaps.',
    { requests: [{ verbs: ['update', 'patch'], apiGroups: [''], resources: ['configmaps'], name: 'coredns', namespace: 'kube-system' }] }),
];

/** Anonymous / every-authenticated groups and users: any grant to them is everyone's. */
export const BROAD_GROUPS: ReadonlySet<string> = new Set(['system:unauthenticated', 'system:anonymous', 'system:authenticated', 'system:serviceaccounts']);

export const ANONYMOUS_CHECK: CheckMeta = {
  id: 'TRIAD-K8S-RBAC-021',
  title: 'Anonymous or unauthenticated subject is bound to a role',
  severity: 'HIGH',
  aliases: ['C-0262', 'anonymous-access-enabled', 'KSV122', 'AVD-KSV-0122'],
  rationale: 'Bindings to system:anonymous or system:unauthenticated grant their permissions to anyone who reaches the API server.',
  remediation: 'Remove the subject from the binding (Kubernetes\' own system:public-info-viewer grant is the only usual exception).',
  references: [DOCS],
};

export const DEFAULT_SA_CHECK: CheckMeta = {
  id: 'TRIAD-K8S-RBAC-022',
  title: "A namespace's default service account is bound to a role",
  severity: 'MEDIUM',
  aliases: ['C-0225', 'C-0239', 'ensure-default-service-accounts-has-only-default-roles'],
  rationale: 'Every pod that names no service account runs as `default`: permissions given to it reach all of them.',
  remediation: 'Create a dedicated service account for the workload that needs the permissions.',
  references: [DOCS],
};

export const INVALID_RBAC_CHECK: CheckMeta = {
  id: 'TRIAD-K8S-RBAC-000',
  title: 'Malformed RBAC object',
  severity: 'LOW',
  rationale: 'The API server rejects or misreads the object; what it grants is not what it says.',
  remediation: 'Fix the object as the message says.',
};
