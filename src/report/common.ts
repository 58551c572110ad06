// What every report format shares: the target a finding belongs to (grouped as Trivy users know it:
// the OS packages, then one group per lockfile / binary / language), one deterministic order of
// findings, severity counts and scores, and text hygiene for strings that came from the image.
import { SEVERITIES, type Severity } from '../model/advisory.ts';
import type { ScanReport, VulnFinding } from '../model/finding.ts';
import type { Ecosystem, Inventory } from '../model/types.ts';
import { OS_ECOSYSTEMS } from '../model/types.ts';
import type { MisconfigFinding } from '../misconfig/types.ts';
import type { SecretFinding } from '../secret/types.ts';
import { cleanCreatedBy, cmp, imageIdentity } from '../sbom/common.ts';

export { cleanCreatedBy, cmp };

export const SEVERITY_RANK: Record<Severity, number> = { UNKNOWN: 0, LOW: 1, MEDIUM: 2, HIGH: 3, CRITICAL: 4 };
/** Most severe first, the order reports list them in. */
export const SEVERITIES_DESC: readonly Severity[] = [...SEVERITIES].reverse();

export function severityOf(s: string | undefined): Severity {
  return s !== undefined && s in SEVERITY_RANK ? (s as Severity) : 'UNKNOWN';
}

export type SeverityCounts = Record<Severity, number>;

export function countSeverities(items: ReadonlyArray<{ severity: string }>): SeverityCounts {
  const c: SeverityCounts = { UNKNOWN: 0, LOW: 0, MEDIUM: 0, HIGH: 0, CRITICAL: 0 };
  for (const i of items) c[severityOf(i.severity)]++;
  return c;
}

/** Trivy's summary line: `Total: N (UNKNOWN: a, LOW: b, MEDIUM: c, HIGH: d, CRITICAL: e)`. */
export function summaryLine(items: ReadonlyArray<{ severity: string }>): string {
  const c = countSeverities(items);
  return `Total: ${items.length} (${SEVERITIES.map((s) => `${s}: ${c[s]}`).join(', ')})`;
}

/**
 * A numeric score for consumers that rank by number (GitHub's `security-severity`): the highest
 * CVSS base score that agrees with the reported severity, else the highest one, else a value in
 * the middle of the severity's CVSS band.
 */
export function numericScore(f: { severity: string; cvss?: VulnFinding['cvss'] }): number {
  const sev = severityOf(f.severity);
  const scored = (f.cvss ?? []).filter((c) => typeof c.score === 'number' && Number.isFinite(c.score) && c.score >= 0 && c.score <= 10);
  const agree = scored.filter((c) => c.rating === sev);
  const pool = agree.length ? agree : scored;
  if (pool.length) return Math.max(...pool.map((c) => c.score!));
  return { CRITICAL: 9.5, HIGH: 8.0, MEDIUM: 5.5, LOW: 2.0, UNKNOWN: 0.0 }[sev];
}

// ANSI/VT sequences (CSI, OSC terminated by BEL or ST, and two-byte escapes), then the C0/C1
// controls and bidi overrides that could rewrite what a terminal or a reviewer sees.
const ANSI = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[@-Z\\-_])|\u009b[0-?]*[ -/]*[@-~]/g;
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]+/g;

/** Terminal escape sequences removed; other control characters (newlines too) become one space. */
export function oneLine(s: string | undefined): string {
  if (!s) return '';
  return s.replace(ANSI, '').replace(CONTROLS, ' ').replace(/ {2,}/g, ' ').trim();
}

/** Escape sequences removed, line breaks and tabs kept, other controls dropped (multi-line text). */
export function plainText(s: string | undefined): string {
  if (!s) return '';
  return s.replace(ANSI, '').replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '');
}

export function shorten(s: string, max: number): string {
  const cps = [...s];
  return cps.length <= max ? s : `${cps.slice(0, Math.max(0, max - 1)).join('')}…`;
}

// ---------------------------------------------------------------------------------------------
// Targets

export interface Target {
  /** Stable key and the heading shown to users. */
  name: string;
  /** 'os' for the distro's packages, 'lang' for a language group, 'file' for a lockfile or binary. */
  class: 'os' | 'lang' | 'file';
  /** What kind of packages: the distro family for OS targets, else the ecosystem. */
  type: string;
}

const LOCKFILES = new Set([
  'package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lock',
  'Gemfile.lock', 'gems.locked', 'composer.lock', 'installed.json', 'Cargo.lock', 'poetry.lock', 'Pipfile.lock',
  'pdm.lock', 'uv.lock', 'requirements.txt', 'go.mod', 'go.sum', 'packages.lock.json', 'packages.config',
  'gradle.lockfile', 'pom.xml', 'conan.lock', 'mix.lock', 'pubspec.lock',
]);

const LANGUAGE: Partial<Record<Ecosystem, string>> = {
  npm: 'Node.js',
  pypi: 'Python',
  maven: 'Java',
  gem: 'Ruby',
  composer: 'PHP',
  nuget: '.NET',
  golang: 'Go',
  cargo: 'Rust',
};

/** The OS target's name: the image as the user knows it, with the distro, as Trivy prints it. */
export function osTargetName(report: ScanReport): string {
  const inv = report.inventory;
  const os = inv?.os;
  const name = inv ? displayName(inv, report.target) : report.target;
  return os ? `${name} (${os.family} ${os.version})` : name;
}

function displayName(inv: Inventory, fallback: string): string {
  const id = imageIdentity(inv);
  if (inv.image.repoTags[0]) return inv.image.repoTags[0];
  return id.name || fallback;
}

/**
 * Which target a package (by ecosystem and evidence files) belongs to: OS packages together;
 * lockfiles and manifests by their path; Go and Rust binaries by theirs; installed language
 * packages (node_modules, site-packages, jars, gemspecs) by language.
 */
export function targetFor(report: ScanReport, ecosystem: Ecosystem, locations: readonly string[]): Target {
  if (OS_ECOSYSTEMS.has(ecosystem)) return { name: osTargetName(report), class: 'os', type: report.inventory?.os?.family ?? ecosystem };
  const loc = locations[0] ?? '';
  const outer = loc.split('!/')[0]!;
  const base = outer.slice(outer.lastIndexOf('/') + 1);
  if (LOCKFILES.has(base) || base.endsWith('.deps.json') || base.endsWith('.csproj')) return { name: outer, class: 'file', type: ecosystem };
  if ((ecosystem === 'golang' || ecosystem === 'cargo') && outer) return { name: outer, class: 'file', type: ecosystem };
  return { name: LANGUAGE[ecosystem] ?? ecosystem, class: 'lang', type: ecosystem };
}

export function vulnTarget(report: ScanReport, f: VulnFinding): Target {
  return targetFor(report, f.ecosystem, f.locations);
}

const CLASS_RANK = { os: 0, file: 1, lang: 2 };

export function compareTargets(a: Target, b: Target): number {
  return CLASS_RANK[a.class] - CLASS_RANK[b.class] || cmp(a.name, b.name);
}

export interface VulnGroup {
  target: Target;
  findings: VulnFinding[];
}

/** Findings in the one order every format uses: package, version, most severe first, id. */
export function compareVulns(a: VulnFinding, b: VulnFinding): number {
  return (
    cmp(a.packageName, b.packageName) ||
    cmp(a.installedVersion, b.installedVersion) ||
    cmp(a.packageId, b.packageId) ||
    SEVERITY_RANK[severityOf(b.severity)] - SEVERITY_RANK[severityOf(a.severity)] ||
    cmp(a.id, b.id) ||
    cmp((a.locations ?? [])[0] ?? '', (b.locations ?? [])[0] ?? '')
  );
}

/**
 * Vulnerability findings grouped by target, targets in order (OS first). Targets that have
 * packages in the inventory but no findings are included (empty), so reports can say "clean".
 */
export function vulnGroups(report: ScanReport): VulnGroup[] {
  const groups = new Map<string, VulnGroup>();
  const add = (t: Target) => {
    let g = groups.get(t.name);
    if (!g) groups.set(t.name, (g = { target: t, findings: [] }));
    return g;
  };
  for (const p of report.inventory?.packages ?? []) add(targetFor(report, p.ecosystem, p.locations ?? []));
  for (const f of report.vulnerabilities) add(vulnTarget(report, f)).findings.push(f);
  const out = [...groups.values()].sort((a, b) => compareTargets(a.target, b.target));
  for (const g of out) g.findings.sort(compareVulns);
  return out;
}

/** Every vulnerability finding in report order (targets, then findings). */
export function sortedVulns(report: ScanReport): Array<{ target: Target; finding: VulnFinding }> {
  return vulnGroups(report).flatMap((g) => g.findings.map((finding) => ({ target: g.target, finding })));
}

export function compareSecrets(a: SecretFinding, b: SecretFinding): number {
  return (
    cmp(a.path, b.path) ||
    a.startLine - b.startLine ||
    a.startColumn - b.startColumn ||
    cmp(a.ruleId, b.ruleId) ||
    (a.layer?.index ?? -1) - (b.layer?.index ?? -1) ||
    cmp(a.match, b.match)
  );
}

export function sortedSecrets(report: ScanReport): SecretFinding[] {
  return [...report.secrets].sort(compareSecrets);
}

export function compareMisconfigs(a: MisconfigFinding, b: MisconfigFinding): number {
  return (
    cmp(a.target, b.target) ||
    SEVERITY_RANK[severityOf(b.severity)] - SEVERITY_RANK[severityOf(a.severity)] ||
    (a.region?.startLine ?? 0) - (b.region?.startLine ?? 0) ||
    (a.region?.startColumn ?? 0) - (b.region?.startColumn ?? 0) ||
    cmp(a.checkId, b.checkId) ||
    cmp(a.path ?? '', b.path ?? '') ||
    cmp(a.message, b.message)
  );
}

/** Misconfigurations grouped by their target (Dockerfile path or image), in order. */
export function misconfigGroups(report: ScanReport): Array<{ target: string; findings: MisconfigFinding[] }> {
  const m = new Map<string, MisconfigFinding[]>();
  for (const f of [...report.misconfigurations].sort(compareMisconfigs)) {
    const list = m.get(f.target) ?? [];
    list.push(f);
    m.set(f.target, list);
  }
  return [...m].map(([target, findings]) => ({ target, findings }));
}

/** A layer as a person reads it: "3: RUN apk add curl" (instruction shortened). */
export function layerLabel(layer: { index: number; createdBy?: string } | undefined, max = 40): string {
  if (!layer) return '';
  const by = oneLine(cleanCreatedBy(layer.createdBy));
  return by ? `${layer.index}: ${shorten(by, max)}` : String(layer.index);
}

