// The vulnerability database, read side: what matching asks of it. One SQLite file (node:sqlite),
// opened read-only by scans. Lookups go through prepared statements on the (ecosystem, name, distro)
// index; results are cached per key because a scan asks for the same package many times (and a
// fleet of SBOMs asks for the same few thousand packages over and over).

import { existsSync, statSync } from 'node:fs';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { Advisory, Affected, EpssEntry, KevEntry, SeverityScore } from '../model/advisory.ts';
import type { Ecosystem } from '../model/types.ts';
import { normalizePackageName } from './names.ts';
import { SCHEMA_SQL, SCHEMA_VERSION, VulnDBError } from './schema.ts';

export interface OpenOptions {
  /** Default true. A read-only handle never writes, never creates a journal. */
  readonly?: boolean;
  /** Writable handles only: create the file and schema when absent. */
  create?: boolean;
}

/** One affected-package statement found for a lookup. Treat as read-only: results are shared. */
export interface AffectedMatch {
  /** Advisory id as its source publishes it. */
  id: string;
  source: string;
  affected: Affected;
}

export interface Enrichment {
  kev?: KevEntry;
  /** The highest EPSS score among the given CVEs. */
  epss?: EpssEntry;
  /** NVD's CVSS statements for the given CVEs. */
  nvdSeverity: SeverityScore[];
}

export interface SourceStatus {
  name: string;
  description?: string;
  importedAt: string;
  advisories: number;
  affected: number;
  kev: number;
  epss: number;
  warnings: number;
  warningSamples: string[];
  dataDate?: string;
  origin: string[];
  attribution: Array<{ dataset: string; repo?: string; commit?: string; licence?: string }>;
}

export interface DBStatus {
  path: string;
  sizeBytes: number;
  schemaVersion: number;
  sources: SourceStatus[];
  /** What `triad db update` downloaded last, with the validators of its next conditional request. */
  upstreams: Array<{ source: string; name: string; url: string; etag?: string; lastModified?: string; fetchedAt?: string; bytes?: number }>;
}

const CACHE_LIMIT = 100_000;

interface AffectedRow {
  id: string;
  source: string;
  ecosystem: string;
  distro_family: string;
  distro_release: string;
  body: string;
}

function parseJSON<T>(text: unknown, fallback: T): T {
  if (typeof text !== 'string' || text === '') return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/** Opens the SQLite file, checking that it is a Triad database of this schema version. */
export function openDatabase(path: string, opts: OpenOptions = {}): DatabaseSync {
  const readonly = opts.readonly ?? true;
  if (!existsSync(path)) {
    if (readonly || !opts.create) throw new VulnDBError(path, 'no vulnerability database here (run `triad db update` or `triad db import`)');
  }
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path, { readOnly: readonly });
  } catch (e) {
    throw new VulnDBError(path, `cannot open: ${(e as Error).message}`);
  }
  try {
    const version = (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
    if (version === 0) {
      const tables = (db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n;
      if (tables > 0 || readonly) throw new VulnDBError(path, 'not a Triad vulnerability database (no schema version)');
      db.exec(SCHEMA_SQL);
      db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    } else if (version !== SCHEMA_VERSION) {
      throw new VulnDBError(path, `database schema version ${version}, this Triad reads version ${SCHEMA_VERSION}: run \`triad db update\` or rebuild it with \`triad db import\``);
    }
  } catch (e) {
    db.close();
    if (e instanceof VulnDBError) throw e;
    throw new VulnDBError(path, `not a usable vulnerability database: ${(e as Error).message}`);
  }
  return db;
}

export class VulnDB {
  readonly path: string;
  readonly db: DatabaseSync;
  private readonly affectedCache = new Map<string, AffectedMatch[]>();
  private stmts: Record<string, StatementSync> = {};

  constructor(path: string, db: DatabaseSync) {
    this.path = path;
    this.db = db;
  }

  private stmt(key: string, sql: string): StatementSync {
    return (this.stmts[key] ??= this.db.prepare(sql));
  }

  /**
   * Affected statements for a package, withdrawn advisories excluded. Language packages: leave
   * `distro` out (only rows without a distro are returned). OS packages: the distro family and
   * release as Affected.distro spells them; only that release's rows are returned.
   */
  affectedFor(ecosystem: Ecosystem | string, name: string, distro?: { family: string; release: string }): AffectedMatch[] {
    const norm = normalizePackageName(ecosystem, name);
    const family = distro?.family ?? '';
    const release = distro?.release ?? '';
    const key = `${ecosystem}\0${norm}\0${family}\0${release}`;
    const hit = this.affectedCache.get(key);
    if (hit) return hit;
    const rows = this.stmt(
      'affected',
      `SELECT a.id, a.source, f.ecosystem, f.distro_family, f.distro_release, f.body
       FROM affected f JOIN advisories a ON a.rid = f.advisory
       WHERE f.ecosystem = ? AND f.name = ? AND f.distro_family = ? AND f.distro_release = ? AND a.withdrawn = 0`,
    ).all(ecosystem, norm, family, release) as unknown as AffectedRow[];
    const out = rows.map((r) => ({ id: r.id, source: r.source, affected: rowToAffected(r) }));
    if (this.affectedCache.size >= CACHE_LIMIT) this.affectedCache.clear();
    this.affectedCache.set(key, out);
    return out;
  }

  /** The whole advisory (with all its affected packages), or undefined. */
  advisory(id: string, source: string): Advisory | undefined {
    const row = this.stmt('advisory', 'SELECT rid, id, source, body, details FROM advisories WHERE source = ? AND id = ?').get(source, id) as
      | { rid: number; id: string; source: string; body: string; details: string | null }
      | undefined;
    if (!row) return undefined;
    const body = parseJSON<Partial<Advisory>>(row.body, {});
    const affected = (this.stmt('advisoryAffected', 'SELECT ecosystem, distro_family, distro_release, body FROM affected WHERE advisory = ?').all(row.rid) as unknown as AffectedRow[]).map(rowToAffected);
    return {
      ...body,
      id: row.id,
      source: row.source,
      aliases: body.aliases ?? [],
      ...(row.details ? { details: row.details } : {}),
      severity: body.severity ?? [],
      references: body.references ?? [],
      affected,
    };
  }

  /** Every advisory (any source) that has `alias` as its id or one of its aliases. */
  advisoriesWithAlias(alias: string): Array<{ id: string; source: string }> {
    return this.stmt('alias', 'SELECT a.id, a.source FROM aliases x JOIN advisories a ON a.rid = x.advisory WHERE x.alias = ?').all(alias) as unknown as Array<{ id: string; source: string }>;
  }

  /** KEV, EPSS and NVD CVSS for a vulnerability known by these CVE ids (an advisory's id + aliases). */
  enrichment(cveIds: readonly string[]): Enrichment {
    const out: Enrichment = { nvdSeverity: [] };
    for (const cve of new Set(cveIds)) {
      if (!cve.startsWith('CVE-')) continue;
      if (!out.kev) {
        const k = this.stmt('kev', 'SELECT cve, date_added, due_date, vendor, product, name, ransomware FROM kev WHERE cve = ?').get(cve) as Record<string, unknown> | undefined;
        if (k) out.kev = rowToKev(k);
      }
      const e = this.stmt('epss', 'SELECT cve, score, percentile, date FROM epss WHERE cve = ?').get(cve) as
        | { cve: string; score: number; percentile: number; date: string | null }
        | undefined;
      if (e && (!out.epss || e.score > out.epss.score)) out.epss = { cve: e.cve, score: e.score, percentile: e.percentile, ...(e.date ? { date: e.date } : {}) };
      const n = this.stmt('nvd', "SELECT body FROM advisories WHERE source = 'nvd' AND id = ?").get(cve) as { body: string } | undefined;
      if (n) out.nvdSeverity.push(...parseJSON<Partial<Advisory>>(n.body, {}).severity ?? []);
    }
    return out;
  }

  status(): DBStatus {
    const rows = this.db.prepare('SELECT * FROM sources ORDER BY name').all() as Array<Record<string, unknown>>;
    return {
      path: this.path,
      sizeBytes: existsSync(this.path) ? statSync(this.path).size : 0,
      schemaVersion: SCHEMA_VERSION,
      sources: rows.map((r) => ({
        name: String(r.name),
        ...(r.description ? { description: String(r.description) } : {}),
        importedAt: String(r.imported_at),
        advisories: Number(r.advisories),
        affected: Number(r.affected),
        kev: Number(r.kev),
        epss: Number(r.epss),
        warnings: Number(r.warnings),
        warningSamples: parseJSON<string[]>(r.warning_samples, []),
        ...(r.data_date ? { dataDate: String(r.data_date) } : {}),
        origin: parseJSON<string[]>(r.origin, []),
        attribution: parseJSON<SourceStatus['attribution']>(r.attribution, []),
      })),
      upstreams: (this.db.prepare('SELECT * FROM upstreams ORDER BY source, name').all() as Array<Record<string, string | number | null>>).map((u) => ({
        source: String(u.source),
        name: String(u.name),
        url: String(u.url),
        ...(u.etag ? { etag: String(u.etag) } : {}),
        ...(u.last_modified ? { lastModified: String(u.last_modified) } : {}),
        ...(u.fetched_at ? { fetchedAt: String(u.fetched_at) } : {}),
        ...(u.bytes !== null && u.bytes !== undefined ? { bytes: Number(u.bytes) } : {}),
      })),
    };
  }

  close(): void {
    this.affectedCache.clear();
    this.stmts = {};
    if (this.db.isOpen) this.db.close();
  }
}

function rowToAffected(r: Pick<AffectedRow, 'ecosystem' | 'distro_family' | 'distro_release' | 'body'>): Affected {
  const body = parseJSON<Omit<Affected, 'ecosystem' | 'distro'>>(r.body, { package: '', ranges: [] });
  return {
    ecosystem: r.ecosystem as Ecosystem,
    ...(r.distro_family ? { distro: { family: r.distro_family, release: r.distro_release } } : {}),
    ...body,
  };
}

function rowToKev(k: Record<string, unknown>): KevEntry {
  return {
    cve: String(k.cve),
    dateAdded: String(k.date_added),
    ...(k.due_date ? { dueDate: String(k.due_date) } : {}),
    ...(k.vendor ? { vendor: String(k.vendor) } : {}),
    ...(k.product ? { product: String(k.product) } : {}),
    ...(k.name ? { name: String(k.name) } : {}),
    ...(k.ransomware !== null && k.ransomware !== undefined ? { knownRansomware: Boolean(k.ransomware) } : {}),
  };
}

/** Opens a database for lookups (read-only unless `readonly: false`). */
export function openVulnDB(path: string, opts: OpenOptions = {}): VulnDB {
  return new VulnDB(path, openDatabase(path, opts));
}
