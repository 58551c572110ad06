// `triad k8s scan` as a library call: manifests → selected checks → a ScanReport that every
// report writer (table, JSON, SARIF, JUnit) renders like any other misconfiguration report.
import { relative, isAbsolute } from 'node:path';
import type { CheckMeta, MisconfigFinding } from '../misconfig/types.ts';
import type { ScanReport } from '../model/finding.ts';
import { allCheckMeta, runChecks, selectChecks, type K8sFinding, type K8sScanOptions } from './checks/index.ts';
import { formatManifestError, loadManifests, type K8sObject, type LoadOptions, type ManifestError } from './manifest/index.ts';
import { formatVersion, LATEST_VERSION } from './pss/index.ts';

export interface K8sScanRequest extends K8sScanOptions {
  paths: string[];
  /** `--checks` (default all). */
  checks?: string;
  load?: LoadOptions;
}

export interface K8sScan {
  report: ScanReport;
  findings: K8sFinding[];
  /** Input problems: 'error' level means some input could not be read. */
  inputErrors: ManifestError[];
  objects: number;
  selected: Set<string>;
}

/** Plain MisconfigFindings (the report schema is strict): the resource is in the message, the first field in `path`. */
function toMisconfig(f: K8sFinding): MisconfigFinding {
  const m: MisconfigFinding = {
    checkId: f.checkId,
    title: f.title,
    severity: f.severity,
    message: f.template ? `${f.message} [template ${f.template}]` : f.message,
    target: f.target,
  };
  if (f.region) m.region = f.region;
  if (f.fields?.[0]) m.path = f.fields[0];
  return m;
}

export async function scanManifests(req: K8sScanRequest): Promise<K8sScan> {
  const ids = resolveChecks(req.checks);
  const loaded = await loadManifests(req.paths, req.load);
  return scanObjects(loaded.objects, loaded.errors, req.paths.join(', '), ids, req);
}

/** `--checks` → check ids; unknown names are an error. */
export function resolveChecks(spec: string | undefined): Set<string> {
  const { ids, unknown } = selectChecks(spec);
  if (unknown.length > 0) throw new Error(`unknown check(s) ${unknown.map((u) => `"${u}"`).join(', ')} (use all, a group such as pss-baseline or pss-restricted, or ids from \`triad k8s checks\`)`);
  return ids;
}

export interface ScanObjectsOptions {
  /** Objects without file positions (a live cluster): findings carry no line region. */
  noRegions?: boolean;
  /** More report warnings (e.g. what a cluster scan left out and why). */
  notes?: string[];
}

/** The scan of objects already loaded (manifests, or a live cluster through src/k8s/cluster). */
export function scanObjects(objects: K8sObject[], inputErrors: ManifestError[], target: string, ids: Set<string>, req: K8sScanOptions, o: ScanObjectsOptions = {}): K8sScan {
  const opts: K8sScanOptions = {};
  if (req.pssVersion) opts.pssVersion = req.pssVersion;
  if (req.trustedRegistries) opts.trustedRegistries = req.trustedRegistries;
  const result = runChecks(objects, ids, opts);
  const warnings = inputErrors.map(formatManifestError);
  if (result.unchecked.size > 0) {
    warnings.push(`not checked (no check reads these kinds): ${[...result.unchecked].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([k, n]) => `${k} (${n})`).join(', ')}`);
  }
  warnings.push(...(o.notes ?? []));
  const misconfigurations = result.findings.map(toMisconfig);
  if (o.noRegions) {
    for (const m of misconfigurations) {
      delete m.region;
      // No line to point at: a finding about the object as a whole (RBAC grants) names it as `.`
      // (the whole object, in jq's notation) rather than no place at all.
      if (!m.path) m.path = '.';
    }
  }
  const report: ScanReport = {
    schemaVersion: 1,
    target,
    vulnerabilities: [],
    fixes: [],
    secrets: [],
    misconfigurations,
    suppressed: [],
    warnings,
    createdAt: new Date().toISOString(),
  };
  return { report, findings: result.findings, inputErrors, objects: objects.length, selected: ids };
}

/** The checks' own text for SARIF rules (the generic writer only knows the image and Dockerfile checks). */
export function enrichSarif(sarif: Record<string, unknown>, cwd = process.cwd()): Record<string, unknown> {
  const metas = new Map<string, CheckMeta>(allCheckMeta().map((m) => [m.id, m]));
  const runs = (sarif.runs ?? []) as Array<Record<string, unknown>>;
  for (const run of runs) {
    const driver = (run.tool as { driver: { rules?: Array<Record<string, unknown>> } }).driver;
    for (const rule of driver.rules ?? []) {
      const m = metas.get(String(rule.id));
      if (!m) continue;
      rule.name = 'KubernetesMisconfiguration';
      rule.fullDescription = { text: m.rationale };
      rule.help = { text: `${m.rationale}\nRemediation: ${m.remediation}`, markdown: `${m.rationale}\n\n**Remediation:** ${m.remediation}` };
      if (m.references?.[0]) rule.helpUri = m.references[0];
      const props = (rule.properties ?? {}) as Record<string, unknown>;
      props.aliases = m.aliases ?? [];
      props.tags = [...new Set([...((props.tags as string[]) ?? []), 'kubernetes'])];
      rule.properties = props;
    }
    // Manifests are the user's own files: locations relative to the working directory (what code
    // scanning expects), absolute file: URIs outside it, `stdin` for `-`.
    for (const res of (run.results ?? []) as Array<Record<string, unknown>>) {
      const target = (res.properties as Record<string, unknown> | undefined)?.target;
      if (typeof target !== 'string') continue;
      for (const loc of (res.locations ?? []) as Array<{ physicalLocation?: { artifactLocation?: Record<string, unknown> } }>) {
        const art = loc.physicalLocation?.artifactLocation;
        if (!art) continue;
        delete art.uriBaseId;
        art.uri = artifactUri(target, cwd);
      }
    }
    delete run.originalUriBaseIds;
  }
  return sarif;
}

function artifactUri(file: string, cwd: string): string {
  if (file === '-') return 'stdin';
  // Objects read from a live cluster: cluster:<context>/<namespace>/<kind>/<name>, kept as a URI.
  if (file.startsWith('cluster:')) return `cluster:${file.slice(8).split('/').map(encodeURIComponent).join('/')}`;
  const abs = isAbsolute(file) ? file : `${cwd}/${file}`;
  const rel = relative(cwd, abs);
  const encode = (p: string) => p.split('/').map(encodeURIComponent).join('/');
  if (rel && !rel.startsWith('..') && !isAbsolute(rel)) return encode(rel.replace(/\\/g, '/'));
  return `file://${encode(abs.replace(/\\/g, '/'))}`;
}

export function describeSelection(req: K8sScanRequest): string {
  return `PSS ${formatVersion(req.pssVersion ?? LATEST_VERSION)}, checks: ${req.checks ?? 'all'}`;
}
