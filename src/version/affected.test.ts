// isAffected / fixedVersions / lowestFixAll on real advisories: PyPA's OSV entries enumerate the
// affected releases next to their ranges (the two must agree), Go's vulndb ranges must put every
// introduced version inside and every fixed version outside, RubySec's patched versions must not be
// affected; plus the OSV evaluation rules (last_affected, limit, ties, unions) and "unknown".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { hasSharedData, sharedData } from '../../test/shared-data.ts';
import type { Affected, RangeEvent, VersionRange } from '../model/advisory.ts';
import { fixedVersions, hasOverlappingIntervals, isAffected, lowestFixAll, lowestSafeVersion } from './affected.ts';
import { parsePep440 } from './pep440/version.ts';
import { schemeFor, schemeByName } from './index.ts';

function* files(dir: string, ext: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(p, ext);
    else if (entry.name.endsWith(ext)) yield p;
  }
}

interface OsvAffected {
  package: { ecosystem: string; name: string };
  ranges?: { type: string; events: RangeEvent[] }[];
  versions?: string[];
}

function toAffected(a: OsvAffected, ecosystem: Affected['ecosystem']): Affected {
  const ranges = (a.ranges ?? []).filter((r) => r.type === 'ECOSYSTEM' || r.type === 'SEMVER') as VersionRange[];
  return { ecosystem, package: a.package.name, ranges };
}

test('PyPA advisories: every enumerated version lies in the ECOSYSTEM ranges', { skip: !hasSharedData('advisories/pypa') && 'absent' }, () => {
  const pep440 = schemeFor('pypi');
  let checked = 0;
  let unknown = 0;
  let overlapping = 0;
  let prereleaseOfIntroduced = 0;
  const bad: string[] = [];
  for (const file of files(sharedData('advisories/pypa'), '.yaml')) {
    const doc = parseYaml(readFileSync(file, 'utf8')) as { id: string; affected?: OsvAffected[] };
    for (const a of doc.affected ?? []) {
      // Versions derived from GIT ranges are not implied by the ECOSYSTEM ranges.
      if ((a.ranges ?? []).some((r) => r.type === 'GIT') || !a.versions) continue;
      const affected = toAffected(a, 'pypi');
      if (affected.ranges.length === 0) continue;
      // Overlapping intervals have no single reading under OSV's sorted evaluation; skip, and count.
      if (affected.ranges.some((r) => r.type !== 'CONSTRAINT' && hasOverlappingIntervals(r.events, pep440))) {
        overlapping++;
        continue;
      }
      const introduced = affected.ranges.flatMap((r) => (r.type === 'CONSTRAINT' ? [] : r.events.map((e) => e.introduced).filter((x) => x && x !== '0'))) as string[];
      for (const v of a.versions) {
        // OSV's PyPI enumerator lists pre-releases of an introduced version (3.2a1 for introduced 3.2)
        // although PEP 440 orders them before it; they are not implied by the range.
        const parsed = parsePep440(v);
        if (parsed && (parsed.pre || parsed.dev !== undefined) && introduced.some((i) => pep440.compare(parsed.release.join('.'), i) === 0)) {
          prereleaseOfIntroduced++;
          continue;
        }
        const got = isAffected(v, affected, pep440);
        checked++;
        if (got === undefined) unknown++;
        else if (!got) bad.push(`${doc.id} ${a.package.name} ${v}`);
      }
    }
  }
  console.log(
    `PyPA: ${checked} enumerated versions checked against their ranges (${unknown} non-PEP 440, unknown; ` +
      `skipped: ${overlapping} entries with overlapping intervals, ${prereleaseOfIntroduced} pre-releases of an introduced version)`,
  );
  assert.ok(checked > 1000);
  assert.deepEqual(bad.slice(0, 20), []);
  // Only legacy (non-PEP 440) version strings may come out unknown.
  assert.ok(unknown < checked / 100, `${unknown} unknown`);
});

test('Go vulndb: introduced/last_affected inside, fixed outside (SEMVER ranges, go1.x stdlib)', { skip: !hasSharedData('advisories/go-vulndb') && 'absent' }, () => {
  const go = schemeFor('golang');
  let checked = 0;
  const bad: string[] = [];
  for (const file of files(sharedData('advisories/go-vulndb/data/osv'), '.json')) {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { id: string; affected?: OsvAffected[] };
    for (const a of doc.affected ?? []) {
      const affected = toAffected(a, 'golang');
      for (const range of affected.ranges) {
        if (range.type === 'CONSTRAINT') continue;
        const fixes = range.events.filter((e) => e.fixed).map((e) => e.fixed!);
        for (const e of range.events) {
          const [version, expected] = e.fixed ? [e.fixed, false] : e.last_affected ? [e.last_affected, true] : e.introduced && e.introduced !== '0' ? [e.introduced, true] : [undefined, true];
          if (version === undefined) continue;
          // An introduced version that is also a fix (empty range) proves nothing.
          if (expected && fixes.includes(version)) continue;
          const single = { ...affected, ranges: [range] };
          const got = isAffected(version, single, go);
          checked++;
          if (got !== expected) bad.push(`${doc.id} ${a.package.name} ${version}: ${got}, expected ${expected}`);
          // The Go toolchain's own spelling of a stdlib release orders the same way.
          if (a.package.name === 'stdlib' && /^\d+\.\d+(\.\d+)?$/.test(version)) {
            const spelled = `go${version.replace(/\.0$/, '')}`;
            if (isAffected(spelled, single, go) !== expected) bad.push(`${doc.id} stdlib ${spelled}`);
          }
        }
      }
    }
  }
  console.log(`Go vulndb: ${checked} event versions checked`);
  assert.ok(checked > 1000);
  assert.deepEqual(bad.slice(0, 20), []);
});

test('RubySec: patched versions are not affected; fixedVersions finds them', { skip: !hasSharedData('advisories/rubysec') && 'absent' }, () => {
  const gem = schemeFor('gem');
  let checked = 0;
  const bad: string[] = [];
  for (const file of files(sharedData('advisories/rubysec/gems'), '.yml')) {
    const doc = parseYaml(readFileSync(file, 'utf8')) as { gem: string; patched_versions?: string[]; unaffected_versions?: string[] };
    const patched = (doc.patched_versions ?? []).map(String);
    if (patched.length === 0) continue;
    const affected: Affected = {
      ecosystem: 'gem',
      package: doc.gem,
      ranges: [{ type: 'CONSTRAINT', unaffected: [...patched, ...(doc.unaffected_versions ?? []).map(String)] }],
    };
    for (const fix of fixedVersions(affected)) {
      if (!patched.some((p) => p.includes(fix))) continue;
      const got = isAffected(fix, affected, gem);
      checked++;
      if (got !== false) bad.push(`${file}: ${fix} -> ${got}`);
    }
  }
  console.log(`RubySec: ${checked} patched versions checked`);
  assert.ok(checked > 500);
  assert.deepEqual(bad.slice(0, 20), []);
});

const ev = (...events: RangeEvent[]): VersionRange => ({ type: 'ECOSYSTEM', events });

test('OSV evaluation rules', () => {
  const pypi = schemeByName('pep440');
  const a = (ranges: VersionRange[], versions?: string[]): Affected => ({ ecosystem: 'pypi', package: 'x', ranges, versions });
  // Unsorted events, two introduced/fixed pairs.
  const two = a([ev({ fixed: '2.0.1' }, { introduced: '2.0.0' }, { fixed: '1.2.5' }, { introduced: '0' })]);
  assert.deepEqual(['1.0', '1.2.5', '1.9', '2.0.0', '2.0.1', '3'].map((v) => isAffected(v, two, pypi)), [true, false, false, true, false, false]);
  assert.equal(isAffected('1.5', a([ev({ introduced: '1.0' }, { last_affected: '1.5' })]), pypi), true);
  assert.equal(isAffected('1.5.1', a([ev({ introduced: '1.0' }, { last_affected: '1.5' })]), pypi), false);
  // Adjacent intervals written fixed=X, introduced=X keep X affected (PYSEC-2022-236 does this).
  const adjacent = a([ev({ introduced: '0' }, { fixed: '3.1.1' }, { introduced: '3.1.1' }, { fixed: '3.1.3' })]);
  assert.deepEqual(['3.1.0', '3.1.1', '3.1.2', '3.1.3'].map((v) => isAffected(v, adjacent, pypi)), [true, true, true, false]);
  assert.equal(isAffected('5', a([ev({ introduced: '0' }, { limit: '3' })]), pypi), false);
  assert.equal(isAffected('2', a([ev({ introduced: '0' }, { limit: '3' })]), pypi), true);
  assert.equal(isAffected('0.1', a([], ['0.1']), pypi), true);
  assert.equal(isAffected('0.2', a([ev({ introduced: '1.0' })], ['0.1']), pypi), false);
  // Unparsable installed version or range: unknown, never a guess.
  assert.equal(isAffected('not a version!', a([ev({ introduced: '0' })]), pypi), undefined);
  assert.equal(isAffected('1.0', a([ev({ introduced: '0' }, { fixed: 'x y' })]), pypi), undefined);
  // A good range still decides when another is broken.
  assert.equal(isAffected('1.0', a([ev({ introduced: '0' }, { fixed: 'x y' }), ev({ introduced: '0.5' })]), pypi), true);
  // SEMVER ranges use semver order even for PyPI (1.0.0-rc1 < 1.0.0 either way, 1.0.0.post1 is not semver).
  assert.equal(isAffected('1.0.0-rc.1', a([{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.0.0' }] }]), schemeByName('npm')), true);
  // Distro states.
  const deb = schemeFor('deb', 'debian');
  assert.equal(isAffected('1.0-1', { ecosystem: 'deb', package: 'p', ranges: [], state: 'wont-fix' }, deb), true);
  assert.equal(isAffected('1.0-1', { ecosystem: 'deb', package: 'p', ranges: [ev({ introduced: '0' })], state: 'not-affected' }, deb), false);
  assert.equal(isAffected('1:2.0-1', { ecosystem: 'deb', package: 'p', ranges: [ev({ introduced: '0' }, { fixed: '1:2.0-1+deb12u1' })] }, deb), true);
});

test('CONSTRAINT ranges in each ecosystem syntax', () => {
  const c = (affected?: string[], unaffected?: string[]): Affected => ({ ecosystem: 'npm', package: 'x', ranges: [{ type: 'CONSTRAINT', affected, unaffected }] });
  assert.equal(isAffected('1.4.0', c(['>=1.0.0 <1.5.0 || 2.0.0']), schemeFor('npm')), true);
  assert.equal(isAffected('1.5.0', c(['>=1.0.0 <1.5.0 || 2.0.0']), schemeFor('npm')), false);
  assert.equal(isAffected('1.2.6', c(undefined, ['~> 1.2.5', '>= 1.3.1']), schemeFor('gem')), false);
  assert.equal(isAffected('1.3.0', c(undefined, ['~> 1.2.5', '>= 1.3.1']), schemeFor('gem')), true);
  assert.equal(isAffected('5.4.1', c(['>=5.0.0,<5.4.2', '>=4.0.0,<4.9.9']), schemeFor('composer')), true);
  assert.equal(isAffected('2.2.1', c(['>=2.0,<2.2.1']), schemeFor('pypi')), false);
  assert.equal(isAffected('1.9.0', c(['[1.0,2.0)']), schemeFor('maven')), true);
  assert.equal(isAffected('0.9.3', c(undefined, ['>=0.9.4', '<0.9.0']), schemeFor('cargo')), true);
  assert.equal(isAffected('1.0.0', c(['<<1.0']), schemeFor('npm')), undefined);
});

test('fixedVersions and lowestFixAll: the fix on the installed branch, max over findings', () => {
  const npm = schemeFor('npm');
  const finding = (...events: RangeEvent[]): Affected => ({ ecosystem: 'npm', package: 'x', ranges: [ev(...events)] });
  const a = finding({ introduced: '0' }, { fixed: '1.2.5' }, { introduced: '2.0.0' }, { fixed: '2.0.1' });
  const b = finding({ introduced: '1.0.0' }, { fixed: '1.2.3' });
  assert.deepEqual(fixedVersions(a), ['1.2.5', '2.0.1']);
  assert.equal(lowestFixAll(npm, [fixedVersions(a)], '1.2.0'), '1.2.5');
  assert.equal(lowestFixAll(npm, [fixedVersions(a)], '2.0.0'), '2.0.1');
  assert.equal(lowestFixAll(npm, [fixedVersions(a), fixedVersions(b)], '1.2.0'), '1.2.5');
  assert.equal(lowestFixAll(npm, [fixedVersions(a), ['3.0.0']], '1.2.0'), '3.0.0');
  assert.equal(lowestFixAll(npm, [fixedVersions(a), []], '1.2.0'), undefined);
  // A later branch that is affected again: 1.3.0 fixes b but not c.
  const c = finding({ introduced: '0' }, { fixed: '1.2.5' }, { introduced: '1.3.0' }, { fixed: '1.3.2' });
  const d = finding({ introduced: '0' }, { fixed: '1.3.0' });
  assert.equal(lowestSafeVersion(npm, [c, d], '1.2.0'), '1.3.2');
  assert.deepEqual(fixedVersions({ ecosystem: 'gem', package: 'g', ranges: [{ type: 'CONSTRAINT', unaffected: ['~> 1.2.5', '>= 1.3.1', '< 0.5'] }] }), ['1.2.5', '1.3.1']);
});
