// `triad policy test`: policy unit tests in the style of `kyverno test`. A PolicyTest document
// names policy files, resource files and the expected result per (policy[, validation], resource);
// each expectation is checked against what the engine says, giving pass/fail per check.
import { globSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { compilePolicies, loadPolicyDocuments } from './compile.ts';
import { PolicyLoadError, loadYamlFile, yamlFilesUnder, type LoadedDocument } from './documents.ts';
import { InputError } from './inputs.ts';
import { loadInputFile } from './input-files.ts';
import { compileGlobs } from './match.ts';
import { TRIAD_API } from './policy-docs.ts';
import type { PolicyInput, Verdict } from './types.ts';

export type Outcome = 'pass' | 'fail' | 'skip' | 'error' | 'exempt';
const OUTCOMES: readonly Outcome[] = ['pass', 'fail', 'skip', 'error', 'exempt'];
const MAX_RESOURCES = 50_000;

export interface CheckResult {
  test: string;
  file: string;
  policy: string;
  validation?: string;
  resource: string;
  expected: Outcome;
  actual: Outcome;
  ok: boolean;
  detail?: string;
}

export interface TestSummary {
  checks: CheckResult[];
  passed: number;
  failed: number;
  /** Test files that could not run (bad policy, missing resource ...): they count as failures. */
  errors: string[];
}

interface Expectation {
  policy: string;
  validation?: string;
  resources: string[];
  files: string[];
  result: Outcome;
  line: number;
}

interface LoadedResource {
  input: PolicyInput;
  name: string;
  file: string;
  verdicts: Verdict[];
  error?: string;
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const strList = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);

function expand(base: string, patterns: string[], what: string, where: string): string[] {
  const out: string[] = [];
  for (const p of patterns) {
    const abs = resolve(base, p);
    const hits = /[*?[]/.test(p) ? globSync(abs).sort() : [abs];
    if (hits.length === 0) throw new PolicyLoadError(`${where}: ${what} ${p} matches no file`);
    out.push(...hits);
  }
  return out;
}

function resourceName(input: PolicyInput): string {
  if (input.type === 'image-scan') return input.report.target;
  const obj = input.type === 'object' ? input.object : isRec(input.review) && isRec(input.review.request) ? input.review.request.object ?? input.review.request.oldObject : undefined;
  const meta = isRec(obj) && isRec(obj.metadata) ? obj.metadata : {};
  return typeof meta.name === 'string' ? meta.name : '';
}

/** What a (policy, validation) says about one resource, reduced to one outcome. */
export function outcomeOf(verdicts: Verdict[], policy: string, validation?: string): Outcome {
  const mine = verdicts.filter((v) => v.policy === policy);
  if (mine.length === 0) return 'skip';
  const relevant = validation === undefined ? mine : mine.filter((v) => v.validation === validation || v.validation === undefined);
  if (relevant.some((v) => v.result === 'fail')) return 'fail';
  if (relevant.some((v) => v.result === 'error')) return 'error';
  if (relevant.some((v) => v.result === 'exempt')) return 'exempt';
  return 'pass';
}

function readTest(doc: LoadedDocument): { name: string; spec: Rec; expectations: Expectation[] } {
  const v = doc.value as Rec;
  const where = `${doc.file}:${doc.lineOf([])}`;
  const name = isRec(v.metadata) && typeof v.metadata.name === 'string' ? v.metadata.name : `${doc.file}#${doc.index + 1}`;
  if (!isRec(v.spec)) throw new PolicyLoadError(`${where}: PolicyTest ${name}: spec is required`);
  const results = Array.isArray(v.spec.results) ? v.spec.results : [];
  if (results.length === 0) throw new PolicyLoadError(`${where}: PolicyTest ${name}: spec.results is empty`);
  const expectations = results.map((r, i): Expectation => {
    const line = doc.lineOf(['spec', 'results', i]);
    if (!isRec(r) || typeof r.policy !== 'string') throw new PolicyLoadError(`${doc.file}:${line}: PolicyTest ${name}: results[${i}].policy is required`);
    const result = String(r.result ?? '');
    if (!(OUTCOMES as readonly string[]).includes(result)) {
      throw new PolicyLoadError(`${doc.file}:${line}: PolicyTest ${name}: results[${i}].result must be one of ${OUTCOMES.join(', ')}`);
    }
    return {
      policy: r.policy,
      validation: typeof r.validation === 'string' ? r.validation : undefined,
      resources: strList(r.resources),
      files: strList(r.files),
      result: result as Outcome,
      line,
    };
  });
  return { name, spec: v.spec, expectations };
}

function runTest(doc: LoadedDocument, summary: TestSummary): void {
  const { name, spec, expectations } = readTest(doc);
  const base = dirname(doc.file);
  const where = `${doc.file}:${doc.lineOf([])}: PolicyTest ${name}`;
  const policyFiles = expand(base, strList(spec.policies), 'policy', where);
  if (policyFiles.length === 0) throw new PolicyLoadError(`${where}: spec.policies is empty`);
  const extra = expand(base, strList(spec.exceptions), 'exception file', where);
  const set = compilePolicies([...loadPolicyDocuments(policyFiles), ...extra.flatMap(loadYamlFile)]);
  const now = spec.now === undefined ? new Date() : new Date(String(spec.now instanceof Date ? spec.now.toISOString() : spec.now));
  if (Number.isNaN(now.getTime())) throw new PolicyLoadError(`${where}: spec.now is not a date`);
  const resources: LoadedResource[] = [];
  for (const f of expand(base, strList(spec.resources), 'resource', where)) {
    for (const input of loadInputFile(f)) {
      if (resources.length >= MAX_RESOURCES) throw new PolicyLoadError(`${where}: more than ${MAX_RESOURCES} resources`);
      const r: LoadedResource = { input, name: resourceName(input), file: relative(base, f), verdicts: [] };
      try {
        r.verdicts = set.evaluate(input, { now });
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        r.error = e.message;
      }
      resources.push(r);
    }
  }
  for (const ex of expectations) {
    const byName = ex.resources.length ? compileGlobs(ex.resources) : () => true;
    const byFile = ex.files.length ? compileGlobs(ex.files) : () => true;
    const selected = resources.filter((r) => byName(r.name) && byFile(r.file));
    if (selected.length === 0) throw new PolicyLoadError(`${doc.file}:${ex.line}: PolicyTest ${name}: no resource matches this expectation`);
    const policy = set.policies.find((p) => p.spec.name === ex.policy);
    if (!policy) throw new PolicyLoadError(`${doc.file}:${ex.line}: PolicyTest ${name}: no policy named ${ex.policy}`);
    if (ex.validation !== undefined && !policy.spec.validations.some((v) => v.name === ex.validation)) {
      throw new PolicyLoadError(`${doc.file}:${ex.line}: PolicyTest ${name}: policy ${ex.policy} has no validation named ${ex.validation}`);
    }
    for (const r of selected) {
      const actual: Outcome = r.error ? 'error' : outcomeOf(r.verdicts, ex.policy, ex.validation);
      const ok = actual === ex.result;
      const bad = r.verdicts.filter((v) => v.policy === ex.policy && v.result !== 'pass');
      summary.checks.push({
        test: name,
        file: doc.file,
        policy: ex.policy,
        validation: ex.validation,
        resource: `${r.file}${r.name ? ` (${r.name})` : ''}`,
        expected: ex.result,
        actual,
        ok,
        detail: ok ? undefined : r.error ?? bad.map((v) => `${v.validation ?? ''}: ${v.error ?? v.message ?? ''}`).join('; '),
      });
      if (ok) summary.passed++;
      else summary.failed++;
    }
  }
}

/** Runs every PolicyTest document found under `paths` (files or directories). */
export function runPolicyTests(paths: string[]): TestSummary {
  const summary: TestSummary = { checks: [], passed: 0, failed: 0, errors: [] };
  let tests = 0;
  for (const p of paths) {
    for (const f of yamlFilesUnder(p, (n) => /\.ya?ml$/i.test(n))) {
      let docs: LoadedDocument[];
      try {
        docs = loadYamlFile(f);
      } catch (e) {
        // A directory of tests also holds policies and fixtures; only test files must parse.
        if (/[-.]test\.ya?ml$/i.test(f)) summary.errors.push((e as Error).message);
        continue;
      }
      for (const d of docs) {
        if (!isRec(d.value) || d.value.kind !== 'PolicyTest' || d.value.apiVersion !== TRIAD_API) continue;
        tests++;
        try {
          runTest(d, summary);
        } catch (e) {
          if (!(e instanceof PolicyLoadError)) throw e;
          summary.errors.push(e.message);
        }
      }
    }
  }
  if (tests === 0 && summary.errors.length === 0) summary.errors.push(`${paths.join(', ')}: no PolicyTest documents (kind: PolicyTest, apiVersion: ${TRIAD_API})`);
  return summary;
}
