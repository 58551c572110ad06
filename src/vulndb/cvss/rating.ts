// Qualitative ratings of CVSS scores, in Triad's (Trivy's) severity vocabulary.
//
// v3.x and v4.0 use the specifications' scale (Low 0.1-3.9, Medium 4.0-6.9, High 7.0-8.9, Critical
// 9.0-10.0). Their "None" (0.0) has no Severity word: it maps to 'UNKNOWN', as Trivy does — trivy-db
// stores NVD's baseSeverity through types.NewSeverity, whose names are UNKNOWN/LOW/MEDIUM/HIGH/
// CRITICAL, so NVD's "NONE" becomes SeverityUnknown.
// v2.0 has no qualitative scale in its specification; NVD's (the one every feed copies) is Low
// 0.0-3.9, Medium 4.0-6.9, High 7.0-10.0, so a v2 0.0 is 'LOW' and v2 is never 'CRITICAL'.

import type { Severity } from '../../model/advisory.ts';
import type { CvssVersion } from './types.ts';

export function ratingFromScore(score: number, version: CvssVersion): Severity {
  if (typeof score !== 'number' || !Number.isFinite(score) || score < 0 || score > 10) {
    throw new RangeError(`CVSS score out of range 0.0-10.0: ${String(score)}`);
  }
  if (version === '2.0') return score >= 7 ? 'HIGH' : score >= 4 ? 'MEDIUM' : 'LOW';
  if (score >= 9) return 'CRITICAL';
  if (score >= 7) return 'HIGH';
  if (score >= 4) return 'MEDIUM';
  if (score > 0) return 'LOW';
  return 'UNKNOWN';
}
