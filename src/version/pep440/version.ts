// PEP 440 versions (Python packaging's Version) and the legacy ordering older pip applied to
// anything else (LegacyVersion: always before every PEP 440 version). Ordering follows the spec:
// epoch, release (trailing zeros ignored), then dev < pre < final < post, then local segments.

import { VersionError } from '../scheme.ts';
import { compareDigits, compareStrings, MAX_VERSION_LENGTH } from '../numeric.ts';

export interface Pep440 {
  epoch: string;
  release: string[];
  pre?: [string, string];
  post?: string;
  dev?: string;
  local?: string[];
}

const PATTERN = new RegExp(
  '^\\s*v?(?:([0-9]+)!)?([0-9]+(?:\\.[0-9]+)*)' +
    '([-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?([0-9]+)?)?' +
    '((?:-([0-9]+))|(?:[-_.]?(post|rev|r)[-_.]?([0-9]+)?))?' +
    '([-_.]?(dev)[-_.]?([0-9]+)?)?' +
    '(?:\\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?\\s*$',
  'i',
);

const PRE_LABEL: Record<string, string> = { alpha: 'a', a: 'a', beta: 'b', b: 'b', c: 'rc', pre: 'rc', preview: 'rc', rc: 'rc' };

// Matching parses the same few versions over and over; a small bounded memo saves the regex.
const memo = new Map<string, Pep440 | undefined>();

export function parsePep440(input: string): Pep440 | undefined {
  const hit = memo.get(input);
  if (hit !== undefined || memo.has(input)) return hit;
  const parsed = parseUncached(input);
  if (memo.size >= 4096) memo.clear();
  memo.set(input, parsed);
  return parsed;
}

function parseUncached(input: string): Pep440 | undefined {
  if (input.length > MAX_VERSION_LENGTH) return undefined;
  const m = PATTERN.exec(input);
  if (!m) return undefined;
  return {
    epoch: m[1] ?? '0',
    release: m[2].split('.'),
    pre: m[3] ? [PRE_LABEL[m[4].toLowerCase()], m[5] ?? '0'] : undefined,
    post: m[6] ? (m[7] ?? m[9] ?? '0') : undefined,
    dev: m[10] ? (m[12] ?? '0') : undefined,
    local: m[13] ? m[13].toLowerCase().split(/[-_.]/) : undefined,
  };
}

export function parsePep440OrThrow(input: string): Pep440 {
  const v = parsePep440(input);
  if (!v) throw new VersionError('pep440', input, 'not a PEP 440 version');
  return v;
}

function compareRelease(a: string[], b: string[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareDigits(a[i] ?? '0', b[i] ?? '0');
    if (c !== 0) return c;
  }
  return 0;
}

// Pre-release rank: a dev-only release sorts before its pre-releases, a final after them.
function preRank(v: Pep440): [number, string, string] {
  if (!v.pre && !v.post && v.dev !== undefined) return [-1, '', '0'];
  if (!v.pre) return [1, '', '0'];
  return [0, v.pre[0], v.pre[1]];
}

function compareLocal(a?: string[], b?: string[]): number {
  if (!a || !b) return a ? 1 : b ? -1 : 0;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (i >= a.length) return -1;
    if (i >= b.length) return 1;
    const na = /^[0-9]+$/.test(a[i]);
    const nb = /^[0-9]+$/.test(b[i]);
    // Numeric local segments sort after alphanumeric ones.
    const c = na && nb ? compareDigits(a[i], b[i]) : na ? 1 : nb ? -1 : compareStrings(a[i], b[i]);
    if (c !== 0) return c;
  }
  return 0;
}

export function comparePep440(a: Pep440, b: Pep440, withLocal = true): number {
  let c = compareDigits(a.epoch, b.epoch) || compareRelease(a.release, b.release);
  if (c !== 0) return c;
  const [ra, la, na] = preRank(a);
  const [rb, lb, nb] = preRank(b);
  c = ra - rb || compareStrings(la, lb) || compareDigits(na, nb);
  if (c !== 0) return Math.sign(c);
  if (a.post !== b.post) {
    if (a.post === undefined) return -1;
    if (b.post === undefined) return 1;
    c = compareDigits(a.post, b.post);
    if (c !== 0) return c;
  }
  if (a.dev !== b.dev) {
    if (a.dev === undefined) return 1;
    if (b.dev === undefined) return -1;
    c = compareDigits(a.dev, b.dev);
    if (c !== 0) return c;
  }
  return withLocal ? compareLocal(a.local, b.local) : 0;
}

// ---- legacy (non-PEP 440) versions, as setuptools/packaging < 22 ordered them ----

const LEGACY_REPLACE: Record<string, string> = { pre: 'c', preview: 'c', '-': 'final-', rc: 'c', dev: '@' };

export function legacyKey(input: string): string[] {
  const tokens: string[] = [];
  for (const raw of input.toLowerCase().split(/(\d+|[a-z]+|\.|-)/)) {
    const part = LEGACY_REPLACE[raw] ?? raw;
    if (!part || part === '.') continue;
    tokens.push(/^[0-9]/.test(part) ? part.padStart(8, '0') : `*${part}`);
  }
  tokens.push('*final');
  const parts: string[] = [];
  for (const token of tokens) {
    if (token.startsWith('*')) {
      if (token < '*final') while (parts.length && parts[parts.length - 1] === '*final-') parts.pop();
      while (parts.length && parts[parts.length - 1] === '00000000') parts.pop();
    }
    parts.push(token);
  }
  return parts;
}

function compareLegacy(a: string, b: string): number {
  const ka = legacyKey(a);
  const kb = legacyKey(b);
  for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
    const c = compareStrings(ka[i], kb[i]);
    if (c !== 0) return c;
  }
  return Math.sign(ka.length - kb.length);
}

/** Total order over PEP 440 and legacy versions (legacy ones first). */
export function comparePythonVersions(a: string, b: string): number {
  for (const v of [a, b]) {
    if (v.trim() === '' || v.length > MAX_VERSION_LENGTH) throw new VersionError('pep440', v, 'empty or too long');
    // Legacy versions are any other token; text with inner whitespace is not a version at all.
    if (!parsePep440(v) && !/^[\x21-\x7e]+$/.test(v.trim())) throw new VersionError('pep440', v, 'neither a PEP 440 nor a legacy version');
  }
  const pa = parsePep440(a);
  const pb = parsePep440(b);
  if (pa && pb) return comparePep440(pa, pb);
  if (pa) return 1;
  if (pb) return -1;
  return compareLegacy(a, b);
}
