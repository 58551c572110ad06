// Shared types of the CVSS parser and scorers.

import type { Severity } from '../../model/advisory.ts';

export type CvssVersion = '2.0' | '3.0' | '3.1' | '4.0';

/** A parsed, validated CVSS vector. */
export interface CvssVector {
  version: CvssVersion;
  /** The vector string as given (surrounding whitespace removed). */
  vector: string;
  /**
   * Metric abbreviation -> value abbreviation, for the metrics written in the vector only
   * ("AV" -> "N"). Metrics left out are Not Defined: the scorers apply each version's defaults.
   */
  metrics: Readonly<Record<string, string>>;
}

/**
 * Scores of one vector. `temporal` (v4.0: the Threat score, CVSS-BT) is present when the vector
 * writes at least one temporal/threat metric; `environmental` (v4.0: CVSS-BE / CVSS-BTE) when it
 * writes at least one environmental metric. As in every CVSS specification, the environmental
 * score also applies the temporal metrics. `rating` is the qualitative rating of the base score.
 */
export interface CvssScore {
  version: CvssVersion;
  base: number;
  temporal?: number;
  environmental?: number;
  rating: Severity;
}

/** A vector that is not valid CVSS. The message names the vector and what is wrong with it. */
export class CvssError extends Error {
  readonly vector: string;
  constructor(vector: string, problem: string) {
    super(`invalid CVSS vector ${JSON.stringify(shorten(vector))}: ${problem}`);
    this.name = 'CvssError';
    this.vector = vector;
  }
}

/** Hostile input can be megabytes long: error messages quote at most 160 characters of it. */
function shorten(s: string): string {
  return s.length <= 160 ? s : `${s.slice(0, 160)}…(${s.length} chars)`;
}
