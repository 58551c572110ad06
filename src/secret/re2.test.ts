import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { hasSharedData, sharedData } from '../../test/shared-data.ts';
import { compileRE2, re2ToJS, RE2SyntaxError } from './re2.ts';

const m = (re2: string, s: string) => compileRE2(re2).exec(s)?.[0];

test('inline flags apply to the rest of the group, across alternatives', () => {
  assert.equal(re2ToJS('a(?i)b|c'), 'a(?i:b)|(?i:c)');
  assert.equal(m('a(?i)b|c', 'C'), 'C');
  assert.equal(m('a(?i)b|c', 'aB'), 'aB');
  assert.equal(m('a(?i)b|c', 'AB'), undefined);
  // gitleaks: (?i) at the start, case-sensitive islands inside.
  assert.equal(m('(?i)key(?-i:API)x', 'KEYAPIX'), 'KEYAPIX');
  assert.equal(m('(?i)key(?-i:API)x', 'keyapix'), undefined);
  assert.equal(m('(x(?i)y)z', 'xYz'), 'xYz');
  assert.equal(m('(x(?i)y)z', 'xYZ'), undefined);
  assert.equal(m('\\b(LTAI(?i)[a-z0-9]{4})', 'LTAIAbC1'), 'LTAIAbC1');
  assert.equal(m('\\b(LTAI(?i)[a-z0-9]{4})', 'ltaiAbC1'), undefined);
});

test('RE2-only syntax', () => {
  assert.equal(compileRE2('(?P<tok>ab)').exec('xab')?.groups?.tok, 'ab');
  assert.equal(m('ab\\z', 'ab\n'), undefined);
  assert.equal(m('ab\\z', 'ab'), 'ab');
  assert.equal(m('\\Aab', 'xab'), undefined);
  assert.equal(m('[[:alnum:]]+', '-Ab9_'), 'Ab9');
  assert.equal(m('[[:^digit:]]+', '12ab3'), 'ab');
  assert.equal(m('\\x{41}\\x42\\101', 'ABA'), 'ABA');
  assert.equal(m('\\Qa.b*\\E', 'a.b*'), 'a.b*');
  assert.equal(m('\\Qa.b*\\E', 'axb'), undefined);
  assert.equal(m('[]a]+', 'a]a'), 'a]a');
  assert.equal(m('[^]]+]', 'ab]'), 'ab]');
  assert.equal(m('{{ x }}', '{{ x }}'), '{{ x }}');
  assert.equal(m('a{,2}', 'a{,2}'), 'a{,2}');
  assert.equal(m('\\-\\#\\~', '-#~'), '-#~');
  assert.throws(() => compileRE2('\\_'), RE2SyntaxError);
  assert.equal(m('\\pL+', 'x1'), 'x');
  assert.equal(m('\\p{Greek}+', 'aαβ'), 'αβ');
});

test('RE2 dot matches \\r but not \\n; (?s) makes it match \\n', () => {
  assert.equal(m('a.b', 'a\rb'), 'a\rb');
  assert.equal(m('a.b', 'a\nb'), undefined);
  assert.equal(m('(?s:a.b)', 'a\nb'), 'a\nb');
  assert.equal(m('(?s)a.b', 'a\nb'), 'a\nb');
});

test('what has no JavaScript equivalent or is not RE2 is an error, not dropped', () => {
  for (const bad of ['(?U)a+', 'a(?=b)', '(a)\\1', 'a**', '*a', '(a', 'a)', '[a', '\\q', '[z-a]', 'a{1001}', '[a[:^alpha:]]']) {
    assert.throws(() => compileRE2(bad), RE2SyntaxError, bad);
  }
});

test('every regex in gitleaks default config translates and compiles', { skip: !hasSharedData('secrets/gitleaks/config/gitleaks.toml') }, () => {
  const text = readFileSync(sharedData('secrets/gitleaks/config/gitleaks.toml'), 'utf8');
  const patterns = [...text.matchAll(/'''(.*?)'''/g)].map((x) => x[1]!);
  assert.ok(patterns.length > 250);
  for (const p of patterns) assert.doesNotThrow(() => compileRE2(p), p);
});
