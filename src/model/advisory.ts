// The shared vulnerability model: what every advisory importer produces, what the database stores
// and what matching reads. Plain JSON-serialisable data, like the SBOM model in types.ts, so that an
// advisory can be stored once and re-matched against stored SBOMs whenever the data changes.

import type { Ecosystem } from './types.ts';

/** Qualitative severity, in Trivy's vocabulary (users grep for these words). */
export type Severity = 'UNKNOWN' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

export const SEVERITIES: readonly Severity[] = ['UNKNOWN', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

/** One severity statement about an advisory, from one source. */
export interface SeverityScore {
  /** CVSS_V2 | CVSS_V3 (3.0 and 3.1) | CVSS_V4 carry a vector; 'vendor' is a distro's own rating. */
  type: 'CVSS_V2' | 'CVSS_V3' | 'CVSS_V4' | 'vendor';
  /** The CVSS vector string as published, e.g. "CVSS:3.1/AV:N/AC:L/...". */
  vector?: string;
  /** Base score (computed from the vector when the source only gives the vector). */
  score?: number;
  /** Qualitative rating: from the score for CVSS, as written for vendor ratings (mapped to Severity). */
  rating?: Severity;
  /** Who said so: 'nvd', 'ghsa', 'debian', 'redhat', 'ubuntu', 'alpine' ... */
  source?: string;
}

/** One OSV-style event of a version range. Exactly one field is set. */
export interface RangeEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
  limit?: string;
}

/**
 * Affected versions of one package. Two shapes, because upstream data comes in two shapes:
 * - `events`: OSV's ordered introduced/fixed/last_affected list, compared with the ecosystem's
 *   version order (type SEMVER uses semver order whatever the ecosystem; ECOSYSTEM the native order).
 *   OS advisories use this too: `[{introduced:'0'},{fixed:'1.2-3+deb12u1'}]`.
 * - `constraint`: the ecosystem's own constraint syntax (npm ranges, RubyGems `~>`, Composer `^`/`,`,
 *   PEP 440 specifiers, Maven `[1.0,2.0)`, NuGet, Cargo), as RubySec, FriendsOfPHP and the Node.js
 *   security WG publish them. A version is affected when it satisfies any `affected` expression (or
 *   `affected` is absent) and satisfies no `unaffected` expression.
 */
export type VersionRange =
  | { type: 'ECOSYSTEM' | 'SEMVER'; events: RangeEvent[] }
  | { type: 'CONSTRAINT'; affected?: string[]; unaffected?: string[] };

/** The state a distro gives a package for an advisory (OS advisories only). */
export type FixState =
  /** A fixed version exists (in `ranges`). */
  | 'fixed'
  /** Affected, no fix published yet. */
  | 'affected'
  /** The distro decided not to fix (Debian "ignored", Red Hat "Will not fix", Ubuntu "ignored"). */
  | 'wont-fix'
  /** Deferred / postponed: a fix may come later. */
  | 'deferred'
  /** The release is end of life for this package. */
  | 'end-of-life'
  /** Explicitly not affected (vulnerable code not present in this release). Never matched. */
  | 'not-affected';

/** Which package (in which distro release) an advisory affects, and how. */
export interface Affected {
  ecosystem: Ecosystem;
  /**
   * OS ecosystems only: the distro and release, normalised as Triad identifies images:
   * family = os-release ID (debian, ubuntu, alpine, rhel, centos, rocky, almalinux, amzn, sles,
   * opensuse-leap ...); release = Debian major ("12"), Ubuntu "22.04", Alpine "3.14" (major.minor),
   * RHEL-family major ("8"), Amazon "2" / "2023", SLES "15.5". Debian/Ubuntu "sid"/"devel" as written.
   */
  distro?: { family: string; release: string };
  /**
   * The package name as the ecosystem spells it. Debian/Ubuntu: the SOURCE package (their trackers
   * speak in source packages); Alpine: the origin (source) package; RPM: the binary or source package
   * as the feed names it. Maven: "groupId:artifactId". Go: the module path (or "stdlib").
   */
  package: string;
  /** Debian/Ubuntu/Alpine: true when `package` is a source package name (match via Package.source). */
  bySource?: boolean;
  ranges: VersionRange[];
  /** Explicitly enumerated affected versions (OSV `versions`). */
  versions?: string[];
  /** OS advisories: the distro's state for this package. Absent for language advisories. */
  state?: FixState;
  /** A distro's own severity for this package (Debian urgency, Ubuntu priority, Red Hat impact). */
  severity?: Severity;
  /**
   * Set when `package` is (part of) a language runtime or toolchain, not a registry package; it names
   * the runtime whose own version the ranges speak of: 'go' (packages 'stdlib' and 'toolchain', Go
   * versions as "1.21.3"), 'node' (package 'node': Node.js core), 'rust' (packages 'std', 'cargo',
   * 'rustdoc': the Rust toolchain), Ruby interpreters 'ruby', 'jruby', 'mruby', 'mrubyc', 'rbx'
   * (package = the interpreter). A registry package that happens to have the same name (npm "node",
   * the "cargo" crate) must not match such an entry.
   */
  runtime?: string;
}

/** One advisory as one source published it. The same CVE from several sources is several advisories. */
export interface Advisory {
  /** The source's own id: CVE-…, GHSA-…, GO-…, PYSEC-…, RUSTSEC-…, DSA-…, ALSA-…, RHSA-… */
  id: string;
  /** Importer that produced it: 'osv', 'rustsec', 'rubysec', 'friendsofphp', 'nodejs-security-wg',
   *  'alpine-secdb', 'debian-tracker', 'ubuntu', 'redhat', 'amazon', 'suse', 'nvd', 'k8s' ... */
  source: string;
  /** Other ids of the same vulnerability (CVE ids first where known). */
  aliases: string[];
  summary?: string;
  details?: string;
  /** ISO 8601. */
  published?: string;
  modified?: string;
  /** Set when the source withdrew the advisory: it is stored but never matched. */
  withdrawn?: string;
  severity: SeverityScore[];
  references: string[];
  /** Empty for enrichment-only sources (NVD). */
  affected: Affected[];
  /** Different vulnerabilities the source says are related (OSV `related`); unlike aliases, not the same one. */
  related?: string[];
  /**
   * Set when the advisory is a notice rather than a vulnerability: RustSec's `informational`
   * ("unmaintained", "unsound", "notice"). Stored and matchable, but reports may filter these.
   */
  informational?: string;
}

/** CISA Known Exploited Vulnerabilities catalog entry. */
export interface KevEntry {
  cve: string;
  vendor?: string;
  product?: string;
  name?: string;
  /** YYYY-MM-DD */
  dateAdded: string;
  dueDate?: string;
  knownRansomware?: boolean;
}

/** FIRST EPSS score of one CVE. */
export interface EpssEntry {
  cve: string;
  /** Probability of exploitation in the next 30 days, 0..1. */
  score: number;
  /** 0..1 */
  percentile: number;
  /** Model date, YYYY-MM-DD. */
  date?: string;
}
