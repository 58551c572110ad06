// What a scan found, for every report format (table, JSON, SARIF, CycloneDX VDR, JUnit) and for
// exit-code gating. Vulnerability findings are defined here; secret and misconfiguration findings
// keep their own types beside their engines and are carried in the same report.

import type { Severity, SeverityScore } from './advisory.ts';
import type { Ecosystem, Inventory, LayerRef, OwnerRef } from './types.ts';
import type { MisconfigFinding } from '../misconfig/types.ts';
import type { SecretFinding } from '../secret/types.ts';

/** One advisory affecting one installed package. */
export interface VulnFinding {
  /** The advisory id shown to users (a CVE id where the source has one, else the source's id). */
  id: string;
  /** All other ids of the same vulnerability (GHSA, DSA, RUSTSEC ...). */
  aliases: string[];
  /** Advisory source(s) that matched, e.g. 'debian-tracker', 'osv'. */
  sources: string[];
  /** The Package.id in the inventory. */
  packageId: string;
  packageName: string;
  ecosystem: Ecosystem;
  purl: string;
  installedVersion: string;
  /** Versions that fix it (empty: no fix yet). */
  fixedVersions: string[];
  /** 'fixed' | 'affected' (no fix yet) | 'wont-fix' | 'deferred' | 'end-of-life'. */
  status: 'fixed' | 'affected' | 'wont-fix' | 'deferred' | 'end-of-life';
  severity: Severity;
  /** Where `severity` came from ('nvd', 'ghsa', 'debian' ...). */
  severitySource?: string;
  cvss: SeverityScore[];
  title?: string;
  description?: string;
  references: string[];
  published?: string;
  modified?: string;
  kev?: { dateAdded: string; dueDate?: string; knownRansomware?: boolean };
  epss?: { score: number; percentile: number; date?: string };
  /** Files that prove the package (from the inventory). */
  locations: string[];
  layer?: LayerRef;
  /** True when the layer belongs to the base image. */
  inBaseImage?: boolean;
  /** The OS package that installed this language package, when matched through it. */
  ownedBy?: OwnerRef;
}

/** Findings for one package, with the lowest upgrade that fixes all of them. */
export interface PackageFix {
  packageId: string;
  lowestFixAll?: string;
}

/** Why a finding is not reported: ignore file entry, VEX statement ... (kept for audit). */
export interface Suppressed {
  findingId: string;
  packageId: string;
  reason: string;
  /** 'ignorefile' | 'vex' | 'severity' | 'unfixed' */
  by: string;
}

/** The whole result of `triad image` / `triad sbom scan` / `triad fs`. */
export interface ScanReport {
  schemaVersion: 1;
  /** What was scanned: an image reference, an SBOM file or a directory. */
  target: string;
  inventory?: Inventory;
  vulnerabilities: VulnFinding[];
  fixes: PackageFix[];
  secrets: SecretFinding[];
  misconfigurations: MisconfigFinding[];
  suppressed: Suppressed[];
  /** Problems met while matching (unparsable versions, unknown ecosystems): never silent. */
  warnings: string[];
  db?: { path: string; builtAt?: string; sources: string[] };
  /** The scanners that ran, so a clean result can be told from a scan that did not happen. */
  scanners?: Array<'vuln' | 'secret' | 'misconfig'>;
  /** Targets the misconfiguration checks ran on (Dockerfiles, the image), clean ones included. */
  misconfigTargets?: string[];
  createdAt: string;
}
