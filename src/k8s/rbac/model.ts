// Reads RBAC objects out of parsed manifests (plain {apiVersion, kind, metadata, ...} objects) into
// validated RoleDef / BindingDef values. Malformed objects become issues naming the object; the
// rest of the set is still analysed. Sizes are bounded so a hostile manifest cannot make the
// resolver quadratic in something absurd.
import type { BindingDef, ObjectRef, ObjectSource, PolicyRule, RbacIssue, RoleDef, Subject } from './types.ts';
import { BUILTIN_CLUSTER_ROLES } from './builtin.ts';
import { labelsOf } from '../selector/selector.ts';

export const LIMITS = {
  rulesPerRole: 2_000,
  entriesPerRuleField: 1_000,
  subjectsPerBinding: 2_000,
  objects: 200_000,
};

export interface RbacSet {
  roles: Map<string, RoleDef>; // `${namespace}/${name}`
  clusterRoles: Map<string, RoleDef>; // name
  bindings: BindingDef[];
  issues: RbacIssue[];
}

/** How the caller tells where an object came from (the manifest loader knows; plain objects may not). */
export type Locate = (obj: object) => ObjectSource | undefined;

const RBAC_KINDS = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function refOf(obj: Record<string, unknown>, locate?: Locate): ObjectRef {
  const md = isRecord(obj.metadata) ? obj.metadata : {};
  const ref: ObjectRef = {
    kind: typeof obj.kind === 'string' ? obj.kind : '?',
    name: typeof md.name === 'string' ? md.name : '',
  };
  if (typeof md.namespace === 'string' && md.namespace !== '') ref.namespace = md.namespace;
  const source = locate?.(obj);
  if (source) ref.source = source;
  return ref;
}

export function formatRef(r: ObjectRef): string {
  return r.namespace ? `${r.kind} ${r.namespace}/${r.name}` : `${r.kind} ${r.name}`;
}

function isRbacApi(obj: Record<string, unknown>): boolean {
  // rbac.authorization.k8s.io/v1 (and the old v1beta1/v1alpha1); a bare `v1` appears in some test
  // inputs and hand-written manifests: accept anything but a different group.
  const av = obj.apiVersion;
  if (typeof av !== 'string') return true;
  return !av.includes('/') || av.startsWith('rbac.authorization.k8s.io/');
}

function stringList(raw: unknown, field: string, issues: string[]): string[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    issues.push(`${field} must be a list`);
    return [];
  }
  const out: string[] = [];
  for (const v of raw.slice(0, LIMITS.entriesPerRuleField)) {
    if (typeof v === 'string') out.push(v);
    else issues.push(`${field} holds a non-string entry`);
  }
  if (raw.length > LIMITS.entriesPerRuleField) issues.push(`${field} has ${raw.length} entries; only the first ${LIMITS.entriesPerRuleField} are read`);
  return out;
}

function readRules(raw: unknown, problems: string[]): PolicyRule[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    problems.push('rules must be a list');
    return [];
  }
  if (raw.length > LIMITS.rulesPerRole) problems.push(`${raw.length} rules; only the first ${LIMITS.rulesPerRole} are read`);
  const rules: PolicyRule[] = [];
  raw.slice(0, LIMITS.rulesPerRole).forEach((r, i) => {
    if (!isRecord(r)) {
      problems.push(`rules[${i}] is not an object`);
      // Keep indexes aligned with the manifest so paths stay right.
      rules.push({ verbs: [], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: [] });
      return;
    }
    rules.push({
      verbs: stringList(r.verbs, `rules[${i}].verbs`, problems),
      apiGroups: stringList(r.apiGroups, `rules[${i}].apiGroups`, problems),
      resources: stringList(r.resources, `rules[${i}].resources`, problems),
      resourceNames: stringList(r.resourceNames, `rules[${i}].resourceNames`, problems),
      nonResourceURLs: stringList(r.nonResourceURLs, `rules[${i}].nonResourceURLs`, problems),
    });
  });
  return rules;
}

function readSubjects(raw: unknown, bindingNs: string | undefined, problems: string[]): Subject[] {
  if (raw === undefined || raw === null) return [];
  // A single subject written as a map instead of a list (seen in real manifests and test inputs):
  // the API server rejects it, but the intent is clear, so read it and report it.
  let list: unknown[];
  if (Array.isArray(raw)) list = raw;
  else if (isRecord(raw)) {
    problems.push('subjects must be a list (a single map was given)');
    list = [raw];
  } else {
    problems.push('subjects must be a list');
    return [];
  }
  if (list.length > LIMITS.subjectsPerBinding) problems.push(`${list.length} subjects; only the first ${LIMITS.subjectsPerBinding} are read`);
  const out: Subject[] = [];
  list.slice(0, LIMITS.subjectsPerBinding).forEach((s, i) => {
    if (!isRecord(s) || typeof s.name !== 'string' || s.name === '') {
      problems.push(`subjects[${i}] has no name`);
      return;
    }
    const kind = s.kind;
    if (kind === 'User' || kind === 'Group') out.push({ kind, name: s.name });
    else if (kind === 'ServiceAccount') {
      // The authorizer defaults an empty ServiceAccount namespace to the RoleBinding's namespace.
      const ns = typeof s.namespace === 'string' && s.namespace !== '' ? s.namespace : bindingNs;
      if (!ns) problems.push(`subjects[${i}]: ServiceAccount ${s.name} has no namespace`);
      else out.push({ kind, name: s.name, namespace: ns });
    } else problems.push(`subjects[${i}]: unknown kind ${JSON.stringify(kind)}`);
  });
  return out;
}

/** Collects the RBAC objects among `objects` (anything else is ignored). */
export function readRbac(objects: Iterable<unknown>, locate?: Locate): RbacSet {
  const set: RbacSet = { roles: new Map(), clusterRoles: new Map(), bindings: [], issues: [] };
  let seen = 0;
  for (const obj of objects) {
    if (!isRecord(obj) || typeof obj.kind !== 'string' || !RBAC_KINDS.has(obj.kind) || !isRbacApi(obj)) continue;
    if (++seen > LIMITS.objects) {
      set.issues.push({ object: refOf(obj, locate), message: `more than ${LIMITS.objects} RBAC objects; the rest are ignored` });
      break;
    }
    const ref = refOf(obj, locate);
    const problems: string[] = [];
    if (ref.name === '') problems.push('metadata.name is missing');
    const namespaced = obj.kind === 'Role' || obj.kind === 'RoleBinding';
    if (namespaced && !ref.namespace) {
      // Manifests often leave the namespace to `kubectl -n`; analyse them as the default namespace.
      ref.namespace = 'default';
    }
    if (!namespaced) delete ref.namespace;

    if (obj.kind === 'Role' || obj.kind === 'ClusterRole') {
      const role: RoleDef = { ref, cluster: obj.kind === 'ClusterRole', rules: readRules(obj.rules, problems), labels: { ...labelsOf(obj) } };
      if (role.cluster && isRecord(obj.aggregationRule)) {
        const sel = obj.aggregationRule.clusterRoleSelectors;
        if (Array.isArray(sel)) role.aggregationSelectors = sel.slice(0, LIMITS.entriesPerRuleField);
        else if (sel !== undefined && sel !== null) problems.push('aggregationRule.clusterRoleSelectors must be a list');
      }
      const key = role.cluster ? ref.name : `${ref.namespace}/${ref.name}`;
      const map = role.cluster ? set.clusterRoles : set.roles;
      if (map.has(key)) problems.push('defined more than once; the last definition wins');
      if (ref.name !== '') map.set(key, role);
    } else {
      const rr = obj.roleRef;
      let roleRef: BindingDef['roleRef'] | undefined;
      if (!isRecord(rr) || typeof rr.name !== 'string' || rr.name === '') problems.push('roleRef.name is missing');
      else if (rr.kind !== 'Role' && rr.kind !== 'ClusterRole') problems.push(`roleRef.kind ${JSON.stringify(rr.kind)} is not Role or ClusterRole`);
      else if (obj.kind === 'ClusterRoleBinding' && rr.kind === 'Role') problems.push('a ClusterRoleBinding cannot reference a Role (the API server rejects it); it grants nothing');
      else roleRef = { kind: rr.kind, name: rr.name };
      const subjects = readSubjects(obj.subjects, ref.namespace, problems);
      if (roleRef && ref.name !== '') set.bindings.push({ ref, cluster: obj.kind === 'ClusterRoleBinding', roleRef, subjects, labels: { ...labelsOf(obj) } });
    }
    for (const message of problems) set.issues.push({ object: ref, message });
  }
  // Default ClusterRoles every cluster has: a binding to `cluster-admin` means something even when the
  // manifests do not define it. Manifest definitions win.
  for (const b of BUILTIN_CLUSTER_ROLES) if (!set.clusterRoles.has(b.ref.name)) set.clusterRoles.set(b.ref.name, b);
  return set;
}
