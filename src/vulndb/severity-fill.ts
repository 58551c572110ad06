// Fills in base scores and ratings of CVSS vectors that a source published without them, through
// the CVSS scorer (src/vulndb/cvss). An invalid vector keeps no score: it is stored as published.

import type { SeverityScore } from '../model/advisory.ts';

type ScoreFn = (vector: string) => { base: number; rating: SeverityScore['rating'] };

let scorer: ScoreFn | null | undefined;

/** Loads the scorer once; null when it is unavailable. */
async function loadScorer(): Promise<ScoreFn | null> {
  if (scorer !== undefined) return scorer;
  const specifier = './cvss/index.ts';
  try {
    const mod = (await import(specifier)) as { scoreCvss?: ScoreFn };
    scorer = typeof mod.scoreCvss === 'function' ? mod.scoreCvss : null;
  } catch {
    scorer = null;
  }
  return scorer;
}

/** A function completing one SeverityScore (never throws). */
export async function severityScorer(): Promise<(s: SeverityScore) => SeverityScore> {
  const score = await loadScorer();
  return (s) => {
    if (!score || !s.vector || s.score !== undefined || s.type === 'vendor') return s;
    try {
      const r = score(s.vector);
      return { ...s, score: r.base, ...(s.rating ? {} : { rating: r.rating }) };
    } catch {
      return s;
    }
  };
}
