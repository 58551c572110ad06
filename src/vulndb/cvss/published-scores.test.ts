// Every (vector, score) pair that a publisher wrote down in ../shared/data (NVD 2.0, GHSA, OSV,
// Red Hat, SUSE, Debian, Oracle, Node.js security WG, Trivy goldens ...) must score as published,
// unless fixtures/published-mismatches.json explains why not.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { hasSharedData, sharedData } from '../../../test/shared-data.ts';
import { scoreCvss } from './index.ts';
import { collectPublishedPairs, pairsInFile, type PublishedPair } from './published-pairs.ts';

interface Mismatch { vector: string; published: number; reason: string }

const MISMATCHES: Mismatch[] = JSON.parse(
  readFileSync(new URL('./fixtures/published-mismatches.json', import.meta.url), 'utf8'),
).mismatches;

const key = (vector: string, score: number) => `${vector} => ${score}`;

test('every published (vector, score) pair in the shared data scores as its publisher computed it', (t) => {
  if (!hasSharedData('feeds')) return t.skip('../shared/data is absent');
  const pairs: PublishedPair[] = ['feeds', 'advisories', 'expected'].flatMap((dir) => collectPublishedPairs(sharedData(dir)));
  // A harvester that silently found nothing would make this test pass vacuously.
  assert.ok(pairs.length > 1000, `only ${pairs.length} pairs found`);

  const explained = new Map(MISMATCHES.map((m) => [key(m.vector, m.published), m]));
  const seenExplained = new Set<string>();
  const unexplained: string[] = [];
  const stats: Record<string, { pairs: number; unique: Set<string>; base: number; overall: number; explained: number }> = {};
  for (const pair of pairs) {
    const k = key(pair.vector, pair.score);
    let version = 'invalid';
    let verdict: 'base' | 'overall' | 'mismatch';
    let ours = '';
    try {
      const s = scoreCvss(pair.vector);
      version = s.version;
      // A publisher may state the score of the whole vector when it carries temporal/environmental
      // metrics (Trivy stores go-cvss's EnvironmentalScore()); both are exact recomputations.
      verdict = s.base === pair.score ? 'base' : (s.environmental ?? s.temporal) === pair.score ? 'overall' : 'mismatch';
      ours = JSON.stringify(s);
    } catch (err) {
      verdict = 'mismatch';
      ours = (err as Error).message;
    }
    const st = stats[version] ??= { pairs: 0, unique: new Set(), base: 0, overall: 0, explained: 0 };
    st.pairs++;
    st.unique.add(k);
    if (verdict !== 'mismatch') st[verdict]++;
    else if (explained.has(k)) { st.explained++; seenExplained.add(k); }
    else unexplained.push(`${pair.file} (${pair.field}): ${k}; ours: ${ours}`);
  }
  for (const [version, st] of Object.entries(stats).sort()) {
    t.diagnostic(`CVSS ${version}: ${st.pairs} pairs (${st.unique.size} distinct): ${st.base} = base score, `
      + `${st.overall} = temporal/environmental score, ${st.explained} explained mismatches`);
  }
  assert.deepEqual(unexplained, [], 'published scores that differ from ours, not explained in fixtures/published-mismatches.json');
  const stale = [...explained.keys()].filter((k) => !seenExplained.has(k));
  assert.deepEqual(stale, [], 'fixtures/published-mismatches.json lists pairs that no longer occur or now match');
  for (const version of ['2.0', '3.0', '3.1', '4.0']) assert.ok(stats[version]?.base > 0, `no published CVSS ${version} score checked`);
});

test('the harvester pairs vectors and scores by their field names, not by position', () => {
  const golden = JSON.stringify({
    CVSS: { nvd: { V2Vector: 'AV:N/AC:L/Au:N/C:P/I:N/A:N', V3Vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N', V3Score: 5.3, V2Score: 5 } },
    sarif: { cvssv2_score: 5, cvssv2_vector: 'AV:N/AC:L/Au:N/C:P/I:N/A:N', 'security-severity': '5.3', cvssv3_baseScore: 5.3, cvssv3_vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N' },
    nodejs: { cvss_vector: 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N', cvss_score: '6.5 (High)' },
    osv: { type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N' },
  });
  const pairs = pairsInFile(golden, 'x.json').map((p) => `${p.field}: ${p.vector} ${p.score}`).sort();
  assert.deepEqual(pairs, [
    'V2Score: AV:N/AC:L/Au:N/C:P/I:N/A:N 5',
    'V3Score: CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N 5.3',
    'cvss_score: CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N 6.5',
    'cvssv2_score: AV:N/AC:L/Au:N/C:P/I:N/A:N 5',
    'cvssv3_baseScore: CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N 5.3',
  ]);
  const prose = 'issue. CVSS 3.0 Base Score 4.3 (Availability impacts). CVSS Vector: (CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:L). (<a';
  assert.deepEqual(pairsInFile(prose, 'page.html').map((p) => [p.vector, p.score]), [['CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:L', 4.3]]);
});
