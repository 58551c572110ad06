import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CvssError, parseCvss, ratingFromScore, scoreCvss, toSeverityScore, trySeverityScore } from './index.ts';
import { roundUp30, roundUp31 } from './v3.ts';

test('CVSS v4.0: the reference calculator\'s scores (base, threat, environmental)', () => {
  const lines = readFileSync(new URL('./fixtures/v4-reference-scores.tsv', import.meta.url), 'utf8')
    .split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  assert.ok(lines.length >= 30);
  for (const line of lines) {
    const [vector, expected] = line.split('\t');
    const s = scoreCvss(vector);
    assert.equal(s.environmental ?? s.temporal ?? s.base, Number(expected), vector);
  }
});

test('CVSS v4.0: base, threat and environmental scores are reported separately', () => {
  const v = 'CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:U/CR:M/IR:M/AR:M';
  const s = scoreCvss(v);
  assert.equal(s.version, '4.0');
  assert.equal(s.base, 7.3); // = .../E:A, the worst case the base score assumes
  assert.equal(s.temporal, 4.1); // = the reference's .../E:U
  assert.equal(s.rating, 'HIGH');
  assert.ok(s.environmental !== undefined && s.environmental < s.temporal!);
  // Supplemental metrics never change a score.
  const plain = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N';
  assert.deepEqual(scoreCvss(`${plain}/S:P/AU:Y/R:I/V:C/RE:H/U:Red`), scoreCvss(plain));
  assert.equal(scoreCvss(plain).base, 9.3);
  // MSI:S / MSA:S (safety) only exist as modified metrics and lift EQ4 to its highest level.
  assert.ok(scoreCvss(`${plain}/MSI:S`).environmental! > scoreCvss(plain).base);
});

test('CVSS v2.0: the v2 guide\'s three worked examples (base, temporal, environmental)', () => {
  const cases: Array<[string, number, number, number]> = [
    ['AV:N/AC:L/Au:N/C:N/I:N/A:C/E:F/RL:OF/RC:C/CDP:H/TD:H/CR:M/IR:M/AR:H', 7.8, 6.4, 9.2], // CVE-2002-0392
    ['AV:N/AC:L/Au:N/C:C/I:C/A:C/E:F/RL:OF/RC:C/CDP:H/TD:H/CR:M/IR:M/AR:L', 10.0, 8.3, 9.0], // CVE-2003-0818
    ['AV:L/AC:H/Au:N/C:C/I:C/A:C/E:POC/RL:OF/RC:C/CDP:H/TD:H/CR:M/IR:M/AR:M', 6.2, 4.9, 7.5], // CVE-2003-0062
  ];
  for (const [vector, base, temporal, environmental] of cases) {
    assert.deepEqual(scoreCvss(vector), { version: '2.0', base, temporal, environmental, rating: ratingFromScore(base, '2.0') }, vector);
  }
  // round_to_1_decimal is half up in decimal: 9.0 × 0.95 = 8.55 -> 8.6 (binary floating point says 8.549999…).
  assert.equal(scoreCvss('AV:N/AC:L/Au:N/C:C/I:P/A:P/RL:W').temporal, 8.6);
});

test('CVSS v3.0 and v3.1: each version\'s Roundup', () => {
  assert.equal(roundUp31(4.02), 4.1);
  assert.equal(roundUp31(4.0), 4.0);
  assert.equal(roundUp31(4.000000000000001), 4.0); // v3.1 Appendix A: floating-point noise is not a tenth
  assert.equal(roundUp30(4.000000000000001), 4.1); // v3.0's plain ceiling keeps the noise
  // 10 × 0.92 = 9.200000000000001 in floating point: v3.0 published 9.3 for such vectors, v3.1 9.2.
  const tail = 'AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H/E:H/RL:U/RC:U';
  assert.equal(scoreCvss(`CVSS:3.0/${tail}`).temporal, 9.3);
  assert.equal(scoreCvss(`CVSS:3.1/${tail}`).temporal, 9.2);
});

test('CVSS v3.x: environmental scores use Modified Scope for MPR and the version\'s modified impact', () => {
  // Computed by hand from the specifications' equations (MISS capped at 0.915; MPR:L = 0.68 under MS:C).
  const tail = 'AV:N/AC:L/PR:L/UI:R/S:U/C:L/I:L/A:H/CR:H/IR:M/AR:H/MAV:L/MAC:X/MPR:L/MUI:R/MS:C/MC:X/MI:L/MA:H';
  assert.equal(scoreCvss(`CVSS:3.0/${tail}`).environmental, 8.2);
  assert.equal(scoreCvss(`CVSS:3.1/${tail}`).environmental, 8.3);
  const s = scoreCvss('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O/RC:C');
  assert.deepEqual(s, { version: '3.1', base: 9.8, temporal: 8.8, rating: 'CRITICAL' });
  // Metric order is free in v3.x ("programs ... must accept metrics in any order").
  assert.equal(scoreCvss('CVSS:3.1/A:L/I:L/C:N/S:C/AV:N/UI:N/PR:L/AC:H').base, scoreCvss('CVSS:3.1/AV:N/AC:H/PR:L/UI:N/S:C/C:N/I:L/A:L').base);
  assert.equal(scoreCvss('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N').base, 0);
});

test('ratings: Trivy\'s vocabulary; v3/v4 0.0 is UNKNOWN, v2 has no CRITICAL', () => {
  const v3 = (s: number) => ratingFromScore(s, '3.1');
  assert.deepEqual([0, 0.1, 3.9, 4.0, 6.9, 7.0, 8.9, 9.0, 10].map(v3),
    ['UNKNOWN', 'LOW', 'LOW', 'MEDIUM', 'MEDIUM', 'HIGH', 'HIGH', 'CRITICAL', 'CRITICAL']);
  assert.equal(ratingFromScore(0, '4.0'), 'UNKNOWN');
  assert.deepEqual([0, 3.9, 4.0, 6.9, 7.0, 10].map((s) => ratingFromScore(s, '2.0')), ['LOW', 'LOW', 'MEDIUM', 'MEDIUM', 'HIGH', 'HIGH']);
  for (const bad of [-0.1, 10.1, Number.NaN, Number.POSITIVE_INFINITY]) assert.throws(() => ratingFromScore(bad, '3.1'), RangeError);
});

test('toSeverityScore: the model\'s SeverityScore', () => {
  assert.deepEqual(toSeverityScore(' CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N ', 'nvd'),
    { type: 'CVSS_V3', vector: 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', score: 7.5, rating: 'HIGH', source: 'nvd' });
  assert.deepEqual(toSeverityScore('AV:N/AC:L/Au:N/C:P/I:P/A:P'), { type: 'CVSS_V2', vector: 'AV:N/AC:L/Au:N/C:P/I:P/A:P', score: 7.5, rating: 'HIGH' });
  assert.equal(toSeverityScore('CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:P/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N', 'ghsa').type, 'CVSS_V4');
  // GHSA published vectors with a trailing slash.
  assert.equal(toSeverityScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O/RC:C/').score, 9.8);
  // PyPA published v4.0 vectors in the order of the specification's misprinted Table 23.
  assert.equal(toSeverityScore('CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/SC:N/VI:H/SI:N/VA:H/SA:N').score, 8.7);
  assert.equal(trySeverityScore('CVSS:3.1/AV:X'), undefined);
  assert.throws(() => toSeverityScore('garbage'), CvssError);
});

test('malformed vectors: a clear error naming the vector and the problem', () => {
  const cases: Array<[unknown, RegExp]> = [
    ['', /empty vector/],
    ['   ', /empty vector/],
    ['CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P', /unknown CVSS version "CVSS:2.0"/],
    ['CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', /unknown CVSS version "CVSS:3.2"/],
    ['CVSS:5.0', /unknown CVSS version/],
    ['CVSS:3.1', /no metrics/],
    ['CVSS:3.1/', /no metrics/],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H', /missing base metric A/],
    ['CVSS:3.1/AV:N/AC:L', /missing base metrics PR, UI, S, C, I, A/],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/A:L', /metric A appears more than once/],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:X/E:X', /metric E appears more than once/],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/XX:Y', /unknown metric "XX" for CVSS 3.1/],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/AT:N', /unknown metric "AT"/],
    ['CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:U/A:U', /bad value "U" for metric I/],
    ['CVSS:3.1/AV:n/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', /bad value "n" for metric AV/],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:ND', /bad value "ND" for metric E/],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A', /malformed metric "A"/],
    ['CVSS:3.1/AV:N//AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', /malformed metric ""/],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H//', /malformed metric ""/],
    ['CVSS:3.1/AV:/AC:L', /malformed metric "AV:"/],
    ['AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', /unknown metric "PR" for CVSS 2.0 \(a v3.x vector must start with/],
    ['AV:N/AC:L/Au:N/C:P/I:P', /missing base metric A/],
    ['AV:N/AC:L/Au:N/A:P/I:P/C:P', /metric I comes after A, but CVSS 2.0 requires the specification's metric order/],
    ['AV:N/AC:L/Au:N/C:P/I:P/A:P/E:X', /bad value "X" for metric E \(CVSS 2.0 allows U, POC, F, H, ND\)/],
    ['AV:N/AC:L/Au:N/C:P/I:P/A:P/CDP:H/E:F', /metric E comes after CDP/],
    ['(AV:N/AC:L/Au:N/C:P/I:P/A:P)', /unknown metric "\(AV"/],
    ['CVSS:4.0/AC:L/AV:N/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', /metric AV comes after AC, but CVSS 4.0 requires/],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/CR:H/E:A', /metric E comes after CR/],
    // The misprinted order is accepted whole, not mixed with the corrected one.
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/SC:N/VI:H/VA:H/SI:N/SA:N', /metric VA comes after VI|metric SI comes after VA/],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:S/SA:N', /bad value "S" for metric SI/],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N', /missing base metric SA/],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/U:red', /bad value "red" for metric U/],
    ['CVSS:4.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', /unknown metric "S"|bad value|unknown metric "C"|missing/],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/__proto__:X', /unknown metric "__proto__"/],
    [`CVSS:3.1/${'AV:N/'.repeat(1000)}`, /longer than 1024 characters/],
    [42, /expected a string, got number/],
    [undefined, /expected a string, got undefined/],
  ];
  for (const [input, message] of cases) {
    assert.throws(() => parseCvss(input as string), (err: unknown) => {
      assert.ok(err instanceof CvssError, `${String(input)}: ${String(err)}`);
      assert.match(err.message, message, String(input));
      assert.match(err.message, /^invalid CVSS vector "/);
      assert.ok(err.message.length < 400, 'the message quotes a bounded part of the input');
      return true;
    });
  }
});

test('parsing keeps the vector as written and only the metrics it names', () => {
  assert.deepEqual(parseCvss('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:P/U:Amber'), {
    version: '4.0',
    vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:P/U:Amber',
    metrics: { AV: 'N', AC: 'L', AT: 'N', PR: 'N', UI: 'N', VC: 'H', VI: 'H', VA: 'H', SC: 'N', SI: 'N', SA: 'N', E: 'P', U: 'Amber' },
  });
});

test('fast: 100,000 vectors of every version scored well under two seconds', (t) => {
  const pool = [
    'AV:N/AC:M/Au:N/C:P/I:P/A:P',
    'AV:N/AC:L/Au:N/C:N/I:N/A:C/E:F/RL:OF/RC:C/CDP:H/TD:H/CR:M/IR:M/AR:H',
    'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    'CVSS:3.0/AV:L/AC:H/PR:L/UI:R/S:C/C:L/I:N/A:N/E:P/RL:O/RC:C',
    'CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:U/C:L/I:L/A:H/CR:H/IR:M/AR:H/MAV:L/MPR:L/MS:C/MI:L',
    'CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:N/VI:N/VA:L/SC:N/SI:N/SA:N',
    'CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:U/CR:L/MAV:N/MSI:S',
  ];
  // Distinct strings, as an importer sees them (no interning shortcut).
  const vectors = Array.from({ length: 100_000 }, (_, i) => ` ${pool[i % pool.length]}`.slice(1));
  const start = performance.now();
  let sum = 0;
  for (const v of vectors) sum += scoreCvss(v).base;
  const ms = performance.now() - start;
  t.diagnostic(`100,000 vectors scored in ${ms.toFixed(0)} ms`);
  assert.ok(sum > 0);
  assert.ok(ms < 2000, `${ms} ms`);
});
