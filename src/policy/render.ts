// Rendering verdicts and test results: a table for people (control characters from the data are
// escaped, never sent to the terminal) and JSON for machines, with the audit trail of exceptions.
import { decide } from './evaluate.ts';
import type { TestSummary } from './test-runner.ts';
import type { AppliedException, Verdict } from './types.ts';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const safe = (s: string): string => s.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

function resourceText(v: Verdict): string {
  const r = v.resource;
  if (r.kind === 'ImageScan' || r.image) return safe(r.image ?? r.name);
  return safe(`${r.kind}/${r.namespace ? `${r.namespace}/` : ''}${r.name}`);
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.min(48, Math.max(...rows.map((r) => r[i]!.length))));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
}

export interface EvalOutput {
  verdicts: Verdict[];
  /** Inputs that could not be evaluated at all (not an object, too large ...). */
  inputErrors: string[];
  expiredExceptions: AppliedException[];
}

export function renderEvalTable(out: EvalOutput, showPass = false): string {
  const shown = out.verdicts.filter((v) => showPass || v.result !== 'pass');
  const lines: string[] = [];
  if (shown.length) {
    const rows = [['RESULT', 'ACTION', 'SEVERITY', 'POLICY', 'RESOURCE', 'MESSAGE']];
    for (const v of shown) {
      const result = v.result === 'error' && !v.violated ? 'error(ignored)' : v.result;
      const policy = v.validation ? `${v.policy}/${v.validation}` : v.policy;
      const msg = v.result === 'error' ? (v.error ?? '') : v.result === 'exempt' ? `exempt by ${v.exception!.name} (owner ${v.exception!.owner}, until ${v.exception!.expires}): ${v.message ?? ''}` : (v.message ?? '');
      rows.push([result, v.action, v.severity, safe(policy), resourceText(v), safe(msg)]);
    }
    lines.push(...table(rows));
  }
  const d = decide(out.verdicts);
  const passed = out.verdicts.filter((v) => v.result === 'pass').length;
  lines.push(
    '',
    `${out.verdicts.length} verdicts: ${passed} pass, ${d.denials.length} deny, ${d.warnings.length} warn, ${d.audits.length} audit, ${d.exemptions.length} exempt`,
  );
  const applied = new Map(d.exemptions.map((v) => [v.exception!.name, v.exception!]));
  for (const e of applied.values()) lines.push(`exception applied: ${safe(e.name)} (owner ${safe(e.owner)}, expires ${e.expires}, ${e.source}): ${safe(e.reason)}`);
  for (const e of out.expiredExceptions) lines.push(`exception EXPIRED, not applied: ${safe(e.name)} (owner ${safe(e.owner)}, expired ${e.expires}, ${e.source})`);
  for (const e of out.inputErrors) lines.push(`error: ${safe(e)}`);
  return lines.join('\n').replace(/^\n/, '') + '\n';
}

export function renderEvalJson(out: EvalOutput): string {
  const d = decide(out.verdicts);
  const applied = [...new Map(d.exemptions.map((v) => [v.exception!.name, v.exception!])).values()];
  return (
    JSON.stringify(
      {
        allowed: d.allowed && out.inputErrors.length === 0,
        summary: { verdicts: out.verdicts.length, deny: d.denials.length, warn: d.warnings.length, audit: d.audits.length, exempt: d.exemptions.length },
        verdicts: out.verdicts,
        exceptionsApplied: applied,
        expiredExceptions: out.expiredExceptions,
        inputErrors: out.inputErrors,
      },
      null,
      2,
    ) + '\n'
  );
}

export function renderTestTable(s: TestSummary, verbose = false): string {
  const rows = [['RESULT', 'TEST', 'POLICY', 'RESOURCE', 'EXPECTED', 'ACTUAL']];
  for (const c of s.checks) {
    if (!verbose && c.ok) continue;
    rows.push([c.ok ? 'pass' : 'FAIL', safe(c.test), safe(c.validation ? `${c.policy}/${c.validation}` : c.policy), safe(c.resource), c.expected, c.actual]);
  }
  const lines = rows.length > 1 ? table(rows) : [];
  for (const c of s.checks) if (!c.ok && c.detail) lines.push(`  ${safe(c.resource)}: ${safe(c.detail)}`);
  for (const e of s.errors) lines.push(`error: ${safe(e)}`);
  lines.push(`${s.passed + s.failed} checks: ${s.passed} passed, ${s.failed} failed${s.errors.length ? `, ${s.errors.length} test errors` : ''}`);
  return lines.join('\n') + '\n';
}
