// Composer's version normalisation (VersionParser::normalize): "v1.2" -> "1.2.0.0",
// "1.0-beta2" -> "1.0.0.0-beta2", "2.x-dev" -> "2.9999999.9999999.9999999-dev", "dev-main" kept.

import { VersionError } from '../scheme.ts';
import { MAX_VERSION_LENGTH } from '../numeric.ts';

const MODIFIER = '[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\\d+)*)?)?([.-]?dev)?';
const CLASSICAL = new RegExp(`^v?(\\d{1,5})(\\.\\d+)?(\\.\\d+)?(\\.\\d+)?${MODIFIER}$`, 'i');
const DATE = new RegExp(`^v?(\\d{4}(?:[.:-]?\\d{2}){1,6}(?:[.:-]?\\d{1,3}){0,2})${MODIFIER}$`, 'i');

function expandStability(s: string): string {
  const l = s.toLowerCase();
  return l === 'a' ? 'alpha' : l === 'b' ? 'beta' : l === 'p' || l === 'pl' ? 'patch' : l === 'rc' ? 'RC' : l;
}

function withModifier(base: string, m: RegExpExecArray, at: number): string {
  let v = base;
  if (m[at] && m[at].toLowerCase() !== 'stable') v += `-${expandStability(m[at])}${(m[at + 1] ?? '').replace(/^[.-]/, '')}`;
  if (m[at + 2]) v += '-dev';
  return v;
}

export function normalizeComposer(input: string): string {
  if (input.length > MAX_VERSION_LENGTH) throw new VersionError('composer', input.slice(0, 64), 'version too long');
  let v = input.trim().replace(/@(stable|RC|beta|alpha|dev)$/i, '');
  // "1.0.0 as 1.0.x-dev" aliases: the real version is the first one.
  v = v.replace(/^([^,\s]+) +as +[^,\s]+$/, '$1');
  if (/^(?:dev-|master$|trunk$|default$)/i.test(v)) return v.startsWith('dev-') ? v : `dev-${v}`;
  let m = CLASSICAL.exec(v);
  if (m) {
    const parts = [m[1], (m[2] ?? '.0').slice(1), (m[3] ?? '.0').slice(1), (m[4] ?? '.0').slice(1)];
    return withModifier(parts.join('.'), m, 5);
  }
  m = DATE.exec(v);
  if (m) return withModifier(m[1].replace(/\D/g, '.'), m, 2);
  const branch = /^(.*?)[.-]?dev$/i.exec(v);
  if (branch && /^v?(\d+)(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?$/.test(branch[1])) {
    const nums = branch[1].replace(/^v/, '').split('.');
    while (nums.length < 4) nums.push('x');
    return `${nums.map((n) => (/^[xX*]$/.test(n) ? '9999999' : n)).join('.')}-dev`;
  }
  throw new VersionError('composer', input, 'invalid version string');
}
