// The syntax tree of a Falco condition, before macros and lists are resolved.

/** A field as written: `proc.aname[2]`, `tolower(proc.name)` (transformers outermost last). */
export interface FieldRef {
  name: string;
  arg?: string;
  /** Transformers applied to the extracted value, innermost first. */
  transformers: string[];
}

export interface ListItem {
  value: string;
  /** Quoted items are never taken as list names. */
  quoted: boolean;
}

export type Value =
  | { kind: 'string'; value: string; quoted: boolean }
  | { kind: 'list'; items: ListItem[] }
  /** Right-hand side field (`val(proc.pname)`): compare two fields of the same event. */
  | { kind: 'field'; field: FieldRef };

export type Node =
  | { kind: 'and'; children: Node[] }
  | { kind: 'or'; children: Node[] }
  | { kind: 'not'; child: Node }
  | { kind: 'macro'; name: string; offset: number }
  | { kind: 'check'; field: FieldRef; op: string; value?: Value; offset: number }
  /** Constant, produced when a list or exception resolves to nothing ("in ()" is false). */
  | { kind: 'const'; value: boolean };

export function fieldKey(f: FieldRef): string {
  let key = f.arg !== undefined ? `${f.name}[${f.arg}]` : f.name;
  for (const t of f.transformers) key = `${t}(${key})`;
  return key;
}

/** Calls `visit` for every check in the tree (macros are not followed). */
export function walkChecks(node: Node, visit: (check: Extract<Node, { kind: 'check' }>) => void): void {
  const stack: Node[] = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.kind === 'and' || n.kind === 'or') stack.push(...n.children);
    else if (n.kind === 'not') stack.push(n.child);
    else if (n.kind === 'check') visit(n);
  }
}
