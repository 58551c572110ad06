// Shared helpers for the checks: defensive access into possibly malformed pod specs, the
// container walk upstream uses, and upstream's message shapes ("containers \"a\", \"b\"").
import type { PathSeg } from '../manifest/workloads.ts';

export type Rec = Record<string, unknown>;

export function isRec(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function rec(v: unknown): Rec | undefined {
  return isRec(v) ? v : undefined;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export interface Visited {
  c: Rec;
  name: string;
  /** Path of the container inside the pod spec, starting with 'spec'. */
  path: PathSeg[];
}

/** Init, regular and ephemeral containers, in upstream's order. */
export function containers(spec: Rec): Visited[] {
  const out: Visited[] = [];
  for (const field of ['initContainers', 'containers', 'ephemeralContainers']) {
    const list = spec[field];
    if (!Array.isArray(list)) continue;
    list.forEach((c, i) => {
      if (isRec(c)) out.push({ c, name: typeof c.name === 'string' ? c.name : '', path: ['spec', field, i] });
    });
  }
  return out;
}

export function podSC(spec: Rec): Rec | undefined {
  return rec(spec.securityContext);
}

export function containerSC(c: Rec): Rec | undefined {
  return rec(c.securityContext);
}

export function quote(s: string): string {
  return JSON.stringify(s);
}

/** `"a", "b"` */
export function joinQuote(items: readonly string[]): string {
  return items.map(quote).join(', ');
}

export function pluralize(singular: string, plural: string, n: number): string {
  return n === 1 ? singular : plural;
}

/** `container "a"` / `containers "a", "b"` */
export function containerList(names: readonly string[]): string {
  return `${pluralize('container', 'containers', names.length)} ${joinQuote(names)}`;
}

/** Unique, in first-seen order. */
export function uniq<T>(xs: Iterable<T>): T[] {
  return [...new Set(xs)];
}

export function isWindowsPod(spec: Rec): boolean {
  return rec(spec.os)?.name === 'windows';
}
