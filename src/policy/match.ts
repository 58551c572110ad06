// Match rules: does a policy apply to a subject? Kinds (with `Workload` and `ImageScan`),
// operations, namespace globs, object and namespace label selectors, image globs, subresources.
import { compileSelector, type Selector } from '../k8s/selector/selector.ts';
import { WORKLOAD_KINDS, type Subject } from './inputs.ts';
import type { LabelSelectorSpec, MatchSpec } from './types.ts';

/** `*` matches any run of characters (including `/`); everything else is literal. */
export function globToRegExp(glob: string): RegExp {
  const body = glob.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${body}$`);
}

export function compileGlobs(globs: string[]): (s: string) => boolean {
  if (globs.length === 0) return () => false;
  const exact = new Set(globs.filter((g) => !g.includes('*')));
  const res = globs.filter((g) => g.includes('*')).map(globToRegExp);
  return (s) => exact.has(s) || res.some((r) => r.test(s));
}

export class MatchSpecError extends Error {}

export function compileLabelSelector(spec: LabelSelectorSpec | undefined, what: string): Selector | undefined {
  if (spec === undefined) return undefined;
  const r = compileSelector(spec);
  if (!r.ok) throw new MatchSpecError(`${what}: ${r.error}`);
  return r.selector;
}

export type Matcher = (s: Subject) => boolean;

/** Compiles match rules once; the result is a cheap predicate. */
export function compileMatch(m: MatchSpec, what: string): Matcher {
  const kinds = new Set(m.kinds);
  const anyObject = kinds.has('*');
  const workloads = kinds.has('Workload');
  const scans = kinds.has('ImageScan');
  const ops = new Set(m.operations);
  const nsInclude = m.namespaces.include.length ? compileGlobs(m.namespaces.include) : undefined;
  const nsExclude = compileGlobs(m.namespaces.exclude);
  const imgInclude = m.images.include.length ? compileGlobs(m.images.include) : undefined;
  const imgExclude = compileGlobs(m.images.exclude);
  const objSel = compileLabelSelector(m.objectSelector, `${what}: match.objectSelector`);
  const nsSel = compileLabelSelector(m.namespaceSelector, `${what}: match.namespaceSelector`);
  const subs = new Set(m.subresources);
  return (s) => {
    if (s.kind === 'ImageScan') {
      if (!scans) return false;
      if (s.image !== undefined && ((imgInclude && !imgInclude(s.image)) || imgExclude(s.image))) return false;
    } else {
      if (!(anyObject || kinds.has(s.kind) || (workloads && WORKLOAD_KINDS.has(s.kind)))) return false;
      if (!ops.has(s.operation)) return false;
      if (s.subresource && !subs.has(s.subresource)) return false;
      if (objSel && !objSel.matches(s.labels)) return false;
    }
    if (nsInclude && !nsInclude(s.namespace)) return false;
    if (s.namespace && nsExclude(s.namespace)) return false;
    // Without the namespace object (CI, manifests on disk) its labels are unknown: the policy applies.
    if (nsSel && s.namespaceLabels && !nsSel.matches(s.namespaceLabels)) return false;
    return true;
  };
}
