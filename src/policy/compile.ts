// compilePolicies: documents → a CompiledPolicySet. Every CEL expression is parsed and
// type-checked here, once; evaluation (evaluate.ts) only runs compiled expressions.
import { basename } from 'node:path';
import { DEFAULT_LIMITS, ExpressionError, compileExpression, type CompiledExpression, type ExpressionLimits } from './cel-env.ts';
import { PolicyLoadError, loadYamlFile, yamlFilesUnder, type LoadedDocument } from './documents.ts';
import { compileException, type CompiledException } from './exceptions.ts';
import { MatchSpecError, compileGlobs, compileMatch, type Matcher } from './match.ts';
import { readPolicyDocument } from './policy-docs.ts';
import type { PolicySpec, ValidationSpec, VerifyImagesRule } from './types.ts';
import { toCelValue } from './values.ts';
import { CompiledPolicySet } from './evaluate.ts';

export { CompiledPolicySet };

export interface CompileOptions {
  limits?: Partial<ExpressionLimits>;
}

export interface CompiledNamed {
  name: string;
  expr: CompiledExpression;
}

export interface CompiledValidation {
  spec: ValidationSpec;
  expr: CompiledExpression;
  messageExpr?: CompiledExpression;
}

export interface CompiledPolicy {
  spec: PolicySpec;
  /** "file:line" of the policy document, for error messages. */
  where: string;
  match: Matcher;
  conditions: CompiledNamed[];
  variables: CompiledNamed[];
  validations: CompiledValidation[];
  /** Params as CEL values (converted once). */
  params: unknown;
  /** verifyImages rules with their image globs compiled. */
  imageRules: Array<{ rule: VerifyImagesRule; matches: (image: string) => boolean }>;
}

/** Line of the error inside a (possibly multi-line) expression that starts at `line`. */
function errorLine(expression: string, line: number, offset: number | undefined): number {
  if (offset === undefined) return line;
  return line + (expression.slice(0, offset).match(/\n/g)?.length ?? 0);
}

function compileOne(expression: string, line: number, what: string, spec: PolicySpec, limits: ExpressionLimits): CompiledExpression {
  try {
    return compileExpression(expression, limits);
  } catch (e) {
    if (!(e instanceof ExpressionError)) throw e;
    const l = errorLine(expression, line, e.offset);
    throw new PolicyLoadError(`${spec.source.file}:${l}: policy ${JSON.stringify(spec.name)}: ${what}: invalid CEL: ${e.message}`);
  }
}

export function compilePolicy(spec: PolicySpec, limits: ExpressionLimits = DEFAULT_LIMITS): CompiledPolicy {
  const where = `${spec.source.file}:${spec.source.line}`;
  let match: Matcher;
  try {
    match = compileMatch(spec.match, `${where}: policy ${JSON.stringify(spec.name)}`);
  } catch (e) {
    if (e instanceof MatchSpecError) throw new PolicyLoadError(e.message);
    throw e;
  }
  return {
    spec,
    where,
    match,
    conditions: spec.matchConditions.map((c) => ({ name: c.name, expr: compileOne(c.expression, c.line, `match condition ${c.name}`, spec, limits) })),
    variables: spec.variables.map((v) => ({ name: v.name, expr: compileOne(v.expression, v.line, `variable ${v.name}`, spec, limits) })),
    validations: spec.validations.map((v) => ({
      spec: v,
      expr: compileOne(v.expression, v.expressionLine, `validation ${v.name}`, spec, limits),
      messageExpr:
        v.messageExpression === undefined
          ? undefined
          : compileOne(v.messageExpression, v.messageExpressionLine ?? v.expressionLine, `validation ${v.name} messageExpression`, spec, limits),
    })),
    params: toCelValue(spec.params, `${where}: params`),
    imageRules: (spec.verifyImages ?? []).map((rule) => ({ rule, matches: compileGlobs(rule.images) })),
  };
}

/** Compiles every Policy, ValidatingAdmissionPolicy, PolicyException and PolicyParams document. */
export function compilePolicies(docs: LoadedDocument[], opts: CompileOptions = {}): CompiledPolicySet {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const policies: CompiledPolicy[] = [];
  const exceptions: CompiledException[] = [];
  const byName = new Map<string, PolicySpec>();
  const params: Array<{ policy: string; params: unknown; where: string }> = [];
  for (const doc of docs) {
    const d = readPolicyDocument(doc);
    if (d.kind === 'policy') {
      const prev = byName.get(d.spec.name);
      if (prev) {
        throw new PolicyLoadError(
          `${d.spec.source.file}:${d.spec.source.line}: policy ${JSON.stringify(d.spec.name)} is already defined at ${prev.source.file}:${prev.source.line}`,
        );
      }
      byName.set(d.spec.name, d.spec);
      policies.push(compilePolicy(d.spec, limits));
    } else if (d.kind === 'exception') exceptions.push(compileException(d.spec));
    else if (d.kind === 'params') params.push({ policy: d.spec.policy, params: d.spec.params, where: `${d.spec.source.file}:${d.spec.source.line}` });
  }
  for (const p of params) {
    const target = policies.find((c) => c.spec.name === p.policy);
    if (!target) throw new PolicyLoadError(`${p.where}: PolicyParams: no policy named ${JSON.stringify(p.policy)}`);
    target.params = toCelValue(p.params, `${p.where}: params`);
  }
  return new CompiledPolicySet(policies, exceptions, limits);
}

/** Test files and fixtures that live beside policies are not policies. */
const isPolicyFile = (name: string) => /\.(ya?ml|json)$/i.test(name) && !/[-.]test\.ya?ml$/i.test(name);

/** Loads policy files or directories (recursively; `tests`/`testdata` folders are skipped). */
export function loadPolicyDocuments(paths: string[]): LoadedDocument[] {
  const docs: LoadedDocument[] = [];
  for (const p of paths) {
    const files = yamlFilesUnder(p, isPolicyFile).filter((f) => !/(^|\/)(tests|testdata)\//.test(f.slice(p.length)));
    if (files.length === 0) throw new PolicyLoadError(`${p}: no policy files (.yaml, .yml, .json)`);
    for (const f of files) docs.push(...loadYamlFile(f));
  }
  return docs;
}

export function loadPolicies(paths: string[], opts: CompileOptions = {}): CompiledPolicySet {
  const set = compilePolicies(loadPolicyDocuments(paths), opts);
  if (set.policies.length === 0) throw new PolicyLoadError(`${paths.map((p) => basename(p)).join(', ')}: no Policy or ValidatingAdmissionPolicy documents`);
  return set;
}
