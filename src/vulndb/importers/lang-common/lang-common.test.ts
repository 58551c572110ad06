import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cvssVector, ratingFromScore, severityWord } from './severity.ts';
import { cveId, isoDate, orderAliases, strList } from './values.ts';
import { parseYamlText } from './yaml.ts';

test('YAML: every scalar a string, null typed, quoted "null" a string; errors are one line with a position', () => {
  assert.deepEqual(parseYamlText("a: 1.10\nb: 2019-03-25\nc: ~\nd:\ne: null\nf: 'null'\ng: true\nh: [1.0, '0']\n"), {
    a: '1.10',
    b: '2019-03-25',
    c: null,
    d: null,
    e: null,
    f: 'null',
    g: 'true',
    h: ['1.0', '0'],
  });
  assert.throws(() => parseYamlText('a: [\n'), /^Error: YAML: .* \(line \d+, column \d+\)$/);
  assert.throws(() => parseYamlText('a: 1\na: 2\n'), /duplicated mapping key/);
});

test('CVSS vectors: versions told apart, prefixes repaired, malformed ones refused', () => {
  assert.deepEqual(cvssVector('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'), { type: 'CVSS_V3', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' });
  // The Node.js security WG writes "3.0/..." without "CVSS:".
  assert.deepEqual(cvssVector('3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:N'), { type: 'CVSS_V3', vector: 'CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:N' });
  assert.deepEqual(cvssVector('AV:N/AC:L/Au:N/C:P/I:P/A:P'), { type: 'CVSS_V2', vector: 'AV:N/AC:L/Au:N/C:P/I:P/A:P' });
  assert.deepEqual(cvssVector('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N'), {
    type: 'CVSS_V4',
    vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
  });
  for (const bad of [
    'CVSS:3.1/AV:N', // base metrics missing
    'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/A:L', // repeated
    'CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', // unknown value
    'CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/SC:N/VI:H/SI:N/VA:H/SA:N', // v4 out of order
    'CVSS:5.0/AV:N',
    'high',
    '',
  ]) {
    assert.equal(cvssVector(bad), undefined, bad);
  }
});

test('ratings and words', () => {
  assert.equal(ratingFromScore(9.0, 'CVSS_V3'), 'CRITICAL');
  assert.equal(ratingFromScore(9.0, 'CVSS_V2'), 'HIGH');
  assert.equal(ratingFromScore(6.9, 'CVSS_V4'), 'MEDIUM');
  assert.equal(ratingFromScore(0, 'CVSS_V3'), 'UNKNOWN');
  assert.equal(ratingFromScore(11, 'CVSS_V3'), 'UNKNOWN');
  assert.equal(severityWord('MODERATE'), 'MEDIUM');
  assert.equal(severityWord('Negligible'), 'LOW');
  assert.equal(severityWord('end-of-life'), undefined);
});

test('values: ids, dates, lists, alias order', () => {
  assert.equal(cveId('2019-9837'), 'CVE-2019-9837');
  assert.equal(cveId('cve-2019-9837'), 'CVE-2019-9837');
  assert.equal(cveId('GHSA-xxxx'), undefined);
  assert.equal(isoDate('2015-07-24 0:41:41'), '2015-07-24T00:41:41Z');
  assert.equal(isoDate('2021-07-30T22:15:00Z'), '2021-07-30T22:15:00Z');
  assert.equal(isoDate('0001-01-01T00:00:00Z'), undefined);
  assert.equal(isoDate('yesterday'), undefined);
  assert.deepEqual(strList('one'), ['one']);
  assert.deepEqual(strList([' a ', {}, null, 2]), ['a', '2']);
  assert.deepEqual(orderAliases('GHSA-1', ['GHSA-1', 'OSV-2', 'CVE-3', 'CVE-3', ' ']), ['CVE-3', 'OSV-2']);
});
