// Macro and list resolution. Macros are expanded by reference (a macro used by 100 rules is one
// shared subtree), and every result is memoised, so a hostile file that doubles a macro twenty
// times costs linear time to resolve; its expanded size is then measured and refused when it
// would make evaluation exponential.

import type { ListItem, Node } from './ast.ts';

export const MAX_EXPANDED_CHECKS = 200_000;
export const MAX_LIST_ITEMS = 100_000;

export class ResolveError extends Error {
  /** The macro the error is in, when it is not the rule's own condition. */
  readonly macro?: string;
  constructor(message: string, macro?: string) {
    super(message);
    this.name = 'ResolveError';
    this.macro = macro;
  }
}

/** List name → fully expanded items (list references inside lists already resolved). */
export type ListTable = ReadonlyMap<string, readonly string[]>;

/**
 * Expands list references inside list items (`items: [rpm_binaries, deb_binaries, apk]`).
 * Falco strips one level of double quotes from items ('"(systemd)"' is the string (systemd)).
 */
export function resolveLists(raw: ReadonlyMap<string, readonly string[]>): { lists: Map<string, string[]>; errors: Map<string, string> } {
  const lists = new Map<string, string[]>();
  const errors = new Map<string, string>();
  const visiting = new Set<string>();
  const visit = (name: string): string[] => {
    const done = lists.get(name);
    if (done) return done;
    if (visiting.has(name)) throw new ResolveError(`list '${name}' refers to itself (cycle)`);
    visiting.add(name);
    const out: string[] = [];
    for (const item of raw.get(name)!) {
      if (raw.has(item) && item !== name) {
        for (const v of visit(item)) out.push(v);
      } else out.push(unquoteItem(item));
      if (out.length > MAX_LIST_ITEMS) throw new ResolveError(`list '${name}' expands to more than ${MAX_LIST_ITEMS} items`);
    }
    visiting.delete(name);
    lists.set(name, out);
    return out;
  };
  for (const name of raw.keys()) {
    try {
      visit(name);
    } catch (e) {
      visiting.clear();
      errors.set(name, (e as Error).message);
      lists.set(name, []);
    }
  }
  return { lists, errors };
}

export function unquoteItem(item: string): string {
  if (item.length >= 2 && item.startsWith('"') && item.endsWith('"')) {
    return item.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  return item;
}

export class Resolver {
  private readonly macros: ReadonlyMap<string, Node>;
  private readonly lists: ListTable;
  private readonly expanded = new Map<string, Node>();
  private readonly inProgress = new Set<string>();
  private readonly memo = new WeakMap<Node, Node>();
  private readonly sizes = new WeakMap<Node, number>();
  private readonly macroRoots = new WeakSet<Node>();

  /** True for the resolved body of a macro (the same object wherever the macro is used). */
  isMacro = (node: Node): boolean => this.macroRoots.has(node);

  constructor(macros: ReadonlyMap<string, Node>, lists: ListTable) {
    this.macros = macros;
    this.lists = lists;
  }

  /** The condition with every macro and list name replaced; throws ResolveError. */
  resolve(node: Node): Node {
    const out = this.expand(node, undefined);
    const size = this.size(out);
    if (size > MAX_EXPANDED_CHECKS) throw new ResolveError(`condition expands to ${size > 1e12 ? 'more than 10^12' : size} checks (limit ${MAX_EXPANDED_CHECKS}): macros nest too much`);
    return out;
  }

  /** Names of the macros a condition uses, transitively (for reporting). */
  macrosUsed(node: Node, into = new Set<string>()): Set<string> {
    const stack: Node[] = [node];
    while (stack.length) {
      const n = stack.pop()!;
      if (n.kind === 'and' || n.kind === 'or') stack.push(...n.children);
      else if (n.kind === 'not') stack.push(n.child);
      else if (n.kind === 'macro' && !into.has(n.name)) {
        into.add(n.name);
        const body = this.macros.get(n.name);
        if (body) stack.push(body);
      }
    }
    return into;
  }

  private expand(node: Node, inMacro: string | undefined): Node {
    const hit = this.memo.get(node);
    if (hit) return hit;
    let out: Node;
    switch (node.kind) {
      case 'and':
      case 'or':
        out = { kind: node.kind, children: node.children.map((c) => this.expand(c, inMacro)) };
        break;
      case 'not':
        out = { kind: 'not', child: this.expand(node.child, inMacro) };
        break;
      case 'macro':
        out = this.expandMacro(node.name, inMacro);
        break;
      case 'check':
        out = node.value?.kind === 'list' ? { ...node, value: { kind: 'list', items: this.expandItems(node.value.items) } } : node;
        break;
      default:
        out = node;
    }
    this.memo.set(node, out);
    return out;
  }

  private expandMacro(name: string, inMacro: string | undefined): Node {
    const done = this.expanded.get(name);
    if (done) return done;
    const body = this.macros.get(name);
    if (!body) throw new ResolveError(`undefined macro '${name}'`, inMacro);
    if (this.inProgress.has(name)) throw new ResolveError(`macro '${name}' refers to itself (cycle through ${[...this.inProgress].join(' → ')})`, name);
    this.inProgress.add(name);
    try {
      const out = this.expand(body, name);
      this.macroRoots.add(out);
      this.expanded.set(name, out);
      return out;
    } finally {
      this.inProgress.delete(name);
    }
  }

  private expandItems(items: ListItem[]): ListItem[] {
    const out: ListItem[] = [];
    for (const it of items) {
      const list = it.quoted ? undefined : this.lists.get(it.value);
      if (list) for (const v of list) out.push({ value: v, quoted: true });
      else out.push(it);
      if (out.length > MAX_LIST_ITEMS) throw new ResolveError(`list value expands to more than ${MAX_LIST_ITEMS} items`);
    }
    return out;
  }

  /** Number of checks the tree has when shared subtrees are counted every time they appear. */
  size(node: Node): number {
    const hit = this.sizes.get(node);
    if (hit !== undefined) return hit;
    let s = 1;
    if (node.kind === 'and' || node.kind === 'or') {
      s = 0;
      for (const c of node.children) s += this.size(c);
    } else if (node.kind === 'not') s = this.size(node.child);
    this.sizes.set(node, s);
    return s;
  }
}
