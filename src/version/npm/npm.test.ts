// node-semver's own test fixtures, every line: comparisons, equality, valid versions, range
// include/exclude, and the gt/lt-range fixtures read as "not satisfied".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { hasSharedData, sharedData } from '../../../test/shared-data.ts';
import { compareNpm, parseNpmVersion } from './version.ts';
import { npmSatisfies } from './range.ts';
import { npm } from './index.ts';
import type { NpmOptions } from './version.ts';
import { VersionError } from '../scheme.ts';

const DIR = 'versions/node-semver/test/fixtures';
const fixture = (name: string): unknown[][] => JSON.parse(readFileSync(sharedData(DIR, name), 'utf8'));
const opts = (o: unknown): NpmOptions =>
  o === true ? { loose: true } : typeof o === 'object' && o !== null ? { loose: Boolean((o as NpmOptions).loose), includePrerelease: Boolean((o as NpmOptions).includePrerelease) } : {};
const skip = !hasSharedData(DIR) && 'shared data absent';

test('node-semver comparisons.json: a > b', { skip }, () => {
  const rows = fixture('comparisons.json');
  for (const [a, b, o] of rows as [string, string, unknown][]) {
    assert.equal(compareNpm(a, b, opts(o)), 1, `${a} > ${b}`);
    assert.equal(compareNpm(b, a, opts(o)), -1, `${b} < ${a}`);
  }
  console.log(`node-semver comparisons: ${rows.length}`);
});

test('node-semver equality.json', { skip }, () => {
  const rows = fixture('equality.json');
  for (const [a, b, o] of rows as [string, string, unknown][]) assert.equal(compareNpm(a, b, opts(o)), 0, `${a} == ${b}`);
  console.log(`node-semver equality: ${rows.length}`);
});

test('node-semver valid-versions.json', { skip }, () => {
  const rows = fixture('valid-versions.json');
  for (const [v, major, minor, patch, pre, build] of rows as [string, number, number, number, (string | number)[], string[]][]) {
    const p = parseNpmVersion(v);
    assert.deepEqual([p.major, p.minor, p.patch], [String(major), String(minor), String(patch)], v);
    assert.deepEqual(p.prerelease, pre.map(String), v);
    assert.deepEqual(p.build, build, v);
  }
  console.log(`node-semver valid versions: ${rows.length}`);
});

const rangeCases: [string, boolean][] = [
  ['range-include.json', true],
  ['range-exclude.json', false],
  ['version-gt-range.json', false],
  ['version-lt-range.json', false],
];
for (const [file, expected] of rangeCases) {
  test(`node-semver ${file}`, { skip }, () => {
    const rows = fixture(file);
    for (const [range, version, o] of rows as [string, string, unknown][]) {
      let got: boolean;
      try {
        got = npmSatisfies(version, range, opts(o));
      } catch (e) {
        // node-semver's satisfies() answers false for a range it cannot parse.
        assert.ok(e instanceof VersionError, `${range}: ${e}`);
        got = false;
      }
      assert.equal(got, expected, `${JSON.stringify(range)} ${expected ? 'includes' : 'excludes'} ${version} ${JSON.stringify(o)}`);
    }
    console.log(`node-semver ${file}: ${rows.length}`);
  });
}

test('invalid versions (SemVer 2.0 grammar; node-semver strict unless noted)', () => {
  // Strict: leading zeros, missing parts, empty identifiers, operators and junk are not versions.
  for (const v of ['1.2', '01.2.3', '1.02.3', '1.2.03', '1.2.3-01', '1.2.3-', '1.2.3+', '1.2.3-a..b', '>1.2.3', '1.2.3.4', 'a.b.c', '', 'fake', '1.2.3beta']) {
    assert.throws(() => parseNpmVersion(v), VersionError, v);
  }
  // Loose accepts leading zeros and a pre-release without "-", like node-semver's loose mode.
  assert.deepEqual(parseNpmVersion('=01.02.03beta', { loose: true }).prerelease, ['beta']);
  assert.throws(() => parseNpmVersion(`1.2.${'9'.repeat(20)}`), VersionError);
});

test('npm scheme: errors name the input', () => {
  assert.throws(() => npm.compare('1.2.3', 'not-a-version'), (e: unknown) => e instanceof VersionError && e.input === 'not-a-version');
  assert.throws(() => npm.satisfies('1.2.3', '>=1.2.3 <'), VersionError);
  assert.throws(() => npm.satisfies('banana', '^1.0.0'), VersionError);
  assert.equal(npm.satisfies('1.2.3-beta.1', '^1.2.3-beta.0'), true);
  assert.equal(npm.satisfies('1.3.0-beta.1', '^1.2.3-beta.0'), false);
  assert.equal(npm.valid('v1.2.3'), true);
  assert.equal(npm.valid('1.2'), false);
});
