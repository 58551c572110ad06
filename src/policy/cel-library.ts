// The Kubernetes CEL extension functions that policies ported from ValidatingAdmissionPolicy rely
// on and that cel-js does not have built in (cel-js already has has(), all/exists/exists_one/map/
// filter, cel.bind, optionals, size, contains/startsWith/endsWith/matches, lowerAscii/upperAscii,
// trim, split, join, indexOf/lastIndexOf/substring on strings, timestamps and durations).
// Semantics follow k8s.io/apiserver/pkg/cel/library (lists, regex, quantity) and cel-go's strings
// and sets extensions; errors are thrown as plain Errors and surface as evaluation errors.
import type { Environment } from '@marcbachmann/cel-js';
import { Quantity, parseQuantity } from './quantity.ts';
import { cachedImageRef } from './image-ref.ts';
// (cel-env imports this module too: checkDeadline is only called while evaluating, long after both loaded.)
import { checkDeadline } from './cel-env.ts';

/** Largest regex subject we hand to the JavaScript engine (backtracking regexes are superlinear). */
const MAX_REGEX_SUBJECT = 64 * 1024;
const regexCache = new Map<string, RegExp>();

function regex(pattern: string, global: boolean): RegExp {
  const key = (global ? 'g:' : ':') + pattern;
  let re = regexCache.get(key);
  if (!re) {
    try {
      re = new RegExp(pattern, global ? 'g' : '');
    } catch {
      throw new Error(`invalid regular expression: ${pattern}`);
    }
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(key, re);
  }
  re.lastIndex = 0;
  return re;
}

function subject(s: string): string {
  if (s.length > MAX_REGEX_SUBJECT) throw new Error(`string of ${s.length} characters is too long for a regular expression (limit ${MAX_REGEX_SUBJECT})`);
  return s;
}

type Comparable = bigint | number | string | boolean;

function compare(a: unknown, b: unknown): number {
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number')) {
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === typeof b && (typeof a === 'string' || typeof a === 'boolean')) {
    return (a as Comparable) < (b as Comparable) ? -1 : (a as Comparable) > (b as Comparable) ? 1 : 0;
  }
  if (a instanceof Quantity && b instanceof Quantity) return a.compareTo(b);
  throw new Error(`cannot compare ${typeof a} with ${typeof b}`);
}

function sameValue(a: unknown, b: unknown): boolean {
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number')) return a == b;
  if (a instanceof Quantity && b instanceof Quantity) return a.compareTo(b) === 0;
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}

function quantityOf(s: string): Quantity {
  const q = parseQuantity(s);
  if (!q) throw new Error(`invalid quantity: ${JSON.stringify(s.slice(0, 64))}`);
  return q;
}

function extremum(list: unknown[], sign: 1 | -1): unknown {
  if (list.length === 0) throw new Error(`${sign > 0 ? 'max' : 'min'}() of an empty list`);
  let best = list[0];
  for (const x of list) if (compare(x, best) * sign > 0) best = x;
  return best;
}

/** Receivers of the namespaced functions `sets.contains(a, b)` and `strings.quote(s)`. */
class SetsNamespace {}
class StringsNamespace {}

/** Registers the library on a fresh environment (before it is cloned). */
export function registerKubernetesLibrary(env: Environment): void {
  // Lists (k8s lists library).
  env
    .registerFunction('list<dyn>.isSorted(): bool', (l: unknown[]) => l.every((x, i) => i === 0 || compare(l[i - 1], x) <= 0))
    .registerFunction('list<dyn>.sum(): dyn', (l: unknown[]) => {
      if (l.length === 0) return 0n;
      if (l.every((x) => typeof x === 'bigint')) return (l as bigint[]).reduce((a, b) => a + b, 0n);
      if (l.every((x) => typeof x === 'number')) return (l as number[]).reduce((a, b) => a + b, 0);
      if (l.every((x) => x instanceof Quantity)) return (l as Quantity[]).reduce((a, b) => a.add(b));
      throw new Error('sum() needs a list of ints, doubles or quantities of one type');
    })
    .registerFunction('list<dyn>.min(): dyn', (l: unknown[]) => extremum(l, -1))
    .registerFunction('list<dyn>.max(): dyn', (l: unknown[]) => extremum(l, 1))
    .registerFunction('list<dyn>.indexOf(dyn): int', (l: unknown[], v: unknown) => BigInt(l.findIndex((x) => sameValue(x, v))))
    .registerFunction('list<dyn>.lastIndexOf(dyn): int', (l: unknown[], v: unknown) => BigInt(l.findLastIndex((x) => sameValue(x, v))))
    .registerFunction('list<dyn>.distinct(): list<dyn>', (l: unknown[]) => l.filter((x, i) => (checkDeadline(), l.findIndex((y) => sameValue(x, y)) === i)))
    .registerFunction('list<dyn>.flatten(): list<dyn>', (l: unknown[]) => l.flatMap((x) => (Array.isArray(x) ? x : [x])))
    .registerFunction('list<dyn>.slice(int, int): list<dyn>', (l: unknown[], a: bigint, b: bigint) => {
      if (a < 0n || b < a || b > BigInt(l.length)) throw new Error(`slice(${a}, ${b}) out of range for a list of ${l.length}`);
      return l.slice(Number(a), Number(b));
    })
    .registerFunction('list<dyn>.reverse(): list<dyn>', (l: unknown[]) => [...l].reverse());
  // Sets (cel-go ext/sets).
  env
    .registerType('SetsNamespace', SetsNamespace)
    .registerConstant('sets', 'SetsNamespace', new SetsNamespace())
    .registerType('StringsNamespace', StringsNamespace)
    .registerConstant('strings', 'StringsNamespace', new StringsNamespace())
    .registerFunction('SetsNamespace.contains(list<dyn>, list<dyn>): bool', (_: SetsNamespace, a: unknown[], b: unknown[]) => b.every((x) => (checkDeadline(), a.some((y) => sameValue(x, y)))))
    .registerFunction('SetsNamespace.intersects(list<dyn>, list<dyn>): bool', (_: SetsNamespace, a: unknown[], b: unknown[]) => b.some((x) => (checkDeadline(), a.some((y) => sameValue(x, y)))))
    .registerFunction(
      'SetsNamespace.equivalent(list<dyn>, list<dyn>): bool',
      (_: SetsNamespace, a: unknown[], b: unknown[]) =>
        b.every((x) => (checkDeadline(), a.some((y) => sameValue(x, y)))) && a.every((x) => (checkDeadline(), b.some((y) => sameValue(x, y)))),
    );
  // Strings (cel-go ext/strings, as enabled in Kubernetes).
  env
    .registerFunction('string.charAt(int): string', (s: string, i: bigint) => {
      if (i < 0n || i > BigInt(s.length)) throw new Error(`charAt(${i}) out of range`);
      return s.charAt(Number(i));
    })
    .registerFunction('string.replace(string, string): string', (s: string, a: string, b: string) => s.split(a).join(b))
    .registerFunction('string.replace(string, string, int): string', (s: string, a: string, b: string, n: bigint) => {
      if (n < 0n) return s.split(a).join(b);
      const parts = s.split(a);
      const k = Number(n);
      return parts.length <= k + 1 ? parts.join(b) : parts.slice(0, k + 1).join(b) + a + parts.slice(k + 1).join(a);
    })
    .registerFunction('string.reverse(): string', (s: string) => [...s].reverse().join(''))
    .registerFunction('StringsNamespace.quote(string): string', (_: StringsNamespace, s: string) => JSON.stringify(s));
  // Regex (k8s regex library).
  env
    .registerFunction('string.find(string): string', (s: string, p: string) => regex(p, false).exec(subject(s))?.[0] ?? '')
    .registerFunction('string.findAll(string): list<string>', (s: string, p: string) => [...subject(s).matchAll(regex(p, true))].map((m) => m[0]))
    .registerFunction('string.findAll(string, int): list<string>', (s: string, p: string, n: bigint) => {
      const all = [...subject(s).matchAll(regex(p, true))].map((m) => m[0]);
      return n < 0n ? all : all.slice(0, Number(n));
    })
    .registerFunction('matches(string, string): bool', (s: string, p: string) => regex(p, false).test(subject(s)));
  // Quantities (k8s quantity library).
  env
    .registerType('Quantity', Quantity)
    .registerFunction('quantity(string): Quantity', quantityOf)
    .registerFunction('isQuantity(string): bool', (s: string) => parseQuantity(s) !== undefined)
    .registerFunction('Quantity.isInteger(): bool', (q: Quantity) => q.isInteger())
    .registerFunction('Quantity.asInteger(): int', (q: Quantity) => q.asInteger())
    .registerFunction('Quantity.asApproximateFloat(): double', (q: Quantity) => q.asApproximateFloat())
    .registerFunction('Quantity.sign(): int', (q: Quantity) => q.sign())
    .registerFunction('Quantity.compareTo(Quantity): int', (a: Quantity, b: Quantity) => BigInt(a.compareTo(b)))
    .registerFunction('Quantity.isGreaterThan(Quantity): bool', (a: Quantity, b: Quantity) => a.compareTo(b) > 0)
    .registerFunction('Quantity.isLessThan(Quantity): bool', (a: Quantity, b: Quantity) => a.compareTo(b) < 0)
    .registerFunction('Quantity.add(Quantity): Quantity', (a: Quantity, b: Quantity) => a.add(b))
    .registerFunction('Quantity.add(int): Quantity', (a: Quantity, b: bigint) => a.add(new Quantity(b, 1n, String(b))))
    .registerFunction('Quantity.sub(Quantity): Quantity', (a: Quantity, b: Quantity) => a.add(b.negate()))
    .registerFunction('Quantity.sub(int): Quantity', (a: Quantity, b: bigint) => a.add(new Quantity(-b, 1n, String(-b))));
  // Triad: image references (`imageRef(c.image).tag == ""` means no tag was written).
  env.registerFunction('imageRef(string): map<string, dyn>', (s: string) => cachedImageRef(s));
}

/** What the documentation lists as available beyond cel-js's built-ins. */
export const LIBRARY_FUNCTIONS = [
  'list.isSorted()', 'list.sum()', 'list.min()', 'list.max()', 'list.indexOf(x)', 'list.lastIndexOf(x)',
  'list.distinct()', 'list.flatten()', 'list.slice(a, b)', 'list.reverse()',
  'sets.contains(a, b)', 'sets.intersects(a, b)', 'sets.equivalent(a, b)',
  'string.charAt(i)', 'string.replace(a, b[, n])', 'string.reverse()', 'strings.quote(s)',
  'string.find(re)', 'string.findAll(re[, n])', 'matches(s, re)',
  'quantity(s)', 'isQuantity(s)', 'q.isInteger()', 'q.asInteger()', 'q.asApproximateFloat()', 'q.sign()',
  'q.compareTo(q)', 'q.isGreaterThan(q)', 'q.isLessThan(q)', 'q.add(q|int)', 'q.sub(q|int)',
  'imageRef(s)',
];
