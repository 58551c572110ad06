// CycloneDX 1.6 VDR: the SBOM of src/sbom/cyclonedx.ts (same components, same bom-refs) plus a
// `vulnerabilities` list. One entry per vulnerability id, affecting every component it hits (the
// installed version "affected", each fixed version "unaffected"); ratings from every CVSS
// statement; KEV and EPSS as properties; VEX and ignore-file suppressions as entries with an
// `analysis`. Validated against the official CycloneDX 1.6 schema in the tests.
import type { SeverityScore } from '../model/advisory.ts';
import type { ScanReport, Suppressed, VulnFinding } from '../model/finding.ts';
import type { Inventory, Package } from '../model/types.ts';
import { toCycloneDX, type CycloneDXOptions } from '../sbom/cyclonedx.ts';
import { VERSION } from '../version.ts';
import { cmp, plainText, severityOf, sortedVulns } from './common.ts';

type Json = Record<string, unknown>;

const METHOD: Record<string, string> = { CVSS_V2: 'CVSSv2', CVSS_V4: 'CVSSv4' };

function method(s: SeverityScore): string {
  if (s.type === 'CVSS_V3') return s.vector?.startsWith('CVSS:3.1/') ? 'CVSSv31' : 'CVSSv3';
  return METHOD[s.type] ?? 'other';
}

/** Where an id is published, for `source` and `references[].source`. */
export function idSource(id: string): { name: string; url?: string } {
  const enc = encodeURIComponent(id);
  if (id.startsWith('CVE-')) return { name: 'NVD', url: `https://nvd.nist.gov/vuln/detail/${enc}` };
  if (id.startsWith('GHSA-')) return { name: 'GitHub', url: `https://github.com/advisories/${enc}` };
  if (id.startsWith('GO-')) return { name: 'Go', url: `https://pkg.go.dev/vuln/${enc}` };
  if (id.startsWith('RUSTSEC-')) return { name: 'RustSec', url: `https://rustsec.org/advisories/${enc}.html` };
  if (id.startsWith('PYSEC-')) return { name: 'PyPA' };
  if (/^D[SL]A-/.test(id)) return { name: 'Debian', url: `https://security-tracker.debian.org/tracker/${enc}` };
  return { name: id.split('-')[0] || 'unknown' };
}

function isoDateTime(s: string | undefined): string | undefined {
  if (!s) return undefined;
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function isUrl(s: string): boolean {
  try {
    return /^https?:$/.test(new URL(s).protocol) && !/[\s<>"{}|\\^`]/.test(s);
  } catch {
    return false;
  }
}

function ratings(fs: VulnFinding[]): Json[] {
  const seen = new Set<string>();
  const out: Json[] = [];
  for (const f of fs) {
    for (const c of f.cvss) {
      const key = `${c.type}|${c.vector ?? ''}|${c.score ?? ''}|${c.source ?? ''}|${c.rating ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const r: Json = {};
      if (c.source) r.source = { name: c.source };
      if (typeof c.score === 'number' && Number.isFinite(c.score)) r.score = c.score;
      if (c.rating) r.severity = c.rating.toLowerCase();
      r.method = method(c);
      if (c.vector) r.vector = c.vector;
      out.push(r);
    }
  }
  // The reported severity itself, when no statement carries it (a distro's rating, or none known).
  const sev = severityOf(fs[0]!.severity).toLowerCase();
  if (!out.some((r) => r.severity === sev)) out.push({ ...(fs[0]!.severitySource ? { source: { name: fs[0]!.severitySource } } : {}), severity: sev, method: 'other' });
  return out;
}

function properties(fs: VulnFinding[]): Json[] {
  const p: Array<{ name: string; value: string }> = [];
  const f = fs.find((x) => x.kev) ?? fs[0]!;
  if (f.kev) {
    p.push({ name: 'triad:kev', value: 'true' }, { name: 'triad:kev:dateAdded', value: f.kev.dateAdded });
    if (f.kev.dueDate) p.push({ name: 'triad:kev:dueDate', value: f.kev.dueDate });
    if (f.kev.knownRansomware !== undefined) p.push({ name: 'triad:kev:knownRansomware', value: String(f.kev.knownRansomware) });
  }
  const e = fs.find((x) => x.epss)?.epss;
  if (e) {
    p.push({ name: 'triad:epss:score', value: String(e.score) }, { name: 'triad:epss:percentile', value: String(e.percentile) });
    if (e.date) p.push({ name: 'triad:epss:date', value: e.date });
  }
  for (const x of fs) {
    if (x.layer) p.push({ name: `triad:layer:${x.packageId}`, value: String(x.layer.index) });
    if (x.inBaseImage !== undefined) p.push({ name: `triad:inBaseImage:${x.packageId}`, value: String(x.inBaseImage) });
  }
  return p;
}

/** Inventory stand-in for reports without one (a foreign SBOM): one package per finding. */
function inventoryFromFindings(report: ScanReport): Inventory {
  const pkgs = new Map<string, Package>();
  for (const f of report.vulnerabilities) {
    if (!pkgs.has(f.packageId)) pkgs.set(f.packageId, { id: f.packageId, name: f.packageName, version: f.installedVersion, ecosystem: f.ecosystem, purl: f.purl, licenses: [], locations: f.locations });
  }
  return {
    schemaVersion: 1,
    image: { ref: report.target, sourceType: 'sbom', repoTags: [], repoDigests: [], config: {}, history: [] },
    layers: [],
    packages: [...pkgs.values()],
    warnings: [],
    scanner: { name: 'triad', version: VERSION },
    createdAt: report.createdAt,
  };
}

function suppressedEntry(s: Suppressed, ref: string, bomRef: string): Json | undefined {
  let analysis: Json;
  const detail = plainText(s.reason).trim();
  if (s.by === 'vex') {
    const just: Record<string, string> = {
      component_not_present: 'code_not_present',
      vulnerable_code_not_present: 'code_not_present',
      vulnerable_code_not_in_execute_path: 'code_not_reachable',
      vulnerable_code_cannot_be_controlled_by_adversary: 'requires_environment',
      inline_mitigations_already_exist: 'protected_by_mitigating_control',
    };
    analysis = { state: 'not_affected', ...(just[s.reason] ? { justification: just[s.reason] } : {}), ...(detail ? { detail } : {}) };
  } else if (s.by === 'ignorefile') {
    analysis = { response: ['will_not_fix'], detail: detail || 'ignored by the ignore file' };
  } else {
    return undefined; // severity / unfixed filters are display choices, not analysis
  }
  return { 'bom-ref': bomRef, id: s.findingId, source: idSource(s.findingId), analysis, affects: [{ ref }] };
}

export function toVDR(report: ScanReport, opts: CycloneDXOptions = {}): Json {
  const inv = report.inventory ?? inventoryFromFindings(report);
  const bom = toCycloneDX(inv, opts) as Json;
  const components = bom.components as Json[];
  const refs = new Set<string>([(bom.metadata as Json).component as Json, ...components].map((c) => (c as Json)['bom-ref'] as string));
  // A finding on a package the inventory lacks still needs a component to point at.
  for (const f of report.vulnerabilities) {
    if (refs.has(f.packageId)) continue;
    refs.add(f.packageId);
    components.push({ 'bom-ref': f.packageId, type: 'library', name: f.packageName, version: f.installedVersion, ...(f.purl ? { purl: f.purl } : {}) });
    (bom.dependencies as Json[]).push({ ref: f.packageId, dependsOn: [] });
    ((bom.dependencies as Json[])[0]!.dependsOn as string[]).push(f.packageId);
  }

  const byId = new Map<string, VulnFinding[]>();
  for (const { finding } of sortedVulns(report)) byId.set(finding.id, [...(byId.get(finding.id) ?? []), finding]);
  const used = new Set(refs);
  const vulnRef = (id: string) => {
    let r = `vulnerability:${id}`;
    for (let n = 2; used.has(r); n++) r = `vulnerability:${id}#${n}`;
    used.add(r);
    return r;
  };

  const vulnerabilities: Json[] = [];
  for (const id of [...byId.keys()].sort(cmp)) {
    const fs = byId.get(id)!;
    const f = fs[0]!;
    const v: Json = { 'bom-ref': vulnRef(id), id, source: idSource(id) };
    const aliases = [...new Set(fs.flatMap((x) => x.aliases))].filter((a) => a !== id).sort(cmp);
    if (aliases.length) v.references = aliases.map((a) => ({ id: a, source: idSource(a) }));
    v.ratings = ratings(fs);
    // CWE ids where the advisory links the CWE definition (the model has no CWE field of its own).
    const cwes = [...new Set(fs.flatMap((x) => x.references).map((u) => /cwe\.mitre\.org\/data\/definitions\/(\d{1,6})\.html/.exec(u)?.[1]).filter((x): x is string => !!x).map(Number))].sort((a, b) => a - b);
    if (cwes.length) v.cwes = cwes;
    const title = plainText(f.title).trim();
    const detail = plainText(f.description).trim();
    if (title) v.description = title;
    if (detail && detail !== title) v.detail = detail;
    const fixes = fs.filter((x) => x.fixedVersions.length).map((x) => `${x.packageName}: upgrade to ${x.fixedVersions.join(' or ')}`);
    if (fixes.length) v.recommendation = [...new Set(fixes)].join('; ');
    const urls = [...new Set(fs.flatMap((x) => x.references))].filter(isUrl);
    if (urls.length) v.advisories = urls.map((url) => ({ url }));
    const published = isoDateTime(f.published);
    const updated = isoDateTime(f.modified);
    if (published) v.published = published;
    if (updated) v.updated = updated;
    const affects = new Map<string, Json>();
    for (const x of fs) {
      if (affects.has(x.packageId)) continue;
      const versions: Json[] = [{ version: x.installedVersion, status: 'affected' }];
      for (const fv of x.fixedVersions) if (fv !== x.installedVersion) versions.push({ version: fv, status: 'unaffected' });
      affects.set(x.packageId, { ref: x.packageId, versions });
    }
    v.affects = [...affects.values()];
    const props = properties(fs);
    if (props.length) v.properties = props;
    vulnerabilities.push(v);
  }
  for (const s of [...report.suppressed].sort((a, b) => cmp(a.findingId, b.findingId) || cmp(a.packageId, b.packageId))) {
    if (!refs.has(s.packageId)) continue;
    const e = suppressedEntry(s, s.packageId, vulnRef(s.findingId));
    if (e) vulnerabilities.push(e);
  }
  bom.vulnerabilities = vulnerabilities;
  return bom;
}

export function renderVDR(report: ScanReport, opts: CycloneDXOptions = {}): string {
  return `${JSON.stringify(toVDR(report, opts), null, 2)}\n`;
}
