// Composer constraints (composer/semver's VersionParser::parseConstraints): `||` (or `|`) between
// alternatives, `,` or space between AND-ed parts; each part a comparator (`>=1.0`, `<2.0`, `!=1.5`,
// `<>`, bare = exact), a wildcard (`1.2.*`), tilde (`~1.2`), caret (`^1.2.3`), hyphen range
// (`1.0 - 2.0`) or `*`. Bounds get Composer's "-dev" treatment so `<2.0` excludes 2.0 pre-releases.

import { VersionError } from '../scheme.ts';
import { normalizeComposer } from './normalize.ts';
import { phpVersionCompare } from './php-compare.ts';

type Op = '=' | '!=' | '<' | '<=' | '>' | '>=';
interface Bound {
  op: Op;
  version: string;
}

const NUMBERS = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?/i;
const HAS_MODIFIER = /[._-]?(?:stable|beta|b|rc|alpha|a|patch|pl|p)(?:[.-]?\d+)*(?:[.-]?dev)?$|[.-]?dev$/i;

/** Composer's manipulateVersionString: bump component `position` (1-based), zero the later ones. */
function bumped(nums: (string | undefined)[], position: number): string {
  const out = [0, 1, 2, 3].map((i) => BigInt(nums[i] || '0'));
  out[position - 1] += 1n;
  for (let i = position; i < 4; i++) out[i] = 0n;
  return out.join('.');
}

function numbersOf(text: string, constraint: string): (string | undefined)[] {
  const m = NUMBERS.exec(text) ?? (() => { throw new VersionError('composer', constraint, `invalid version ${JSON.stringify(text)}`); })();
  return [m[1], m[2], m[3], m[4]];
}

function parsePart(part: string, constraint: string): Bound[] {
  const text = part.replace(/@(stable|RC|beta|alpha|dev)$/i, '');
  if (/^v?[xX*](\.[xX*])*$/.test(text)) return [];
  const hyphen = /^(\S+) - (\S+)$/.exec(text);
  if (hyphen) {
    const [, from, to] = hyphen;
    const low = normalizeComposer(from) + (HAS_MODIFIER.test(from) ? '' : '-dev');
    const toNums = numbersOf(to, constraint);
    normalizeComposer(to);
    if ((toNums[1] !== undefined && toNums[2] !== undefined) || HAS_MODIFIER.test(to)) {
      return [{ op: '>=', version: low }, { op: '<=', version: normalizeComposer(to) }];
    }
    return [{ op: '>=', version: low }, { op: '<', version: `${bumped(toNums, toNums[1] === undefined ? 1 : 2)}-dev` }];
  }
  if (text.startsWith('~') || text.startsWith('^')) {
    const body = text.slice(1).trim();
    const nums = numbersOf(body, constraint);
    const given = nums.filter((n) => n !== undefined).length;
    let position: number;
    if (text[0] === '~') {
      position = Math.max(1, given - 1);
    } else {
      position = nums[0] !== '0' || nums[1] === undefined ? 1 : nums[1] !== '0' || nums[2] === undefined ? 2 : 3;
    }
    const low = normalizeComposer(body) + (HAS_MODIFIER.test(body) ? '' : '-dev');
    return [{ op: '>=', version: low }, { op: '<', version: `${bumped(nums, position)}-dev` }];
  }
  const wildcard = /^v?(\d+)(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:\.[xX*])+$/.exec(text);
  if (wildcard) {
    const nums = [wildcard[1], wildcard[2], wildcard[3]].map((n) => (n === undefined || /[xX*]/.test(n) ? undefined : n));
    const position = nums[2] !== undefined ? 3 : nums[1] !== undefined ? 2 : 1;
    const low = `${[0, 1, 2, 3].map((i) => (i < position ? nums[i] : '0')).join('.')}-dev`;
    const high = { op: '<' as Op, version: `${bumped(nums, position)}-dev` };
    return low === '0.0.0.0-dev' ? [high] : [{ op: '>=', version: low }, high];
  }
  const m = /^(<>|!=|>=?|<=?|==?)?\s*(.+)$/.exec(text);
  if (!m) throw new VersionError('composer', constraint, `invalid constraint ${JSON.stringify(part)}`);
  const op = (m[1] === '<>' ? '!=' : m[1] === '==' || m[1] === undefined ? '=' : m[1]) as Op;
  let version = normalizeComposer(m[2]);
  if ((op === '<' || op === '>=') && !HAS_MODIFIER.test(m[2]) && !m[2].startsWith('dev-')) version += '-dev';
  return [{ op, version }];
}

function holds(version: string, b: Bound): boolean {
  const aBranch = version.startsWith('dev-');
  const bBranch = b.version.startsWith('dev-');
  if (b.op === '!=' && (aBranch || bBranch)) return version !== b.version;
  if (aBranch || bBranch) return b.op === '=' && version === b.version;
  const c = phpVersionCompare(version, b.version);
  switch (b.op) {
    case '=': return c === 0;
    case '!=': return c !== 0;
    case '<': return c < 0;
    case '<=': return c <= 0;
    case '>': return c > 0;
    case '>=': return c >= 0;
  }
}

export function parseComposerConstraint(constraint: string): Bound[][] {
  if (constraint.length > 4096) throw new VersionError('composer', constraint.slice(0, 64), 'constraint too long');
  const trimmed = constraint.trim();
  if (trimmed === '') throw new VersionError('composer', constraint, 'empty constraint');
  return trimmed.split(/\s*\|\|?\s*/).map((alternative) => {
    const joined = alternative
      .replace(/\s+-\s+/g, '\u0000')
      .replace(/(<>|!=|>=?|<=?|==?|~|\^)\s+/g, '$1');
    const parts = joined.split(/\s*,\s*|\s+/).filter((p) => p !== '');
    if (parts.length === 0) throw new VersionError('composer', constraint, 'empty alternative');
    return parts.flatMap((p) => parsePart(p.replace('\u0000', ' - '), constraint));
  });
}

export function composerSatisfies(version: string, constraint: string): boolean {
  const v = normalizeComposer(version);
  return parseComposerConstraint(constraint).some((bounds) => bounds.every((b) => holds(v, b)));
}
