// RubyGems versions (Gem::Version) and requirements (Gem::Requirement): segments are numbers or
// letter runs ("1.2.4.beta" = [1,2,4,"beta"], "-" means ".pre."); a letter segment makes a
// pre-release, which sorts before any number; trailing zeros of the numeric and of the letter part
// are ignored. Requirements: = != > < >= <= ~> joined by commas (AND); `||` between them is OR.

import { VersionError, type VersionScheme } from './scheme.ts';
import { compareDigits, compareStrings, MAX_VERSION_LENGTH } from './numeric.ts';

type Segment = string; // digits, or letters

const VERSION = /^\s*([0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)?\s*$/;
const isNumber = (s: Segment): boolean => /^[0-9]/.test(s);

// Gem::Version rejects "1beta", but its segment reading orders it as 1.beta, as OSV does.
const LENIENT = /^\s*([0-9][0-9A-Za-z.-]*)\s*$/;

function segments(input: string, strict = false): Segment[] {
  if (input.length > MAX_VERSION_LENGTH) throw new VersionError('gem', input.slice(0, 64), 'version too long');
  // Ruby reads "" as version 0; a package with no version is not something to match on.
  if (input.trim() === '') throw new VersionError('gem', input, 'empty version');
  const m = VERSION.exec(input) ?? (strict ? null : LENIENT.exec(input));
  if (!m) throw new VersionError('gem', input, 'malformed version number string');
  const text = (m[1] ?? '0').replace(/-/g, '.pre.');
  return text.match(/[0-9]+|[a-z]+/gi) ?? ['0'];
}

/** Trailing zeros dropped from the numeric part and from the part after the first letter segment. */
function canonical(segs: Segment[]): Segment[] {
  const firstString = segs.findIndex((s) => !isNumber(s));
  const numeric = firstString < 0 ? segs : segs.slice(0, firstString);
  const rest = firstString < 0 ? [] : segs.slice(firstString);
  const trim = (xs: Segment[]): Segment[] => {
    let n = xs.length;
    while (n > 0 && isNumber(xs[n - 1]) && /^0+$/.test(xs[n - 1])) n--;
    return xs.slice(0, n);
  };
  return [...trim(numeric), ...trim(rest)];
}

function compareSegments(a: Segment[], b: Segment[]): number {
  const ca = canonical(a);
  const cb = canonical(b);
  const n = Math.max(ca.length, cb.length);
  for (let i = 0; i < n; i++) {
    const x = ca[i] ?? '0';
    const y = cb[i] ?? '0';
    const nx = isNumber(x);
    const ny = isNumber(y);
    if (nx && ny) {
      const c = compareDigits(x, y);
      if (c !== 0) return c;
    } else if (nx !== ny) {
      return nx ? 1 : -1;
    } else if (x !== y) {
      return compareStrings(x, y);
    }
  }
  return 0;
}

export function compareGem(a: string, b: string): number {
  return compareSegments(segments(a), segments(b));
}

/** Gem::Version#release: the version without its pre-release (letter) part. */
function release(segs: Segment[]): Segment[] {
  const i = segs.findIndex((s) => !isNumber(s));
  return i < 0 ? segs : segs.slice(0, i);
}

/** Gem::Version#bump, the exclusive upper bound of ~>: drop letters and the last number, add one. */
function bump(segs: Segment[]): Segment[] {
  const out = release(segs).slice();
  if (out.length > 1) out.pop();
  out[out.length - 1] = String(BigInt(out[out.length - 1]) + 1n);
  return out;
}

/**
 * Splits one alternative into requirements: Gem's own comma lists ("~> 1.2, >= 1.2.3"), and the
 * space-separated form GitLab's advisory database writes (">=4.0.0 <4.1.2").
 */
function requirementParts(alternative: string, constraint: string): string[] {
  const parts: string[] = [];
  for (const chunk of alternative.split(',')) {
    const found = chunk.match(/(?:=|!=|>=|<=|>|<|~>)?\s*[^\s<>=!~]+/g);
    if (!found || found.join('').replace(/\s/g, '') !== chunk.replace(/\s/g, '')) {
      throw new VersionError('gem', constraint, `illformed requirement ${JSON.stringify(chunk.trim())}`);
    }
    parts.push(...found);
  }
  return parts;
}

const REQUIREMENT = /^\s*(=|!=|>=|<=|>|<|~>)?\s*([^\s,]+)\s*$/;

function testRequirement(v: Segment[], text: string, constraint: string): boolean {
  const m = REQUIREMENT.exec(text);
  if (!m) throw new VersionError('gem', constraint, `illformed requirement ${JSON.stringify(text)}`);
  const r = segments(m[2]);
  const c = compareSegments(v, r);
  switch (m[1] ?? '=') {
    case '=': return c === 0;
    case '!=': return c !== 0;
    case '>': return c > 0;
    case '<': return c < 0;
    case '>=': return c >= 0;
    case '<=': return c <= 0;
    default: return c >= 0 && compareSegments(release(v), bump(r)) < 0;
  }
}

export const gem: VersionScheme = {
  name: 'gem',
  compare: compareGem,
  valid(v: string): boolean {
    try {
      return v.trim() !== '' && segments(v, true).length > 0;
    } catch {
      return false;
    }
  },
  satisfies(v: string, constraint: string): boolean {
    if (constraint.length > 4096) throw new VersionError('gem', constraint.slice(0, 64), 'constraint too long');
    const version = segments(v);
    const results = constraint.split('||').map((alt) => requirementParts(alt, constraint).map((p) => testRequirement(version, p, constraint)));
    return results.some((r) => r.every(Boolean));
  },
};
