// Policy exceptions: a named, owned, dated exemption of some resources from some policies (or some
// validations of them). An exception applies only before its expiry; after it, the verdict stands
// and the expired exception is reported next to it, so that nobody is surprised by either.
import type { Selector } from '../k8s/selector/selector.ts';
import type { Subject } from './inputs.ts';
import { compileGlobs, compileLabelSelector } from './match.ts';
import type { AppliedException, ExceptionSpec } from './types.ts';

export interface CompiledException {
  spec: ExceptionSpec;
  audit: AppliedException;
  /** Does it cover this policy, and this validation (undefined: the policy as a whole)? */
  covers(policy: string, validation: string | undefined): boolean;
  /** Does it cover this resource? */
  matches(s: Subject): boolean;
  expired(now: Date): boolean;
}

export function compileException(spec: ExceptionSpec): CompiledException {
  const where = `${spec.source.file}:${spec.source.line}: PolicyException ${JSON.stringify(spec.name)}`;
  const policies = spec.policies.map((p) => ({ name: compileGlobs([p.name]), validations: new Set(p.validations) }));
  const ns = spec.namespaces.length ? compileGlobs(spec.namespaces) : undefined;
  const names = spec.names.length ? compileGlobs(spec.names) : undefined;
  const kinds = spec.kinds.length ? new Set(spec.kinds) : undefined;
  const images = spec.images.length ? compileGlobs(spec.images) : undefined;
  const selector: Selector | undefined = compileLabelSelector(spec.selector, `${where}: match.selector`);
  return {
    spec,
    audit: {
      name: spec.name,
      owner: spec.owner,
      reason: spec.reason,
      expires: spec.expires,
      ticket: spec.ticket,
      source: `${spec.source.file}:${spec.source.line}`,
    },
    covers: (policy, validation) =>
      policies.some((p) => p.name(policy) && (p.validations.size === 0 || (validation !== undefined && p.validations.has(validation)))),
    matches: (s) =>
      (!ns || ns(s.namespace)) &&
      (!names || names(s.name)) &&
      (!kinds || kinds.has(s.kind) || kinds.has(s.resource.kind)) &&
      // A workload is covered by image criteria only when every container image is: an exempt sidecar
      // must not carry the rest of the pod with it.
      (!images || (s.images.length > 0 && s.images.every(images))) &&
      (!selector || selector.matches(s.labels)),
    expired: (now) => now.getTime() > spec.expiresAt.getTime(),
  };
}
