// ClusterRole aggregation: a ClusterRole with aggregationRule.clusterRoleSelectors holds the rules
// of every ClusterRole whose labels match one of the selectors (the controller copies them in).
// Aggregated roles can themselves aggregate, so the closure is transitive; cycles are legal
// (A selects B, B selects A) and resolve to the union. The walk is breadth-first with a visited set
// (cycles terminate), a depth bound and a total work bound, so a hostile set cannot hang the scan.
import { compileSelector, type Selector } from '../selector/selector.ts';
import { formatRef } from './model.ts';
import type { RbacIssue, RoleDef, RoleRule } from './types.ts';

export const AGGREGATION_LIMITS = { depth: 16, selectorEvaluations: 5_000_000, rulesPerRole: 50_000 };

export interface AggregatedRoles {
  /** Effective rules of every ClusterRole (own rules first, then aggregated ones). */
  rulesOf(role: RoleDef): RoleRule[];
}

export function ownRules(role: RoleDef): RoleRule[] {
  return role.rules.map((rule, index) => ({ rule, index, from: role.ref, via: [] }));
}

export function aggregate(clusterRoles: Map<string, RoleDef>, issues: RbacIssue[]): AggregatedRoles {
  const all = [...clusterRoles.values()];
  const selectorsOf = new Map<RoleDef, Selector[]>();
  for (const role of all) {
    if (!role.aggregationSelectors) continue;
    const sels: Selector[] = [];
    role.aggregationSelectors.forEach((raw, i) => {
      const r = compileSelector(raw);
      if (r.ok) sels.push(r.selector);
      else issues.push({ object: role.ref, message: `aggregationRule.clusterRoleSelectors[${i}]: ${r.error}` });
    });
    selectorsOf.set(role, sels);
  }

  let budget = AGGREGATION_LIMITS.selectorEvaluations;
  let budgetReported = false;
  const children = new Map<RoleDef, RoleDef[]>();
  const childrenOf = (role: RoleDef): RoleDef[] => {
    let c = children.get(role);
    if (c) return c;
    c = [];
    const sels = selectorsOf.get(role) ?? [];
    if (sels.length > 0) {
      for (const other of all) {
        if (other === role) continue;
        if (budget <= 0) {
          if (!budgetReported) {
            budgetReported = true;
            issues.push({ object: role.ref, message: `aggregation stopped after ${AGGREGATION_LIMITS.selectorEvaluations} selector evaluations; aggregated rules may be incomplete` });
          }
          break;
        }
        budget -= sels.length;
        const labels = other.labels ?? {};
        if (sels.some((s) => s.matches(labels))) c.push(other);
      }
    }
    children.set(role, c);
    return c;
  };

  const cache = new Map<RoleDef, RoleRule[]>();
  return {
    rulesOf(role: RoleDef): RoleRule[] {
      const hit = cache.get(role);
      if (hit) return hit;
      const out = ownRules(role);
      if (role.cluster && selectorsOf.has(role)) {
        const visited = new Set<RoleDef>([role]);
        let frontier: { role: RoleDef; via: string[] }[] = [{ role, via: [] }];
        for (let depth = 0; frontier.length > 0; depth++) {
          if (depth >= AGGREGATION_LIMITS.depth) {
            issues.push({ object: role.ref, message: `aggregation deeper than ${AGGREGATION_LIMITS.depth} levels; deeper roles are ignored` });
            break;
          }
          const next: typeof frontier = [];
          for (const { role: parent, via } of frontier) {
            for (const child of childrenOf(parent)) {
              if (visited.has(child)) continue;
              visited.add(child);
              const chain = [...via, formatRef(child.ref)];
              for (const r of ownRules(child)) {
                if (out.length >= AGGREGATION_LIMITS.rulesPerRole) break;
                out.push({ ...r, via: chain });
              }
              next.push({ role: child, via: chain });
            }
          }
          frontier = next;
        }
      }
      cache.set(role, out);
      return out;
    },
  };
}
