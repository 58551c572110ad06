// Recursive-descent parser for Falco's condition grammar:
//   expr    := or
//   or      := and ('or' and)*
//   and     := not ('and' not)*
//   not     := 'not' not | primary
//   primary := '(' expr ')' | check | macro-name
//   check   := field unary-op | field op value | field list-op '(' items ')'
//   field   := name ('[' arg ']')? | transformer '(' field ')'

import type { FieldRef, ListItem, Node, Value } from './ast.ts';
import { ConditionSyntaxError, Cursor } from './lexer.ts';

export { ConditionSyntaxError } from './lexer.ts';

/** Nesting deeper than this is rejected: it is never written by people and would blow the stack. */
export const MAX_NESTING = 200;
export const MAX_CONDITION_LENGTH = 1 << 20;

export const UNARY_OPS = ['exists'];
/** Longest first, so that `<=` is not read as `<`. */
const SYMBOL_OPS = ['==', '!=', '<=', '>=', '=', '<', '>'];
const WORD_OPS = ['contains', 'icontains', 'bcontains', 'startswith', 'bstartswith', 'endswith', 'glob', 'iglob', 'regex'];
export const LIST_OPS = ['intersects', 'in', 'pmatch'];
export const TRANSFORMERS = ['tolower', 'toupper', 'b64', 'basename', 'len'];

export function parseCondition(text: string): Node {
  if (text.length > MAX_CONDITION_LENGTH) throw new ConditionSyntaxError(`condition longer than ${MAX_CONDITION_LENGTH} characters`, 0);
  const cur = new Cursor(text);
  if (cur.atEnd()) throw cur.error('empty condition');
  const node = parseOr(cur, 0);
  if (!cur.atEnd()) throw cur.error('unexpected token');
  return node;
}

function parseOr(cur: Cursor, depth: number): Node {
  if (depth > MAX_NESTING) throw cur.error(`condition nested deeper than ${MAX_NESTING} levels`);
  const first = parseAnd(cur, depth);
  const children = [first];
  while (cur.tryWord('or')) children.push(parseAnd(cur, depth));
  return children.length === 1 ? first : { kind: 'or', children };
}

function parseAnd(cur: Cursor, depth: number): Node {
  const first = parseNot(cur, depth);
  const children = [first];
  while (cur.tryWord('and')) children.push(parseNot(cur, depth));
  return children.length === 1 ? first : { kind: 'and', children };
}

function parseNot(cur: Cursor, depth: number): Node {
  let negations = 0;
  while (cur.tryWord('not')) {
    if (++negations > MAX_NESTING) throw cur.error(`more than ${MAX_NESTING} consecutive 'not'`);
  }
  let node = parsePrimary(cur, depth);
  for (let i = 0; i < negations; i++) node = { kind: 'not', child: node };
  return node;
}

function parsePrimary(cur: Cursor, depth: number): Node {
  if (cur.tryChar('(')) {
    const inner = parseOr(cur, depth + 1);
    if (!cur.tryChar(')')) throw cur.error("expected ')'");
    return inner;
  }
  const offset = (cur.skipBlanks(), cur.pos);
  const field = tryParseField(cur, 0);
  if (field) return parseCheck(cur, field, offset);
  const ident = cur.tryIdentifier();
  if (ident !== undefined) {
    if (['and', 'or', 'not'].includes(ident)) throw cur.error(`unexpected '${ident}'`, offset);
    return { kind: 'macro', name: ident, offset };
  }
  throw cur.error('expected a field check, a macro name or a parenthesised expression');
}

function tryParseField(cur: Cursor, depth: number): FieldRef | undefined {
  const save = cur.pos;
  cur.skipBlanks();
  const start = cur.pos;
  // transformer(field)
  for (const tr of TRANSFORMERS) {
    if (cur.text.startsWith(tr, start)) {
      cur.pos = start + tr.length;
      if (cur.tryChar('(')) {
        if (depth > 16) throw cur.error('transformers nested too deeply');
        const inner = tryParseField(cur, depth + 1);
        if (!inner) throw cur.error(`expected a field inside ${tr}()`);
        if (!cur.tryChar(')')) throw cur.error(`expected ')' closing ${tr}()`);
        return { ...inner, transformers: [...inner.transformers, tr] };
      }
      cur.pos = start;
    }
  }
  const name = cur.tryFieldName();
  if (name === undefined) {
    cur.pos = save;
    return undefined;
  }
  // The argument bracket must follow the name directly: `proc.aname[2]`.
  if (cur.text[cur.pos] === '[') {
    cur.pos++;
    const arg = cur.readBracketArg();
    return { name, arg, transformers: [] };
  }
  return { name, transformers: [] };
}

function parseCheck(cur: Cursor, field: FieldRef, offset: number): Node {
  for (const op of UNARY_OPS) {
    if (cur.tryWord(op)) return { kind: 'check', field, op, offset };
  }
  for (const op of LIST_OPS) {
    if (cur.tryWord(op)) {
      cur.skipBlanks();
      if (cur.text[cur.pos] !== '(') throw cur.error(`expected '(' list after '${op}'`);
      return { kind: 'check', field, op, value: parseList(cur), offset };
    }
  }
  for (const op of SYMBOL_OPS) {
    if (cur.trySymbol(op)) return { kind: 'check', field, op: op === '==' ? '=' : op, value: parseValue(cur, op), offset };
  }
  for (const op of WORD_OPS) {
    if (cur.tryWord(op)) return { kind: 'check', field, op, value: parseValue(cur, op), offset };
  }
  throw cur.error(`expected an operator after field '${field.name}'`);
}

function parseValue(cur: Cursor, op: string): Value {
  cur.skipBlanks();
  // val(field): compare with another field of the same event.
  if (cur.text.startsWith('val(', cur.pos)) {
    cur.pos += 4;
    const f = tryParseField(cur, 0);
    if (!f) throw cur.error('expected a field inside val()');
    if (!cur.tryChar(')')) throw cur.error("expected ')' closing val()");
    return { kind: 'field', field: f };
  }
  const quoted = cur.tryQuotedString();
  if (quoted !== undefined) return { kind: 'string', value: quoted, quoted: true };
  const num = cur.tryNumber();
  if (num !== undefined) return { kind: 'string', value: num, quoted: false };
  const bare = cur.tryBareString();
  if (bare !== undefined) return { kind: 'string', value: bare, quoted: false };
  throw cur.error(`expected a value after '${op}'`);
}

function parseList(cur: Cursor): Value {
  cur.tryChar('(');
  const items: ListItem[] = [];
  if (cur.tryChar(')')) return { kind: 'list', items };
  for (;;) {
    const quoted = cur.tryQuotedString();
    if (quoted !== undefined) items.push({ value: quoted, quoted: true });
    else {
      const bare = cur.tryBareString();
      if (bare === undefined) throw cur.error('expected a list item');
      items.push({ value: bare, quoted: false });
    }
    if (cur.tryChar(')')) return { kind: 'list', items };
    if (!cur.tryChar(',')) throw cur.error("expected ',' or ')' in list");
  }
}
