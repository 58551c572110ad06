// RBAC objects as the analysis sees them: validated, normalised copies of Role/ClusterRole and
// RoleBinding/ClusterRoleBinding, plus the resolved "grant" (subject → binding → role → rule).

/** Where an object came from, for findings (the manifest loader fills this when it knows). */
export interface ObjectSource {
  file?: string;
  /** 1-based line of the document that holds the object. */
  line?: number;
}

export interface ObjectRef {
  kind: string;
  name: string;
  namespace?: string;
  source?: ObjectSource;
}

export interface PolicyRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames: string[];
  nonResourceURLs: string[];
}

export interface RoleDef {
  ref: ObjectRef;
  /** ClusterRole or Role. */
  cluster: boolean;
  rules: PolicyRule[];
  labels?: Record<string, string>;
  /** ClusterRole aggregationRule.clusterRoleSelectors (raw; evaluated by aggregation.ts). */
  aggregationSelectors?: unknown[];
  /** True for Kubernetes' default ClusterRoles that Triad knows without a manifest (cluster-admin ...). */
  builtin?: boolean;
}

export type SubjectKind = 'User' | 'Group' | 'ServiceAccount';

export interface Subject {
  kind: SubjectKind;
  name: string;
  /** ServiceAccount only. */
  namespace?: string;
}

export interface BindingDef {
  ref: ObjectRef;
  /** ClusterRoleBinding (cluster-wide) or RoleBinding (its namespace only). */
  cluster: boolean;
  roleRef: { kind: 'Role' | 'ClusterRole'; name: string };
  subjects: Subject[];
  labels?: Record<string, string>;
}

/** One rule a role holds, with where it came from (aggregated ClusterRoles keep the source role). */
export interface RoleRule {
  rule: PolicyRule;
  /** Index of the rule in `from.rules`. */
  index: number;
  /** The role that spells the rule out: the bound role itself, or a role aggregated into it. */
  from: ObjectRef;
  /** Aggregation chain from the bound role down to `from` (empty when the rule is the role's own). */
  via: string[];
}

/** A subject holds a rule through a binding, within a scope. */
export interface Grant {
  subject: Subject;
  subjectIndex: number;
  binding: ObjectRef;
  role: ObjectRef;
  roleBuiltin: boolean;
  rule: RoleRule;
  /** Namespace the grant is limited to; undefined = cluster-wide (ClusterRoleBinding). */
  namespace?: string;
}

/** A problem with an RBAC object: reported, never thrown. */
export interface RbacIssue {
  object: ObjectRef;
  message: string;
}
