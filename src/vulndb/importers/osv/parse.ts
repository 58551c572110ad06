// One OSV record (https://ossf.github.io/osv-schema/) to an Advisory. OSV is already close to the
// model: ranges keep their events as published (SEMVER and ECOSYSTEM; GIT commit ranges cannot be
// evaluated without the repository and are counted and skipped), `versions` lists are kept, and the
// severity statements are gathered from `severity[]` (CVSS vectors, Ubuntu's words), GHSA's
// database_specific.severity, and per-package severities.

import type { Advisory, Affected, RangeEvent, SeverityScore, VersionRange } from '../../../model/advisory.ts';
import { cvssVector, dedupeSeverity, severityWord } from '../lang-common/severity.ts';
import type { SkipTally } from '../lang-common/tally.ts';
import { isoDate, isRec, orderAliases, type Rec, str, strList, unique } from '../lang-common/values.ts';
import { mapEcosystem } from './ecosystems.ts';

export const GIT_SKIP = 'GIT range (commit ranges need the source repository; the versions list is used instead)';
export const NOTHING_LEFT_SKIP = 'advisory without any package Triad can match';

/** Where a record came from, and where to report what was wrong with it. */
export interface OsvContext {
  file: string;
  tally: SkipTally;
  warn(message: string): void;
}

/** Who a severity statement comes from, by the id's prefix: GHSA-... -> "ghsa", PYSEC-... -> "pypa". */
export function sourceOfId(id: string): string {
  const prefix = id.split('-')[0]!.toUpperCase();
  switch (prefix) {
    case 'GHSA':
      return 'ghsa';
    case 'PYSEC':
      return 'pypa';
    case 'GO':
      return 'go';
    case 'RUSTSEC':
      return 'rustsec';
    default:
      return prefix.toLowerCase();
  }
}

/** Upper bound of affected entries, ranges and events read from one record. */
const MAX_ITEMS = 10_000;

const EVENT_KEYS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;

/** One event with exactly one known key whose value is a version; undefined otherwise. */
function event(e: unknown): RangeEvent | undefined {
  if (!isRec(e)) return undefined;
  const keys = Object.keys(e).filter((k) => (EVENT_KEYS as readonly string[]).includes(k));
  if (keys.length !== 1) return undefined;
  const k = keys[0] as (typeof EVENT_KEYS)[number];
  const v = str(e[k]);
  return v === undefined ? undefined : { [k]: v };
}

function range(r: unknown, ctx: OsvContext, where: string): VersionRange | undefined {
  if (!isRec(r)) {
    ctx.warn(`${where}: range is not an object`);
    return undefined;
  }
  const type = str(r.type);
  if (type === 'GIT') {
    ctx.tally.add(GIT_SKIP, ctx.file);
    return undefined;
  }
  if (type !== 'SEMVER' && type !== 'ECOSYSTEM') {
    ctx.warn(`${where}: unknown range type ${JSON.stringify(r.type)}, range skipped`);
    return undefined;
  }
  if (!Array.isArray(r.events) || r.events.length === 0) {
    ctx.warn(`${where}: ${type} range without events, range skipped`);
    return undefined;
  }
  const events: RangeEvent[] = [];
  for (const e of r.events.slice(0, MAX_ITEMS)) {
    const ev = event(e);
    if (!ev) {
      ctx.warn(`${where}: malformed event ${JSON.stringify(e)?.slice(0, 100)}, range skipped`);
      return undefined;
    }
    events.push(ev);
  }
  if (!events.some((e) => e.introduced !== undefined)) {
    ctx.warn(`${where}: ${type} range without an "introduced" event, range skipped`);
    return undefined;
  }
  return { type, events };
}

/** Severity words an OSV producer may put in database_specific / ecosystem_specific. */
function specificSeverity(...blocks: unknown[]): ReturnType<typeof severityWord> {
  for (const b of blocks) {
    if (!isRec(b)) continue;
    const s = severityWord(b.severity) ?? severityWord(b.urgency);
    if (s) return s;
  }
  return undefined;
}

/** The `severity[]` array of a record or of one affected package. */
function severityList(list: unknown, source: string, ctx: OsvContext): SeverityScore[] {
  if (!Array.isArray(list)) return [];
  const out: SeverityScore[] = [];
  for (const s of list.slice(0, 100)) {
    if (!isRec(s)) continue;
    const type = str(s.type);
    const score = str(s.score);
    if (!type || !score) continue;
    if (type === 'Ubuntu') {
      const rating = severityWord(score);
      if (rating) out.push({ type: 'vendor', rating, source: 'ubuntu' });
      continue;
    }
    const v = cvssVector(score);
    if (v && v.type === type) out.push({ type: v.type, vector: v.vector, source });
    else ctx.warn(`severity ${JSON.stringify(type)} ${JSON.stringify(score).slice(0, 120)} is not a valid vector of that type, ignored`);
  }
  return out;
}

function affected(a: unknown, i: number, source: string, withdrawn: boolean, ctx: OsvContext, severity: SeverityScore[]): Affected | undefined {
  const where = `affected[${i}]`;
  if (!isRec(a) || !isRec(a.package)) {
    ctx.warn(`${where}: no package, entry skipped`);
    return undefined;
  }
  const ecoName = str(a.package.ecosystem);
  const name = str(a.package.name);
  if (!ecoName || !name) {
    ctx.warn(`${where}: package without ecosystem or name, entry skipped`);
    return undefined;
  }
  const mapped = mapEcosystem(ecoName);
  if ('skip' in mapped) {
    ctx.tally.add(mapped.skip, ctx.file);
    return undefined;
  }
  const ranges: VersionRange[] = [];
  if (a.ranges !== undefined && !Array.isArray(a.ranges)) ctx.warn(`${where}: "ranges" is not a list, ignored`);
  for (const [j, r] of (Array.isArray(a.ranges) ? a.ranges : []).slice(0, MAX_ITEMS).entries()) {
    const vr = range(r, ctx, `${where}.ranges[${j}]`);
    if (vr) ranges.push(vr);
  }
  const versions = unique(strList(a.versions));
  if (ranges.length === 0 && versions.length === 0) {
    // Withdrawn records often drop their ranges ("rejected CVE"): nothing to match, nothing wrong.
    if (!withdrawn) ctx.warn(`${where} (${ecoName} ${name}): no usable range or version, entry skipped`);
    return undefined;
  }
  const out: Affected = { ecosystem: mapped.ecosystem, package: name, ranges };
  if (mapped.distro) out.distro = mapped.distro;
  if (mapped.bySource) out.bySource = true;
  if (versions.length > 0) out.versions = versions;
  if (mapped.distro) {
    const hasFix = ranges.some((r) => r.type !== 'CONSTRAINT' && r.events.some((e) => e.fixed !== undefined));
    out.state = hasFix ? 'fixed' : 'affected';
  }
  const sev = specificSeverity(a.ecosystem_specific, a.database_specific);
  if (sev) out.severity = sev;
  // Go vulndb: the standard library and the go command are versioned with Go itself.
  if (mapped.ecosystem === 'golang' && (name === 'stdlib' || name === 'toolchain')) out.runtime = 'go';
  severity.push(...severityList(a.severity, source, ctx));
  return out;
}

/**
 * An OSV record to an Advisory. Throws when the record is not OSV at all (no id); problems inside
 * one affected entry skip that entry with a warning; returns undefined (counted) when no affected
 * package is left that Triad can match.
 */
export function osvToAdvisory(doc: unknown, ctx: OsvContext): Advisory | undefined {
  if (!isRec(doc)) throw new Error('not an OSV record: the document is not an object');
  const id = str(doc.id);
  if (!id) throw new Error('not an OSV record: no "id"');
  if (id.length > 200) throw new Error('not an OSV record: absurd "id"');
  // The schema requires `modified`; it also tells OSV apart from look-alikes in the same trees
  // (Go vulndb's data/reports/*.yaml have an id and no modified).
  if (doc.modified === undefined || doc.modified === null) throw new Error(`not an OSV record: ${id} has no "modified"`);
  const source = sourceOfId(id);
  const severity: SeverityScore[] = severityList(doc.severity, source, ctx);
  const dbSeverity = specificSeverity(doc.database_specific);
  if (dbSeverity) severity.push({ type: 'vendor', rating: dbSeverity, source });

  // A withdrawal dated in the future has not happened yet (Trivy's test data has one dated 3001).
  const withdrawnAt = str(doc.withdrawn);
  const withdrawn = withdrawnAt !== undefined && !(Date.parse(withdrawnAt) > Date.now()) ? withdrawnAt : undefined;
  const list = doc.affected === undefined ? [] : doc.affected;
  if (!Array.isArray(list)) throw new Error(`${id}: "affected" is not a list`);
  const aff: Affected[] = [];
  for (const [i, a] of list.slice(0, MAX_ITEMS).entries()) {
    const x = affected(a, i, source, withdrawn !== undefined, ctx, severity);
    if (x) aff.push(x);
  }
  // A withdrawn record is kept even when nothing is left to match: it is stored, never matched.
  if (list.length > 0 && aff.length === 0 && withdrawn === undefined) {
    ctx.tally.add(NOTHING_LEFT_SKIP, ctx.file);
    return undefined;
  }

  const adv: Advisory = {
    id,
    source: 'osv',
    // `upstream` names the vulnerability this record derives from (PYSEC -> its CVE; a distro
    // record -> the CVE): the same vulnerability for matching and enrichment by CVE.
    aliases: orderAliases(id, [...strList(doc.aliases), ...strList(doc.upstream)]),
    severity: dedupeSeverity(severity),
    references: unique(
      (Array.isArray(doc.references) ? doc.references : [])
        .slice(0, MAX_ITEMS)
        .map((r) => (isRec(r) ? str(r.url) : undefined))
        .filter((u): u is string => u !== undefined),
    ),
    affected: aff,
  };
  const summary = str(doc.summary);
  if (summary) adv.summary = summary;
  const details = str(doc.details);
  if (details) adv.details = details;
  const published = isoDate(doc.published);
  if (published) adv.published = published;
  const modified = isoDate(doc.modified);
  if (modified) adv.modified = modified;
  if (withdrawn) adv.withdrawn = isoDate(withdrawn) ?? withdrawn;
  const related = unique(strList(doc.related)).filter((r) => r !== id);
  if (related.length > 0) adv.related = related;
  return adv;
}

/** Records in one parsed file: a record, a list of records, or an API response {vulns: [...]}. */
export function recordsOf(doc: unknown): unknown[] {
  if (Array.isArray(doc)) return doc;
  if (isRec(doc) && doc.id === undefined && Array.isArray((doc as Rec).vulns)) return (doc as Rec).vulns as unknown[];
  return [doc];
}
