// Evaluates the shared advisory model's affected ranges (src/model/advisory.ts) against an installed
// version, exactly as OSV specifies: events sorted by version ("0" first), introduced turns
// "affected" on, fixed (at or above) and last_affected (above) turn it off, limit caps the range;
// ranges and the explicit versions list are OR-ed. SEMVER ranges use semver order whatever the
// ecosystem. CONSTRAINT ranges: affected when some `affected` expression holds (or there is none)
// and no `unaffected` one does. Anything that cannot be parsed makes the answer undefined:
// matching reports "unknown", never a guess.

import type { Affected, RangeEvent, VersionRange } from '../model/advisory.ts';
import { VersionError, type VersionScheme } from './scheme.ts';
import { semver } from './semver.ts';
import { go } from './go.ts';

const ALWAYS_AFFECTED_STATES = new Set(['affected', 'wont-fix', 'deferred', 'end-of-life']);

interface Event {
  kind: 'introduced' | 'fixed' | 'last_affected' | 'limit';
  version: string;
}

function eventOf(e: RangeEvent): Event | undefined {
  if (e.introduced !== undefined) return { kind: 'introduced', version: e.introduced };
  if (e.fixed !== undefined) return { kind: 'fixed', version: e.fixed };
  if (e.last_affected !== undefined) return { kind: 'last_affected', version: e.last_affected };
  if (e.limit !== undefined) return { kind: 'limit', version: e.limit };
  return undefined;
}

/** The order a range's versions are compared in: SEMVER ranges are semver (Go keeps its go1.x forms). */
function rangeScheme(range: VersionRange, scheme: VersionScheme): VersionScheme {
  if (range.type !== 'SEMVER') return scheme;
  return scheme.name === 'go' ? go : semver;
}

/** -1/0/1 with "0" (OSV's "since the beginning") below everything. */
function eventCompare(scheme: VersionScheme, a: string, b: string): number {
  if (a === '0' || b === '0') return a === b ? 0 : a === '0' ? -1 : 1;
  return Math.sign(scheme.compare(a, b));
}

/**
 * Events by version. On a tie the closing event goes first, so adjacent intervals written as
 * fixed=X, introduced=X (real PyPA data does) leave X affected.
 */
function sortEvents(events: Event[], scheme: VersionScheme): Event[] {
  const rank = (e: Event): number => (e.kind === 'introduced' ? 1 : 0);
  return events
    .map((e, i) => ({ e, i }))
    .sort((x, y) => eventCompare(scheme, x.e.version, y.e.version) || rank(x.e) - rank(y.e) || x.i - y.i)
    .map((x) => x.e);
}

/** Whether a range's intervals overlap (an introduced while already inside): such data is ambiguous. */
export function hasOverlappingIntervals(events: RangeEvent[], scheme: VersionScheme): boolean {
  let depth = 0;
  for (const e of sortEvents(events.map(eventOf).filter((x): x is Event => x !== undefined && x.kind !== 'limit'), scheme)) {
    depth = e.kind === 'introduced' ? depth + 1 : Math.max(0, depth - 1);
    if (depth > 1) return true;
  }
  return false;
}

function inEventRange(version: string, events: RangeEvent[], scheme: VersionScheme): boolean {
  const parsed = events.map(eventOf).filter((e): e is Event => e !== undefined);
  const sorted = sortEvents(parsed.filter((e) => e.kind !== 'limit'), scheme);
  const limits = parsed.filter((e) => e.kind === 'limit' && e.version !== '*');
  if (limits.length > 0 && !limits.some((l) => eventCompare(scheme, version, l.version) < 0)) return false;
  let affected = false;
  for (const e of sorted) {
    const c = eventCompare(scheme, version, e.version);
    if (e.kind === 'introduced' && (e.version === '0' || c >= 0)) affected = true;
    else if (e.kind === 'fixed' && c >= 0) affected = false;
    else if (e.kind === 'last_affected' && c > 0) affected = false;
  }
  return affected;
}

function inRange(version: string, range: VersionRange, scheme: VersionScheme): boolean {
  if (range.type === 'CONSTRAINT') {
    const hit = range.affected === undefined || range.affected.length === 0 || range.affected.some((c) => scheme.satisfies(version, c));
    // Evaluate every unaffected expression so a malformed one is reported, not skipped.
    const safe = (range.unaffected ?? []).map((c) => scheme.satisfies(version, c)).some(Boolean);
    return hit && !safe;
  }
  return inEventRange(version, range.events, rangeScheme(range, scheme));
}

/**
 * Whether `version` (as installed) is affected. undefined when the installed version, or every
 * range that could decide, cannot be parsed by the scheme.
 */
export function isAffected(version: string, affected: Affected, scheme: VersionScheme): boolean | undefined {
  if (affected.state === 'not-affected') return false;
  if (affected.versions?.includes(version)) return true;
  const ranges = affected.ranges ?? [];
  const listed = affected.versions ?? [];
  if (ranges.length === 0 && listed.length === 0) {
    // A distro saying "affected, no fix" with no range means every version.
    return affected.state !== undefined && ALWAYS_AFFECTED_STATES.has(affected.state) ? true : false;
  }
  if (!scheme.valid(version)) return undefined;
  let unknown = false;
  for (const v of listed) {
    try {
      if (scheme.compare(version, v) === 0) return true;
    } catch (e) {
      if (!(e instanceof VersionError)) throw e;
      unknown = true;
    }
  }
  for (const range of ranges) {
    try {
      if (range.type !== 'CONSTRAINT' && !rangeScheme(range, scheme).valid(version)) {
        unknown = true;
        continue;
      }
      if (inRange(version, range, scheme)) return true;
    } catch (e) {
      if (!(e instanceof VersionError)) throw e;
      unknown = true;
    }
  }
  return unknown ? undefined : false;
}

const FIX_BOUND = /^\s*(>=|~>|\^|~|=|==)?\s*([^\s,|<>=!~^]+)\s*$/;

/** The versions a user can upgrade to: every `fixed` event, and the lower bounds of `unaffected` constraints. */
export function fixedVersions(affected: Affected): string[] {
  const out: string[] = [];
  for (const range of affected.ranges ?? []) {
    if (range.type === 'CONSTRAINT') {
      for (const expr of range.unaffected ?? []) {
        for (const alternative of expr.split('||')) {
          // Only a single lower bound names a fix ("~> 1.2.5", ">= 1.3.1", "^2.0.1"); ">1.0" or a list does not.
          const m = FIX_BOUND.exec(alternative);
          if (m && !alternative.includes(',')) out.push(m[2].replace(/^v(?=\d)/, ''));
        }
      }
    } else {
      for (const e of range.events) if (e.fixed !== undefined && e.fixed !== '0') out.push(e.fixed);
    }
  }
  return [...new Set(out)];
}

function smallest(scheme: VersionScheme, versions: string[]): string | undefined {
  let best: string | undefined;
  for (const v of versions) if (best === undefined || scheme.compare(v, best) < 0) best = v;
  return best;
}

function usable(scheme: VersionScheme, v: string): boolean {
  try {
    scheme.compare(v, v);
    return true;
  } catch {
    return false;
  }
}

/**
 * The lowest version that fixes every finding of one package: for each finding its smallest fix
 * above the installed version (the branch the user is on: fixed in 1.2.5 and 2.0.1 with 1.2.0
 * installed means 1.2.5), then the highest of those. undefined when some finding has no such fix.
 */
export function lowestFixAll(scheme: VersionScheme, fixSets: string[][], installed?: string): string | undefined {
  const installedOk = installed !== undefined && usable(scheme, installed);
  const perFinding: string[] = [];
  for (const fixes of fixSets) {
    const candidates = fixes.filter((f) => usable(scheme, f) && (!installedOk || scheme.compare(f, installed!) > 0));
    const best = smallest(scheme, candidates);
    if (best === undefined) return undefined;
    perFinding.push(best);
  }
  let answer: string | undefined;
  for (const v of perFinding) if (answer === undefined || scheme.compare(v, answer) > 0) answer = v;
  return answer;
}

/**
 * Stricter than lowestFixAll when the advisories are at hand: the lowest known fix version above
 * `installed` that none of the findings' ranges still cover (a later branch can be affected again).
 */
export function lowestSafeVersion(scheme: VersionScheme, findings: Affected[], installed: string): string | undefined {
  if (!usable(scheme, installed)) return undefined;
  const candidates = [...new Set(findings.flatMap(fixedVersions))]
    .filter((v) => usable(scheme, v) && scheme.compare(v, installed) > 0)
    .sort((a, b) => scheme.compare(a, b));
  return candidates.find((c) => findings.every((f) => isAffected(c, f, scheme) === false));
}
