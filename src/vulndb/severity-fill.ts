// Fills in base scores and ratings of CVSS vectors that a source published without them, through
// the CVSS scorer (src/vulndb/cvss). An invalid vector keeps no score: it is stored as published.

import type { SeverityScore } from '../model/advisory.ts';
import { scoreCvss } from './cvss/index.ts';

/** Completes one SeverityScore (never throws). */
export function fillSeverityScore(s: SeverityScore): SeverityScore {
  if (!s.vector || s.score !== undefined || s.type === 'vendor') return s;
  try {
    const r = scoreCvss(s.vector);
    return { ...s, score: r.base, ...(s.rating ? {} : { rating: r.rating }) };
  } catch {
    return s;
  }
}
