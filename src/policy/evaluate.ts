// Evaluating a compiled policy set against one input. Semantics follow ValidatingAdmissionPolicy:
// match rules, then matchConditions (all true, or the policy does not apply), then every
// validation must evaluate to true; `variables.x` is computed lazily, at most once per evaluation;
// an evaluation error obeys failurePolicy (Fail: the error counts as a violation; Ignore: it does
// not, but is still reported). Exceptions then turn failures into audited exemptions.
import { BudgetExceededError, describeEvalError, resetBudget, type ExpressionLimits } from './cel-env.ts';
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

/** `variables` as ValidatingAdmissionPolicy has it: lazy, memoised, errors raised where used. */
function lazyVariables(policy: CompiledPolicy, vars: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const v of policy.variables) {
    let state: 'new' | 'busy' | 'done' = 'new';
    let value: unknown;
    Object.defineProperty(out, v.name, {
      enumerable: true,
      get() {
        if (state === 'done') return value;
        if (state === 'busy') throw new Error(`variable ${v.name} refers to itself`);
        state = 'busy';
        try {
          value = v.expr.run(vars);
        } catch (e) {
          state = 'new';
          if (e instanceof BudgetExceededError) throw e;
          throw new Error(`variable ${v.name}: ${describeEvalError(e)}`);
        }
        state = 'done';
        return value;
      },
    });
  }
  return out;
}

export class CompiledPolicySet {
  readonly policies: readonly CompiledPolicy[];
  readonly exceptions: readonly CompiledException[];
  readonly limits: ExpressionLimits;

  constructor(policies: CompiledPolicy[], exceptions: CompiledException[], limits: ExpressionLimits) {
    this.policies = policies;
    this.exceptions = exceptions;
    this.limits = limits;
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
    const s = prepareSubject(input);
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
    for (const p of this.policies) {
      if (!p.match(subject)) continue;
      const vs = this.#evaluatePolicy(p, subject, now);
      for (const v of vs) out.push(v.result === 'pass' ? v : this.#applyExceptions(v, subject, now));
    }
    return out;
  }

  #evaluatePolicy(p: CompiledPolicy, s: Subject, now: Date): Verdict[] {
    const spec = p.spec;
    const vars: Record<string, unknown> = { ...s.vars, params: p.params, now, authorizer: null };
    vars.variables = lazyVariables(p, vars);
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
        r = c.expr.run(vars);
      } catch (e) {
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
        r = v.expr.run(vars);
      } catch (e) {
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
        const m = v.messageExpr.run(vars);
        // As in Kubernetes: a messageExpression that fails or is not a non-empty string falls back.
        if (typeof m === 'string' && m.trim()) return oneLine(m);
      } catch {
        /* fall back to message */
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
