// Kubernetes resource quantities ("500m", "1Gi", "2.5", "1e3") as exact rationals, for CEL's
// `quantity()` library (k8s.io/apiserver/pkg/cel/library/quantity.go semantics: exact comparison,
// isInteger/asInteger, add/sub, asApproximateFloat).

const BINARY: Record<string, bigint> = { Ki: 1n << 10n, Mi: 1n << 20n, Gi: 1n << 30n, Ti: 1n << 40n, Pi: 1n << 50n, Ei: 1n << 60n };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const QUANTITY_RE = /^([+-]?)(\d*)(?:\.(\d*))?(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d{1,3}))?$/;
const MAX_LEN = 64;
const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  while (b) [a, b] = [b, a % b];
  return a;
}

/** An exact quantity num/den (den > 0, reduced). */
export class Quantity {
  readonly num: bigint;
  readonly den: bigint;
  /** The text it was parsed from (for messages). */
  readonly text: string;
  constructor(num: bigint, den: bigint, text: string) {
    const g = gcd(num, den) || 1n;
    this.num = num / g;
    this.den = den / g;
    this.text = text;
  }
  isInteger(): boolean {
    return this.den === 1n;
  }
  compareTo(o: Quantity): number {
    const l = this.num * o.den;
    const r = o.num * this.den;
    return l < r ? -1 : l > r ? 1 : 0;
  }
  add(o: Quantity): Quantity {
    return new Quantity(this.num * o.den + o.num * this.den, this.den * o.den, `${this.text}+${o.text}`);
  }
  negate(): Quantity {
    return new Quantity(-this.num, this.den, `-${this.text}`);
  }
  asInteger(): bigint {
    if (this.den !== 1n) throw new Error(`quantity ${this.text} is not an integer`);
    if (this.num > INT64_MAX || this.num < INT64_MIN) throw new Error(`quantity ${this.text} overflows int64`);
    return this.num;
  }
  asApproximateFloat(): number {
    return Number(this.num) / Number(this.den);
  }
  sign(): bigint {
    return this.num > 0n ? 1n : this.num < 0n ? -1n : 0n;
  }
  toString(): string {
    return this.text;
  }
}

/** Parses a quantity, or returns undefined when the text is not one (Kubernetes' grammar). */
export function parseQuantity(text: string): Quantity | undefined {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_LEN) return undefined;
  const m = QUANTITY_RE.exec(text);
  if (!m) return undefined;
  const [, sign, whole = '', frac = '', suffix, exp] = m;
  if (whole === '' && frac === '') return undefined;
  let num = BigInt((whole || '0') + frac);
  let den = 10n ** BigInt(frac.length);
  if (sign === '-') num = -num;
  if (suffix !== undefined && suffix in BINARY) num *= BINARY[suffix]!;
  else {
    const e = suffix !== undefined ? DECIMAL[suffix]! : exp !== undefined ? Number(exp) : 0;
    // Kubernetes caps exponents; anything beyond is not a quantity anyone means.
    if (Math.abs(e) > 100) return undefined;
    if (e >= 0) num *= 10n ** BigInt(e);
    else den *= 10n ** BigInt(-e);
  }
  return new Quantity(num, den, text);
}
