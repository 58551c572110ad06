// Distro severity words mapped onto Triad's (Trivy's) five levels. Debian and Ubuntu rate
// "unimportant"/"negligible" issues below LOW; like Trivy, Triad files those under LOW, and keeps
// the distro's own word in SeverityScore (via the importer) for anyone who needs the nuance.

import type { Severity } from '../../../model/advisory.ts';

const WORDS: ReadonlyMap<string, Severity> = new Map([
  ['unimportant', 'LOW'],
  ['negligible', 'LOW'],
  ['low', 'LOW'],
  ['moderate', 'MEDIUM'],
  ['medium', 'MEDIUM'],
  ['important', 'HIGH'],
  ['high', 'HIGH'],
  ['critical', 'CRITICAL'],
  ['untriaged', 'UNKNOWN'],
  ['unknown', 'UNKNOWN'],
  ['not yet assigned', 'UNKNOWN'],
  ['none', 'UNKNOWN'],
]);

/**
 * "high", "Important", "low**" (Debian marks urgencies inferred from NVD with '*'), "Moderate".
 * Returns undefined for words that are not a severity ("end-of-life" as Debian's urgency).
 */
export function severityFromWord(word: string | undefined): Severity | undefined {
  if (!word) return undefined;
  const w = word.trim().toLowerCase().replace(/\*+$/, '').trim();
  return WORDS.get(w);
}

/** CVSS v3/v4 qualitative rating of a base score (FIRST's table). */
export function ratingFromScore(score: number): Severity {
  if (!(score > 0)) return 'UNKNOWN';
  if (score < 4) return 'LOW';
  if (score < 7) return 'MEDIUM';
  if (score < 9) return 'HIGH';
  return 'CRITICAL';
}
