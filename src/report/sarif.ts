// SARIF 2.1.0 for GitHub code scanning and other SARIF consumers. One rule per advisory id, check
// id or secret rule id (ruleId = that id); vulnerability results sit at the package's evidence file
// in the image (its image path as a relative URI), secrets at their exact region, Dockerfile
// findings at the instruction's lines. Layer, package and version facts go in `properties`, with
// GitHub's numeric `security-severity` on each rule. Validated against the official schema in tests.
import { createHash } from 'node:crypto';
import type { CheckMeta } from '../misconfig/types.ts';
import type { ScanReport, VulnFinding } from '../model/finding.ts';
import { DOCKERFILE_CHECKS } from '../dockerfile/lint.ts';
import { IMAGE_CHECKS } from '../misconfig/image/index.ts';
import { VERSION } from '../version.ts';
import { cleanCreatedBy, misconfigGroups, numericScore, plainText, severityOf, SEVERITY_RANK, sortedSecrets, sortedVulns } from './common.ts';

export const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

type Level = 'error' | 'warning' | 'note' | 'none';
type Json = Record<string, unknown>;

function level(severity: string): Level {
  const s = severityOf(severity);
  return s === 'CRITICAL' || s === 'HIGH' ? 'error' : s === 'MEDIUM' ? 'warning' : 'note';
}

/** An image path (or Dockerfile path) as a relative URI reference: each segment percent-encoded. */
export function pathUri(path: string): string {
  const p = path.replace(/^\/+/, '').replace(/\\/g, '/');
  return p.split('/').map((seg) => encodeURIComponent(seg).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('/') || '.';
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

function fingerprint(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 32);
}

const CHECKS = new Map<string, CheckMeta>([...IMAGE_CHECKS, ...DOCKERFILE_CHECKS].map((c) => [c.id, c]));

/** Rules in first-seen order (results are already ordered), each remembered by id. */
class RuleSet {
  readonly rules: Json[] = [];
  private readonly index = new Map<string, number>();
  private readonly rank = new Map<string, number>();

  /** Returns the rule's index; a later, more severe occurrence raises the rule's severity. */
  add(id: string, severity: string, make: () => Json, score: number): number {
    let i = this.index.get(id);
    if (i === undefined) {
      i = this.rules.push(make()) - 1;
      this.index.set(id, i);
      this.rank.set(id, SEVERITY_RANK[severityOf(severity)]);
    } else if (SEVERITY_RANK[severityOf(severity)] > this.rank.get(id)!) {
      this.rank.set(id, SEVERITY_RANK[severityOf(severity)]);
      const rule = this.rules[i]!;
      rule.defaultConfiguration = { level: level(severity) };
      const props = rule.properties as Json;
      props['security-severity'] = score.toFixed(1);
      props.tags = [...(props.tags as string[]).slice(0, -1), severityOf(severity)];
    }
    return i;
  }
}

function vulnRule(f: VulnFinding, os: boolean): Json {
  const title = plainText(f.title ?? f.description ?? f.id).trim() || f.id;
  const links = f.references.filter(isHttpUrl);
  const cvss: Json = {};
  for (const c of f.cvss) {
    const key = c.type === 'CVSS_V2' ? 'cvssv2' : c.type === 'CVSS_V3' ? 'cvssv3' : c.type === 'CVSS_V4' ? 'cvssv4' : undefined;
    if (!key || cvss[`${key}_vector`] !== undefined || cvss[`${key}_score`] !== undefined) continue;
    if (c.vector) cvss[`${key}_vector`] = c.vector;
    if (typeof c.score === 'number') cvss[`${key}_score`] = c.score;
  }
  const rule: Json = {
    id: f.id,
    name: os ? 'OsPackageVulnerability' : 'LanguageSpecificPackageVulnerability',
    shortDescription: { text: title.split('\n')[0]!.slice(0, 1000) },
    fullDescription: { text: plainText(f.description ?? f.title ?? f.id).slice(0, 20_000) || f.id },
    defaultConfiguration: { level: level(f.severity) },
    help: {
      text: [`Vulnerability ${f.id}`, `Severity: ${severityOf(f.severity)}`, ...(f.aliases.length ? [`Aliases: ${f.aliases.join(', ')}`] : []), ...links.slice(0, 5)].join('\n'),
      markdown: [`**Vulnerability ${f.id}**`, `Severity: ${severityOf(f.severity)}`, ...links.slice(0, 5).map((u) => `- <${u}>`)].join('\n\n'),
    },
    properties: {
      aliases: f.aliases,
      ...cvss,
      precision: 'very-high',
      'security-severity': numericScore(f).toFixed(1),
      tags: ['vulnerability', 'security', severityOf(f.severity)],
    },
  };
  if (links[0]) rule.helpUri = links[0];
  return rule;
}

function layerProps(layer: { index: number; diffID?: string; digest?: string; createdBy?: string } | undefined): Json | undefined {
  if (!layer) return undefined;
  const out: Json = { index: layer.index };
  if (layer.diffID) out.diffID = layer.diffID;
  if (layer.digest) out.digest = layer.digest;
  const by = cleanCreatedBy(layer.createdBy);
  if (by) out.createdBy = by;
  return out;
}

function physical(uri: string, region: Json): Json {
  return { physicalLocation: { artifactLocation: { uri, uriBaseId: 'ROOTPATH' }, region } };
}

const WHOLE_FILE = { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 };

export function toSARIF(report: ScanReport): Json {
  const rules = new RuleSet();
  const results: Json[] = [];

  for (const { target, finding: f } of sortedVulns(report)) {
    const ruleIndex = rules.add(f.id, f.severity, () => vulnRule(f, target.class === 'os'), numericScore(f));
    const where = f.locations[0] ?? report.target;
    const fixed = f.fixedVersions.join(', ');
    const loc = physical(pathUri(where), WHOLE_FILE);
    loc.message = { text: `${target.name}: ${f.packageName}@${f.installedVersion}` };
    const props: Json = {
      aliases: f.aliases,
      packageName: f.packageName,
      packageId: f.packageId,
      purl: f.purl,
      ecosystem: f.ecosystem,
      installedVersion: f.installedVersion,
      fixedVersion: fixed,
      fixedVersions: f.fixedVersions,
      status: f.status,
      severity: severityOf(f.severity),
      target: target.name,
    };
    const layer = layerProps(f.layer);
    if (layer) props.layer = layer;
    if (f.inBaseImage !== undefined) props.inBaseImage = f.inBaseImage;
    if (f.kev) props.kev = f.kev;
    if (f.epss) props.epss = f.epss;
    if (f.ownedBy) props.ownedBy = f.ownedBy.purl;
    results.push({
      ruleId: f.id,
      ruleIndex,
      level: level(f.severity),
      message: {
        text: [`Package: ${f.packageName}`, `Installed Version: ${f.installedVersion}`, `Vulnerability ${f.id}`, `Severity: ${severityOf(f.severity)}`, `Fixed Version: ${fixed || '(none)'}`, ...(f.layer ? [`Layer: ${f.layer.index}${cleanCreatedBy(f.layer.createdBy) ? ` (${cleanCreatedBy(f.layer.createdBy).slice(0, 200)})` : ''}`] : [])].join('\n'),
      },
      locations: [loc],
      partialFingerprints: { 'triadFinding/v1': fingerprint(f.id, f.purl, f.packageId, where) },
      properties: props,
    });
  }

  for (const s of sortedSecrets(report)) {
    const ruleIndex = rules.add(s.ruleId, s.severity, () => ({
      id: s.ruleId,
      name: 'Secret',
      shortDescription: { text: plainText(s.title).trim() || s.ruleId },
      fullDescription: { text: plainText(s.title).trim() || s.ruleId },
      defaultConfiguration: { level: level(s.severity) },
      help: { text: `Secret rule ${s.ruleId}: remove the secret from the image (every layer) and rotate it.` },
      properties: { precision: 'very-high', 'security-severity': numericScore(s).toFixed(1), tags: ['secret', 'security', severityOf(s.severity)] },
    }), numericScore(s));
    const region = { startLine: s.startLine, startColumn: s.startColumn, endLine: s.endLine, endColumn: Math.max(s.endColumn, s.startLine === s.endLine ? s.startColumn : 1) };
    const props: Json = { match: s.match, severity: severityOf(s.severity) };
    const layer = layerProps(s.layer);
    if (layer) props.layer = layer;
    if (s.deletedInLayer !== undefined) props.deletedInLayer = s.deletedInLayer;
    results.push({
      ruleId: s.ruleId,
      ruleIndex,
      level: level(s.severity),
      message: { text: `${plainText(s.title).trim() || s.ruleId}: ${s.match}${s.layer ? ` (layer ${s.layer.index})` : ''}${s.deletedInLayer !== undefined ? `, deleted in layer ${s.deletedInLayer}` : ''}` },
      locations: [physical(pathUri(s.path), region)],
      partialFingerprints: { 'triadFinding/v1': fingerprint(s.ruleId, s.path, String(s.startLine), String(s.startColumn), s.match, String(s.layer?.index ?? '')) },
      properties: props,
    });
  }

  for (const g of misconfigGroups(report)) {
    for (const m of g.findings) {
      const meta = CHECKS.get(m.checkId);
      const ruleIndex = rules.add(m.checkId, m.severity, () => {
        const r: Json = {
          id: m.checkId,
          name: 'Misconfiguration',
          shortDescription: { text: plainText(meta?.title ?? m.title).trim() || m.checkId },
          fullDescription: { text: plainText(meta?.rationale ?? meta?.title ?? m.title).trim() || m.checkId },
          defaultConfiguration: { level: level(m.severity) },
          help: { text: plainText([meta?.rationale, meta?.remediation && `Remediation: ${meta.remediation}`].filter(Boolean).join('\n')) || m.checkId },
          properties: { aliases: meta?.aliases ?? [], precision: 'very-high', 'security-severity': numericScore(m).toFixed(1), tags: ['misconfiguration', 'security', severityOf(m.severity)] },
        };
        const ref = meta?.references?.find(isHttpUrl);
        if (ref) r.helpUri = ref;
        return r;
      }, numericScore(m));
      const uri = pathUri(m.region ? m.target : (m.path ?? m.target));
      const region: Json = m.region
        ? { startLine: m.region.startLine, ...(m.region.startColumn ? { startColumn: m.region.startColumn } : {}), endLine: Math.max(m.region.endLine, m.region.startLine), ...(m.region.endColumn ? { endColumn: m.region.endColumn } : {}) }
        : WHOLE_FILE;
      const props: Json = { target: m.target, severity: severityOf(m.severity) };
      if (m.path) props.path = m.path;
      const layer = layerProps(m.layer);
      if (layer) props.layer = layer;
      results.push({
        ruleId: m.checkId,
        ruleIndex,
        level: level(m.severity),
        message: { text: plainText(m.message).trim() || m.title || m.checkId },
        locations: [physical(uri, region)],
        partialFingerprints: { 'triadFinding/v1': fingerprint(m.checkId, m.target, m.path ?? '', String(m.region?.startLine ?? ''), m.message) },
        properties: props,
      });
    }
  }

  const inv = report.inventory;
  const runProps: Json = { target: report.target };
  if (inv) {
    runProps.imageName = inv.image.ref;
    if (inv.image.configDigest) runProps.imageID = inv.image.configDigest;
    runProps.repoTags = inv.image.repoTags;
    runProps.repoDigests = inv.image.repoDigests;
    if (inv.os) runProps.os = `${inv.os.family} ${inv.os.version}`;
  }
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'Triad', fullName: 'Triad container security scanner', version: VERSION, semanticVersion: VERSION, rules: rules.rules } },
        results,
        columnKind: 'utf16CodeUnits',
        originalUriBaseIds: { ROOTPATH: { uri: 'file:///' } },
        properties: runProps,
      },
    ],
  };
}

export function renderSARIF(report: ScanReport): string {
  return `${JSON.stringify(toSARIF(report), null, 2)}\n`;
}
