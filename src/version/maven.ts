// Maven versions ordered as Maven's ComparableVersion (3.9): items split on '.', '-' and digit/letter
// transitions; '-' (and a transition) opens a sub-list; trailing "null" items (0, "", ga, final)
// are dropped; known qualifiers order alpha < beta < milestone < rc < snapshot < "" < sp, unknown
// qualifiers after them lexically. Constraints use Maven's range syntax: [1.0,2.0) (1.0,] [1.0]
// and comma-joined unions; a bare version means exactly that version.

import { VersionError, type VersionScheme } from './scheme.ts';
import { compareDigits, compareStrings, isDigit, MAX_VERSION_LENGTH } from './numeric.ts';

type Item = { kind: 'int'; digits: string } | { kind: 'str'; value: string } | { kind: 'list'; items: Item[] };

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const ALIASES: Record<string, string> = { ga: '', final: '', release: '', cr: 'rc' };
const RELEASE_INDEX = String(QUALIFIERS.indexOf(''));

function stringItem(value: string, followedByDigit: boolean): Item {
  if (followedByDigit && value.length === 1) {
    value = ({ a: 'alpha', b: 'beta', m: 'milestone' } as Record<string, string>)[value] ?? value;
  }
  return { kind: 'str', value: ALIASES[value] ?? value };
}

function qualifierKey(q: string): string {
  const i = QUALIFIERS.indexOf(q);
  return i === -1 ? `${QUALIFIERS.length}-${q}` : String(i);
}

function isNull(item: Item): boolean {
  if (item.kind === 'int') return /^0+$/.test(item.digits);
  if (item.kind === 'str') return qualifierKey(item.value) === RELEASE_INDEX;
  return item.items.length === 0;
}

function normalize(list: Item[]): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const last = list[i];
    if (isNull(last)) list.splice(i, 1);
    else if (last.kind !== 'list') break;
  }
}

export function parseMaven(input: string): Item {
  if (input.length > MAX_VERSION_LENGTH) throw new VersionError('maven', input.slice(0, 64), 'version too long');
  const version = input.trim().toLowerCase();
  // Maven itself parses any string; published versions use letters, digits and . - _ + only.
  if (!/^[a-z0-9._+~-]+$/.test(version)) throw new VersionError('maven', input, 'not a version');
  const root: Item[] = [];
  const lists: Item[][] = [root];
  let list = root;
  let digit = false;
  let start = 0;
  const item = (text: string, asDigit: boolean): Item => (asDigit ? { kind: 'int', digits: text } : stringItem(text, false));
  const openList = (): void => {
    const sub: Item[] = [];
    list.push({ kind: 'list', items: sub });
    list = sub;
    lists.push(sub);
  };
  for (let i = 0; i < version.length; i++) {
    const c = version[i];
    if (c === '.' || c === '-') {
      list.push(i === start ? { kind: 'int', digits: '0' } : item(version.slice(start, i), digit));
      start = i + 1;
      if (c === '-') openList();
    } else if (isDigit(c)) {
      if (!digit && i > start) {
        list.push(stringItem(version.slice(start, i), true));
        start = i;
        openList();
      }
      digit = true;
    } else {
      if (digit && i > start) {
        list.push(item(version.slice(start, i), true));
        start = i;
        openList();
      }
      digit = false;
    }
  }
  if (version.length > start) {
    list.push(item(version.slice(start), digit));
  }
  for (let i = lists.length - 1; i >= 0; i--) normalize(lists[i]);
  return { kind: 'list', items: root };
}

function compareItem(a: Item, b: Item | undefined): number {
  if (a.kind === 'int') {
    if (b === undefined) return isNull(a) ? 0 : 1;
    return b.kind === 'int' ? compareDigits(a.digits, b.digits) : 1;
  }
  if (a.kind === 'str') {
    if (b === undefined) return compareStrings(qualifierKey(a.value), RELEASE_INDEX);
    if (b.kind === 'str') return compareStrings(qualifierKey(a.value), qualifierKey(b.value));
    return -1;
  }
  if (b === undefined) {
    // Every item decides against "nothing", not just the first (Maven's MNG-6964).
    for (const x of a.items) {
      const c = compareItem(x, undefined);
      if (c !== 0) return c;
    }
    return 0;
  }
  if (b.kind === 'int') return -1;
  if (b.kind === 'str') return 1;
  const n = Math.max(a.items.length, b.items.length);
  for (let i = 0; i < n; i++) {
    const l = a.items[i];
    const r = b.items[i];
    const c = l === undefined ? (r === undefined ? 0 : -compareItem(r, undefined)) : compareItem(l, r);
    if (c !== 0) return c;
  }
  return 0;
}

export function compareMaven(a: string, b: string): number {
  return Math.sign(compareItem(parseMaven(a), parseMaven(b)));
}

interface Interval {
  lower?: string;
  lowerInclusive: boolean;
  upper?: string;
  upperInclusive: boolean;
}

/** Parses Maven's version range syntax; a bare version becomes [v,v]. */
export function parseMavenRange(input: string): Interval[] {
  if (input.length > 4096) throw new VersionError('maven', input.slice(0, 64), 'range too long');
  const text = input.trim();
  const bad = (why: string): never => {
    throw new VersionError('maven', input, why);
  };
  if (text === '') bad('empty range');
  if (!/[\[\]()]/.test(text)) {
    parseMaven(text);
    return [{ lower: text, lowerInclusive: true, upper: text, upperInclusive: true }];
  }
  const intervals: Interval[] = [];
  let rest = text;
  while (rest.length > 0) {
    const m = /^([\[(])([^\[\]()]*)([\])])\s*(,\s*)?/.exec(rest) ?? bad('malformed range');
    const body = m[2].split(',').map((s) => s.trim());
    const lowerInclusive = m[1] === '[';
    const upperInclusive = m[3] === ']';
    if (body.length === 1) {
      if (!lowerInclusive || !upperInclusive || body[0] === '') bad('a single version must be written [v]');
      parseMaven(body[0]);
      intervals.push({ lower: body[0], lowerInclusive: true, upper: body[0], upperInclusive: true });
    } else if (body.length === 2) {
      const [lo, hi] = body;
      if (lo) parseMaven(lo);
      if (hi) parseMaven(hi);
      if (lo && hi && compareMaven(lo, hi) > 0) bad('lower bound above upper bound');
      intervals.push({ lower: lo || undefined, lowerInclusive, upper: hi || undefined, upperInclusive });
    } else {
      bad('too many commas in one interval');
    }
    rest = rest.slice(m[0].length);
    if (m[4] === undefined && rest.length > 0) bad('intervals must be separated by commas');
  }
  return intervals;
}

function inInterval(v: string, r: Interval): boolean {
  if (r.lower !== undefined) {
    const c = compareMaven(v, r.lower);
    if (c < 0 || (c === 0 && !r.lowerInclusive)) return false;
  }
  if (r.upper !== undefined) {
    const c = compareMaven(v, r.upper);
    if (c > 0 || (c === 0 && !r.upperInclusive)) return false;
  }
  return true;
}

export const maven: VersionScheme = {
  name: 'maven',
  compare: compareMaven,
  valid(v: string): boolean {
    try {
      parseMaven(v);
      return true;
    } catch {
      return false;
    }
  },
  satisfies(v: string, constraint: string): boolean {
    parseMaven(v);
    // `||` is not Maven syntax, but GitLab-style advisories join ranges with it.
    return constraint.split('||').some((part) => parseMavenRange(part).some((r) => inInterval(v, r)));
  },
};
