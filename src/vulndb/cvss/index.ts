// CVSS v2.0 / v3.0 / v3.1 / v4.0: parse vectors, score them, rate the scores.
// The vulnerability database scores every advisory's vectors with this on import.

import type { SeverityScore } from '../../model/advisory.ts';
import { parseCvss } from './parse.ts';
import { ratingFromScore } from './rating.ts';
import { CvssError, type CvssScore, type CvssVector } from './types.ts';
import { scoreV2 } from './v2.ts';
import { scoreV3 } from './v3.ts';
import { scoreV4 } from './v4.ts';

export { parseCvss } from './parse.ts';
export { ratingFromScore } from './rating.ts';
export { CvssError, type CvssScore, type CvssVector, type CvssVersion } from './types.ts';

/** Scores a vector (a string is parsed first; invalid vectors throw CvssError). */
export function scoreCvss(vector: string | CvssVector): CvssScore {
  const parsed = typeof vector === 'string' ? parseCvss(vector) : vector;
  const { version, metrics } = parsed;
  const scores = version === '2.0' ? scoreV2(metrics) : version === '4.0' ? scoreV4(metrics) : scoreV3(metrics, version);
  const result: CvssScore = { version, base: scores.base, rating: ratingFromScore(scores.base, version) };
  if (scores.temporal !== undefined) result.temporal = scores.temporal;
  if (scores.environmental !== undefined) result.environmental = scores.environmental;
  return result;
}

const TYPE_BY_VERSION = { '2.0': 'CVSS_V2', '3.0': 'CVSS_V3', '3.1': 'CVSS_V3', '4.0': 'CVSS_V4' } as const;

/**
 * The model's SeverityScore for a published vector: its base score and the base score's rating.
 * Throws CvssError (naming the vector) when the vector is invalid; importers catch it and warn.
 */
export function toSeverityScore(vector: string, source?: string): SeverityScore {
  const parsed = parseCvss(vector);
  const scored = scoreCvss(parsed);
  const result: SeverityScore = { type: TYPE_BY_VERSION[parsed.version], vector: parsed.vector, score: scored.base, rating: scored.rating };
  if (source !== undefined) result.source = source;
  return result;
}

/** toSeverityScore for importers that skip bad vectors: undefined instead of an exception. */
export function trySeverityScore(vector: string, source?: string): SeverityScore | undefined {
  try {
    return toSeverityScore(vector, source);
  } catch (err) {
    if (err instanceof CvssError) return undefined;
    throw err;
  }
}
