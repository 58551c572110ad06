// JUnit XML for CI systems that show test reports: one <testsuite> per vulnerability target, one
// for secrets and one per misconfiguration target; one failing <testcase> per finding, and one
// passing testcase for a target without findings (so a clean scan shows as green, not as empty).
// Text from images and advisories is escaped, and characters XML 1.0 cannot carry are dropped.
import type { ScanReport, VulnFinding } from '../model/finding.ts';
import { layerLabel, misconfigGroups, plainText, severityOf, sortedSecrets, vulnGroups } from './common.ts';

/** Characters XML 1.0 forbids (controls, lone surrogates, U+FFFE/U+FFFF) removed. */
export function xmlSafe(s: string): string {
  return plainText(s).replace(/[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '');
}

export function escapeText(s: string): string {
  return xmlSafe(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Attribute values: quotes escaped, and line breaks/tabs as references so parsers keep them. */
export function escapeAttr(s: string): string {
  return escapeText(s).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

interface Case {
  classname: string;
  name: string;
  failure?: { message: string; type: string; body: string };
}

interface Suite {
  name: string;
  type: string;
  cases: Case[];
}

function vulnCase(f: VulnFinding): Case {
  const body = [
    `Package: ${f.packageName}`,
    `Installed Version: ${f.installedVersion}`,
    `Fixed Version: ${f.fixedVersions.join(', ') || '(none)'}`,
    `Status: ${f.status}`,
    ...(f.aliases.length ? [`Aliases: ${f.aliases.join(', ')}`] : []),
    ...(f.layer ? [`Layer: ${layerLabel(f.layer, 200)}`] : []),
    ...(f.kev ? [`CISA KEV: added ${f.kev.dateAdded}`] : []),
    '',
    f.description ?? f.title ?? '',
  ].join('\n');
  return {
    classname: `${f.packageName}-${f.installedVersion}`,
    name: `[${severityOf(f.severity)}] ${f.id}`,
    failure: { message: f.title ?? f.id, type: severityOf(f.severity), body },
  };
}

function suites(report: ScanReport): Suite[] {
  const out: Suite[] = [];
  for (const g of vulnGroups(report)) {
    out.push({
      name: `${g.target.name} (vulnerabilities)`,
      type: g.target.type,
      cases: g.findings.length ? g.findings.map(vulnCase) : [{ classname: g.target.name, name: 'no known vulnerabilities' }],
    });
  }
  if (!report.secrets.length && report.scanners?.includes('secret')) {
    out.push({ name: `${report.target} (secrets)`, type: 'secret', cases: [{ classname: report.target, name: 'no secrets found' }] });
  }
  if (report.secrets.length) {
    out.push({
      name: `${report.target} (secrets)`,
      type: 'secret',
      cases: sortedSecrets(report).map((s) => ({
        classname: `${s.path}:${s.startLine}`,
        name: `[${severityOf(s.severity)}] ${s.ruleId}`,
        failure: {
          message: `${s.title}: ${s.match}`,
          type: severityOf(s.severity),
          body: [`File: ${s.path}:${s.startLine}:${s.startColumn}`, `Match: ${s.match}`, ...(s.layer ? [`Layer: ${layerLabel(s.layer, 200)}`] : []), ...(s.deletedInLayer !== undefined ? [`Deleted in layer ${s.deletedInLayer} (still in the image)`] : [])].join('\n'),
        },
      })),
    });
  }
  for (const g of misconfigGroups(report)) {
    out.push({
      name: `${g.target} (misconfigurations)`,
      type: 'misconfig',
      cases: g.findings.map((m) => ({
        classname: m.region ? `${m.target}:${m.region.startLine}` : (m.path ?? m.target),
        name: `[${severityOf(m.severity)}] ${m.checkId}`,
        failure: { message: m.title, type: severityOf(m.severity), body: [m.message, ...(m.layer ? [`Layer: ${layerLabel(m.layer, 200)}`] : [])].join('\n') },
      })),
    });
  }
  // Targets the checks ran on without a finding: a passing case each, so a clean Dockerfile is green.
  const failing = new Set(report.misconfigurations.map((m) => m.target));
  for (const t of [...new Set(report.misconfigTargets ?? [])].filter((x) => !failing.has(x)).sort()) {
    out.push({ name: `${t} (misconfigurations)`, type: 'misconfig', cases: [{ classname: t, name: 'no misconfigurations' }] });
  }
  return out;
}

export function renderJUnit(report: ScanReport): string {
  const all = suites(report);
  const tests = all.reduce((n, s) => n + s.cases.length, 0);
  const failures = all.reduce((n, s) => n + s.cases.filter((c) => c.failure).length, 0);
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="triad" tests="${tests}" failures="${failures}" errors="0">`];
  for (const s of all) {
    const f = s.cases.filter((c) => c.failure).length;
    lines.push(`  <testsuite name="${escapeAttr(s.name)}" tests="${s.cases.length}" failures="${f}" errors="0" skipped="0" time="0" timestamp="${escapeAttr(report.createdAt.replace(/\.\d+Z$/, '').replace(/Z$/, ''))}">`);
    lines.push('    <properties>', `      <property name="type" value="${escapeAttr(s.type)}"/>`, '    </properties>');
    for (const c of s.cases) {
      const open = `    <testcase classname="${escapeAttr(c.classname)}" name="${escapeAttr(c.name)}" time="0"`;
      if (!c.failure) {
        lines.push(`${open}/>`);
        continue;
      }
      lines.push(`${open}>`);
      lines.push(`      <failure message="${escapeAttr(c.failure.message)}" type="${escapeAttr(c.failure.type)}">${escapeText(c.failure.body)}</failure>`);
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}
