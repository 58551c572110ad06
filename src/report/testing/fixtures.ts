// Test ScanReports built from real data only: inventories from scanning real image archives in
// ../shared/data/images, vulnerability findings from real advisories read by the real importers
// (Alpine secdb, RubySec, CISA KEV), secrets found by the real secret engine in
// real third-party files, misconfigurations from the real image checks and Dockerfile lint.
// The only shaping done here is the join of advisory to package (a deliberately plain version of
// what src/match does, so the report tests do not move when the matcher's policy does) and, for
// one secret, which layer it pretends to sit in (to exercise "deleted in layer N").
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import type { Advisory, KevEntry, Severity } from '../../model/advisory.ts';
import type { ScanReport, VulnFinding } from '../../model/finding.ts';
import type { Inventory, Package } from '../../model/types.ts';
import type { MisconfigFinding } from '../../misconfig/types.ts';
import { scanImageMisconfig } from '../../misconfig/image/index.ts';
import { parseDockerfile } from '../../dockerfile/dockerfile.ts';
import { lintDockerfile } from '../../dockerfile/lint.ts';
import { SecretScanner, loadRules } from '../../secret/index.ts';
import type { SecretFinding } from '../../secret/types.ts';
import { fixedVersions, isAffected } from '../../version/affected.ts';
import { schemeFor } from '../../version/index.ts';
import { alpineImporter } from '../../vulndb/importers/alpine/index.ts';
import { kevImporter } from '../../vulndb/importers/kev/index.ts';
import { rubysecImporter } from '../../vulndb/importers/rubysec/index.ts';
import { collect } from '../../vulndb/test-sink.ts';
import { hasSharedData, sharedData } from '../../../test/shared-data.ts';

export const ALPINE_310 = 'images/dockle/pkg/deckoder/extractor/image/testdata/alpine-310.tar.gz';
export const GEMFILE = 'images/snyk/test/fixtures/docker-archives/docker-save/gemfile.tar';

export function haveFixtureData(): boolean {
  return [ALPINE_310, GEMFILE, 'advisories/alpine-secdb/v3.10', 'advisories/rubysec', 'advisories/kev'].every((p) => hasSharedData(p));
}

const CREATED_AT = '2024-05-01T12:00:00.000Z';

function bestSeverity(a: Advisory): Severity {
  const rated = a.severity.filter((s) => s.rating);
  const order: Severity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'];
  for (const s of order) if (rated.some((r) => r.rating === s)) return s;
  return 'UNKNOWN';
}

/** Every (package, advisory) pair where the advisory's ranges cover the installed version. */
function join_(inv: Inventory, advisories: Advisory[], kev: Map<string, KevEntry>, release?: string): VulnFinding[] {
  const byName = new Map<string, Advisory[]>();
  for (const a of advisories) {
    for (const af of a.affected) {
      const k = `${af.ecosystem}\0${af.package}`;
      byName.set(k, [...(byName.get(k) ?? []), a]);
    }
  }
  const out: VulnFinding[] = [];
  for (const p of inv.packages) {
    const name = p.ecosystem === 'apk' ? (p.source?.name ?? p.name) : p.name;
    for (const a of byName.get(`${p.ecosystem}\0${name}`) ?? []) {
      const af = a.affected.find((x) => x.ecosystem === p.ecosystem && x.package === name && (!release || x.distro?.release === release));
      if (!af || af.runtime) continue;
      if (isAffected(p.version, af, schemeFor(p.ecosystem, inv.os?.family)) !== true) continue;
      const cve = [a.id, ...a.aliases].find((x) => x.startsWith('CVE-'));
      const id = cve ?? a.id;
      const k = cve ? kev.get(cve) : undefined;
      const fixed = fixedVersions(af);
      out.push(findingFor(p, a, id, fixed, k));
    }
  }
  return out;
}

function findingFor(p: Package, a: Advisory, id: string, fixed: string[], k: KevEntry | undefined): VulnFinding {
  const f: VulnFinding = {
    id,
    aliases: [a.id, ...a.aliases].filter((x) => x !== id),
    sources: [a.source],
    packageId: p.id,
    packageName: p.name,
    ecosystem: p.ecosystem,
    purl: p.purl,
    installedVersion: p.version,
    fixedVersions: fixed,
    status: fixed.length ? 'fixed' : 'affected',
    severity: bestSeverity(a),
    cvss: a.severity,
    references: a.references,
    locations: p.locations,
  };
  if (a.summary) f.title = a.summary;
  if (a.details) f.description = a.details;
  if (a.published) f.published = a.published;
  if (p.layer) f.layer = p.layer;
  if (k) f.kev = { dateAdded: k.dateAdded, ...(k.dueDate ? { dueDate: k.dueDate } : {}), ...(k.knownRansomware !== undefined ? { knownRansomware: k.knownRansomware } : {}) };
  return f;
}

let kevCache: Map<string, KevEntry> | undefined;
async function kevCatalog(): Promise<Map<string, KevEntry>> {
  if (!kevCache) {
    const got = await collect(kevImporter, sharedData('advisories/kev/known_exploited_vulnerabilities.json'));
    kevCache = new Map(got.kev.map((e) => [e.cve, e]));
  }
  return kevCache;
}

/** Secrets the default rules find in gitleaks' own test files, placed in the image's layers. */
function secretsIn(inv: Inventory): SecretFinding[] {
  const scanner = new SecretScanner(loadRules());
  const out: SecretFinding[] = [];
  for (const rel of ['secrets/gitleaks/testdata/repos/nogit', 'secrets/detect-secrets/test_data/files']) {
    const dir = sharedData(rel);
    for (const name of readdirSync(dir).sort()) {
      const file = join(dir, name);
      if (!statSync(file).isFile()) continue;
      out.push(...scanner.scan(`app/${name}`, readFileSync(file)).findings);
    }
  }
  const top = inv.layers.at(-1);
  // Every finding sits in the image's top layer; the second is shaped as if a later layer had
  // deleted the file (the fixture images have one layer), to exercise "deleted in layer N".
  return out.map((f, i) => {
    if (!top) return f;
    const layer = { index: top.index, diffID: top.diffID, ...(top.digest ? { digest: top.digest } : {}), ...(top.createdBy ? { createdBy: top.createdBy } : {}) };
    return i === 1 ? { ...f, layer, deletedInLayer: top.index + 1 } : { ...f, layer };
  });
}

/** Dockerfile findings (with regions) from one of trivy-checks' bad examples. */
function dockerfileFindings(): MisconfigFinding[] {
  const file = sharedData('k8s/trivy-checks/checks/docker/add_instead_of_copy.yaml');
  const text = readFileSync(file, 'utf8');
  const doc = yaml.load(text) as { dockerfile?: { bad?: string[] } };
  const body = doc.dockerfile?.bad?.[0];
  if (!body) throw new Error(`${file}: no bad example`);
  return lintDockerfile(parseDockerfile(body, 'Dockerfile')).findings;
}

const built = new Map<string, Promise<Fixture>>();

/** Scans once per process; every caller gets its own copy to change. */
async function cached(key: string, make: () => Promise<Fixture>): Promise<Fixture> {
  let p = built.get(key);
  if (!p) built.set(key, (p = make()));
  const f = await p;
  const report = structuredClone(f.report);
  return { report, inventory: report.inventory! };
}

export interface Fixture {
  report: ScanReport;
  inventory: Inventory;
}

/**
 * alpine 3.10.4 against Alpine secdb v3.10 and KEV, with image checks, secrets and a Dockerfile.
 * The image is fully patched against that secdb snapshot, so its OS target is clean: the
 * "passing" side of every report.
 */
export function alpineReport(): Promise<Fixture> {
  return cached('alpine', buildAlpineReport);
}

async function buildAlpineReport(): Promise<Fixture> {
  const { inventory, misconfig } = await scanImageMisconfig(sharedData(ALPINE_310));
  const secdb = await collect(alpineImporter, sharedData('advisories/alpine-secdb/v3.10'));
  const vulns = join_(inventory, secdb.advisories, await kevCatalog(), '3.10');
  const report: ScanReport = {
    schemaVersion: 1,
    target: inventory.image.ref,
    inventory,
    vulnerabilities: vulns,
    fixes: [],
    secrets: secretsIn(inventory),
    misconfigurations: [...misconfig.findings, ...dockerfileFindings()],
    suppressed: [],
    warnings: [],
    createdAt: CREATED_AT,
  };
  return { report, inventory };
}

/** A Gemfile.lock image (246 gems) against the RubySec advisories and KEV. */
export function gemReport(): Promise<Fixture> {
  return cached('gem', buildGemReport);
}

async function buildGemReport(): Promise<Fixture> {
  const { inventory, misconfig } = await scanImageMisconfig(sharedData(GEMFILE));
  const rubysec = await collect(rubysecImporter, sharedData('advisories/rubysec'));
  const vulns = join_(inventory, rubysec.advisories, await kevCatalog());
  const first = vulns[0];
  const report: ScanReport = {
    schemaVersion: 1,
    target: inventory.image.ref,
    inventory,
    vulnerabilities: vulns,
    fixes: [],
    secrets: [],
    misconfigurations: misconfig.findings,
    // One finding moved to "suppressed" as a VEX statement would, to exercise the audit trail.
    suppressed: first ? [{ findingId: first.id, packageId: first.packageId, reason: 'vulnerable_code_not_in_execute_path', by: 'vex' }] : [],
    warnings: ['gem: could not parse version "not-a-version" of package "example" (Gemfile.lock)'],
    createdAt: CREATED_AT,
  };
  return { report, inventory };
}

/** Hostile text in every free-text field a report prints: quotes, newlines, markup, ANSI, NUL. */
export const HOSTILE = 'Evil "title" \'quoted\' </testsuite><x a="1"> & <![CDATA[ ]]> \u001b[31mRED\u001b[0m\u001b]0;pwned\u0007 line1\nline2\r\ttab \u0000nul \u202eRTL 漢字';

export function hostile(report: ScanReport): ScanReport {
  const r: ScanReport = structuredClone(report);
  const v = r.vulnerabilities[0];
  if (v) {
    v.title = HOSTILE;
    v.description = HOSTILE;
    v.packageName = `${v.packageName}${HOSTILE.slice(0, 20)}`;
  }
  const s = r.secrets[0];
  if (s) s.title = HOSTILE;
  const m = r.misconfigurations[0];
  if (m) {
    m.title = HOSTILE;
    m.message = HOSTILE;
  }
  r.warnings.push(HOSTILE);
  return r;
}
