// Falco rule exceptions → condition tree: `cond and not (exc1 or exc2 ...)`, where each exception
// is an OR over its values and each value tuple is an AND of `field comp value`.
//   fields: [proc.name, fd.directory]  comps: [=, in]  values: [[cp, [/tmp, /var]]]
//   fields: proc.name                   comps: in       values: [cp, mv]        (one check)

import type { FieldRef, ListItem, Node } from './condition/ast.ts';
import { parseCondition } from './condition/parser.ts';
import type { ExceptionDef } from './definitions.ts';

const COMPS = new Set(['=', '==', '!=', '<', '<=', '>', '>=', 'contains', 'icontains', 'bcontains', 'startswith', 'bstartswith', 'endswith', 'glob', 'iglob', 'regex', 'in', 'intersects', 'pmatch']);
const LIST_COMPS = new Set(['in', 'intersects', 'pmatch']);

function fieldRef(text: string, exc: string): FieldRef {
  // Reuse the condition parser so `proc.aname[2]` and transformers read exactly as in conditions.
  let node: Node;
  try {
    node = parseCondition(`${text} exists`);
  } catch {
    throw new Error(`exception '${exc}': '${text}' is not a field`);
  }
  if (node.kind !== 'check') throw new Error(`exception '${exc}': '${text}' is not a field`);
  return node.field;
}

function scalar(v: unknown, exc: string): string {
  if (v === null || typeof v === 'object') throw new Error(`exception '${exc}': value ${JSON.stringify(v)} must be a scalar`);
  return String(v);
}

function check(field: FieldRef, comp: string, v: unknown, exc: string): Node {
  const op = comp === '==' ? '=' : comp;
  if (LIST_COMPS.has(op)) {
    // A list value, or a single name that may be a list defined elsewhere.
    const items: ListItem[] = Array.isArray(v) ? v.map((x) => ({ value: scalar(x, exc), quoted: false })) : [{ value: scalar(v, exc), quoted: false }];
    return { kind: 'check', field, op, value: { kind: 'list', items }, offset: 0 };
  }
  return { kind: 'check', field, op, value: { kind: 'string', value: scalar(v, exc), quoted: true }, offset: 0 };
}

/** The exception part of a rule condition, or undefined when no exception has values. */
export function exceptionsNode(list: ExceptionDef[]): Node | undefined {
  const alternatives: Node[] = [];
  for (const e of list) {
    if (e.fields === undefined) throw new Error(`exception '${e.name}' has no 'fields'`);
    if (Array.isArray(e.fields)) {
      const fields = e.fields.map((f) => fieldRef(f, e.name));
      const comps = e.comps === undefined ? fields.map(() => '=') : e.comps;
      if (!Array.isArray(comps) || comps.length !== fields.length) throw new Error(`exception '${e.name}': 'fields' and 'comps' must have the same length`);
      for (const c of comps) if (!COMPS.has(c)) throw new Error(`exception '${e.name}': unknown comparison '${c}'`);
      for (const tuple of e.values) {
        if (!Array.isArray(tuple) || tuple.length !== fields.length) {
          throw new Error(`exception '${e.name}': value ${JSON.stringify(tuple)} must be a list of ${fields.length} item(s), one per field`);
        }
        const checks = fields.map((f, i) => check(f, comps[i]!, tuple[i], e.name));
        alternatives.push(checks.length === 1 ? checks[0]! : { kind: 'and', children: checks });
      }
    } else {
      const field = fieldRef(e.fields, e.name);
      const comp = e.comps === undefined ? 'in' : e.comps;
      if (Array.isArray(comp) || !COMPS.has(comp)) throw new Error(`exception '${e.name}': 'comps' must be one comparison when 'fields' is a single field`);
      if (e.values.length === 0) continue;
      if (LIST_COMPS.has(comp)) alternatives.push(check(field, comp, e.values, e.name));
      else for (const v of e.values) alternatives.push(check(field, comp, v, e.name));
    }
  }
  if (alternatives.length === 0) return undefined;
  return alternatives.length === 1 ? alternatives[0]! : { kind: 'or', children: alternatives };
}
