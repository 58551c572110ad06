// CVSS v3.0 and v3.1 scores: the equations and weights of the v3.0 and v3.1 specifications (§7 and
// Appendix A). The versions differ in two places only:
// - Roundup: v3.1 defines a floating-point-safe Roundup on integers (Appendix A); v3.0's is the
//   plain "smallest one-decimal number >= input", i.e. ceil(x * 10) / 10 in floating point, which
//   for instance turns a product meant to be 4.0 but computed as 4.000000000000001 into 4.1.
// - Modified Impact under a changed Modified Scope: v3.1 added the 0.9731 factor and the 13th power.

import type { CvssVersion } from './types.ts';

type Weights = Record<string, number>;

const AV: Weights = { N: 0.85, A: 0.62, L: 0.55, P: 0.2 };
const AC: Weights = { L: 0.77, H: 0.44 };
const PR_UNCHANGED: Weights = { N: 0.85, L: 0.62, H: 0.27 };
const PR_CHANGED: Weights = { N: 0.85, L: 0.68, H: 0.5 };
const UI: Weights = { N: 0.85, R: 0.62 };
const CIA: Weights = { H: 0.56, L: 0.22, N: 0 };
const E: Weights = { X: 1, H: 1, F: 0.97, P: 0.94, U: 0.91 };
const RL: Weights = { X: 1, U: 1, W: 0.97, T: 0.96, O: 0.95 };
const RC: Weights = { X: 1, C: 1, R: 0.96, U: 0.92 };
const REQUIREMENT: Weights = { X: 1, H: 1.5, M: 1, L: 0.5 };

export function roundUp31(x: number): number {
  const scaled = Math.round(x * 100000);
  return scaled % 10000 === 0 ? scaled / 100000 : (Math.floor(scaled / 10000) + 1) / 10;
}

export function roundUp30(x: number): number {
  return Math.ceil(x * 10) / 10;
}

export interface V3Scores { base: number; temporal?: number; environmental?: number }

/** The value of a modifiable metric: its Modified* value unless absent or Not Defined. */
function effective(m: Readonly<Record<string, string>>, name: string): string {
  const modified = m[`M${name}`];
  return modified === undefined || modified === 'X' ? m[name] : modified;
}

function exploitability(av: string, ac: string, pr: string, ui: string, changed: boolean): number {
  return 8.22 * AV[av] * AC[ac] * (changed ? PR_CHANGED : PR_UNCHANGED)[pr] * UI[ui];
}

export function scoreV3(m: Readonly<Record<string, string>>, version: CvssVersion): V3Scores {
  const roundUp = version === '3.0' ? roundUp30 : roundUp31;

  const changed = m.S === 'C';
  const iss = 1 - (1 - CIA[m.C]) * (1 - CIA[m.I]) * (1 - CIA[m.A]);
  const impact = changed ? 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15) : 6.42 * iss;
  const expl = exploitability(m.AV, m.AC, m.PR, m.UI, changed);
  const base = impact <= 0 ? 0 : roundUp(Math.min((changed ? 1.08 : 1) * (impact + expl), 10));

  const temporalFactor = E[m.E ?? 'X'] * RL[m.RL ?? 'X'] * RC[m.RC ?? 'X'];
  const scores: V3Scores = { base };
  if (m.E !== undefined || m.RL !== undefined || m.RC !== undefined) {
    scores.temporal = roundUp(base * temporalFactor);
  }

  const hasEnvironmental = ['CR', 'IR', 'AR', 'MAV', 'MAC', 'MPR', 'MUI', 'MS', 'MC', 'MI', 'MA']
    .some((name) => m[name] !== undefined);
  if (hasEnvironmental) {
    const mChanged = effective(m, 'S') === 'C';
    const miss = Math.min(1 - (1 - REQUIREMENT[m.CR ?? 'X'] * CIA[effective(m, 'C')])
      * (1 - REQUIREMENT[m.IR ?? 'X'] * CIA[effective(m, 'I')])
      * (1 - REQUIREMENT[m.AR ?? 'X'] * CIA[effective(m, 'A')]), 0.915);
    let mImpact: number;
    if (!mChanged) mImpact = 6.42 * miss;
    else if (version === '3.0') mImpact = 7.52 * (miss - 0.029) - 3.25 * Math.pow(miss - 0.02, 15);
    else mImpact = 7.52 * (miss - 0.029) - 3.25 * Math.pow(miss * 0.9731 - 0.02, 13);
    const mExpl = exploitability(effective(m, 'AV'), effective(m, 'AC'), effective(m, 'PR'), effective(m, 'UI'), mChanged);
    scores.environmental = mImpact <= 0
      ? 0
      : roundUp(roundUp(Math.min((mChanged ? 1.08 : 1) * (mImpact + mExpl), 10)) * temporalFactor);
  }
  return scores;
}
