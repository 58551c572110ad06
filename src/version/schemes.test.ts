// Each scheme's own constraint syntax and error behaviour, and univers' real native ranges (from
// GitLab's advisory database and others) parsed by the scheme of their ecosystem.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasSharedData, sharedData } from '../../test/shared-data.ts';
import { ALL_SCHEMES, schemeByName, schemeFor, VersionError } from './index.ts';

const RANGE_DIR = 'versions/univers/tests/data/schema/range';
const UNIVERS_SCHEMES: Record<string, string> = { npm: 'npm', pypi: 'pep440', gem: 'gem', composer: 'composer', golang: 'go', nuget: 'nuget', maven: 'maven' };
const SAMPLE: Record<string, string> = { npm: '1.0.0', pep440: '1.0', gem: '1.0', composer: '1.0.0', go: 'v1.0.0', nuget: '1.0.0', maven: '1.0' };

test('univers native ranges: every one parses, except those invalid in their own syntax', { skip: !hasSharedData(RANGE_DIR) && 'absent' }, () => {
  const invalid = new Map(
    readFileSync(join(import.meta.dirname, 'testdata', 'univers-invalid-native.tsv'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'))
      .map((l) => l.split('\t'))
      .map(([scheme, range, why]) => {
        assert.ok(why && why.length > 10, `reason needed for ${range}`);
        return [`${scheme}\t${range}` as string, why] as const;
      }),
  );
  const counts: Record<string, number> = {};
  const bad: string[] = [];
  const seenInvalid = new Set<string>();
  const dirs = [sharedData(RANGE_DIR), sharedData(RANGE_DIR, 'gitlab')];
  for (const dir of dirs) {
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      for (const c of JSON.parse(readFileSync(join(dir, file), 'utf8')) as { test_type: string; input: { scheme: string; native_range: string } }[]) {
        const name = UNIVERS_SCHEMES[c.input.scheme];
        if (c.test_type !== 'from_native' || !name) continue;
        const key = `${name}\t${c.input.native_range}`;
        let error: unknown;
        try {
          schemeByName(name).satisfies(SAMPLE[name], c.input.native_range);
        } catch (e) {
          error = e;
        }
        if (invalid.has(key)) {
          seenInvalid.add(key);
          if (!(error instanceof VersionError)) bad.push(`${key}: expected VersionError`);
        } else if (error) {
          bad.push(`${key}: ${(error as Error).message}`);
        }
        counts[name] = (counts[name] ?? 0) + 1;
      }
    }
  }
  console.log(`univers native ranges: ${JSON.stringify(counts)}; ${invalid.size} invalid by design`);
  assert.deepEqual(bad.slice(0, 20), []);
  assert.deepEqual([...invalid.keys()].filter((k) => !seenInvalid.has(k)), [], 'stale invalid-range entries');
});

test('every scheme: unparsable input is a VersionError naming it', () => {
  const garbage = ['', '   ', 'not a version!', '\u0000', 'x'.repeat(5000)];
  for (const scheme of ALL_SCHEMES) {
    for (const g of garbage) {
      assert.equal(scheme.valid(g), false, `${scheme.name} valid(${JSON.stringify(g.slice(0, 20))})`);
      assert.throws(() => scheme.compare(g, g), VersionError, `${scheme.name} compare(${JSON.stringify(g.slice(0, 20))})`);
    }
    const err = (() => {
      try {
        scheme.compare('bad version\u0007', '1');
      } catch (e) {
        return e as VersionError;
      }
    })();
    assert.ok(err instanceof VersionError && err.input === 'bad version\u0007' && err.message.includes('bad version') && err.scheme === scheme.name, scheme.name);
  }
});

test('constraint syntax per ecosystem', () => {
  const yes = (scheme: string, v: string, c: string) => assert.equal(schemeByName(scheme).satisfies(v, c), true, `${scheme}: ${v} in ${c}`);
  const no = (scheme: string, v: string, c: string) => assert.equal(schemeByName(scheme).satisfies(v, c), false, `${scheme}: ${v} not in ${c}`);
  const bad = (scheme: string, v: string, c: string) => assert.throws(() => schemeByName(scheme).satisfies(v, c), VersionError, `${scheme}: ${c} is an error`);
  // PEP 440
  yes('pep440', '2.2.5', '~=2.2'); no('pep440', '3.0', '~=2.2'); no('pep440', '2.3', '~=2.2.0');
  yes('pep440', '1.1.post1', '==1.1.*'); no('pep440', '1.10', '==1.1.*'); yes('pep440', '1.0+local', '==1.0');
  no('pep440', '1.0+local', '==1.0+other'); yes('pep440', '1.5', '>=1.0, !=1.4'); no('pep440', '1.4', '>=1.0, !=1.4');
  no('pep440', '2.0a1', '<2.0'); yes('pep440', '2.0a1', '<2.0b1'); no('pep440', '1.0.post1', '>1.0'); yes('pep440', 'Foo', '===foo');
  yes('pep440', '1!1.0', '>=1!0.5'); bad('pep440', '1.0', '~=1'); bad('pep440', '1.0', '>=1.0,,<2'); bad('pep440', '1.0', '=>1.0');
  // Maven
  yes('maven', '1.5', '[1.0,2.0)'); no('maven', '2.0', '[1.0,2.0)'); yes('maven', '2.0', '(,1.0],[1.5,)'); no('maven', '1.2', '(,1.0],[1.5,)');
  yes('maven', '1.0', '[1.0]'); no('maven', '2.0-SNAPSHOT', '[2.0,)'); bad('maven', '1.0', '[2.0,1.0]'); bad('maven', '1.0', '[1.0');
  // Gem
  yes('gem', '1.2.9', '~> 1.2.5'); no('gem', '1.3.0', '~> 1.2.5'); yes('gem', '1.9', '~> 1.2'); no('gem', '2.0', '~> 1.2');
  yes('gem', '1.0', '>= 0.5, < 2, != 1.1'); no('gem', '1.1', '>= 0.5, < 2, != 1.1'); no('gem', '1.0.0.rc1', '>= 1.0.0'); bad('gem', '1.0', '>> 1');
  // Composer
  yes('composer', '1.9.9', '^1.2.3'); no('composer', '2.0.0', '^1.2.3'); no('composer', '0.4.0', '^0.3'); yes('composer', '0.3.9', '^0.3');
  yes('composer', '1.2.9', '~1.2.3'); no('composer', '1.3.0', '~1.2.3'); yes('composer', '1.9', '~1.2'); yes('composer', '1.2.7', '1.2.*');
  yes('composer', '2.0.5', '1.0 - 2.0'); no('composer', '2.1.0', '1.0 - 2.0'); yes('composer', 'v1.5.0', '>=1.0 <2.0 || ^3.0');
  no('composer', '2.0.0-beta1', '<2.0'); yes('composer', '2.0.0-beta1', '<=2.0'); yes('composer', '1.0.0', '*'); bad('composer', '1.0', '>=banana');
  // NuGet
  yes('nuget', '1.5.0', '1.0'); yes('nuget', '1.0.0.0', '[1.0]'); no('nuget', '2.0.0', '[1.0,2.0)'); yes('nuget', '2.0.0', '(1.0,)');
  yes('nuget', '1.0.0.1', '(1.0,1.0.1)'); no('nuget', '1.0.0-beta', '[1.0.0,)'); bad('nuget', '1.0', '[1.0,2.0,3.0]');
  // Cargo
  yes('cargo', '1.9.0', '1.2.3'); no('cargo', '2.0.0', '1.2.3'); no('cargo', '0.3.0', '0.2.5'); yes('cargo', '0.2.9', '^0.2.5');
  no('cargo', '0.0.4', '^0.0.3'); yes('cargo', '1.2.9', '~1.2.3'); yes('cargo', '1.7.0', '>=1.2, <1.8'); yes('cargo', '3.1.4', '*');
  no('cargo', '1.3.0-alpha.1', '>=1.2.0'); yes('cargo', '1.3.0-alpha.2', '>=1.3.0-alpha.1'); bad('cargo', '1.0.0', '>=1.0 || <0.5'); bad('cargo', 'v1.0.0', '*');
  // Go: module and toolchain spellings, +incompatible ignored, pseudo-versions are pre-releases.
  yes('go', 'v2.0.0+incompatible', '>=2.0.0, <2.1.0'); yes('go', 'go1.21.3', '>=1.21.0, <1.21.4'); no('go', 'go1.22rc1', '>=1.22.0');
  yes('go', 'v0.0.0-20191109021931-daa7c04131f5', '<0.0.1'); yes('go', 'go1.21', '=1.21.0');
  // OS schemes: plain comparators; apk's fuzzy ~.
  yes('deb', '1:2.30-1', '>=1:2.30-1, <<1:3'.replace('<<', '<')); no('deb', '2.30~rc1-1', '>=2.30-1'); yes('rpm', '1.0-1.el8', '<1.0-2.el8 || >3');
  yes('apk', '3.6.9-r0', '~3.6'); no('apk', '3.7.0-r0', '~3.6'); bad('deb', '1.0', '>='); bad('rpm', '1.0', '>= 1.0 <<');
});

test('schemeFor: ecosystems and distro families', () => {
  assert.equal(schemeFor('deb').name, 'deb');
  assert.equal(schemeFor('rpm', 'rocky').name, 'rpm');
  assert.equal(schemeFor('apk', 'wolfi').name, 'apk');
  assert.equal(schemeFor('deb', 'ubuntu').name, 'deb');
  assert.equal(schemeFor('apk', 'chainguard').name, 'apk');
  assert.equal(schemeFor('pypi').name, 'pep440');
  assert.equal(schemeFor('golang').name, 'go');
  assert.equal(schemeFor('npm', 'debian').name, 'npm');
  assert.equal(schemeByName('semver').name, 'semver');
  assert.equal(schemeByName('pypi').name, 'pep440');
  assert.throws(() => schemeByName('cobol'), VersionError);
  // Go's toolchain order: rc < release < patch; a/b/rc in other schemes.
  const go = schemeFor('golang');
  assert.deepEqual(['go1.22.0', 'go1.21.3', 'go1.22rc1', 'go1.21', 'v1.21.10'].sort(go.compare), ['go1.21', 'go1.21.3', 'v1.21.10', 'go1.22rc1', 'go1.22.0']);
});

test('hostile input: only VersionError, and fast (seeded random and pathological strings)', () => {
  const chars = ['1', '.', '-', ' ', '|', '<', '=', '~', '^', '*', 'x', 'a', ',', '[', '(', ')', ']', '+', '!', '0', 'v', '\t', '\u0000', 'é'];
  let seed = 7;
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const inputs: string[] = ['1'.repeat(4000), ' '.repeat(4000) + 'x', '1.'.repeat(2000), '||'.repeat(2000), '- '.repeat(2000), 'v='.repeat(2000) + '1', '>='.repeat(2000), '0-'.repeat(2000)];
  for (let i = 0; i < 120; i++) {
    let s = '';
    for (let k = 0, len = i % 3 === 0 ? 4000 : 60; k < len; k++) s += chars[Math.floor(next() * chars.length)];
    inputs.push(s);
  }
  for (const scheme of ALL_SCHEMES) {
    for (const input of inputs) {
      const start = performance.now();
      for (const call of [() => scheme.satisfies('1.0.0', input), () => scheme.compare(input, '1.0'), () => scheme.valid(input), () => scheme.satisfies(input, '>=1.0')]) {
        try {
          call();
        } catch (e) {
          assert.ok(e instanceof VersionError, `${scheme.name}: ${(e as Error).message}`);
        }
      }
      assert.ok(performance.now() - start < 250, `${scheme.name} slow on ${JSON.stringify(input.slice(0, 30))}`);
    }
  }
});
