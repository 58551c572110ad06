// Evaluating a compiled policy set against one input. Semantics follow ValidatingAdmissionPolicy:
// match rules, then matchConditions (all true, or the policy does not apply), then every
// validation must evaluate to true; `variables.x` is computed lazily, at most once per evaluation;
// an evaluation error obeys failurePolicy (Fail: the error counts as a violation; Ignore: it does
// not, but is still reported). Exceptions then turn failures into audited exemptions.
import { BudgetExceededError, DeadlineExceededError, checkDeadline, describeEvalError, resetBudget, type ExpressionLimits } from './cel-env.ts';
import type { CompiledExpression } from './cel-env.ts';
import type { CompiledPolicy } from './compile.ts';
import type { CompiledException } from './exceptions.ts';
import { prepareSubject, type Subject } from './inputs.ts';
import type { AppliedException, PolicyInput, SignatureRequest, SignatureResult, Verdict } from './types.ts';
import { celToText } from './values.ts';

const MAX_MESSAGE = 1024;

export interface EvaluateOptions {
  /** The clock for `now` and exception expiry (default: the current time). */
  now?: Date;
}

function oneLine(s: string): string {
  const t = s.replace(/\s*\n\s*/g, ' ').trim();
  return t.length > MAX_MESSAGE ? `${t.slice(0, MAX_MESSAGE - 1)}…` : t;
}

/**
 * `variables` as ValidatingAdmissionPolicy has it: lazy, memoised, errors raised where used.
 * Built once per policy (the getters) and reset for each evaluation: defining fresh getters for
 * every evaluation cost more than most of the expressions that read them.
 */
class LazyVariables {
  /** What CEL reads as `variables` (own getter properties: cel-js reads own fields only). */
  readonly view: Record<string, unknown> = {};
  #values: unknown[];
  /** Per variable: 0 not computed, 1 being computed (a cycle if read again), 2 done. */
  #state: Uint8Array;
  #vars: Record<string, unknown> = {};

  constructor(policy: CompiledPolicy, run: (e: CompiledExpression, vars: Record<string, unknown>) => unknown) {
    this.#values = new Array(policy.variables.length);
    this.#state = new Uint8Array(policy.variables.length);
    policy.variables.forEach((v, i) => {
      Object.defineProperty(this.view, v.name, {
        enumerable: true,
        get: () => {
          if (this.#state[i] === 2) return this.#values[i];
          if (this.#state[i] === 1) throw new Error(`variable ${v.name} refers to itself`);
          this.#state[i] = 1;
          try {
            this.#values[i] = run(v.expr, this.#vars);
          } catch (e) {
            this.#state[i] = 0;
            if (e instanceof BudgetExceededError) throw e;
            throw new Error(`variable ${v.name}: ${describeEvalError(e)}`);
          }
          this.#state[i] = 2;
          return this.#values[i];
        },
      });
    });
  }

  /** Forgets the previous evaluation's values; `vars` is the activation the variables run in. */
  reset(vars: Record<string, unknown>): Record<string, unknown> {
    this.#vars = vars;
    this.#state.fill(0);
    this.#values.fill(undefined);
    return this.view;
  }
}

export class CompiledPolicySet {
  readonly policies: readonly CompiledPolicy[];
  readonly exceptions: readonly CompiledException[];
  readonly limits: ExpressionLimits;
  /** Some policy has verifyImages rules: inputs need signature results before evaluation. */
  readonly verifiesImages: boolean;
  /** Each policy's reusable `variables` (evaluation is synchronous: one evaluation at a time). */
  #lazy = new WeakMap<CompiledPolicy, LazyVariables>();
  /** Expressions that several policies share (see sharedExpressionKeys), by expression. */
  #shared: Map<CompiledExpression, string>;
  /** Results of shared expressions for the input being evaluated (undefined between evaluations). */
  #memo: Map<string, { value?: unknown; error?: unknown }> | undefined;

  constructor(policies: CompiledPolicy[], exceptions: CompiledException[], limits: ExpressionLimits) {
    this.policies = policies;
    this.exceptions = exceptions;
    this.limits = limits;
    this.#shared = sharedExpressionKeys(policies);
    this.verifiesImages = policies.some((p) => p.imageRules.length > 0);
  }

  /** Runs one expression; a shared one runs once per input, its result (or error) reused by every policy. */
  #run(expr: CompiledExpression, vars: Record<string, unknown>): unknown {
    checkDeadline();
    const key = this.#memo && this.#shared.get(expr);
    if (key === undefined) return expr.run(vars);
    const hit = this.#memo!.get(key);
    if (hit) {
      if ('error' in hit) throw hit.error;
      return hit.value;
    }
    try {
      const value = expr.run(vars);
      this.#memo!.set(key, { value });
      return value;
    } catch (e) {
      // A budget overrun belongs to the policy that ran out, not to the expression.
      if (!(e instanceof BudgetExceededError)) this.#memo!.set(key, { error: e });
      throw e;
    }
  }

  /** Exceptions past their expiry at `now`: they no longer apply, and reports should say so. */
  expiredExceptions(now: Date = new Date()): AppliedException[] {
    return this.exceptions.filter((e) => e.expired(now)).map((e) => e.audit);
  }

  /**
   * Every matching policy's verdicts for one input: one `pass` verdict per policy whose validations
   * all held, else one verdict per failed (or erroring) validation. Policies that do not match give
   * nothing. Throws InputError when the input itself is unusable (not an object, too large ...).
   */
  evaluate(input: PolicyInput, opts: EvaluateOptions = {}): Verdict[] {
    return this.evaluateSubject(prepareSubject(input), opts);
  }

  /**
   * The signature verifications an input needs before `evaluate`: one per (matching policy with
   * verifyImages, rule, image of the input the rule's globs select). Callers verify them (see
   * src/signature) and pass the results as the input's `signatures`. Throws InputError like evaluate.
   */
  signatureRequests(input: PolicyInput): SignatureRequest[] {
    return this.signatureRequestsFor(prepareSubject(input));
  }

  /** signatureRequests of an already prepared subject (the webhook prepares each input once). */
  signatureRequestsFor(s: Subject): SignatureRequest[] {
    const out: SignatureRequest[] = [];
    for (const p of this.policies) {
      if (p.imageRules.length === 0 || !p.match(s)) continue;
      for (const { rule, matches } of p.imageRules) {
        for (const image of new Set(s.images)) {
          if (matches(image)) out.push({ policy: p.spec.name, rule: rule.name, image, attestors: rule.attestors, required: rule.required });
        }
      }
    }
    return out;
  }

  evaluateSubject(subject: Subject, opts: EvaluateOptions = {}): Verdict[] {
    const now = opts.now ?? new Date();
    const out: Verdict[] = [];
    // One activation for every policy of this input: only params and variables change between them.
    let vars: Record<string, unknown> | undefined;
    this.#memo = this.#shared.size ? new Map() : undefined;
    try {
      for (const p of this.policies) {
        if (!p.match(subject)) continue;
        vars ??= { ...subject.vars, params: null, now, authorizer: null, variables: null };
        const vs = this.#evaluatePolicy(p, subject, vars);
        for (const v of vs) out.push(v.result === 'pass' ? v : this.#applyExceptions(v, subject, now));
      }
    } finally {
      this.#memo = undefined;
    }
    return out;
  }

  #evaluatePolicy(p: CompiledPolicy, s: Subject, vars: Record<string, unknown>): Verdict[] {
    const spec = p.spec;
    let lazy = this.#lazy.get(p);
    if (!lazy) this.#lazy.set(p, (lazy = new LazyVariables(p, (e, v) => this.#run(e, v))));
    vars.params = p.params;
    vars.variables = lazy.reset(vars);
    const base = {
      policy: spec.name,
      action: spec.action,
      severity: spec.severity,
      failurePolicy: spec.failurePolicy,
      resource: s.resource,
    };
    const errorVerdict = (validation: string | undefined, what: string, e: unknown, line: number): Verdict => ({
      ...base,
      validation,
      result: 'error',
      error: `${what} (${spec.source.file}:${line}): ${describeEvalError(e)}`,
      message: `${spec.name}: ${what} could not be evaluated`,
      violated: spec.failurePolicy === 'Fail',
    });
    for (const c of p.conditions) {
      resetBudget(this.limits.maxIterations);
      let r: unknown;
      try {
        r = this.#run(c.expr, vars);
      } catch (e) {
        if (e instanceof DeadlineExceededError) throw e; // no verdict: evaluated again elsewhere
        return [errorVerdict(undefined, `match condition ${c.name}`, e, spec.source.line)];
      }
      if (r === false) return [];
      if (r !== true) return [errorVerdict(undefined, `match condition ${c.name}`, new Error('must evaluate to bool'), spec.source.line)];
    }
    const out: Verdict[] = [];
    for (const v of p.validations) {
      resetBudget(this.limits.maxIterations);
      let r: unknown;
      try {
        r = this.#run(v.expr, vars);
      } catch (e) {
        if (e instanceof DeadlineExceededError) throw e;
        out.push({ ...errorVerdict(v.spec.name, `validation ${v.spec.name}`, e, v.spec.expressionLine), severity: v.spec.severity ?? spec.severity });
        continue;
      }
      if (r === true) continue;
      if (r !== false) {
        out.push({ ...errorVerdict(v.spec.name, `validation ${v.spec.name}`, new Error(`must evaluate to bool, got ${celToText(r).slice(0, 80)}`), v.spec.expressionLine), severity: v.spec.severity ?? spec.severity });
        continue;
      }
      out.push({
        ...base,
        validation: v.spec.name,
        result: 'fail',
        severity: v.spec.severity ?? spec.severity,
        message: this.#message(v, vars),
        reason: v.spec.reason,
        violated: true,
      });
    }
    out.push(...this.#verifyImages(p, s, base));
    if (out.length === 0) out.push({ ...base, result: 'pass', violated: false });
    return out;
  }

  /** verifyImages: every selected image needs a verified result from the caller for each rule. */
  #verifyImages(p: CompiledPolicy, s: Subject, base: Omit<Verdict, 'result' | 'violated'>): Verdict[] {
    const out: Verdict[] = [];
    for (const { rule, matches } of p.imageRules) {
      const validation = `verifyImages.${rule.name}`;
      const images = [...new Set(s.images)].filter(matches);
      const missing: string[] = [];
      const unsigned: string[] = [];
      const why: string[] = [];
      for (const image of images) {
        const r: SignatureResult | undefined = s.signatures?.find((x) => x.policy === p.spec.name && x.rule === rule.name && x.image === image);
        if (!r) missing.push(image);
        else if (r.verified !== true) {
          unsigned.push(image);
          why.push(`${image}: ${(r.reasons ?? []).slice(0, 2).join('; ') || 'not verified'}`);
        }
      }
      const attestors = rule.attestors.map((a) => a.name).join(', ');
      if (unsigned.length) {
        out.push({
          ...base,
          validation,
          result: 'fail',
          message: oneLine(`images not signed by ${rule.required} of [${attestors}]: ${why.join(' | ')}`),
          reason: 'Forbidden',
          violated: true,
        });
      }
      if (missing.length) {
        out.push({
          ...base,
          validation,
          result: 'error',
          error: `${validation} (${p.spec.source.file}:${rule.line}): no signature verification was supplied for ${missing.join(', ')}`,
          message: `${p.spec.name}: signatures of ${missing.join(', ')} could not be verified`,
          violated: p.spec.failurePolicy === 'Fail',
        });
      }
    }
    return out;
  }

  #message(v: CompiledPolicy['validations'][number], vars: Record<string, unknown>): string {
    if (v.messageExpr) {
      resetBudget(this.limits.maxIterations);
      try {
        const m = this.#run(v.messageExpr, vars);
        // As in Kubernetes: a messageExpression that fails or is not a non-empty string falls back.
        if (typeof m === 'string' && m.trim()) return oneLine(m);
      } catch (e) {
        if (e instanceof DeadlineExceededError) throw e;
        /* otherwise: fall back to message */
      }
    }
    if (v.spec.message) return oneLine(v.spec.message);
    return oneLine(`failed expression: ${v.spec.expression}`);
  }

  #applyExceptions(v: Verdict, s: Subject, now: Date): Verdict {
    let applied: AppliedException | undefined;
    const expired: AppliedException[] = [];
    for (const e of this.exceptions) {
      if (!e.covers(v.policy, v.validation) || !e.matches(s)) continue;
      if (e.expired(now)) expired.push(e.audit);
      else applied ??= e.audit;
    }
    if (!applied && expired.length === 0) return v;
    const out: Verdict = { ...v };
    if (applied) Object.assign(out, { result: 'exempt', violated: false, exception: applied });
    if (expired.length) out.expiredExceptions = expired;
    return out;
  }
}

/**
 * Expressions written identically in several policies (pss-restricted repeats most of
 * pss-baseline) give the same result for the same input, provided they read nothing that differs
 * between the policies: `params` never shares, and an expression that reads `variables` shares
 * only with policies whose variables are all written the same. Key: the source plus, when
 * `variables` is read, the policy's variable definitions. Only keys found in two or more policies
 * are kept, so that unshared expressions pay nothing.
 */
function sharedExpressionKeys(policies: readonly CompiledPolicy[]): Map<CompiledExpression, string> {
  const mentions = (src: string, word: string) => new RegExp(`\\b${word}\\b`).test(src);
  const byKey = new Map<string, { exprs: CompiledExpression[]; policies: Set<CompiledPolicy> }>();
  for (const p of policies) {
    const defs = p.variables.map((v) => `${v.name}=${v.expr.source}`).join('\n');
    const defsUseParams = mentions(defs, 'params');
    const exprs = [...p.conditions.map((c) => c.expr), ...p.variables.map((v) => v.expr), ...p.validations.flatMap((v) => (v.messageExpr ? [v.expr, v.messageExpr] : [v.expr]))];
    for (const e of exprs) {
      const readsVariables = mentions(e.source, 'variables');
      if (mentions(e.source, 'params') || (readsVariables && defsUseParams)) continue;
      const key = readsVariables ? `${e.source}\u0000${defs}` : e.source;
      let entry = byKey.get(key);
      if (!entry) byKey.set(key, (entry = { exprs: [], policies: new Set() }));
      entry.exprs.push(e);
      entry.policies.add(p);
    }
  }
  const out = new Map<CompiledExpression, string>();
  for (const [key, { exprs, policies: ps }] of byKey) if (ps.size > 1) for (const e of exprs) out.set(e, key);
  return out;
}

/** What the admission webhook (and `policy eval`) does with verdicts. */
export interface Decision {
  allowed: boolean;
  /** Violated deny verdicts: the reasons for refusing. */
  denials: Verdict[];
  /** Violated warn verdicts: returned to the client as warnings. */
  warnings: Verdict[];
  /** Violated audit verdicts: recorded only. */
  audits: Verdict[];
  /** Exempted verdicts, with the exception that exempted them. */
  exemptions: Verdict[];
}

export function decide(verdicts: readonly Verdict[]): Decision {
  const d: Decision = { allowed: true, denials: [], warnings: [], audits: [], exemptions: [] };
  for (const v of verdicts) {
    if (v.result === 'exempt') d.exemptions.push(v);
    if (!v.violated) continue;
    if (v.action === 'deny') d.denials.push(v);
    else if (v.action === 'warn') d.warnings.push(v);
    else d.audits.push(v);
  }
  d.allowed = d.denials.length === 0;
  return d;
}
