// The database schema, shared by every source. Bulky, rarely-filtered parts (ranges, severity
// lists, references) are compact JSON in one column per row; everything a lookup filters on is a
// real, indexed column. `PRAGMA user_version` carries SCHEMA_VERSION: a file written by another
// Triad version is refused with a message instead of being misread.

export const SCHEMA_VERSION = 1;

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS sources (
  name TEXT PRIMARY KEY,
  description TEXT,
  imported_at TEXT NOT NULL,
  advisories INTEGER NOT NULL DEFAULT 0,
  affected INTEGER NOT NULL DEFAULT 0,
  kev INTEGER NOT NULL DEFAULT 0,
  epss INTEGER NOT NULL DEFAULT 0,
  warnings INTEGER NOT NULL DEFAULT 0,
  -- the first warnings, as a JSON array of "file: message" strings
  warning_samples TEXT,
  -- newest date found in the data itself (modified/published, KEV dateAdded, EPSS model date)
  data_date TEXT,
  -- where it came from: the imported paths or the upstream URLs, JSON array
  origin TEXT,
  -- JSON array of {dataset, repo, commit, licence} for redistributed data
  attribution TEXT
);

-- conditional-request validators of each downloaded upstream artefact
CREATE TABLE IF NOT EXISTS upstreams (
  source TEXT NOT NULL,
  name TEXT NOT NULL,
  url TEXT NOT NULL,
  etag TEXT,
  last_modified TEXT,
  fetched_at TEXT,
  bytes INTEGER,
  PRIMARY KEY (source, name)
);

CREATE TABLE IF NOT EXISTS advisories (
  rid INTEGER PRIMARY KEY,
  -- the importer (sources.name) whose import owns the row
  origin TEXT NOT NULL,
  source TEXT NOT NULL,
  id TEXT NOT NULL,
  withdrawn INTEGER NOT NULL DEFAULT 0,
  -- JSON: {aliases, summary, published, modified, withdrawn, severity, references}
  body TEXT NOT NULL,
  details TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS advisories_key ON advisories (source, id);
CREATE INDEX IF NOT EXISTS advisories_origin ON advisories (origin);

CREATE TABLE IF NOT EXISTS affected (
  advisory INTEGER NOT NULL,
  ecosystem TEXT NOT NULL,
  distro_family TEXT NOT NULL DEFAULT '',
  distro_release TEXT NOT NULL DEFAULT '',
  -- normalised with names.ts; the name as published stays in body.package
  name TEXT NOT NULL,
  -- JSON of the Affected minus ecosystem and distro
  body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS affected_lookup ON affected (ecosystem, name, distro_family, distro_release);
CREATE INDEX IF NOT EXISTS affected_advisory ON affected (advisory);

-- every id and alias of an advisory (its own id included), for CVE -> advisories
CREATE TABLE IF NOT EXISTS aliases (
  alias TEXT NOT NULL,
  advisory INTEGER NOT NULL,
  PRIMARY KEY (alias, advisory)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS aliases_advisory ON aliases (advisory);

CREATE TABLE IF NOT EXISTS kev (
  cve TEXT PRIMARY KEY,
  origin TEXT NOT NULL,
  date_added TEXT NOT NULL,
  due_date TEXT,
  vendor TEXT,
  product TEXT,
  name TEXT,
  ransomware INTEGER
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS epss (
  cve TEXT PRIMARY KEY,
  origin TEXT NOT NULL,
  score REAL NOT NULL,
  percentile REAL NOT NULL,
  date TEXT
) WITHOUT ROWID;
`;

/** Thrown when a file is not a Triad database or was written with another schema version. */
export class VulnDBError extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'VulnDBError';
    this.path = path;
  }
}
