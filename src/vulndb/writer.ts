// The database, write side: a source's records are replaced as a whole inside one transaction, so
// readers of the file (and a failed import) only ever see the old set or the new one. The sink
// given to importers validates what it stores: a malformed record becomes a counted warning.

import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Advisory, Affected, EpssEntry, KevEntry, SeverityScore } from '../model/advisory.ts';
import type { ImportSink } from './importer.ts';
import { normalizePackageName } from './names.ts';
import { fillSeverityScore } from './severity-fill.ts';

export interface SourceMeta {
  name: string;
  description?: string;
  origin: string[];
  attribution?: Array<{ dataset: string; repo?: string; commit?: string; licence?: string }>;
}

export interface WriteOptions {
  /** Leave out advisories' `details` text (the bundled snapshot does, to stay small). */
  dropDetails?: boolean;
  /** Called for every warning as it happens (the CLI prints them with --verbose). */
  onWarning?: (file: string, message: string) => void;
}

export interface SourceCounts {
  advisories: number;
  affected: number;
  kev: number;
  epss: number;
  warnings: number;
  warningSamples: string[];
  dataDate?: string;
}

const MAX_WARNING_SAMPLES = 50;
const CVE_RE = /^CVE-\d{4}-\d{4,}$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}/;

type Sink = ImportSink & { counts: SourceCounts };

function laterDate(a: string | undefined, b: unknown): string | undefined {
  if (typeof b !== 'string' || !DATE_RE.test(b)) return a;
  const d = b.slice(0, 10);
  return !a || d > a ? d : a;
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

/** Why an advisory cannot be stored, or undefined when it can. */
function advisoryProblem(a: Advisory): string | undefined {
  if (!a || typeof a !== 'object') return 'not an object';
  if (typeof a.id !== 'string' || !a.id) return 'advisory without an id';
  if (typeof a.source !== 'string' || !a.source) return `${a.id}: no source`;
  if (!isStringArray(a.aliases)) return `${a.id}: aliases is not a list of strings`;
  if (!Array.isArray(a.severity)) return `${a.id}: severity is not a list`;
  if (!isStringArray(a.references)) return `${a.id}: references is not a list of strings`;
  if (!Array.isArray(a.affected)) return `${a.id}: affected is not a list`;
  return undefined;
}

function affectedProblem(f: Affected): string | undefined {
  if (!f || typeof f !== 'object') return 'affected entry is not an object';
  if (typeof f.ecosystem !== 'string' || !f.ecosystem) return 'affected entry without an ecosystem';
  if (typeof f.package !== 'string' || !f.package.trim()) return 'affected entry without a package name';
  if (!Array.isArray(f.ranges)) return `${f.package}: ranges is not a list`;
  if (f.versions !== undefined && !isStringArray(f.versions)) return `${f.package}: versions is not a list of strings`;
  if (f.distro !== undefined && (typeof f.distro?.family !== 'string' || typeof f.distro?.release !== 'string')) return `${f.package}: malformed distro`;
  return undefined;
}

function union<T>(a: T[], b: T[]): T[] {
  const seen = new Set(a.map((x) => JSON.stringify(x)));
  const out = [...a];
  for (const x of b) if (!seen.has(JSON.stringify(x))) out.push(x), seen.add(JSON.stringify(x));
  return out;
}

export class VulnDBWriter {
  readonly db: DatabaseSync;
  private readonly opts: WriteOptions;
  private readonly s: Record<string, StatementSync>;

  constructor(db: DatabaseSync, opts: WriteOptions = {}) {
    this.db = db;
    this.opts = opts;
    this.s = {
      insAdvisory: db.prepare('INSERT INTO advisories (origin, source, id, withdrawn, body, details) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (source, id) DO NOTHING RETURNING rid'),
      getAdvisory: db.prepare('SELECT rid, origin, body, details FROM advisories WHERE source = ? AND id = ?'),
      updAdvisory: db.prepare('UPDATE advisories SET body = ?, withdrawn = ?, details = ? WHERE rid = ?'),
      insAffected: db.prepare('INSERT INTO affected (advisory, ecosystem, distro_family, distro_release, name, body) VALUES (?, ?, ?, ?, ?, ?)'),
      insAlias: db.prepare('INSERT OR IGNORE INTO aliases (alias, advisory) VALUES (?, ?)'),
      insKev: db.prepare('INSERT OR REPLACE INTO kev (cve, origin, date_added, due_date, vendor, product, name, ransomware) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      insEpss: db.prepare('INSERT OR REPLACE INTO epss (cve, origin, score, percentile, date) VALUES (?, ?, ?, ?, ?)'),
    };
  }

  /**
   * Replaces everything source `meta.name` holds with what `fill` emits, atomically. If `fill`
   * rejects (or, with `requireRecords`, emits nothing usable), the transaction is rolled back, the
   * source keeps its previous records, and the error propagates.
   */
  async replaceSource(meta: SourceMeta, fill: (sink: ImportSink) => Promise<void>, opts: { requireRecords?: boolean } = {}): Promise<SourceCounts> {
    const db = this.db;
    db.exec('BEGIN');
    try {
      this.deleteSource(meta.name);
      const sink = this.sink(meta.name);
      await fill(sink);
      const c = sink.counts;
      if (opts.requireRecords && c.advisories + c.kev + c.epss === 0) {
        const first = c.warningSamples[0] ? ` (first warning: ${c.warningSamples[0]})` : '';
        throw new Error(`${meta.name}: the new data holds no records${first}; keeping the previous data`);
      }
      db.prepare(
        `INSERT OR REPLACE INTO sources (name, description, imported_at, advisories, affected, kev, epss, warnings, warning_samples, data_date, origin, attribution)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(meta.name, meta.description ?? null, new Date().toISOString(), c.advisories, c.affected, c.kev, c.epss, c.warnings, JSON.stringify(c.warningSamples), c.dataDate ?? null, JSON.stringify(meta.origin), JSON.stringify(meta.attribution ?? []));
      db.exec('COMMIT');
      return c;
    } catch (e) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw e;
    }
  }

  /** Records the conditional-request validators of a downloaded artefact. */
  recordUpstream(source: string, name: string, url: string, v: { etag?: string; lastModified?: string; bytes?: number }): void {
    this.db
      .prepare('INSERT OR REPLACE INTO upstreams (source, name, url, etag, last_modified, fetched_at, bytes) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(source, name, url, v.etag ?? null, v.lastModified ?? null, new Date().toISOString(), v.bytes ?? null);
  }

  private deleteSource(name: string): void {
    const db = this.db;
    db.prepare('DELETE FROM aliases WHERE advisory IN (SELECT rid FROM advisories WHERE origin = ?)').run(name);
    db.prepare('DELETE FROM affected WHERE advisory IN (SELECT rid FROM advisories WHERE origin = ?)').run(name);
    db.prepare('DELETE FROM advisories WHERE origin = ?').run(name);
    db.prepare('DELETE FROM kev WHERE origin = ?').run(name);
    db.prepare('DELETE FROM epss WHERE origin = ?').run(name);
  }

  private sink(origin: string): Sink {
    const counts: SourceCounts = { advisories: 0, affected: 0, kev: 0, epss: 0, warnings: 0, warningSamples: [] };
    const s = this.s;
    const opts = this.opts;
    const warn = (file: string, message: string): void => {
      counts.warnings++;
      if (counts.warningSamples.length < MAX_WARNING_SAMPLES) counts.warningSamples.push(`${file}: ${message}`);
      opts.onWarning?.(file, message);
    };
    const scoreAll = (list: SeverityScore[]): SeverityScore[] =>
      list.filter((x) => x && typeof x === 'object').map(fillSeverityScore);

    const storeAffected = (rid: number, list: Affected[], id: string): void => {
      for (const f of list) {
        const problem = affectedProblem(f);
        if (problem) {
          warn(id, problem);
          continue;
        }
        const { ecosystem, distro, ...rest } = f;
        s.insAffected.run(rid, ecosystem, distro?.family ?? '', distro?.release ?? '', normalizePackageName(ecosystem, f.package), JSON.stringify(rest));
        counts.affected++;
      }
    };

    return {
      counts,
      warn,
      advisory(a: Advisory): void {
        const problem = advisoryProblem(a);
        if (problem) {
          warn(typeof a?.id === 'string' ? a.id : '(advisory)', problem);
          return;
        }
        // Everything but the parts stored elsewhere (id/source columns, details column, affected
        // rows): model fields added later are stored without a schema change.
        const { id: _id, source: _source, details: _details, affected: _affected, ...rest } = a;
        const body = { ...rest, severity: scoreAll(a.severity) };
        const details = !opts.dropDetails && typeof a.details === 'string' && a.details ? a.details : null;
        const ins = s.insAdvisory.get(origin, a.source, a.id, a.withdrawn ? 1 : 0, JSON.stringify(body), details) as { rid: number } | undefined;
        let rid: number;
        if (ins) {
          rid = ins.rid;
          counts.advisories++;
        } else {
          // The same advisory again (sources that publish one record per release or per package):
          // one advisory, the union of what the records say.
          const old = s.getAdvisory.get(a.source, a.id) as { rid: number; origin: string; body: string; details: string | null };
          if (old.origin !== origin) {
            warn(a.id, `already imported by source ${old.origin}; skipped`);
            return;
          }
          rid = old.rid;
          const prev = JSON.parse(old.body) as typeof body;
          const merged = {
            ...prev,
            aliases: union(prev.aliases, body.aliases),
            severity: union(prev.severity, body.severity),
            references: union(prev.references, body.references),
            ...(prev.related || body.related ? { related: union(prev.related ?? [], body.related ?? []) } : {}),
            ...(!prev.summary && body.summary ? { summary: body.summary } : {}),
            ...(body.published && (!prev.published || body.published < prev.published) ? { published: body.published } : {}),
            ...(body.modified && (!prev.modified || body.modified > prev.modified) ? { modified: body.modified } : {}),
          };
          s.updAdvisory.run(JSON.stringify(merged), merged.withdrawn ? 1 : 0, old.details ?? details, rid);
        }
        s.insAlias.run(a.id, rid);
        for (const alias of a.aliases) if (alias) s.insAlias.run(alias, rid);
        storeAffected(rid, a.affected, a.id);
        counts.dataDate = laterDate(laterDate(counts.dataDate, a.published), a.modified);
      },
      kev(e: KevEntry): void {
        if (!e || typeof e.cve !== 'string' || !CVE_RE.test(e.cve)) return warn(String(e?.cve ?? '(kev)'), 'KEV entry without a valid CVE id');
        if (typeof e.dateAdded !== 'string' || !DATE_RE.test(e.dateAdded)) return warn(e.cve, 'KEV entry without a valid dateAdded');
        s.insKev.run(e.cve, origin, e.dateAdded, e.dueDate ?? null, e.vendor ?? null, e.product ?? null, e.name ?? null, e.knownRansomware === undefined ? null : e.knownRansomware ? 1 : 0);
        counts.kev++;
        counts.dataDate = laterDate(counts.dataDate, e.dateAdded);
      },
      epss(e: EpssEntry): void {
        if (!e || typeof e.cve !== 'string' || !CVE_RE.test(e.cve)) return warn(String(e?.cve ?? '(epss)'), 'EPSS entry without a valid CVE id');
        const ok = (n: unknown): boolean => typeof n === 'number' && Number.isFinite(n) && n >= 0 && n <= 1;
        if (!ok(e.score) || !ok(e.percentile)) return warn(e.cve, 'EPSS score or percentile outside 0..1');
        s.insEpss.run(e.cve, origin, e.score, e.percentile, e.date ?? null);
        counts.epss++;
        counts.dataDate = laterDate(counts.dataDate, e.date);
      },
    };
  }
}
