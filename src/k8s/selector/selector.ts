// Kubernetes label selectors (metav1.LabelSelector) with the API server's semantics:
// - an empty selector `{}` selects everything; a null/absent one selects nothing (callers that give
//   "absent" another meaning — NetworkPolicy peers, for instance — decide before calling);
// - matchLabels and matchExpressions are ANDed;
// - In / NotIn need a non-empty `values`, Exists / DoesNotExist must have none; NotIn and
//   DoesNotExist also match objects that lack the key.
// A malformed selector is an error naming what is wrong, never an exception: the API server rejects
// such objects, so a manifest holding one is itself a finding.

export type Labels = Readonly<Record<string, string>>;

export interface Requirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values: string[];
}

export interface Selector {
  /** Selects every object (the empty selector). */
  readonly everything: boolean;
  /** Selects no object (null selector). */
  readonly nothing: boolean;
  readonly requirements: readonly Requirement[];
  matches(labels: Labels): boolean;
  /** `app=web,tier in (a,b),!legacy` — kubectl's notation. */
  toString(): string;
}

export type SelectorResult = { ok: true; selector: Selector } | { ok: false; error: string };

const OPERATORS = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);
/** Label keys and values are at most 63 (+253 prefix) characters; reject silly sizes early. */
const MAX_KEY = 317;
const MAX_VALUES = 1000;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class CompiledSelector implements Selector {
  readonly requirements: readonly Requirement[];
  readonly nothing: boolean;
  constructor(reqs: Requirement[], nothing: boolean) {
    this.requirements = reqs;
    this.nothing = nothing;
  }
  get everything(): boolean {
    return !this.nothing && this.requirements.length === 0;
  }
  matches(labels: Labels): boolean {
    if (this.nothing) return false;
    for (const r of this.requirements) {
      const has = Object.prototype.hasOwnProperty.call(labels, r.key);
      switch (r.operator) {
        case 'In':
          if (!has || !r.values.includes(labels[r.key]!)) return false;
          break;
        case 'NotIn':
          if (has && r.values.includes(labels[r.key]!)) return false;
          break;
        case 'Exists':
          if (!has) return false;
          break;
        case 'DoesNotExist':
          if (has) return false;
          break;
      }
    }
    return true;
  }
  toString(): string {
    if (this.nothing) return '<none>';
    if (this.requirements.length === 0) return '<all>';
    return this.requirements
      .map((r) => {
        switch (r.operator) {
          case 'In':
            return r.values.length === 1 ? `${r.key}=${r.values[0]}` : `${r.key} in (${r.values.join(',')})`;
          case 'NotIn':
            return `${r.key} notin (${r.values.join(',')})`;
          case 'Exists':
            return r.key;
          case 'DoesNotExist':
            return `!${r.key}`;
        }
      })
      .join(',');
  }
}

export const SELECT_NOTHING: Selector = new CompiledSelector([], true);
export const SELECT_EVERYTHING: Selector = new CompiledSelector([], false);

/** Compiles a metav1.LabelSelector; null/undefined selects nothing. */
export function compileSelector(raw: unknown): SelectorResult {
  if (raw === null || raw === undefined) return { ok: true, selector: SELECT_NOTHING };
  if (!isRecord(raw)) return { ok: false, error: `label selector must be an object, got ${describe(raw)}` };
  const reqs: Requirement[] = [];
  const ml = raw.matchLabels;
  if (ml !== undefined && ml !== null) {
    if (!isRecord(ml)) return { ok: false, error: `matchLabels must be a map, got ${describe(ml)}` };
    for (const [k, v] of Object.entries(ml)) {
      if (k.length === 0 || k.length > MAX_KEY) return { ok: false, error: `matchLabels has an invalid key ${JSON.stringify(k.slice(0, 80))}` };
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')
        return { ok: false, error: `matchLabels.${k} must be a string, got ${describe(v)}` };
      reqs.push({ key: k, operator: 'In', values: [String(v)] });
    }
  }
  const me = raw.matchExpressions;
  if (me !== undefined && me !== null) {
    if (!Array.isArray(me)) return { ok: false, error: `matchExpressions must be a list, got ${describe(me)}` };
    for (let i = 0; i < me.length; i++) {
      const e = me[i];
      const where = `matchExpressions[${i}]`;
      if (!isRecord(e)) return { ok: false, error: `${where} must be an object` };
      const key = e.key;
      if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY)
        return { ok: false, error: `${where}.key must be a non-empty label key` };
      const op = e.operator;
      if (typeof op !== 'string' || !OPERATORS.has(op))
        return { ok: false, error: `${where}: operator ${JSON.stringify(op)} is not one of In, NotIn, Exists, DoesNotExist` };
      const rawValues = e.values ?? [];
      if (!Array.isArray(rawValues)) return { ok: false, error: `${where}.values must be a list` };
      if (rawValues.length > MAX_VALUES) return { ok: false, error: `${where}.values has ${rawValues.length} entries (limit ${MAX_VALUES})` };
      const values: string[] = [];
      for (const v of rawValues) {
        if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')
          return { ok: false, error: `${where}.values must hold strings, got ${describe(v)}` };
        values.push(String(v));
      }
      if ((op === 'In' || op === 'NotIn') && values.length === 0)
        return { ok: false, error: `${where}: operator ${op} needs at least one value` };
      if ((op === 'Exists' || op === 'DoesNotExist') && values.length > 0)
        return { ok: false, error: `${where}: operator ${op} must not have values` };
      reqs.push({ key, operator: op as Requirement['operator'], values });
    }
  }
  return { ok: true, selector: new CompiledSelector(reqs, false) };
}

/** An object's labels (metadata.labels), keeping only scalar values. */
export function labelsOf(obj: unknown): Labels {
  if (!isRecord(obj)) return {};
  return toLabels(isRecord(obj.metadata) ? obj.metadata.labels : undefined);
}

export function toLabels(raw: unknown): Labels {
  const out: Record<string, string> = {};
  if (!isRecord(raw)) return out;
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
  }
  return out;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)?.slice(0, 40)}`;
}
