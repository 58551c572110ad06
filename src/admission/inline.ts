// Inline evaluation: judging a review on the thread that serves HTTPS, without the two thread hops
// (post to an evaluator thread, post the answer back) that dominated the webhook's tail latency on
// a busy 2-core machine: each hop waits for the OS to schedule a sleeping thread.
//
// The hard time budget still holds, because an inline evaluation cannot run away:
// - it has a deadline of a few milliseconds, checked before every expression, every comprehension
//   and every iteration of one (cel-env.ts); past it, the evaluation is abandoned (evaluation has
//   no side effects) and the review goes to an evaluator thread with the rest of its budget, where
//   the thread watchdog protects it as before;
// - between two checks there is only one step whose cost is linear in the input, because
//   (a) bodies above INLINE_MAX_BODY never go inline, (b) the quadratic list functions (distinct,
//   sets.*) check the deadline per element, and (c) policy sets with steps that cannot be
//   interrupted and are not linear never go inline at all: regular expressions (matches, find,
//   findAll: backtracking) and globs with two or more `*` (backtracking regexes as well).
// - The HTTPS thread spends at most INLINE_SHARE of its time on inline evaluation, and none while
//   it is busier than INLINE_MAX_UTILIZATION; the rest goes to the evaluator threads, so that
//   saturation throughput still uses every core.
// Reviews that need signature verification (asynchronous, registry I/O) always go to a thread.
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { DeadlineExceededError, setDeadline } from '../policy/cel-env.ts';
import type { CompiledPolicySet } from '../policy/evaluate.ts';
import type { AdmissionEvaluator, ReviewOutcome } from './evaluator.ts';
import type { EvaluatorConfig } from './pool.ts';
import { createEvaluator } from './setup.ts';

/** Larger bodies go to a thread: they bound what one step between two deadline checks can cost. */
export const INLINE_MAX_BODY = 64 * 1024;
/** How long one inline evaluation may take before it is abandoned (ms). */
export const INLINE_DEADLINE_MS = 2;
/** Share of the HTTPS thread's time inline evaluation may use, measured over WINDOW_MS windows. */
export const INLINE_SHARE = 0.3;
const WINDOW_MS = 100;
/**
 * Event-loop utilisation of the HTTPS thread (previous window) above which nothing goes inline: at
 * saturation that thread is the bottleneck, and inline evaluation would take its time from TLS
 * while the evaluator threads sit idle (measured: 6,500 → 5,100 reviews/s without this limit).
 */
export const INLINE_MAX_UTILIZATION = 0.7;

const REGEX_FUNCTION = /\b(matches|find|findAll)\s*\(/;

/** Why a policy set cannot be evaluated inline (empty: it can). */
export function inlineBlockers(set: CompiledPolicySet): string[] {
  const out: string[] = [];
  const globs = (what: string, list: readonly string[]) => {
    for (const g of list) if (g.split('*').length > 2) out.push(`${what}: glob ${JSON.stringify(g)} has several '*'`);
  };
  for (const p of set.policies) {
    const name = `policy ${p.spec.name}`;
    const exprs = [...p.conditions.map((c) => c.expr), ...p.variables.map((v) => v.expr), ...p.validations.flatMap((v) => (v.messageExpr ? [v.expr, v.messageExpr] : [v.expr]))];
    for (const e of exprs) {
      const m = REGEX_FUNCTION.exec(e.source);
      if (m) out.push(`${name}: ${m[0].replace(/\s+/g, '')} (a regular expression cannot be interrupted)`);
    }
    const m = p.spec.match;
    globs(name, [...m.namespaces.include, ...m.namespaces.exclude, ...m.images.include, ...m.images.exclude, ...(p.spec.verifyImages ?? []).flatMap((r) => r.images)]);
  }
  for (const e of set.exceptions) globs(`exception ${e.spec.name}`, [...e.spec.namespaces, ...e.spec.names, ...e.spec.images, ...e.spec.policies.map((x) => x.name)]);
  return out;
}

export type InlineAttempt =
  | { kind: 'done'; outcome: ReviewOutcome }
  /** Not tried: too large, or the thread's inline share is used up. */
  | { kind: 'skipped' }
  /** Abandoned at the deadline: evaluate it on a thread. */
  | { kind: 'overran' };

export class InlineEvaluator {
  readonly evaluator: AdmissionEvaluator;
  #utf8 = new TextDecoder('utf-8');
  #windowStart = 0;
  #spentMs = 0;
  /** The thread's event-loop utilisation at the start of the window, and whether the last one was too busy. */
  #elu: EventLoopUtilization | undefined;
  #busy = false;

  private constructor(evaluator: AdmissionEvaluator) {
    this.evaluator = evaluator;
  }

  /** An inline evaluator for this configuration, or why there is none. Compiles on this thread. */
  static create(cfg: EvaluatorConfig): InlineEvaluator | { off: string } {
    let evaluator: AdmissionEvaluator;
    try {
      evaluator = createEvaluator(cfg).evaluator;
    } catch (e) {
      return { off: (e as Error).message };
    }
    if (evaluator.verifiesSignatures) return { off: 'policies verify image signatures (registry I/O)' };
    const blockers = inlineBlockers(evaluator.policies.set);
    if (blockers.length) return { off: blockers.slice(0, 3).join('; ') + (blockers.length > 3 ? ` (and ${blockers.length - 3} more)` : '') };
    return new InlineEvaluator(evaluator);
  }

  /** Judges the review here when it is small and there is time; the body is not consumed. Never throws. */
  tryReview(body: Uint8Array): InlineAttempt {
    if (body.byteLength > INLINE_MAX_BODY) return { kind: 'skipped' };
    const start = performance.now();
    if (start - this.#windowStart >= WINDOW_MS) {
      this.#windowStart = start;
      this.#spentMs = 0;
      const elu = performance.eventLoopUtilization();
      this.#busy = this.#elu ? performance.eventLoopUtilization(elu, this.#elu).utilization > INLINE_MAX_UTILIZATION : false;
      this.#elu = elu;
    }
    if (this.#busy || this.#spentMs >= WINDOW_MS * INLINE_SHARE) return { kind: 'skipped' };
    setDeadline(start + INLINE_DEADLINE_MS);
    try {
      return { kind: 'done', outcome: this.evaluator.review(this.#utf8.decode(body)) };
    } catch (e) {
      // review() answers every other failure itself; anything else would be a bug here, and the
      // evaluator thread (which answers with the failure policy at worst) is the safer judge.
      return { kind: e instanceof DeadlineExceededError ? 'overran' : 'skipped' };
    } finally {
      setDeadline(Infinity);
      this.#spentMs += performance.now() - start;
    }
  }
}
