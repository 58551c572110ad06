// Turns the resolved RBAC graph into findings: one per (check, subject, binding), carrying the path
// binding → role (→ aggregated role) → rule indexes, so a reader can go straight to the line that
// grants the permission.
import type { MisconfigFinding, Severity } from '../../misconfig/types.ts';
import { ANONYMOUS_CHECK, BROAD_GROUPS, DEFAULT_SA_CHECK, INVALID_RBAC_CHECK, RBAC_CHECKS, type CapabilityRequest, type RbacCheck } from './catalog.ts';
import { isClusterScoped, ruleAllows } from './match.ts';
import { formatRef } from './model.ts';
import { formatGrantPath, formatSubject, type BoundRole, type RbacGraph } from './resolve.ts';
import type { Grant, ObjectRef, RoleRule, Subject } from './types.ts';

export interface RbacFindingDetail {
  subject: Subject;
  binding: ObjectRef;
  role: ObjectRef;
  /** The rules that give the permission (index into `from.rules`, aggregation chain). */
  rules: { index: number; from: ObjectRef; via: string[] }[];
  /** undefined = cluster-wide. */
  namespace?: string;
  /** `ClusterRoleBinding x → ClusterRole y → rules[0]`, one per rule. */
  paths: string[];
}

export interface RbacFinding extends MisconfigFinding {
  /** The object the finding is about (the binding; the role or binding for malformed objects). */
  object: ObjectRef;
  rbac?: RbacFindingDetail;
}

function capabilityHolds(req: CapabilityRequest, br: BoundRole, rule: RoleRule): boolean {
  if (br.namespace !== undefined) {
    if (req.namespace !== undefined && req.namespace !== br.namespace) return false;
  }
  for (const resource of req.resources) {
    // A RoleBinding never grants cluster-scoped resources (except checks made inside a namespace).
    if (br.namespace !== undefined && !req.namespacedCheck && isClusterScoped(resource)) continue;
    for (const apiGroup of req.apiGroups) {
      for (const verb of req.verbs) {
        const r = { verb, apiGroup, resource, ...(req.name !== undefined ? { name: req.name } : {}) };
        if (ruleAllows(rule.rule, r)) return true;
      }
    }
  }
  return false;
}

function shapeHolds(shape: NonNullable<RbacCheck['shape']>, rule: RoleRule): boolean {
  const r = rule.rule;
  if (r.resources.length === 0 || r.apiGroups.length === 0) return false; // non-resource rule
  const allVerbs = r.verbs.includes('*');
  const allResources = r.resources.includes('*');
  switch (shape) {
    case 'full-control':
      return allVerbs && allResources;
    case 'wildcard-verbs':
      return allVerbs && !allResources;
    case 'wildcard-resources':
      return allResources && !allVerbs;
  }
}

function rulesFor(check: RbacCheck, br: BoundRole): RoleRule[] {
  if (check.meta.id === 'TRIAD-K8S-RBAC-002') {
    return br.binding.cluster && br.role.cluster && br.role.ref.name === 'cluster-admin' ? br.rules.slice(0, 1) : [];
  }
  if (check.shape) return br.rules.filter((r) => shapeHolds(check.shape!, r));
  return br.rules.filter((r) => check.requests!.some((req) => capabilityHolds(req, br, r)));
}

function severityFor(check: RbacCheck, br: BoundRole, subject: Subject): Severity {
  if (subject.kind === 'Group' && BROAD_GROUPS.has(subject.name) && check.meta.severity !== 'LOW') return 'CRITICAL';
  if (subject.kind === 'User' && subject.name === 'system:anonymous' && check.meta.severity !== 'LOW') return 'CRITICAL';
  // Full control inside one namespace is serious, but not the whole cluster.
  if (check.shape === 'full-control' && br.namespace !== undefined) return 'HIGH';
  return check.meta.severity;
}

function targetOf(ref: ObjectRef): string {
  return ref.source?.file ?? formatRef(ref);
}

function regionOf(ref: ObjectRef): MisconfigFinding['region'] {
  const line = ref.source?.line;
  return line !== undefined ? { startLine: line, endLine: line } : undefined;
}

function scopeText(br: BoundRole): string {
  return br.namespace === undefined ? 'cluster-wide' : `in namespace ${br.namespace}`;
}

function finding(meta: { id: string; title: string }, severity: Severity, message: string, object: ObjectRef, rbac?: RbacFindingDetail): RbacFinding {
  const f: RbacFinding = { checkId: meta.id, title: meta.title, severity, message, target: targetOf(object), object };
  const region = regionOf(object);
  if (region) f.region = region;
  if (rbac) f.rbac = rbac;
  return f;
}

export interface RbacFindingOptions {
  /** Check ids to run (default: all). */
  checks?: ReadonlySet<string>;
  /** Upper bound on findings (hostile sets); the last finding says how many were dropped. */
  maxFindings?: number;
}

export function rbacFindings(graph: RbacGraph, opts: RbacFindingOptions = {}): RbacFinding[] {
  const want = (id: string) => !opts.checks || opts.checks.has(id);
  const max = opts.maxFindings ?? 100_000;
  const out: RbacFinding[] = [];
  let dropped = 0;
  const push = (f: RbacFinding) => (out.length < max ? out.push(f) : dropped++);

  if (want(INVALID_RBAC_CHECK.id)) {
    for (const issue of graph.issues) push(finding(INVALID_RBAC_CHECK, INVALID_RBAC_CHECK.severity, `${formatRef(issue.object)}: ${issue.message}`, issue.object));
  }

  for (const br of graph.bound) {
    for (const check of RBAC_CHECKS) {
      if (!want(check.meta.id)) continue;
      const rules = rulesFor(check, br);
      if (rules.length === 0) continue;
      br.binding.subjects.forEach((subject, si) => {
        const grants: Grant[] = rules.map((rule) => graph.grantOf(br, si, rule));
        const paths = grants.map(formatGrantPath);
        const detail: RbacFindingDetail = {
          subject, binding: br.binding.ref, role: br.role.ref, paths,
          rules: rules.map((r) => ({ index: r.index, from: r.from, via: r.via })),
        };
        if (br.namespace !== undefined) detail.namespace = br.namespace;
        const msg = `${formatSubject(subject)} can ${check.can} ${scopeText(br)}: ${paths.join('; ')}`;
        push(finding(check.meta, severityFor(check, br, subject), msg, br.binding.ref, detail));
      });
    }
  }

  for (const b of graph.set.bindings) {
    b.subjects.forEach((s) => {
      const anonymous = (s.kind === 'User' && s.name === 'system:anonymous') || (s.kind === 'Group' && s.name === 'system:unauthenticated');
      if (anonymous && want(ANONYMOUS_CHECK.id)) {
        push(finding(ANONYMOUS_CHECK, ANONYMOUS_CHECK.severity, `${formatRef(b.ref)} binds ${b.roleRef.kind} ${b.roleRef.name} to ${formatSubject(s)}`, b.ref));
      }
      // Kubernetes' own bootstrap bindings carry this label; anything else binding `default` is a choice.
      if (s.kind === 'ServiceAccount' && s.name === 'default' && b.labels?.['kubernetes.io/bootstrapping'] !== 'rbac-defaults' && want(DEFAULT_SA_CHECK.id)) {
        push(finding(DEFAULT_SA_CHECK, DEFAULT_SA_CHECK.severity, `${formatRef(b.ref)} binds ${b.roleRef.kind} ${b.roleRef.name} to ${formatSubject(s)}`, b.ref));
      }
    });
  }
  if (dropped > 0) {
    const last = out[out.length - 1];
    if (last) last.message += ` (and ${dropped} more findings not shown)`;
  }
  return out;
}

export const ALL_RBAC_CHECK_META = [...RBAC_CHECKS.map((c) => c.meta), ANONYMOUS_CHECK, DEFAULT_SA_CHECK, INVALID_RBAC_CHECK];
