// PEP 440 version specifiers: `~=`, `==` (with `.*` prefix matching), `!=`, `<`, `<=`, `>`, `>=`,
// `===`, comma-joined (AND). `||` between specifier sets (as GitLab advisories write) is accepted as
// OR. Pre-releases are always considered: a vulnerability scanner asks "is this installed version in
// the range", not pip's "may I pick a pre-release".

import { VersionError } from '../scheme.ts';
import { comparePep440, parsePep440, type Pep440 } from './version.ts';

const SPECIFIER = /^\s*(~=|===|==|!=|<=|>=|<|>)\s*(\S+)\s*$/;

const base = (v: Pep440): Pep440 => ({ epoch: v.epoch, release: v.release });
const isPre = (v: Pep440): boolean => v.pre !== undefined || v.dev !== undefined;
const publicOf = (v: Pep440): Pep440 => ({ ...v, local: undefined });

function bad(constraint: string, why: string): never {
  throw new VersionError('pep440', constraint, why);
}

function prefixMatch(candidate: Pep440, prefixText: string, constraint: string): boolean {
  const prefix = parsePep440(prefixText) ?? bad(constraint, `invalid version ${prefixText}`);
  if (prefix.local) bad(constraint, 'a local version cannot be used with a wildcard');
  if (candidate.epoch !== prefix.epoch && BigInt(candidate.epoch) !== BigInt(prefix.epoch)) return false;
  const n = prefix.release.length;
  for (let i = 0; i < n; i++) {
    if (BigInt(candidate.release[i] ?? '0') !== BigInt(prefix.release[i])) return false;
  }
  // A prefix with a pre/post/dev part (1.0rc1.*) needs the same part; the release alone otherwise.
  if (prefix.pre || prefix.post !== undefined || prefix.dev !== undefined) {
    if (candidate.release.slice(n).some((x) => BigInt(x) !== 0n)) return false;
    const c = { ...candidate, release: candidate.release.slice(0, n), local: undefined };
    if (prefix.pre && (!c.pre || c.pre[0] !== prefix.pre[0] || BigInt(c.pre[1]) !== BigInt(prefix.pre[1]))) return false;
    if (prefix.post !== undefined && (c.post === undefined || BigInt(c.post) !== BigInt(prefix.post))) return false;
    if (prefix.dev !== undefined && (c.dev === undefined || BigInt(c.dev) !== BigInt(prefix.dev))) return false;
  }
  return true;
}

function testOne(candidateText: string, maybeCandidate: Pep440 | undefined, spec: string, constraint: string): boolean {
  const m = SPECIFIER.exec(spec) ?? bad(constraint, `invalid specifier ${JSON.stringify(spec)}`);
  const [, op, target] = m;
  if (op === '===') return candidateText.trim().toLowerCase() === target.toLowerCase();
  const candidate = maybeCandidate ?? bad(candidateText, 'not a PEP 440 version');
  if (target.endsWith('.*')) {
    if (op !== '==' && op !== '!=') bad(constraint, `${op} does not take a wildcard`);
    const matched = prefixMatch(candidate, target.slice(0, -2), constraint);
    return op === '==' ? matched : !matched;
  }
  const v = parsePep440(target) ?? bad(constraint, `invalid version ${target}`);
  switch (op) {
    case '==':
    case '!=': {
      // Without a local label in the specifier, the candidate's local label is ignored.
      const equal = comparePep440(v.local ? candidate : publicOf(candidate), v) === 0;
      return op === '==' ? equal : !equal;
    }
    case '~=': {
      if (v.release.length < 2) bad(constraint, '~= needs at least two release components');
      const prefix = v.release.slice(0, -1).join('.');
      return comparePep440(publicOf(candidate), v) >= 0 && prefixMatch(candidate, `${v.epoch}!${prefix}`, constraint);
    }
    case '<=':
      return comparePep440(publicOf(candidate), v) <= 0;
    case '>=':
      return comparePep440(publicOf(candidate), v) >= 0;
    case '<':
      if (comparePep440(candidate, v) >= 0) return false;
      // <V excludes pre-releases of V itself unless V is a pre-release.
      return isPre(v) || !isPre(candidate) || comparePep440(base(candidate), base(v)) !== 0;
    case '>':
      if (comparePep440(candidate, v) <= 0) return false;
      // >V excludes post-releases and local versions of V itself.
      if (v.post === undefined && candidate.post !== undefined && comparePep440(base(candidate), base(v)) === 0) return false;
      return !(candidate.local && comparePep440(base(candidate), base(v)) === 0);
  }
  return bad(constraint, `unknown operator ${op}`);
}

/** Whether `version` satisfies a PEP 440 specifier set (or `||`-joined sets). */
export function pep440Satisfies(version: string, constraint: string): boolean {
  if (constraint.length > 4096) bad(constraint.slice(0, 64), 'constraint too long');
  // Only `===` (arbitrary equality) can be checked against a version that is not PEP 440.
  const candidate = parsePep440(version);
  if (!candidate && !/^\s*(?:===[^,|]*\s*(?:,|\|\||$)\s*)+$/.test(constraint)) throw new VersionError('pep440', version, 'not a PEP 440 version');
  const alternatives = constraint.split('||').map((alt) => alt.split(',').map((s) => s.trim()));
  for (const specs of alternatives) {
    if (specs.length === 1 && specs[0] === '') continue;
    for (const s of specs) if (s === '') bad(constraint, 'empty specifier');
  }
  // Evaluate every specifier (not short-circuiting) so that a malformed one always fails loudly.
  const results = alternatives.map((specs) =>
    specs.filter((s) => s !== '' || specs.length > 1).map((s) => testOne(version, candidate, s, constraint)),
  );
  return results.some((r) => r.every(Boolean));
}
