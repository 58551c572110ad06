// One RubySec advisory (https://github.com/rubysec/ruby-advisory-db): YAML per (gem, vulnerability)
// under gems/<gem>/, and per (interpreter, vulnerability) under rubies/<engine>/. RubyGems
// requirement lists: `patched_versions` and `unaffected_versions` together are the versions NOT
// affected, i.e. one CONSTRAINT range with only `unaffected`. Severities are bare CVSS base scores
// (cvss_v2 / cvss_v3 / cvss_v4), rated with their version's bands.

import type { Advisory, Affected, SeverityScore, VersionRange } from '../../../model/advisory.ts';
import { ratingFromScore } from '../lang-common/severity.ts';
import { cveId, isoDate, isRec, num, orderAliases, str, strList, unique } from '../lang-common/values.ts';

/** Ruby interpreters RubySec tracks under rubies/ (the `engine` field). */
const ENGINES = new Set(['ruby', 'jruby', 'mruby', 'mrubyc', 'rbx', 'truffleruby']);

function ghsaId(v: unknown): string | undefined {
  const s = str(v);
  if (!s) return undefined;
  const m = /^(?:GHSA-)?([0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4})$/i.exec(s);
  return m ? `GHSA-${m[1]!.toLowerCase()}` : undefined;
}

function osvdbId(v: unknown): string | undefined {
  const s = str(v);
  return s && /^\d+$/.test(s) ? `OSVDB-${s}` : undefined;
}

function scores(doc: Record<string, unknown>, warn: (m: string) => void): SeverityScore[] {
  const out: SeverityScore[] = [];
  for (const [field, type] of [
    ['cvss_v2', 'CVSS_V2'],
    ['cvss_v3', 'CVSS_V3'],
    ['cvss_v4', 'CVSS_V4'],
  ] as const) {
    if (doc[field] === undefined || str(doc[field]) === undefined) continue;
    const score = num(doc[field]);
    if (score === undefined || score < 0 || score > 10) {
      warn(`${field} ${JSON.stringify(doc[field])} is not a CVSS score, ignored`);
      continue;
    }
    out.push({ type, score, rating: ratingFromScore(score, type), source: 'rubysec' });
  }
  return out;
}

/**
 * A RubySec YAML document to an Advisory. `stem` is the file name without extension, the id of
 * last resort. Throws when the document names neither a gem nor an engine or carries no id.
 */
export function parseRubysec(doc: unknown, stem: string, warn: (m: string) => void): Advisory {
  if (!isRec(doc)) throw new Error('not a RubySec advisory: the document is not a mapping');
  const gem = str(doc.gem);
  const engine = str(doc.engine);
  if (!gem && !engine) throw new Error('not a RubySec advisory: neither "gem" nor "engine"');
  if (!gem && engine && !ENGINES.has(engine)) warn(`unknown Ruby engine ${JSON.stringify(engine)}`);

  const cve = cveId(doc.cve);
  const ghsa = ghsaId(doc.ghsa);
  const osvdb = osvdbId(doc.osvdb);
  if (doc.cve !== undefined && !cve) warn(`cve ${JSON.stringify(doc.cve)} is not a CVE id, ignored`);
  const id = cve ?? ghsa ?? osvdb ?? str(stem);
  if (!id) throw new Error('advisory without cve, ghsa, osvdb or file name');

  const notAffected = unique([...strList(doc.patched_versions), ...strList(doc.unaffected_versions)]);
  const range: VersionRange = notAffected.length > 0 ? { type: 'CONSTRAINT', unaffected: notAffected } : { type: 'CONSTRAINT' };
  const affected: Affected = { ecosystem: 'gem', package: (gem ?? engine)!, ranges: [range] };
  if (!gem) affected.runtime = engine;

  const related = isRec(doc.related) ? doc.related : {};
  const relatedIds = unique([
    ...strList(related.cve).map(cveId),
    ...strList(related.ghsa).map(ghsaId),
    ...strList(related.osvdb).map(osvdbId),
  ]).filter((r): r is string => r !== undefined && r !== id && r !== cve && r !== ghsa && r !== osvdb);

  const out: Advisory = {
    id,
    source: 'rubysec',
    aliases: orderAliases(id, [cve, ghsa, osvdb].filter((x): x is string => x !== undefined)),
    severity: scores(doc, warn),
    references: unique([...strList(doc.url), ...strList(related.url)]),
    affected: [affected],
  };
  const title = str(doc.title);
  if (title) out.summary = title;
  const description = str(doc.description);
  if (description) out.details = description;
  const published = isoDate(doc.date);
  if (published) out.published = published;
  if (relatedIds.length > 0) out.related = relatedIds;
  return out;
}
