// CVSS v4.0 scores (specification §8.2): a vector's MacroVector (its levels in six equivalence sets)
// gives the score of the MacroVector's highest-severity vector from the specification's table; the
// vector's own score is that minus the mean, over the equivalence sets that have a lower
// MacroVector, of "score drop to the next lower MacroVector × the vector's severity distance from
// the set's highest-severity vector / the set's depth". Rounded to one decimal.
//
// The same procedure gives CVSS-B (base metrics only: Threat and Environmental at their defaults,
// which assume the worst), CVSS-BT (with Exploit Maturity) and CVSS-BE / CVSS-BTE.

import { MACROVECTOR_SCORES, MAX_COMPOSED, MAX_SEVERITY } from './v4-tables.ts';

/** The metrics that take part in scoring, with the value each has once defaults and Modified* apply. */
interface Effective {
  AV: string; AC: string; AT: string; PR: string; UI: string;
  VC: string; VI: string; VA: string; SC: string; SI: string; SA: string;
  E: string; CR: string; IR: string; AR: string;
}

type MetricName = keyof Effective;

/** Severity levels of the specification's distance computation, in steps of 0.1 (0 = most severe). */
const LEVELS: Partial<Record<MetricName, Record<string, number>>> = {
  AV: { N: 0, A: 1, L: 2, P: 3 },
  PR: { N: 0, L: 1, H: 2 },
  UI: { N: 0, P: 1, A: 2 },
  AC: { L: 0, H: 1 },
  AT: { N: 0, P: 1 },
  VC: { H: 0, L: 1, N: 2 },
  VI: { H: 0, L: 1, N: 2 },
  VA: { H: 0, L: 1, N: 2 },
  SC: { H: 1, L: 2, N: 3 },
  SI: { S: 0, H: 1, L: 2, N: 3 },
  SA: { S: 0, H: 1, L: 2, N: 3 },
  CR: { H: 0, M: 1, L: 2 },
  IR: { H: 0, M: 1, L: 2 },
  AR: { H: 0, M: 1, L: 2 },
};

/** A highest-severity vector of one equivalence set, as (metric, level) pairs. */
type MaxVector = ReadonlyArray<readonly [MetricName, number]>;

function compileMax(text: string): MaxVector {
  return text.split('/').map((part) => {
    const [name, value] = part.split(':') as [MetricName, string];
    return [name, LEVELS[name]![value]] as const;
  });
}

const MAX_EQ1 = MAX_COMPOSED.eq1.map((level) => level.map(compileMax));
const MAX_EQ2 = MAX_COMPOSED.eq2.map((level) => level.map(compileMax));
const MAX_EQ3EQ6 = MAX_COMPOSED.eq3eq6.map((byEq6) => byEq6.map((level) => level.map(compileMax)));
const MAX_EQ4 = MAX_COMPOSED.eq4.map((level) => level.map(compileMax));

function effective(m: Readonly<Record<string, string>>, threat: boolean, environmental: boolean): Effective {
  const mod = (name: MetricName): string => {
    if (environmental) {
      const modified = m[`M${name}`];
      if (modified !== undefined && modified !== 'X') return modified;
    }
    return m[name];
  };
  // Not Defined threat/requirement metrics take their worst case: E:A, CR/IR/AR:H.
  const worst = (name: 'CR' | 'IR' | 'AR'): string => {
    const v = environmental ? m[name] : undefined;
    return v === undefined || v === 'X' ? 'H' : v;
  };
  const e = threat ? m.E : undefined;
  return {
    AV: mod('AV'), AC: mod('AC'), AT: mod('AT'), PR: mod('PR'), UI: mod('UI'),
    VC: mod('VC'), VI: mod('VI'), VA: mod('VA'), SC: mod('SC'), SI: mod('SI'), SA: mod('SA'),
    E: e === undefined || e === 'X' ? 'A' : e,
    CR: worst('CR'), IR: worst('IR'), AR: worst('AR'),
  };
}

function macroVector(v: Effective): [number, number, number, number, number, number] {
  const eq1 = v.AV === 'N' && v.PR === 'N' && v.UI === 'N' ? 0
    : (v.AV === 'N' || v.PR === 'N' || v.UI === 'N') && v.AV !== 'P' ? 1 : 2;
  const eq2 = v.AC === 'L' && v.AT === 'N' ? 0 : 1;
  const eq3 = v.VC === 'H' && v.VI === 'H' ? 0 : v.VC === 'H' || v.VI === 'H' || v.VA === 'H' ? 1 : 2;
  const eq4 = v.SI === 'S' || v.SA === 'S' ? 0 : v.SC === 'H' || v.SI === 'H' || v.SA === 'H' ? 1 : 2;
  const eq5 = v.E === 'A' ? 0 : v.E === 'P' ? 1 : 2;
  const eq6 = (v.CR === 'H' && v.VC === 'H') || (v.IR === 'H' && v.VI === 'H') || (v.AR === 'H' && v.VA === 'H') ? 0 : 1;
  return [eq1, eq2, eq3, eq4, eq5, eq6];
}

/** The table keyed by the MacroVector's digits read as a number (no string building per lookup). */
const SCORE_BY_MACROVECTOR = new Map(Object.entries(MACROVECTOR_SCORES).map(([k, v]) => [Number(k), v] as const));

function lookup(eq1: number, eq2: number, eq3: number, eq4: number, eq5: number, eq6: number): number {
  const score = SCORE_BY_MACROVECTOR.get(((((eq1 * 10 + eq2) * 10 + eq3) * 10 + eq4) * 10 + eq5) * 10 + eq6);
  return score === undefined ? Number.NaN : score;
}

/**
 * Severity distance (in 0.1 steps) of the vector from the first of the set's highest-severity
 * vectors that it does not exceed in any metric (the specification's iteration order; when none
 * qualifies, the last one, as the reference calculator does).
 */
function distance(v: Effective, maxes: readonly MaxVector[]): number {
  let total = 0;
  for (const max of maxes) {
    total = 0;
    let dominated = true;
    for (const [name, maxLevel] of max) {
      const d = LEVELS[name]![v[name]] - maxLevel;
      if (d < 0) dominated = false;
      total += d;
    }
    if (dominated) return total;
  }
  return total;
}

function scoreEffective(v: Effective): number {
  if (v.VC === 'N' && v.VI === 'N' && v.VA === 'N' && v.SC === 'N' && v.SI === 'N' && v.SA === 'N') return 0;
  const [eq1, eq2, eq3, eq4, eq5, eq6] = macroVector(v);
  const value = lookup(eq1, eq2, eq3, eq4, eq5, eq6);

  const lowerEq1 = lookup(eq1 + 1, eq2, eq3, eq4, eq5, eq6);
  const lowerEq2 = lookup(eq1, eq2 + 1, eq3, eq4, eq5, eq6);
  let lowerEq3Eq6: number;
  if (eq3 === 0 && eq6 === 0) {
    // Two ways down (00 -> 01 and 00 -> 10): the higher-scoring one.
    const left = lookup(eq1, eq2, eq3, eq4, eq5, eq6 + 1);
    const right = lookup(eq1, eq2, eq3 + 1, eq4, eq5, eq6);
    lowerEq3Eq6 = left > right ? left : right;
  } else if (eq3 === 1 && eq6 === 0) {
    lowerEq3Eq6 = lookup(eq1, eq2, eq3, eq4, eq5, eq6 + 1);
  } else if (eq3 === 2) {
    lowerEq3Eq6 = Number.NaN; // 21 is the lowest level
  } else {
    lowerEq3Eq6 = lookup(eq1, eq2, eq3 + 1, eq4, eq5, eq6);
  }
  const lowerEq4 = lookup(eq1, eq2, eq3, eq4 + 1, eq5, eq6);
  const lowerEq5 = lookup(eq1, eq2, eq3, eq4, eq5 + 1, eq6);

  const parts: Array<[lower: number, distance: number, depth: number]> = [
    [lowerEq1, distance(v, MAX_EQ1[eq1]), MAX_SEVERITY.eq1[eq1]],
    [lowerEq2, distance(v, MAX_EQ2[eq2]), MAX_SEVERITY.eq2[eq2]],
    [lowerEq3Eq6, distance(v, MAX_EQ3EQ6[eq3][eq6]), MAX_SEVERITY.eq3eq6[eq3][eq6]],
    [lowerEq4, distance(v, MAX_EQ4[eq4]), MAX_SEVERITY.eq4[eq4]],
    // Exploit Maturity has no distance inside its set: it counts, but moves nothing.
    [lowerEq5, 0, 1],
  ];
  let existing = 0;
  let sum = 0;
  for (const [lower, dist, depth] of parts) {
    if (Number.isNaN(lower)) continue;
    existing++;
    sum += (value - lower) * (dist / depth);
  }
  const score = Math.min(10, Math.max(0, value - (existing === 0 ? 0 : sum / existing)));
  // The reference calculator rounds half up after adding 1e-6, so that x.x5 computed as x.x4999…
  // still rounds up.
  return Math.round((score + 1e-6) * 10) / 10;
}

export interface V4Scores { base: number; temporal?: number; environmental?: number }

const ENVIRONMENTAL = ['CR', 'IR', 'AR', 'MAV', 'MAC', 'MAT', 'MPR', 'MUI', 'MVC', 'MVI', 'MVA', 'MSC', 'MSI', 'MSA'];

export function scoreV4(m: Readonly<Record<string, string>>): V4Scores {
  const scores: V4Scores = { base: scoreEffective(effective(m, false, false)) };
  if (m.E !== undefined) scores.temporal = scoreEffective(effective(m, true, false));
  if (ENVIRONMENTAL.some((name) => m[name] !== undefined)) scores.environmental = scoreEffective(effective(m, true, true));
  return scores;
}
