// A plain comparator constraint language shared by the schemes whose ecosystems have no range syntax
// of their own (deb, rpm, apk, semver, go): `>=1.0, <2.0` (comma or space separated, AND-ed) and
// `||` between alternatives. Operators: = == != < <= > >= (apk's ~ for fuzzy equality is handled by
// the apk scheme itself).

import { VersionError } from './scheme.ts';
import { MAX_VERSION_LENGTH } from './numeric.ts';

export type Operator = '=' | '!=' | '<' | '<=' | '>' | '>=';

export interface Comparator {
  op: Operator;
  version: string;
}

const OPERATOR = /^(==|=|!=|<=|>=|<|>)\s*/;

/** Parses `a, b || c d` into OR-ed groups of AND-ed comparators. Bare versions mean `=`. */
export function parseComparatorConstraint(scheme: string, constraint: string): Comparator[][] {
  if (constraint.length > MAX_VERSION_LENGTH * 16) throw new VersionError(scheme, constraint.slice(0, 64), 'constraint too long');
  const groups: Comparator[][] = [];
  for (const alternative of constraint.split('||')) {
    const group: Comparator[] = [];
    let rest = alternative.trim();
    while (rest.length > 0) {
      const m = OPERATOR.exec(rest);
      let op: Operator = '=';
      if (m) {
        op = m[1] === '==' ? '=' : (m[1] as Operator);
        rest = rest.slice(m[0].length);
      }
      const end = rest.search(/[\s,]/);
      const version = end < 0 ? rest : rest.slice(0, end);
      if (version === '' || /[<>=!]/.test(version)) throw new VersionError(scheme, constraint, 'expected a version after the operator');
      group.push({ op, version });
      rest = (end < 0 ? '' : rest.slice(end)).replace(/^[\s,]+/, '');
    }
    if (group.length === 0) throw new VersionError(scheme, constraint, 'empty constraint');
    groups.push(group);
  }
  return groups;
}

export function testOperator(op: Operator, cmp: number): boolean {
  switch (op) {
    case '=': return cmp === 0;
    case '!=': return cmp !== 0;
    case '<': return cmp < 0;
    case '<=': return cmp <= 0;
    case '>': return cmp > 0;
    case '>=': return cmp >= 0;
  }
}

/** satisfies() for schemes that use the plain comparator language over their own compare(). */
export function satisfiesComparators(
  scheme: string,
  compare: (a: string, b: string) => number,
  version: string,
  constraint: string,
): boolean {
  const groups = parseComparatorConstraint(scheme, constraint);
  // Validate every bound first so a bad constraint fails loudly even when an earlier group matches.
  for (const group of groups) for (const c of group) compare(c.version, c.version);
  compare(version, version);
  return groups.some((group) => group.every((c) => testOperator(c.op, compare(version, c.version))));
}
