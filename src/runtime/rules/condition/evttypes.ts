// Which event types can a condition match? Falco answers this from the condition alone (the
// evt.type checks, with `not` pushed down by De Morgan) and only runs a rule on those types; we
// do the same. A set is either "only these" or "all but these" (an open universe: Triad does not
// enumerate syscalls).

import type { Node } from './ast.ts';

export type TypeSet = { all: false; only: Set<string> } | { all: true; except: Set<string> };

const ALL = (): TypeSet => ({ all: true, except: new Set() });

function union(a: TypeSet, b: TypeSet): TypeSet {
  if (!a.all && !b.all) return { all: false, only: new Set([...a.only, ...b.only]) };
  if (a.all && b.all) return { all: true, except: new Set([...a.except].filter((t) => b.except.has(t))) };
  const [o, e] = a.all ? [b as { only: Set<string> }, a] : [a as { only: Set<string> }, b as { except: Set<string> }];
  return { all: true, except: new Set([...e.except].filter((t) => !o.only.has(t))) };
}

function intersect(a: TypeSet, b: TypeSet): TypeSet {
  if (!a.all && !b.all) return { all: false, only: new Set([...a.only].filter((t) => b.only.has(t))) };
  if (a.all && b.all) return { all: true, except: new Set([...a.except, ...b.except]) };
  const [o, e] = a.all ? [b as { only: Set<string> }, a] : [a as { only: Set<string> }, b as { except: Set<string> }];
  return { all: false, only: new Set([...o.only].filter((t) => !e.except.has(t))) };
}

const complement = (s: Set<string>, negated: boolean): TypeSet => (negated ? { all: true, except: s } : { all: false, only: s });

export function eventTypes(node: Node): TypeSet {
  const memo = [new WeakMap<Node, TypeSet>(), new WeakMap<Node, TypeSet>()];
  const visit = (n: Node, negated: boolean): TypeSet => {
    const m = memo[negated ? 1 : 0]!;
    const hit = m.get(n);
    if (hit) return hit;
    let out: TypeSet;
    switch (n.kind) {
      case 'and':
      case 'or': {
        const useUnion = (n.kind === 'or') !== negated;
        out = n.children.map((c) => visit(c, negated)).reduce((acc, s) => (useUnion ? union(acc, s) : intersect(acc, s)));
        break;
      }
      case 'not':
        out = visit(n.child, !negated);
        break;
      case 'const':
        out = n.value !== negated ? ALL() : { all: false, only: new Set() };
        break;
      case 'check': {
        const isType = (n.field.name === 'evt.type' || n.field.name === 'syscall.type') && n.field.transformers.length === 0;
        if (isType && (n.op === '=' || n.op === '!=') && n.value?.kind === 'string') {
          out = complement(new Set([n.value.value]), (n.op === '!=') !== negated);
        } else if (isType && n.op === 'in' && n.value?.kind === 'list') {
          out = complement(new Set(n.value.items.map((i) => i.value)), negated);
        } else out = ALL();
        break;
      }
      default:
        out = ALL();
    }
    m.set(n, out);
    return out;
  };
  return visit(node, false);
}
