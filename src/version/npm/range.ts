// node-semver ranges: `||`-separated sets of space-separated comparators. Sugar (hyphen ranges,
// x-ranges, ~, ^, *) is rewritten into primitive comparators first, exactly as node-semver documents;
// then a version satisfies a set when it passes every comparator and, if it is a pre-release, some
// comparator of the set names a pre-release of the same major.minor.patch (unless includePrerelease).

import { VersionError } from '../scheme.ts';
import { compareSemVer, type SemVer } from '../semver-core.ts';
import { CARET_TRIM, GTE0, GTE0_PRE, LOOSE_GRAMMAR, STAR, STRICT_GRAMMAR, TILDE_TRIM, type Grammar } from './grammar.ts';
import { parseNpmVersion, tryParseNpmVersion, type NpmOptions } from './version.ts';

export interface NpmComparator {
  /** '' means "any version" (no bound). */
  op: '' | '<' | '<=' | '>' | '>=' | '=';
  version?: SemVer;
}

export type NpmRange = NpmComparator[][];

const MAX_RANGE_LENGTH = 4096;

const isX = (id: string | undefined): boolean => id === undefined || id === '' || id.toLowerCase() === 'x' || id === '*';
const inc = (n: string): number => Number(n) + 1;

function replaceTilde(comp: string, g: Grammar, options: NpmOptions): string {
  const z = options.includePrerelease ? '-0' : '';
  return comp.replace(g.tilde, (_all, M: string, m?: string, p?: string, pr?: string) => {
    if (isX(M)) return '';
    if (isX(m)) return `>=${M}.0.0${z} <${inc(M)}.0.0-0`;
    if (isX(p)) return `>=${M}.${m}.0${z} <${M}.${inc(m!)}.0-0`;
    if (pr) return `>=${M}.${m}.${p}-${pr} <${M}.${inc(m!)}.0-0`;
    return `>=${M}.${m}.${p} <${M}.${inc(m!)}.0-0`;
  });
}

function replaceCaret(comp: string, g: Grammar, options: NpmOptions): string {
  const z = options.includePrerelease ? '-0' : '';
  return comp.replace(g.caret, (_all, M: string, m?: string, p?: string, pr?: string) => {
    if (isX(M)) return '';
    if (isX(m)) return `>=${M}.0.0${z} <${inc(M)}.0.0-0`;
    if (isX(p)) return M === '0' ? `>=${M}.${m}.0${z} <${M}.${inc(m!)}.0-0` : `>=${M}.${m}.0${z} <${inc(M)}.0.0-0`;
    // A full version as the lower bound never opts into its own pre-releases.
    const from = pr ? `>=${M}.${m}.${p}-${pr}` : `>=${M}.${m}.${p}`;
    if (M === '0') return m === '0' ? `${from} <${M}.${m}.${inc(p!)}-0` : `${from} <${M}.${inc(m!)}.0-0`;
    return `${from} <${inc(M)}.0.0-0`;
  });
}

function replaceXRange(comp: string, g: Grammar, options: NpmOptions): string {
  return comp.trim().replace(g.xrange, (all, gtlt: string, M: string, m?: string, p?: string) => {
    const xM = isX(M);
    const xm = xM || isX(m);
    const xp = xm || isX(p);
    if (gtlt === '=' && xp) gtlt = '';
    let pr = options.includePrerelease ? '-0' : '';
    if (xM) return gtlt === '>' || gtlt === '<' ? '<0.0.0-0' : '*';
    if (gtlt && xp) {
      let major = Number(M);
      let minor = xm ? 0 : Number(m);
      let patch = 0;
      if (gtlt === '>') {
        gtlt = '>=';
        if (xm) {
          major += 1;
          minor = 0;
        } else {
          minor += 1;
        }
        patch = 0;
      } else if (gtlt === '<=') {
        gtlt = '<';
        if (xm) major += 1;
        else minor += 1;
      }
      if (gtlt === '<') pr = '-0';
      return `${gtlt}${major}.${minor}.${patch}${pr}`;
    }
    if (xm) return `>=${M}.0.0${pr} <${inc(M)}.0.0-0`;
    if (xp) return `>=${M}.${m}.0${pr} <${M}.${inc(m!)}.0-0`;
    return all;
  });
}

function replaceHyphen(range: string, g: Grammar, options: NpmOptions): string {
  const z = options.includePrerelease ? '-0' : '';
  return range.replace(
    g.hyphen,
    (_all, from: string, fM: string, fm?: string, fp?: string, fpr?: string, _fb?: string, to?: string, tM?: string, tm?: string, tp?: string, tpr?: string) => {
      if (isX(fM)) from = '';
      else if (isX(fm)) from = `>=${fM}.0.0${z}`;
      else if (isX(fp)) from = `>=${fM}.${fm}.0${z}`;
      else if (fpr) from = `>=${from}`;
      else from = `>=${from}${z}`;
      if (isX(tM)) to = '';
      else if (isX(tm)) to = `<${inc(tM!)}.0.0-0`;
      else if (isX(tp)) to = `<${tM}.${inc(tm!)}.0-0`;
      else if (tpr) to = `<=${tM}.${tm}.${tp}-${tpr}`;
      else if (options.includePrerelease) to = `<${tM}.${tm}.${inc(tp!)}-0`;
      else to = `<=${to}`;
      return `${from} ${to}`.trim();
    },
  );
}

function parseComparator(text: string, raw: string, g: Grammar, options: NpmOptions): NpmComparator {
  const m = g.comparator.exec(text);
  if (!m) throw new VersionError('npm', raw, `invalid comparator ${JSON.stringify(text)}`);
  if (m[2] === undefined) return { op: '' };
  const op = (m[1] === '=' ? '' : m[1]) as NpmComparator['op'];
  return { op: op === '' ? '=' : op, version: parseNpmVersion(m[2], options) };
}

const isNullSet = (c: NpmComparator): boolean =>
  c.op === '<' && c.version !== undefined && c.version.major === '0' && c.version.minor === '0' && c.version.patch === '0' &&
  c.version.prerelease.length === 1 && c.version.prerelease[0] === '0';

function parseSet(text: string, raw: string, options: NpmOptions): NpmComparator[] {
  const g = options.loose ? LOOSE_GRAMMAR : STRICT_GRAMMAR;
  let range = replaceHyphen(text.trim(), g, options);
  range = range.replace(g.comparatorTrim, '$1$2$3').replace(TILDE_TRIM, '$1~').replace(CARET_TRIM, '$1^');
  let parts = range
    .split(' ')
    .map((comp) => {
      let c = comp.trim().split(/\s+/).map((x) => replaceCaret(x, g, options)).join(' ');
      c = c.trim().split(/\s+/).map((x) => replaceTilde(x, g, options)).join(' ');
      c = c.split(/\s+/).map((x) => replaceXRange(x, g, options)).join(' ');
      return c.trim().replace(STAR, '');
    })
    .join(' ')
    .split(/\s+/)
    .map((c) => c.trim().replace(options.includePrerelease ? GTE0_PRE : GTE0, ''));
  if (options.loose && !options.rejectUnparsable) parts = parts.filter((p) => LOOSE_GRAMMAR.comparator.test(p));
  const comparators = parts.map((p) => parseComparator(p, raw, g, options));
  if (comparators.some(isNullSet)) return [comparators.find(isNullSet)!];
  const bounded = comparators.filter((c) => c.op !== '');
  return bounded.length > 0 ? bounded : comparators.slice(0, 1);
}

/** Parses a node-semver range; throws VersionError where node-semver throws "Invalid SemVer Range". */
export function parseNpmRange(input: string, options: NpmOptions = {}): NpmRange {
  if (input.length > MAX_RANGE_LENGTH) throw new VersionError('npm', input.slice(0, 64), 'range too long');
  const raw = input.trim().split(/\s+/).join(' ');
  let sets = raw.split('||').map((part) => parseSet(part.trim(), input, options)).filter((s) => s.length > 0);
  if (sets.length === 0) throw new VersionError('npm', input, 'invalid range');
  if (sets.length > 1) {
    const nonNull = sets.filter((s) => !(s.length === 1 && isNullSet(s[0])));
    if (nonNull.length > 0) sets = nonNull;
    const any = sets.find((s) => s.length === 1 && s[0].op === '');
    if (any) sets = [any];
  }
  return sets;
}

function testComparator(c: NpmComparator, v: SemVer): boolean {
  if (c.op === '' || c.version === undefined) return true;
  const cmp = compareSemVer(v, c.version);
  switch (c.op) {
    case '=': return cmp === 0;
    case '<': return cmp < 0;
    case '<=': return cmp <= 0;
    case '>': return cmp > 0;
    case '>=': return cmp >= 0;
  }
}

function testSet(set: NpmComparator[], v: SemVer, options: NpmOptions): boolean {
  if (!set.every((c) => testComparator(c, v))) return false;
  if (v.prerelease.length === 0 || options.includePrerelease) return true;
  // A pre-release only matches a set that opts into pre-releases of its own major.minor.patch.
  return set.some(
    (c) =>
      c.version !== undefined && c.version.prerelease.length > 0 &&
      c.version.major === v.major && c.version.minor === v.minor && c.version.patch === v.patch,
  );
}

export function rangeTest(range: NpmRange, v: SemVer, options: NpmOptions = {}): boolean {
  return range.some((set) => testSet(set, v, options));
}

/** node-semver's satisfies(): false (not an error) for a version it cannot parse. */
export function npmSatisfies(version: string, range: string, options: NpmOptions = {}): boolean {
  const parsedRange = parseNpmRange(range, options);
  const v = tryParseNpmVersion(version, options);
  return v !== undefined && rangeTest(parsedRange, v, options);
}
