// Resolved condition tree → one JS closure per rule. Every field a ruleset uses gets a slot, and
// an event's value for a slot is extracted at most once however many rules read it.

import { Buffer } from 'node:buffer';
import { FIELDS, type Extracted, type Extractor, type FieldContext, type FieldType, type Scalar } from '../fields.ts';
import { unsupportedReason } from '../falco-fields.ts';
import { fieldKey, walkChecks, type FieldRef, type Node, type Value } from './ast.ts';
import { canonicalIp, cidrContains, ipBytes, parseCidr } from './ip.ts';
import { CompileError } from './errors.ts';
import { compileGlob, compileRegex, pathPrefixMatcher } from './match.ts';

/** Kleene logic: 0 false, 1 true, 2 unknown (a check on an optional field the event lacks). A rule
 *  fires only on 1, so missing optional data (capabilities) never fires a rule through `not`. */
export type Truth = 0 | 1 | 2;
export type Predicate = (state: EvalState) => Truth;

export { CompileError };

/** Per-event extraction cache: slot values are valid while stamps[slot] === generation. */
export class EvalState {
  ctx: FieldContext;
  private generation = 1;
  private stamps: Uint32Array;
  private values: Extracted[];
  private readonly extractors: Extractor[];

  private truthStamps: Uint32Array;
  private truthValues: Uint8Array;

  constructor(ctx: FieldContext, extractors: Extractor[], truthSlots = 0) {
    this.ctx = ctx;
    this.extractors = extractors;
    this.stamps = new Uint32Array(extractors.length);
    this.values = new Array(extractors.length);
    this.truthStamps = new Uint32Array(truthSlots);
    this.truthValues = new Uint8Array(truthSlots);
  }

  next(): void {
    if (++this.generation === 0xffffffff) {
      this.stamps.fill(0);
      this.truthStamps.fill(0);
      this.generation = 1;
    }
  }

  /** A macro's result for this event, computed once however many rules use the macro. */
  truth(slot: number, compute: Predicate): Truth {
    if (this.truthStamps[slot] === this.generation) return this.truthValues[slot] as Truth;
    const v = compute(this);
    this.truthValues[slot] = v;
    this.truthStamps[slot] = this.generation;
    return v;
  }

  get(slot: number): Extracted {
    if (this.stamps[slot] === this.generation) return this.values[slot];
    const v = this.extractors[slot]!(this.ctx);
    this.values[slot] = v;
    this.stamps[slot] = this.generation;
    return v;
  }
}

export interface ResolvedField {
  key: string;
  type: FieldType;
  slot: number;
  /** Data a sensor may not provide at all: missing means unknown, not false. */
  optional: boolean;
}

/** Field lookup and slot allocation shared by all rules of a ruleset. */
export class FieldRegistry {
  readonly extractors: Extractor[] = [];
  /** Compiled subtrees shared by all rules (a macro's tree is one object wherever it is used). */
  readonly predicates = new WeakMap<Node, Predicate>();
  truthSlots = 0;
  private readonly slots = new Map<string, ResolvedField>();

  /** Resolves a field or returns why it can't be used: unsupported (valid Falco) or unknown. */
  lookup(f: FieldRef): ResolvedField | { unsupported: string } | { unknown: string } {
    const key = fieldKey(f);
    const known = this.slots.get(key);
    if (known) return known;
    let name = f.name;
    let arg = f.arg;
    if (name.startsWith('evt.arg.') && arg === undefined) {
      arg = name.slice('evt.arg.'.length);
      name = 'evt.arg';
    } else if (name === 'evt.arg' && arg !== undefined) {
      return { unsupported: unsupportedReason('evt.arg[') ?? 'positional arguments are not recorded' };
    }
    const def = FIELDS[name];
    if (!def) {
      const reason = unsupportedReason(name);
      return reason !== undefined ? { unsupported: reason } : { unknown: `unknown field '${f.name}'` };
    }
    if (arg !== undefined && def.arg === 'none') return { unknown: `field '${name}' takes no argument` };
    if (arg === undefined && def.arg === 'key') return { unknown: `field '${name}' needs an argument` };
    if (arg !== undefined && def.arg === 'index' && name.startsWith('proc.a') && !/^\d{1,4}$/.test(arg)) {
      return { unknown: `field '${name}' needs a numeric index, got '${arg}'` };
    }
    let extract = def.bind(arg);
    let type = def.type;
    for (const tr of f.transformers) {
      if (type !== 'string') return { unknown: `transformer ${tr}() needs a string field, '${name}' is ${type}` };
      const inner = extract;
      const fn = TRANSFORMS[tr]!;
      extract = (ctx) => mapValue(inner(ctx), fn);
      if (tr === 'len') type = 'number';
    }
    const resolved: ResolvedField = { key, type, slot: this.extractors.length, optional: def.optional === true };
    this.extractors.push(extract);
    this.slots.set(key, resolved);
    return resolved;
  }
}

const TRANSFORMS: Record<string, (s: string) => Scalar> = {
  tolower: (s) => s.toLowerCase(),
  toupper: (s) => s.toUpperCase(),
  b64: (s) => Buffer.from(s, 'base64').toString('utf8'),
  basename: (s) => s.slice(s.lastIndexOf('/') + 1),
  len: (s) => s.length,
};

function mapValue(v: Extracted, fn: (s: string) => Scalar): Extracted {
  if (v === undefined) return undefined;
  if (Array.isArray(v)) return v.map((x) => fn(String(x)));
  return fn(String(v));
}

type Test = (v: Scalar) => boolean;

export interface CompileResult {
  predicate: Predicate;
  /** Valid Falco fields the event model cannot provide: the rule must not run. */
  unsupported: Map<string, string>;
}

/**
 * @param cached subtrees worth caching per event (macro bodies: `spawned_process`, `container` ...
 *   are shared by dozens of rules).
 */
export function compileCondition(node: Node, registry: FieldRegistry, cached: (n: Node) => boolean = () => false): CompileResult {
  const unsupported = new Map<string, string>();
  const memo = registry.predicates;
  const fieldsOf = new WeakMap<Node, Map<string, string>>();
  const build = (n: Node): Predicate => {
    const hit = memo.get(n);
    if (hit) {
      // Shared subtree compiled for an earlier rule: its unsupported fields still count for this one.
      for (const [k, v] of unsupportedIn(n)) unsupported.set(k, v);
      return hit;
    }
    let p: Predicate;
    switch (n.kind) {
      case 'and': {
        const cs = n.children.map(build);
        p = (s) => {
          let r: Truth = 1;
          for (const c of cs) {
            const v = c(s);
            if (v === 0) return 0;
            if (v === 2) r = 2;
          }
          return r;
        };
        break;
      }
      case 'or': {
        const cs = n.children.map(build);
        p = (s) => {
          let r: Truth = 0;
          for (const c of cs) {
            const v = c(s);
            if (v === 1) return 1;
            if (v === 2) r = 2;
          }
          return r;
        };
        break;
      }
      case 'not': {
        const c = build(n.child);
        p = (s) => { const v = c(s); return v === 2 ? 2 : v === 1 ? 0 : 1; };
        break;
      }
      case 'const': {
        const v: Truth = n.value ? 1 : 0;
        p = () => v;
        break;
      }
      case 'check':
        p = compileCheck(n, registry, unsupported);
        break;
      default:
        throw new CompileError(`unresolved macro '${(n as { name: string }).name}'`);
    }
    if (cached(n) && n.kind !== 'check' && n.kind !== 'const') {
      const slot = registry.truthSlots++;
      const inner = p;
      p = (s) => s.truth(slot, inner);
    }
    memo.set(n, p);
    return p;
  };
  const unsupportedIn = (n: Node): Map<string, string> => {
    let m = fieldsOf.get(n);
    if (m) return m;
    m = new Map();
    walkChecks(n, (c) => {
      const r = registry.lookup(c.field);
      if ('unsupported' in r) m!.set(fieldKey(c.field), r.unsupported);
      if (c.value?.kind === 'field') {
        const rr = registry.lookup(c.value.field);
        if ('unsupported' in rr) m!.set(fieldKey(c.value.field), rr.unsupported);
      }
    });
    fieldsOf.set(n, m);
    return m;
  };
  return { predicate: build(node), unsupported };
}

function compileCheck(n: Extract<Node, { kind: 'check' }>, registry: FieldRegistry, unsupported: Map<string, string>): Predicate {
  const f = registry.lookup(n.field);
  if ('unknown' in f) throw new CompileError(f.unknown);
  if ('unsupported' in f) {
    unsupported.set(fieldKey(n.field), f.unsupported);
    return () => 0; // never run: the rule is listed as unsupported
  }
  const slot = f.slot;
  const missing: Truth = f.optional ? 2 : 0;
  if (n.op === 'exists') return (s) => { const v = s.get(slot); return v === undefined || (Array.isArray(v) && v.length === 0) ? missing : 1; };
  if (n.value?.kind === 'field') return compileFieldCompare(n.op, f, n.value.field, registry, unsupported);
  if (n.op === '!=') {
    // "!=" is "not =" on a present value; on multi-valued fields: no value is equal.
    const eq = compileTest(f.type, '=', n.value!, fieldKey(n.field));
    return (s) => {
      const v = s.get(slot);
      if (v === undefined) return missing;
      if (Array.isArray(v)) { for (const x of v) if (eq(x)) return 0; return v.length > 0 ? 1 : missing; }
      return eq(v as Scalar) ? 0 : 1;
    };
  }
  const test = compileTest(f.type, n.op, n.value!, fieldKey(n.field));
  return (s) => {
    const v = s.get(slot);
    if (v === undefined) return missing;
    if (Array.isArray(v)) { for (const x of v) if (test(x)) return 1; return 0; }
    return test(v as Scalar) ? 1 : 0;
  };
}

function compileFieldCompare(op: string, lhs: ResolvedField, rhsRef: FieldRef, registry: FieldRegistry, unsupported: Map<string, string>): Predicate {
  const r = registry.lookup(rhsRef);
  if ('unknown' in r) throw new CompileError(r.unknown);
  if ('unsupported' in r) { unsupported.set(fieldKey(rhsRef), r.unsupported); return () => 0; }
  const cmp: Record<string, (a: Scalar, b: Scalar) => boolean> = {
    '=': (a, b) => a === b, '!=': (a, b) => a !== b, '<': (a, b) => a < b, '<=': (a, b) => a <= b, '>': (a, b) => a > b, '>=': (a, b) => a >= b,
    contains: (a, b) => String(a).includes(String(b)), startswith: (a, b) => String(a).startsWith(String(b)), endswith: (a, b) => String(a).endsWith(String(b)),
  };
  const fn = cmp[op];
  if (!fn) throw new CompileError(`operator '${op}' is not supported with a field on the right-hand side`);
  return (s) => {
    const a = s.get(lhs.slot);
    const b = s.get(r.slot);
    if (a === undefined || b === undefined) return lhs.optional || r.optional ? 2 : 0;
    if (Array.isArray(a) || Array.isArray(b)) return 0;
    return fn(a as Scalar, b as Scalar) ? 1 : 0;
  };
}

function values(v: Value): string[] {
  if (v.kind === 'list') return v.items.map((i) => i.value);
  if (v.kind === 'string') return [v.value];
  return [];
}

function single(v: Value, op: string, key: string): string {
  if (v.kind !== 'string') throw new CompileError(`operator '${op}' on '${key}' needs a single value`);
  return v.value;
}

function toNumber(text: string, key: string): number {
  const n = /^[+-]?0[xX][0-9a-fA-F]+$/.test(text) ? Number.parseInt(text, 16) : Number(text);
  if (text.trim() === '' || Number.isNaN(n)) throw new CompileError(`'${text}' is not a number (field '${key}')`);
  return n;
}

function compileTest(type: FieldType, op: string, value: Value, key: string): Test {
  const isList = op === 'in' || op === 'intersects' || op === 'pmatch';
  if (isList && value.kind !== 'list') throw new CompileError(`operator '${op}' needs a list`);
  switch (type) {
    case 'number': {
      if (isList) {
        if (op === 'pmatch') throw new CompileError(`pmatch needs a path field, '${key}' is numeric`);
        const set = new Set(values(value).map((x) => toNumber(x, key)));
        return (v) => set.has(v as number);
      }
      const n = toNumber(single(value, op, key), key);
      switch (op) {
        case '=': return (v) => v === n;
        case '<': return (v) => (v as number) < n;
        case '<=': return (v) => (v as number) <= n;
        case '>': return (v) => (v as number) > n;
        case '>=': return (v) => (v as number) >= n;
      }
      throw new CompileError(`operator '${op}' is not supported for numeric field '${key}'`);
    }
    case 'bool': {
      const parse = (x: string): boolean => {
        if (x === 'true') return true;
        if (x === 'false') return false;
        throw new CompileError(`'${x}' is not true/false (field '${key}')`);
      };
      if (op === 'in' || op === 'intersects') { const set = new Set(values(value).map(parse)); return (v) => set.has(v as boolean); }
      if (op !== '=' && op !== '!=') throw new CompileError(`operator '${op}' is not supported for boolean field '${key}'`);
      const b = parse(single(value, op, key));
      return (v) => v === b;
    }
    case 'ip': {
      const canon = (x: string): string => { const c = canonicalIp(x); if (!c) throw new CompileError(`'${x}' is not an IP address (field '${key}')`); return c; };
      if (op === 'in' || op === 'intersects') { const set = new Set(values(value).map(canon)); return (v) => set.has(canonicalIp(String(v)) ?? ''); }
      if (op !== '=' && op !== '!=') throw new CompileError(`operator '${op}' is not supported for IP field '${key}'`);
      const c = canon(single(value, op, key));
      return (v) => canonicalIp(String(v)) === c;
    }
    case 'ipnet': {
      const nets = values(value).map((x) => { const c = parseCidr(x); if (!c) throw new CompileError(`'${x}' is not a network (field '${key}')`); return c; });
      if (!(op === '=' || op === '!=' || op === 'in' || op === 'intersects')) throw new CompileError(`operator '${op}' is not supported for network field '${key}'`);
      return (v) => { const b = ipBytes(String(v)); if (!b) return false; for (const n of nets) if (cidrContains(n, b)) return true; return false; };
    }
    default:
      return compileStringTest(op, value, key);
  }
}

function compileStringTest(op: string, value: Value, key: string): Test {
  if (op === 'in' || op === 'intersects') { const set = new Set(values(value)); return (v) => set.has(v as string); }
  if (op === 'pmatch') { const m = pathPrefixMatcher(values(value)); return (v) => m(String(v)); }
  const s = single(value, op, key);
  switch (op) {
    case '=': return (v) => v === s;
    case 'contains': return (v) => (v as string).includes(s);
    case 'icontains': { const l = s.toLowerCase(); return (v) => (v as string).toLowerCase().includes(l); }
    case 'startswith': return (v) => (v as string).startsWith(s);
    case 'endswith': return (v) => (v as string).endsWith(s);
    case 'bcontains': case 'bstartswith': {
      if (!/^([0-9a-fA-F]{2})+$/.test(s)) throw new CompileError(`'${s}' is not a hex byte string (operator ${op})`);
      const bytes = Buffer.from(s, 'hex');
      return op === 'bcontains' ? (v) => Buffer.from(String(v)).includes(bytes) : (v) => Buffer.from(String(v)).subarray(0, bytes.length).equals(bytes);
    }
    case 'glob': case 'iglob': { const re = compileGlob(s, op === 'iglob'); return (v) => re.test(String(v)); }
    case 'regex': { const re = compileRegex(s); return (v) => re.test(String(v)); }
    case '<': case '<=': case '>': case '>=':
      throw new CompileError(`operator '${op}' is not supported for string field '${key}'`);
  }
  throw new CompileError(`unknown operator '${op}'`);
}
