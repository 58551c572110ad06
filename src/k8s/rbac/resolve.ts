// Who can do what: bindings resolved to their roles (aggregation included) and subjects, with the
// scope each binding gives. A RoleBinding grants its role's rules inside its own namespace only —
// also when it references a ClusterRole — and never on cluster-scoped resources; a
// ClusterRoleBinding grants them everywhere.
import { aggregate } from './aggregation.ts';
import { isClusterScoped, ruleAllows, ruleAllowsNonResource } from './match.ts';
import { formatRef, readRbac, type Locate, type RbacSet } from './model.ts';
import type { BindingDef, Grant, RbacIssue, RoleDef, RoleRule, Subject } from './types.ts';

/** A binding with its role's effective rules. */
export interface BoundRole {
  binding: BindingDef;
  role: RoleDef;
  rules: RoleRule[];
  /** undefined = cluster-wide. */
  namespace?: string;
}

export interface Query {
  verb: string;
  /** `pods`, `pods/exec`; for non-resource URLs use `nonResourceURL`. */
  resource?: string;
  /** API group; undefined = any group (the resource name alone decides). */
  apiGroup?: string;
  /** Namespace of the request; undefined = any namespace (RoleBinding grants are reported with their scope). */
  namespace?: string;
  /** A specific object name (matters for rules with resourceNames). */
  name?: string;
  nonResourceURL?: string;
}

export interface QueryHit {
  subject: Subject;
  grant: Grant;
}

/** Groups Kubernetes puts a subject in implicitly. */
export function implicitGroups(s: Subject): string[] {
  if (s.kind === 'ServiceAccount') return ['system:serviceaccounts', `system:serviceaccounts:${s.namespace}`, 'system:authenticated'];
  if (s.kind === 'User') return s.name === 'system:anonymous' ? ['system:unauthenticated'] : ['system:authenticated'];
  return [];
}

export function formatSubject(s: Subject): string {
  return s.kind === 'ServiceAccount' ? `ServiceAccount ${s.namespace}/${s.name}` : `${s.kind} ${s.name}`;
}

export function subjectKey(s: Subject): string {
  return `${s.kind}:${s.namespace ?? ''}:${s.name}`;
}

export function formatGrantPath(g: Grant): string {
  const parts = [formatRef(g.binding), formatRef(g.role) + (g.roleBuiltin ? ' (Kubernetes default)' : '')];
  for (const v of g.rule.via) parts.push(`aggregates ${v}`);
  parts.push(`rules[${g.rule.index}]`);
  return parts.join(' → ');
}

export class RbacGraph {
  readonly set: RbacSet;
  readonly bound: BoundRole[] = [];
  /** Bindings whose role is not in the input (nothing can be said about what they grant). */
  readonly unresolved: BindingDef[] = [];
  readonly issues: RbacIssue[];

  constructor(set: RbacSet) {
    this.set = set;
    this.issues = set.issues;
    const agg = aggregate(set.clusterRoles, this.issues);
    for (const b of set.bindings) {
      const role =
        b.roleRef.kind === 'ClusterRole' ? set.clusterRoles.get(b.roleRef.name) : set.roles.get(`${b.ref.namespace}/${b.roleRef.name}`);
      if (!role) {
        this.unresolved.push(b);
        continue;
      }
      const entry: BoundRole = { binding: b, role, rules: role.cluster ? agg.rulesOf(role) : role.rules.map((rule, index) => ({ rule, index, from: role.ref, via: [] })) };
      if (!b.cluster) entry.namespace = b.ref.namespace;
      this.bound.push(entry);
    }
  }

  /** Every (subject, rule) grant; lazily, since bindings × subjects × rules can be large. */
  *grants(): Generator<Grant> {
    for (const br of this.bound) {
      for (let si = 0; si < br.binding.subjects.length; si++) {
        for (const rule of br.rules) yield this.grantOf(br, si, rule);
      }
    }
  }

  grantOf(br: BoundRole, subjectIndex: number, rule: RoleRule): Grant {
    const g: Grant = {
      subject: br.binding.subjects[subjectIndex]!,
      subjectIndex,
      binding: br.binding.ref,
      role: br.role.ref,
      roleBuiltin: br.role.builtin === true,
      rule,
    };
    if (br.namespace !== undefined) g.namespace = br.namespace;
    return g;
  }

  /** Whether a rule of a bound role answers the query, taking the binding's scope into account. */
  ruleAnswers(br: BoundRole, rule: RoleRule, q: Query): boolean {
    if (q.nonResourceURL !== undefined) {
      // Non-resource URLs are cluster-level: only ClusterRoleBindings grant them.
      return br.namespace === undefined && ruleAllowsNonResource(rule.rule, q.verb, q.nonResourceURL);
    }
    if (q.resource === undefined) return false;
    if (br.namespace !== undefined) {
      if (isClusterScoped(q.resource)) return false;
      if (q.namespace !== undefined && q.namespace !== br.namespace) return false;
    }
    const req = { verb: q.verb, apiGroup: q.apiGroup ?? '', resource: q.resource, ...(q.name !== undefined ? { name: q.name } : {}) };
    if (q.apiGroup === undefined) {
      // Group not given: any group the rule names will do (the resource name decides).
      return rule.rule.apiGroups.some((grp) => ruleAllows(rule.rule, { ...req, apiGroup: grp }));
    }
    return ruleAllows(rule.rule, req);
  }

  /** Subjects that can make the request, each with the first grant that allows it per binding. */
  whoCan(q: Query): QueryHit[] {
    const hits: QueryHit[] = [];
    for (const br of this.bound) {
      const rule = br.rules.find((r) => this.ruleAnswers(br, r, q));
      if (!rule) continue;
      br.binding.subjects.forEach((subject, si) => hits.push({ subject, grant: this.grantOf(br, si, rule) }));
    }
    return hits;
  }

  /**
   * Everything a subject holds: bindings naming it directly and bindings to the groups it is in
   * (implicit ones — `system:serviceaccounts:<ns>`, `system:authenticated` — plus `extraGroups`).
   */
  whatCan(subject: Subject, extraGroups: string[] = []): Grant[] {
    const groups = new Set([...implicitGroups(subject), ...extraGroups]);
    const out: Grant[] = [];
    for (const br of this.bound) {
      br.binding.subjects.forEach((s, si) => {
        const direct = s.kind === subject.kind && s.name === subject.name && (s.kind !== 'ServiceAccount' || s.namespace === subject.namespace);
        const viaGroup = s.kind === 'Group' && groups.has(s.name);
        if (!direct && !viaGroup) return;
        for (const rule of br.rules) out.push(this.grantOf(br, si, rule));
      });
    }
    return out;
  }
}

export function buildRbacGraph(objects: Iterable<unknown>, locate?: Locate): RbacGraph {
  return new RbacGraph(readRbac(objects, locate));
}

/** Common resources' API groups, for `who-can VERB RESOURCE` without a group. */
export const KNOWN_GROUPS: Readonly<Record<string, string>> = {
  pods: '', services: '', secrets: '', configmaps: '', serviceaccounts: '', nodes: '', namespaces: '',
  persistentvolumes: '', persistentvolumeclaims: '', events: '', endpoints: '', replicationcontrollers: '',
  deployments: 'apps', daemonsets: 'apps', statefulsets: 'apps', replicasets: 'apps',
  jobs: 'batch', cronjobs: 'batch', ingresses: 'networking.k8s.io', networkpolicies: 'networking.k8s.io',
  roles: 'rbac.authorization.k8s.io', clusterroles: 'rbac.authorization.k8s.io',
  rolebindings: 'rbac.authorization.k8s.io', clusterrolebindings: 'rbac.authorization.k8s.io',
  certificatesigningrequests: 'certificates.k8s.io',
  validatingwebhookconfigurations: 'admissionregistration.k8s.io',
  mutatingwebhookconfigurations: 'admissionregistration.k8s.io',
  customresourcedefinitions: 'apiextensions.k8s.io',
};

/**
 * Parses kubectl's resource notation: `pods`, `pods/exec`, `deployments.apps`,
 * `deployments.apps/scale`. The group comes from the suffix, else from KNOWN_GROUPS, else any.
 */
export function parseResourceArg(arg: string): { resource: string; apiGroup?: string } {
  const slash = arg.indexOf('/');
  const head = slash >= 0 ? arg.slice(0, slash) : arg;
  const sub = slash >= 0 ? arg.slice(slash) : '';
  const dot = head.indexOf('.');
  if (dot > 0) return { resource: head.slice(0, dot) + sub, apiGroup: head.slice(dot + 1) };
  const g = KNOWN_GROUPS[head];
  return g !== undefined ? { resource: arg, apiGroup: g } : { resource: arg };
}
