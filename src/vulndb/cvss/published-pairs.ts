// Collects (CVSS vector, score its publisher computed) pairs from real third-party files, so that the
// scorers can be checked against every published score in ../shared/data rather than against
// hand-picked examples. Used by the tests; knows no file by name, only shapes:
// - JSON / YAML objects that hold a vector string and a score side by side: NVD 2.0 `cvssData`
//   {vectorString, baseScore}, GHSA {vector_string, score}, Trivy {V3Vector, V3Score}, SARIF
//   {cvssv3_vector, cvssv3_baseScore}, ASFF {NvdCvssVectorV3, NvdCvssScoreV3}, CycloneDX ratings
//   {vector, score}, Red Hat {cvss3_scoring_vector, cvss3_base_score}, Debian {Vectors, Score}, the
//   Node.js security WG {cvss_vector, cvss_score: "6.5 (High)"} ... When an object holds several,
//   vector and score keys pair up by what is left of their names without "vector"/"score"
//   (V2Vector with V2Score, cvss3_scoring_vector with cvss3_score).
// - Prose that states both: Oracle's "CVSS 3.0 Base Score 4.3 (...). CVSS Vector: (CVSS:3.0/...)",
//   and Markdown links "7.5 (CVSS3.1)](https://www.first.org/cvss/calculator/3.1#CVSS:3.1/...)".

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';

export interface PublishedPair {
  vector: string;
  score: number;
  /** File, relative to the searched root. */
  file: string;
  /** The JSON/YAML key of the score, or 'text' for prose. */
  field: string;
}

const VECTOR_SHAPE = /^(?:CVSS:\d\.\d\/)?[A-Za-z]{1,3}:[A-Za-z]+(?:\/[A-Za-z]{1,3}:[A-Za-z]+)+\/?$/;
/** Scores that are not the vector's base/overall score. */
const OTHER_SCORE = /impact|exploit|temporal|environment|threat|epss|percentile|severity|confidence/i;
const MAX_FILE_BYTES = 32 * 1024 * 1024;

function looksLikeVector(value: unknown): value is string {
  return typeof value === 'string' && value.length < 400 && value.includes('AV:') && VECTOR_SHAPE.test(value.trim());
}

/** A numeric score: 5.3, "5.3", "6.5 (High)". */
function scoreValue(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = /^\s*(\d{1,2}(?:\.\d+)?)(?:\s|$)/.exec(value);
  return match ? Number(match[1]) : undefined;
}

function residue(key: string): string {
  return key.toLowerCase()
    .replace(/vectorstring|vectors|vector|scoring|basescore|score|string|base/g, '')
    .replace(/[^a-z0-9]/g, '');
}

function pairsInObject(obj: Record<string, unknown>, file: string, out: PublishedPair[]): void {
  const vectors: Array<[string, string]> = [];
  const scores: Array<[string, number]> = [];
  for (const [key, value] of Object.entries(obj)) {
    if (looksLikeVector(value)) vectors.push([key, value.trim()]);
    else if (/score/i.test(key) && !OTHER_SCORE.test(key)) {
      const score = scoreValue(value);
      if (score !== undefined) scores.push([key, score]);
    }
  }
  if (vectors.length === 0 || scores.length === 0) return;
  if (vectors.length === 1 && scores.length === 1) {
    out.push({ vector: vectors[0][1], score: scores[0][1], file, field: scores[0][0] });
    return;
  }
  for (const [vectorKey, vector] of vectors) {
    const r = residue(vectorKey);
    const sameVector = vectors.filter(([k]) => residue(k) === r);
    const sameScore = scores.filter(([k]) => residue(k) === r);
    if (sameVector.length === 1 && sameScore.length === 1) {
      out.push({ vector, score: sameScore[0][1], file, field: sameScore[0][0] });
    }
  }
}

function walk(value: unknown, file: string, out: PublishedPair[], depth: number): void {
  if (depth > 64 || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) walk(item, file, out, depth + 1);
    return;
  }
  const obj = value as Record<string, unknown>;
  pairsInObject(obj, file, out);
  for (const child of Object.values(obj)) walk(child, file, out, depth + 1);
}

const ORACLE_PROSE = /CVSS (\d\.\d) Base Score (\d{1,2}(?:\.\d)?)\b[^]{0,300}?CVSS Vector: \((CVSS:\d\.\d\/[A-Za-z:\/]+)\)/g;
const CALCULATOR_LINK = /(\d{1,2}\.\d) \(CVSS\d\.\d\)\]\(https?:\/\/www\.first\.org\/cvss\/calculator\/\d\.\d#(CVSS:\d\.\d\/[A-Za-z:\/]+)\)/g;

function pairsInText(text: string, file: string, out: PublishedPair[]): void {
  for (const m of text.matchAll(ORACLE_PROSE)) out.push({ vector: m[3], score: Number(m[2]), file, field: 'text' });
  for (const m of text.matchAll(CALCULATOR_LINK)) out.push({ vector: m[2], score: Number(m[1]), file, field: 'text' });
}

/** Every pair in one file's text (`name` picks the structured parser by extension or content). */
export function pairsInFile(text: string, name: string, file: string = name): PublishedPair[] {
  const out: PublishedPair[] = [];
  if (!text.includes('AV:')) return out;
  const trimmed = text.trimStart();
  let data: unknown;
  try {
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) data = JSON.parse(text);
    else if (/\.ya?ml$/.test(name)) data = parseYaml(text, { maxAliasCount: 100 });
  } catch {
    data = undefined; // not JSON/YAML after all (templates, truncated fixtures): prose patterns only
  }
  if (data !== undefined) walk(data, file, out, 0);
  // Prose: in plain text files and inside JSON/YAML string values alike (JSON escapes no letters).
  pairsInText(text, file, out);
  return out;
}

/** Every pair under `root` (recursively). Unreadable files are skipped: this reads fixtures. */
export function collectPublishedPairs(root: string): PublishedPair[] {
  const out: PublishedPair[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) { stack.push(path); continue; }
      if (!entry.isFile() || statSync(path).size > MAX_FILE_BYTES) continue;
      if (/\.(tar|gz|tgz|zst|zip|jar|db|sqlite|bin|png)$/i.test(entry.name)) continue;
      const text = readFileSync(path, 'utf8');
      out.push(...pairsInFile(text, entry.name, relative(root, path)));
    }
  }
  return out;
}
