// Every comparison vector in ../shared/data/versions, run through Triad's schemes: osv-scalibr's
// per-ecosystem files (hand-written + generated from the real tools), univers' cases, apk-tools'
// unit data, rpm's rpmvercmp cases and dpkg's cases. Exclusions live in testdata/exclusions.tsv,
// each with its reason. Prints the number of checks per source and ecosystem.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasSharedData, sharedData } from '../../test/shared-data.ts';
import { schemeByName } from './index.ts';
import { apkCompare, apkValid } from './apk.ts';
import { rpmvercmp } from './rpm.ts';
import type { VersionScheme } from './scheme.ts';

const ROOT = 'versions';
const skip = !hasSharedData(ROOT) && 'shared data absent';

interface Exclusion {
  source: string;
  item: string;
  reason: string;
}
const exclusions: Exclusion[] = readFileSync(join(import.meta.dirname, 'testdata', 'exclusions.tsv'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '' && !l.startsWith('#'))
  .map((l) => {
    const [source, item, reason] = l.split('\t');
    assert.ok(source && item && reason && reason.trim().length > 10, `exclusion needs a reason: ${l}`);
    return { source, item, reason };
  });
const usedExclusions = new Set<Exclusion>();
function excluded(source: string, item = '*'): boolean {
  const e = exclusions.find((x) => x.source === source && (x.item === '*' || x.item === item));
  if (e) usedExclusions.add(e);
  return e !== undefined;
}

const counts: Record<string, number> = {};
function count(key: string, n = 1): void {
  counts[key] = (counts[key] ?? 0) + n;
}

/** Collects failures so one run shows all of them, then fails with the first few. */
class Failures {
  list: string[] = [];
  check(ok: boolean, message: string): void {
    if (!ok) this.list.push(message);
  }
  run(message: string, f: () => boolean): void {
    try {
      this.check(f(), message);
    } catch (e) {
      this.list.push(`${message}: threw ${(e as Error).message}`);
    }
  }
  assertNone(what: string): void {
    assert.equal(this.list.length, 0, `${what}: ${this.list.length} failures, e.g.\n${this.list.slice(0, 80).join('\n')}`);
  }
}

const sgn = (n: number): number => Math.sign(n);
const OPS: Record<string, number> = { '<': -1, '=': 0, '>': 1 };

const SCALIBR_DIR = `${ROOT}/osv-scalibr/semantic/testdata`;
const SCALIBR_SCHEMES: Record<string, string> = {
  alpine: 'apk', debian: 'deb', maven: 'maven', nuget: 'nuget', packagist: 'composer', pypi: 'pep440',
  redhat: 'rpm', rubygems: 'gem', semver: 'semver',
};

test('osv-scalibr semantic vectors (every file, every line)', { skip }, () => {
  const failures = new Failures();
  for (const file of readdirSync(sharedData(SCALIBR_DIR)).sort()) {
    const source = `osv-scalibr/semantic/testdata/${file}`;
    if (excluded(source)) continue;
    const ecosystem = file.replace(/-versions(-generated)?\.txt$/, '');
    const schemeName = SCALIBR_SCHEMES[ecosystem];
    assert.ok(schemeName, `no scheme for ${file} and no exclusion`);
    const scheme = schemeByName(schemeName);
    for (const line of readFileSync(sharedData(SCALIBR_DIR, file), 'utf8').split('\n')) {
      if (line.trim() === '' || line.startsWith('//') || line.startsWith('#')) continue;
      if (excluded(source, line)) continue;
      const m = /^(\S+) ([<=>]) (\S+)$/.exec(line.trim());
      assert.ok(m, `${file}: unreadable line ${JSON.stringify(line)}`);
      const [, a, op, b] = m;
      const expected = OPS[op];
      failures.run(`${file}: ${line}`, () => sgn(scheme.compare(a, b)) === expected && sgn(scheme.compare(b, a)) === -expected);
      count(`osv-scalibr ${ecosystem} (${schemeName})`);
    }
  }
  failures.assertNone('osv-scalibr');
});

const UNIVERS_DIR = `${ROOT}/univers/tests/data/schema`;
const UNIVERS_SCHEMES: Record<string, string> = { apk: 'apk', deb: 'deb', maven: 'maven', nuget: 'nuget' };

test('univers comparison and equality cases', { skip }, () => {
  const failures = new Failures();
  for (const file of readdirSync(sharedData(UNIVERS_DIR)).filter((f) => f.endsWith('.json')).sort()) {
    const source = `univers/tests/data/schema/${file}`;
    if (excluded(source)) continue;
    const cases = JSON.parse(readFileSync(sharedData(UNIVERS_DIR, file), 'utf8')) as {
      test_type: string;
      input: { input_scheme: string; versions: string[] };
      expected_output: string[] | boolean;
    }[];
    for (const c of cases) {
      const schemeName = UNIVERS_SCHEMES[c.input.input_scheme];
      assert.ok(schemeName, `${file}: no scheme for ${c.input.input_scheme}`);
      const scheme: VersionScheme = schemeByName(schemeName);
      const key = JSON.stringify(c.input.versions);
      if (excluded(source, key)) continue;
      if (c.test_type === 'equality') {
        const [a, b] = c.input.versions;
        failures.run(`${file} ${key} equal=${c.expected_output}`, () => (scheme.compare(a, b) === 0) === c.expected_output);
      } else {
        assert.equal(c.test_type, 'comparison', `${file}: unknown test type ${c.test_type}`);
        failures.run(`${file} ${key} sorts to ${JSON.stringify(c.expected_output)}`, () => {
          const sorted = [...c.input.versions].sort((x, y) => scheme.compare(x, y));
          // univers prints its own normal form of each version (1.0.0-BETA as 1.0.0-beta), so compare
          // position by position under the scheme's equality rather than as text.
          const expected = c.expected_output as string[];
          return sorted.length === expected.length && sorted.every((v, i) => scheme.compare(v, expected[i]) === 0);
        });
      }
      count(`univers ${c.input.input_scheme}`);
    }
  }
  failures.assertNone('univers');
});

test('apk-tools test/unit/version.data', { skip }, () => {
  const failures = new Failures();
  const source = 'apk-tools/test/unit/version.data';
  for (const raw of readFileSync(sharedData(ROOT, source), 'utf8').split('\n')) {
    const line = raw.replace(/\s+#.*$/, '').trim();
    if (raw.trim() === '' || excluded(source, raw)) continue;
    const m = /^(\S+)\s+(<|>|=|~|<~|>~|!~)\s+(\S+)$/.exec(line);
    if (m) {
      const [, a, op, b] = m;
      failures.run(`${raw}`, () => {
        switch (op) {
          case '~': return apkCompare(a, b, true) === 0;
          case '!~': return apkCompare(a, b, true) !== 0;
          case '<~': return apkCompare(a, b, true) < 0;
          case '>~': return apkCompare(a, b, true) > 0;
          default: return sgn(apkCompare(a, b)) === OPS[op] && sgn(apkCompare(b, a)) === -OPS[op];
        }
      });
    } else if (line.startsWith('!')) {
      failures.check(!apkValid(line.slice(1)), `${raw}: should be invalid`);
    } else {
      assert.ok(!/\s/.test(line), `unreadable apk-tools line ${JSON.stringify(raw)}`);
      failures.check(apkValid(line), `${raw}: should be valid`);
    }
    count('apk-tools');
  }
  // The "!" line alone is the empty version, which must be invalid too.
  failures.check(!apkValid(''), 'empty version should be invalid');
  failures.assertNone('apk-tools');
});

test("rpm's rpmvercmp.at cases", { skip }, () => {
  const failures = new Failures();
  const source = 'rpm/rpmvercmp-cases.txt';
  for (const line of readFileSync(sharedData(ROOT, source), 'utf8').split('\n')) {
    if (line.trim() === '' || excluded(source, line)) continue;
    const m = /^RPMVERCMP\((.*), (.*), (-?1|0)\)$/.exec(line.trim());
    assert.ok(m, `unreadable rpm line ${JSON.stringify(line)}`);
    const [, a, b, r] = m;
    failures.run(line, () => rpmvercmp(a, b) === Number(r));
    count('rpm rpmvercmp');
  }
  failures.assertNone('rpm');
});

test("dpkg's Dpkg_Version.t cases", { skip }, () => {
  const failures = new Failures();
  const deb = schemeByName('deb');
  const source = 'dpkg/dpkg-version-cases.txt';
  for (const line of readFileSync(sharedData(ROOT, source), 'utf8').split('\n')) {
    if (line.trim() === '' || excluded(source, line)) continue;
    const [a, b, r] = line.trim().split(/\s+/);
    assert.ok(r !== undefined, `unreadable dpkg line ${JSON.stringify(line)}`);
    failures.run(line, () => sgn(deb.compare(a, b)) === Number(r) && sgn(deb.compare(b, a)) === -Number(r));
    count('dpkg');
  }
  failures.assertNone('dpkg');
});

test('every exclusion names a case that exists; counts', { skip }, () => {
  const unused = exclusions.filter((e) => !usedExclusions.has(e) && e.item !== '*');
  assert.deepEqual(unused, [], 'stale exclusions');
  const lines = Object.entries(counts).map(([k, n]) => `  ${k}: ${n}`);
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const wholeFiles = exclusions.filter((e) => e.item === '*').length;
  console.log(
    `version vectors checked: ${total}\n${lines.join('\n')}\n  not run (testdata/exclusions.tsv): ` +
      `${exclusions.length - wholeFiles} single cases, ${wholeFiles} whole files`,
  );
});
