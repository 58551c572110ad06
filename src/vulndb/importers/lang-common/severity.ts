// Severity statements of the language databases, normalised to SeverityScore: CVSS vectors as
// published (the version prefix repaired where a source dropped it), numeric scores rated with the
// band table of their CVSS version, and qualitative words (GHSA's "MODERATE") mapped to Triad's
// five levels.

import type { Severity, SeverityScore } from '../../../model/advisory.ts';

// Metric grammar of each CVSS version (the OSV schema's patterns): a vector must use known metrics
// with known values, and every base metric exactly once. CVSS v4.0 also fixes the metric order.
const V2_METRIC = /^(AV:[NAL]|AC:[LMH]|Au:[MSN]|[CIA]:[NPC]|E:(U|POC|F|H|ND)|RL:(OF|TF|W|U|ND)|RC:(UC|UR|C|ND)|CDP:(N|L|LM|MH|H|ND)|TD:(N|L|M|H|ND)|[CIA]R:(L|M|H|ND))$/;
const V3_METRIC = /^(AV:[NALP]|AC:[LH]|PR:[NLH]|UI:[NR]|S:[UC]|[CIA]:[NLH]|E:[XUPFH]|RL:[XOTWU]|RC:[XURC]|[CIA]R:[XLMH]|MAV:[XNALP]|MAC:[XLH]|MPR:[XNLH]|MUI:[XNR]|MS:[XUC]|M[CIA]:[XNLH])$/;
const V4 =
  /^CVSS:4[.]0\/AV:[NALP]\/AC:[LH]\/AT:[NP]\/PR:[NLH]\/UI:[NPA]\/VC:[HLN]\/VI:[HLN]\/VA:[HLN]\/SC:[HLN]\/SI:[HLN]\/SA:[HLN](\/E:[XAPU])?(\/CR:[XHML])?(\/IR:[XHML])?(\/AR:[XHML])?(\/MAV:[XNALP])?(\/MAC:[XLH])?(\/MAT:[XNP])?(\/MPR:[XNLH])?(\/MUI:[XNPA])?(\/MVC:[XNLH])?(\/MVI:[XNLH])?(\/MVA:[XNLH])?(\/MSC:[XNLH])?(\/MSI:[XNLHS])?(\/MSA:[XNLHS])?(\/S:[XNP])?(\/AU:[XNY])?(\/R:[XAUI])?(\/V:[XDC])?(\/RE:[XLMH])?(\/U:(X|Clear|Green|Amber|Red))?$/;
const V2_BASE = ['AV', 'AC', 'Au', 'C', 'I', 'A'];
const V3_BASE = ['AV', 'AC', 'PR', 'UI', 'S', 'C', 'I', 'A'];

/** Each metric known, none twice, every base metric present. */
function wellFormed(metrics: string[], grammar: RegExp, base: string[]): boolean {
  const seen = new Set<string>();
  for (const m of metrics) {
    if (!grammar.test(m)) return false;
    const k = m.slice(0, m.indexOf(':'));
    if (seen.has(k)) return false;
    seen.add(k);
  }
  return base.every((k) => seen.has(k));
}

/**
 * Which CVSS version a vector string is, normalising the prefix: "CVSS:3.1/..." and "CVSS:4.0/..."
 * as is, "3.0/AV:N/..." (the Node.js security WG drops "CVSS:") repaired, and a bare v2 vector
 * ("AV:N/AC:L/Au:N/...", which has no prefix by definition). Undefined for anything that is not a
 * well-formed vector (unknown metrics, a base metric missing or repeated, v4 metrics out of order).
 */
export function cvssVector(raw: string): { type: 'CVSS_V2' | 'CVSS_V3' | 'CVSS_V4'; vector: string } | undefined {
  let v = raw.trim().replace(/^\((.*)\)$/, '$1');
  if (v.length > 300) return undefined;
  const bare = /^([234]\.\d)\/(AV:.*)$/.exec(v);
  if (bare) v = bare[1] === '2.0' ? bare[2]! : `CVSS:${bare[1]}/${bare[2]}`;
  if (/^CVSS:3\.[01]\//.test(v)) return wellFormed(v.split('/').slice(1), V3_METRIC, V3_BASE) ? { type: 'CVSS_V3', vector: v } : undefined;
  if (v.startsWith('CVSS:4.0/')) return V4.test(v) ? { type: 'CVSS_V4', vector: v } : undefined;
  if (v.startsWith('AV:')) return wellFormed(v.split('/'), V2_METRIC, V2_BASE) ? { type: 'CVSS_V2', vector: v } : undefined;
  return undefined;
}

/** Qualitative rating of a base score: CVSS v2 has three bands (NVD's), v3 and v4 FIRST's five. */
export function ratingFromScore(score: number, type: 'CVSS_V2' | 'CVSS_V3' | 'CVSS_V4'): Severity {
  if (!(score > 0) || score > 10) return 'UNKNOWN';
  if (type === 'CVSS_V2') return score < 4 ? 'LOW' : score < 7 ? 'MEDIUM' : 'HIGH';
  if (score < 4) return 'LOW';
  if (score < 7) return 'MEDIUM';
  if (score < 9) return 'HIGH';
  return 'CRITICAL';
}

const WORDS: ReadonlyMap<string, Severity> = new Map([
  ['negligible', 'LOW'],
  ['low', 'LOW'],
  ['moderate', 'MEDIUM'],
  ['medium', 'MEDIUM'],
  ['important', 'HIGH'],
  ['high', 'HIGH'],
  ['critical', 'CRITICAL'],
  ['unknown', 'UNKNOWN'],
]);

/** "HIGH", "Moderate", "medium", "low" -> Severity; undefined for words that are not a severity. */
export function severityWord(word: unknown): Severity | undefined {
  if (typeof word !== 'string') return undefined;
  return WORDS.get(word.trim().toLowerCase());
}

/** A vector statement, with the source's own score when it gave one (rated by that score). */
export function vectorScore(raw: string, source: string, score?: number): SeverityScore | undefined {
  const v = cvssVector(raw);
  if (!v) return undefined;
  const s: SeverityScore = { type: v.type, vector: v.vector, source };
  if (score !== undefined && score >= 0 && score <= 10) {
    s.score = score;
    s.rating = ratingFromScore(score, v.type);
  }
  return s;
}

/** Drops exact duplicates (a vector given both per advisory and per package). */
export function dedupeSeverity(list: SeverityScore[]): SeverityScore[] {
  const seen = new Set<string>();
  return list.filter((s) => {
    const k = JSON.stringify([s.type, s.vector, s.score, s.rating, s.source]);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
