// Statements -> findings: the advisories that hit one package are grouped into vulnerabilities by
// their ids and aliases (CVE <-> GHSA <-> DSA/DLA <-> PYSEC ... are one vulnerability), each group
// becomes one finding named by its CVE id where there is one. Severity follows Trivy's rule: for OS
// packages the distro's own rating when it gives one, otherwise the advisories' CVSS (GHSA first),
// otherwise NVD's, looked up by CVE alias together with KEV and EPSS.

import type { Advisory, Severity, SeverityScore } from '../model/advisory.ts';
import { SEVERITIES } from '../model/advisory.ts';
import type { VulnFinding } from '../model/finding.ts';
import type { VulnDB } from '../vulndb/store.ts';
import { fixedVersions } from '../version/affected.ts';
import type { RawHit } from './lookup.ts';

/** The package-independent part of a finding: computed once per (package version, statements). */
export type FindingTemplate = Omit<VulnFinding, 'packageId' | 'packageName' | 'ecosystem' | 'purl' | 'installedVersion' | 'locations' | 'layer' | 'inBaseImage' | 'ownedBy'>;

/** What matching reads of an advisory besides its affected rows. */
export interface AdvisoryInfo {
  aliases: string[];
  summary?: string;
  details?: string;
  published?: string;
  modified?: string;
  severity: SeverityScore[];
  references: string[];
  informational?: string;
}

const DISTRO_SOURCES = new Set(['debian-tracker', 'ubuntu', 'alpine-secdb', 'redhat', 'wolfi', 'chainguard', 'amazon', 'suse', 'rocky', 'almalinux', 'oracle', 'photon', 'mariner']);
const MAX_REFERENCES = 40;

const rank = (s: Severity): number => SEVERITIES.indexOf(s);

export class AdvisoryCache {
  private readonly db: VulnDB;
  private readonly infos = new Map<string, AdvisoryInfo>();
  private readonly enrich = new Map<string, ReturnType<VulnDB['enrichment']>>();

  constructor(db: VulnDB) {
    this.db = db;
  }

  info(source: string, id: string): AdvisoryInfo {
    const key = `${source}\0${id}`;
    let hit = this.infos.get(key);
    if (!hit) {
      const a: Advisory | undefined = this.db.advisory(id, source);
      hit = {
        aliases: a?.aliases ?? [],
        ...(a?.summary ? { summary: a.summary } : {}),
        ...(a?.details ? { details: a.details } : {}),
        ...(a?.published ? { published: a.published } : {}),
        ...(a?.modified ? { modified: a.modified } : {}),
        severity: a?.severity ?? [],
        references: a?.references ?? [],
        ...(a?.informational ? { informational: a.informational } : {}),
      };
      if (this.infos.size > 100_000) this.infos.clear();
      this.infos.set(key, hit);
    }
    return hit;
  }

  enrichment(cves: string[]): ReturnType<VulnDB['enrichment']> {
    const key = cves.join(',');
    let hit = this.enrich.get(key);
    if (!hit) {
      hit = this.db.enrichment(cves);
      if (this.enrich.size > 100_000) this.enrich.clear();
      this.enrich.set(key, hit);
    }
    return hit;
  }
}

/** One statement as grouping sees it: the ids it is known by, and ids to show but not join on. */
export interface Unit {
  hit: RawHit;
  keys: string[];
  notices: string[];
}

const CVE = /^CVE-\d{4}-\d+$/;

/**
 * A notice fixing several CVEs at once (DSA/DLA/RHSA/USN list them as aliases) is not one
 * vulnerability: it becomes one unit per CVE, with the notice id shown as an alias but never used
 * to join, so two CVEs fixed by the same DSA stay two findings (as Trivy reports them).
 */
export function unitsOf(hits: RawHit[], infos: AdvisoryCache): Unit[] {
  return hits.flatMap((hit) => {
    const ids = [hit.id, ...infos.info(hit.source, hit.id).aliases];
    const cves = [...new Set(ids.filter((x) => CVE.test(x)))];
    if (cves.length > 1) return cves.map((c) => ({ hit, keys: [c], notices: CVE.test(hit.id) ? [] : [hit.id] }));
    return [{ hit, keys: [...new Set(ids)], notices: [] }];
  });
}

/** Groups units into vulnerabilities by shared ids/aliases (union-find over ids). */
export function groupByAlias(units: Unit[]): Unit[][] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    let c = x;
    while (c !== r) {
      const n = parent.get(c)!;
      parent.set(c, r);
      c = n;
    }
    return r;
  };
  for (const u of units) {
    for (const k of u.keys) if (!parent.has(k)) parent.set(k, k);
    const root = find(u.keys[0]!);
    for (const k of u.keys.slice(1)) {
      const rk = find(k);
      if (rk !== root) parent.set(rk, root);
    }
  }
  const groups = new Map<string, Unit[]>();
  for (const u of units) {
    const r = find(u.keys[0]!);
    const g = groups.get(r);
    if (g) g.push(u);
    else groups.set(r, [u]);
  }
  return [...groups.values()];
}

/** The qualitative rating of a CVSS statement: as given, else from its base score (FIRST's bands). */
export function ratingOf(s: SeverityScore): Severity | undefined {
  if (s.rating && s.rating !== 'UNKNOWN') return s.rating;
  if (typeof s.score !== 'number' || !(s.score > 0)) return undefined;
  if (s.type === 'CVSS_V2') return s.score >= 7 ? 'HIGH' : s.score >= 4 ? 'MEDIUM' : 'LOW';
  return s.score >= 9 ? 'CRITICAL' : s.score >= 7 ? 'HIGH' : s.score >= 4 ? 'MEDIUM' : 'LOW';
}

function cvssRating(scores: SeverityScore[], pref: (s: SeverityScore) => boolean): SeverityScore | undefined {
  const order = ['CVSS_V3', 'CVSS_V4', 'CVSS_V2'];
  const withRating = scores.filter((s) => s.type !== 'vendor' && ratingOf(s) && pref(s)).map((s) => ({ ...s, rating: ratingOf(s) }));
  withRating.sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
  return withRating[0];
}

function pickSeverity(os: boolean, group: RawHit[], infos: AdvisoryInfo[], nvd: SeverityScore[]): { severity: Severity; source?: string } {
  const own = group.map((h) => ({ sev: h.affected.severity, source: h.source })).filter((x) => x.sev && x.sev !== 'UNKNOWN');
  const vendor = infos.flatMap((i) => i.severity).filter((s) => s.type === 'vendor' && s.rating && s.rating !== 'UNKNOWN');
  const all = infos.flatMap((i) => i.severity);
  if (os) {
    if (own[0]) return { severity: own[0].sev!, source: sourceName(own[0].source) };
    if (vendor[0]) return { severity: vendor[0].rating!, ...(vendor[0].source ? { source: vendor[0].source } : {}) };
  }
  const ghsa = cvssRating(all, (s) => s.source === 'ghsa') ?? cvssRating(all, () => true);
  if (ghsa) return { severity: ghsa.rating!, source: ghsa.source ?? 'advisory' };
  const n = cvssRating(nvd, () => true);
  if (n) return { severity: n.rating!, source: 'nvd' };
  if (!os && own[0]) return { severity: own[0].sev!, source: sourceName(own[0].source) };
  if (!os && vendor[0]) return { severity: vendor[0].rating!, ...(vendor[0].source ? { source: vendor[0].source } : {}) };
  return { severity: 'UNKNOWN' };
}

function sourceName(source: string): string {
  return source === 'debian-tracker' ? 'debian' : source === 'alpine-secdb' ? 'alpine' : source;
}

function chooseId(group: Unit[]): { id: string; aliases: string[] } {
  const unique = [...new Set(group.flatMap((u) => [...u.keys, ...u.notices]))];
  const cves = unique.filter((x) => CVE.test(x)).sort();
  const id = cves[0] ?? group[0]!.hit.id;
  return { id, aliases: unique.filter((x) => x !== id) };
}

function dedupeScores(list: SeverityScore[]): SeverityScore[] {
  const seen = new Set<string>();
  return list.filter((s) => {
    const k = `${s.type}\0${s.vector ?? ''}\0${s.rating ?? ''}\0${s.source ?? ''}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Fix versions of one statement: the model's fixed events / unaffected bounds, else the exclusive
 * upper bounds of CONSTRAINT `affected` expressions (FriendsOfPHP's ">=6.0.0,<6.5.6" says 6.5.6
 * fixes that branch) that lie above the compared version.
 */
function fixedOf(h: RawHit): string[] {
  const direct = fixedVersions(h.affected);
  if (direct.length) return direct;
  const out: string[] = [];
  for (const r of h.affected.ranges ?? []) {
    if (r.type !== 'CONSTRAINT') continue;
    for (const expr of r.affected ?? []) {
      for (const m of expr.matchAll(/<\s*(?!=)\s*v?([0-9][^\s,|<>=!~^]*)/g)) out.push(m[1]!);
    }
  }
  return [...new Set(out)];
}

const STATE_ORDER = ['affected', 'deferred', 'wont-fix', 'end-of-life'] as const;

/**
 * One finding template per vulnerability. For OS packages the statements of the preferred distro
 * key come first and decide; `os` selects the distro severity rule.
 */
export function buildTemplates(hits: RawHit[], os: boolean, cache: AdvisoryCache, opts: { includeInformational?: boolean }): FindingTemplate[] {
  const usable = hits.filter((h) => opts.includeInformational || !cache.info(h.source, h.id).informational);
  const out: FindingTemplate[] = [];
  for (const units of groupByAlias(unitsOf(usable, cache))) {
    // Preferred distro key first; distro sources before the others.
    const sorted = [...units].sort((a, b) => a.hit.keyRank - b.hit.keyRank || Number(DISTRO_SOURCES.has(b.hit.source)) - Number(DISTRO_SOURCES.has(a.hit.source)));
    const group = [...new Set(sorted.map((u) => u.hit))];
    const best = group.filter((h) => h.keyRank === group[0]!.keyRank);
    const infos = group.map((h) => cache.info(h.source, h.id));
    const { id, aliases } = chooseId(sorted);
    const cves = [id, ...aliases].filter((x) => x.startsWith('CVE-'));
    const e = cves.length ? cache.enrichment(cves) : { nvdSeverity: [] as SeverityScore[] };
    const fixed = [...new Set(best.flatMap((h) => fixedOf(h)))];
    let status: FindingTemplate['status'] = 'affected';
    if (fixed.length) status = 'fixed';
    else {
      const states = best.map((h) => h.affected.state).filter((s): s is (typeof STATE_ORDER)[number] => (STATE_ORDER as readonly string[]).includes(s ?? ''));
      for (const s of STATE_ORDER) if (states.includes(s)) status = s;
    }
    const sev = pickSeverity(os, best, infos, e.nvdSeverity);
    const primary = infos[0]!;
    const title = infos.find((i) => i.summary)?.summary;
    const description = infos.find((i) => i.details)?.details;
    const t: FindingTemplate = {
      id,
      aliases,
      sources: [...new Set(group.map((h) => h.source))],
      fixedVersions: fixed,
      status,
      severity: sev.severity,
      ...(sev.source ? { severitySource: sev.source } : {}),
      cvss: dedupeScores([...infos.flatMap((i) => i.severity), ...e.nvdSeverity]),
      ...(title ? { title } : {}),
      ...(description ? { description } : {}),
      references: [...new Set(infos.flatMap((i) => i.references))].slice(0, MAX_REFERENCES),
      ...(primary.published ? { published: primary.published } : {}),
      ...(primary.modified ? { modified: primary.modified } : {}),
    };
    if (e.kev) t.kev = { dateAdded: e.kev.dateAdded, ...(e.kev.dueDate ? { dueDate: e.kev.dueDate } : {}), ...(e.kev.knownRansomware !== undefined ? { knownRansomware: e.kev.knownRansomware } : {}) };
    if (e.epss) t.epss = { score: e.epss.score, percentile: e.epss.percentile, ...(e.epss.date ? { date: e.epss.date } : {}) };
    out.push(t);
  }
  return out.sort((a, b) => rank(b.severity) - rank(a.severity) || a.id.localeCompare(b.id));
}
