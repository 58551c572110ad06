// CVSS v2.0 scores: the equations of the v2 guide (FIRST, "A Complete Guide to the Common
// Vulnerability Scoring System Version 2.0", §3.2), with its weights.

type Weights = Record<string, number>;

const AV: Weights = { L: 0.395, A: 0.646, N: 1.0 };
const AC: Weights = { H: 0.35, M: 0.61, L: 0.71 };
const AU: Weights = { M: 0.45, S: 0.56, N: 0.704 };
const IMPACT: Weights = { N: 0.0, P: 0.275, C: 0.660 };
const E: Weights = { U: 0.85, POC: 0.9, F: 0.95, H: 1.0, ND: 1.0 };
const RL: Weights = { OF: 0.87, TF: 0.9, W: 0.95, U: 1.0, ND: 1.0 };
const RC: Weights = { UC: 0.9, UR: 0.95, C: 1.0, ND: 1.0 };
const CDP: Weights = { N: 0, L: 0.1, LM: 0.3, MH: 0.4, H: 0.5, ND: 0 };
const TD: Weights = { N: 0, L: 0.25, M: 0.75, H: 1.0, ND: 1.0 };
const REQUIREMENT: Weights = { L: 0.5, M: 1.0, H: 1.51, ND: 1.0 };

export interface V2Scores { base: number; temporal?: number; environmental?: number }

/**
 * The guide's round_to_1_decimal (half up). The products are computed in binary floating point, so
 * a value that is exactly x.x5 in decimal can land a hair below it (9.0 × 0.95 = 8.549999…); the
 * epsilon rounds it as decimal arithmetic does (8.6). No base score is affected (all 729 base
 * vectors round the same either way); temporal and environmental products can be.
 */
function round1(x: number): number {
  return Math.round(x * 10 + 1e-9) / 10;
}

function baseEquation(impact: number, m: Readonly<Record<string, string>>): number {
  const exploitability = 20 * AV[m.AV] * AC[m.AC] * AU[m.Au];
  const f = impact === 0 ? 0 : 1.176;
  return round1((0.6 * impact + 0.4 * exploitability - 1.5) * f);
}

export function scoreV2(m: Readonly<Record<string, string>>): V2Scores {
  const c = IMPACT[m.C], i = IMPACT[m.I], a = IMPACT[m.A];
  const base = baseEquation(10.41 * (1 - (1 - c) * (1 - i) * (1 - a)), m);
  const hasTemporal = m.E !== undefined || m.RL !== undefined || m.RC !== undefined;
  const hasEnvironmental = m.CDP !== undefined || m.TD !== undefined
    || m.CR !== undefined || m.IR !== undefined || m.AR !== undefined;
  const temporalFactor = E[m.E ?? 'ND'] * RL[m.RL ?? 'ND'] * RC[m.RC ?? 'ND'];
  const scores: V2Scores = { base };
  if (hasTemporal) scores.temporal = round1(base * temporalFactor);
  if (hasEnvironmental) {
    const cr = REQUIREMENT[m.CR ?? 'ND'], ir = REQUIREMENT[m.IR ?? 'ND'], ar = REQUIREMENT[m.AR ?? 'ND'];
    const adjustedImpact = Math.min(10, 10.41 * (1 - (1 - c * cr) * (1 - i * ir) * (1 - a * ar)));
    const adjustedTemporal = round1(baseEquation(adjustedImpact, m) * temporalFactor);
    const cdp = CDP[m.CDP ?? 'ND'];
    scores.environmental = round1((adjustedTemporal + (10 - adjustedTemporal) * cdp) * TD[m.TD ?? 'ND']);
  }
  return scores;
}
