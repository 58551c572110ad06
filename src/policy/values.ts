// Turns JSON/YAML data into CEL values: integral numbers become int (BigInt) as Kubernetes' JSON
// integers are int64 in CEL, and the walk is bounded (node count, depth) so that hostile input cannot
// exhaust memory or the stack. Converted values are fresh copies: the caller's data is never touched.

export interface ValueLimits {
  /** Scalars, list elements and map entries in one input. */
  maxNodes: number;
  maxDepth: number;
}

export const DEFAULT_VALUE_LIMITS: ValueLimits = { maxNodes: 2_000_000, maxDepth: 128 };

export class InputTooLargeError extends Error {}

/**
 * toCelValue for a value fresh from JSON.parse that nobody else holds: converted in place instead
 * of copied (the copy was a third of the allocation of an admission review). Only numbers change
 * (integral ones become int): JSON has no undefined, Dates or other types. Same limits and errors
 * as toCelValue; returns the converted value (a top-level number is replaced, not changed).
 */
export function toCelValueInPlace(value: unknown, what: string, limits: ValueLimits = DEFAULT_VALUE_LIMITS): unknown {
  let nodes = 0;
  const int = (n: number) => (Number.isSafeInteger(n) ? BigInt(n) : n);
  const walk = (v: object, depth: number): void => {
    if (depth >= limits.maxDepth) throw new InputTooLargeError(`${what}: nested deeper than ${limits.maxDepth} levels`);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        if (++nodes > limits.maxNodes) throw new InputTooLargeError(`${what}: more than ${limits.maxNodes} values`);
        const x: unknown = v[i];
        if (typeof x === 'number') v[i] = int(x);
        else if (x !== null && typeof x === 'object') walk(x, depth + 1);
      }
      return;
    }
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (++nodes > limits.maxNodes) throw new InputTooLargeError(`${what}: more than ${limits.maxNodes} values`);
      const x = o[k];
      if (typeof x === 'number') {
        // A key "__proto__" is an own data property (JSON.parse): assigning would set the prototype.
        if (k === '__proto__') Object.defineProperty(o, k, { value: int(x), enumerable: true, writable: true, configurable: true });
        else o[k] = int(x);
      } else if (x !== null && typeof x === 'object') walk(x, depth + 1);
    }
  };
  if (++nodes > limits.maxNodes) throw new InputTooLargeError(`${what}: more than ${limits.maxNodes} values`);
  if (typeof value === 'number') return int(value);
  if (value === undefined) return null;
  if (value !== null && typeof value === 'object') walk(value, 0);
  return value;
}

/** Deep-converts `value`; throws InputTooLargeError naming `what` when a limit is exceeded. */
export function toCelValue(value: unknown, what: string, limits: ValueLimits = DEFAULT_VALUE_LIMITS): unknown {
  let nodes = 0;
  const conv = (v: unknown, depth: number): unknown => {
    if (++nodes > limits.maxNodes) throw new InputTooLargeError(`${what}: more than ${limits.maxNodes} values`);
    if (v === null || v === undefined) return null;
    switch (typeof v) {
      case 'number':
        return Number.isSafeInteger(v) ? BigInt(v) : v;
      case 'string':
      case 'boolean':
      case 'bigint':
        return v;
      case 'object': {
        if (depth >= limits.maxDepth) throw new InputTooLargeError(`${what}: nested deeper than ${limits.maxDepth} levels`);
        if (Array.isArray(v)) {
          const out = new Array(v.length);
          for (let i = 0; i < v.length; i++) out[i] = conv(v[i], depth + 1);
          return out;
        }
        if (v instanceof Date) return v;
        const out: Record<string, unknown> = {};
        for (const k of Object.keys(v)) {
          // A YAML key "__proto__" must stay data, never become the object's prototype.
          if (k === '__proto__') Object.defineProperty(out, k, { value: conv((v as Record<string, unknown>)[k], depth + 1), enumerable: true, writable: true, configurable: true });
          else out[k] = conv((v as Record<string, unknown>)[k], depth + 1);
        }
        return out;
      }
      default:
        return null;
    }
  };
  return conv(value, 0);
}

/** Renders a CEL result for a message (messageExpression must yield a string; others are shown). */
export function celToText(v: unknown): string {
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? Number(x) : x)) ?? String(v);
  } catch {
    return String(v);
  }
}
