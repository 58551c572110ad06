// The CEL environment policies compile against (ValidatingAdmissionPolicy's variables plus Triad's
// image-scan and workload conveniences), compilation with structural limits, and the runtime guard
// that bounds how much iteration one evaluation may do.
//
// cel-js has parse-time limits (AST nodes, depth) but no runtime cost limit, so after type-checking
// we walk the compiled AST and wrap every comprehension (all/exists/map/filter ...) so that it
// charges the size of the list or map it iterates against a per-evaluation budget. Nested loops
// multiply, as they should: `a.all(x, b.all(y, ...))` charges |a| + |a|·|b|.
import { Environment } from '@marcbachmann/cel-js';
import { registerKubernetesLibrary } from './cel-library.ts';

/** The variables every policy expression can use (all dynamically typed except `now`). */
export const POLICY_VARIABLES = [
  'object', 'oldObject', 'request', 'params', 'namespaceObject', 'variables', 'authorizer',
  'podSpec', 'podMetadata', 'allContainers', 'image', 'report', 'signatures',
] as const;

export interface ExpressionLimits {
  /** Iterations (elements visited by comprehensions) one evaluation of one policy may do. */
  maxIterations: number;
  /** Characters of one expression. */
  maxExpressionLength: number;
}

export const DEFAULT_LIMITS: ExpressionLimits = { maxIterations: 1_000_000, maxExpressionLength: 20_000 };

let sharedEnv: Environment | undefined;

/** One environment for the process: creating one is expensive, parsing against it is not. */
export function policyEnvironment(): Environment {
  if (sharedEnv) return sharedEnv;
  const base = new Environment({
    unlistedVariablesAreDyn: false,
    homogeneousAggregateLiterals: false,
    enableOptionalTypes: true,
    limits: { maxAstNodes: 10_000, maxDepth: 100, maxListElements: 10_000, maxMapEntries: 10_000, maxCallArguments: 32 },
  });
  registerKubernetesLibrary(base);
  for (const v of POLICY_VARIABLES) base.registerVariable(v, 'dyn');
  base.registerVariable('now', 'google.protobuf.Timestamp');
  sharedEnv = base;
  return base;
}

/**
 * The iteration budget of the evaluation in progress (evaluation is synchronous: one at a time),
 * and its wall-clock deadline (performance.now() ms; Infinity: none, as on evaluator threads).
 */
const budget = { left: DEFAULT_LIMITS.maxIterations, deadline: Infinity };

export class BudgetExceededError extends Error {}

/**
 * The evaluation passed the deadline set with setDeadline: its result is unknown, and the caller
 * evaluates it again elsewhere (never a verdict). Checked before every expression, every
 * comprehension and every iteration, so that it is noticed within one step of the deadline.
 */
export class DeadlineExceededError extends BudgetExceededError {}

/** Sets (performance.now() ms) or clears (Infinity) the deadline of the evaluations that follow. */
export function setDeadline(at: number): void {
  budget.deadline = at;
}

export function checkDeadline(): void {
  if (budget.deadline !== Infinity && performance.now() > budget.deadline) throw new DeadlineExceededError('evaluation passed its deadline');
}

/** Resets the iteration budget; call before evaluating one policy against one input. */
export function resetBudget(maxIterations: number): void {
  budget.left = maxIterations;
}

function charge(items: unknown): void {
  const n = Array.isArray(items) ? items.length : items instanceof Map ? items.size : items && typeof items === 'object' ? Object.keys(items).length : 0;
  budget.left -= n + 1;
  if (budget.left < 0) throw new BudgetExceededError('evaluation exceeded its iteration budget (nested loops over large lists)');
  checkDeadline();
}

type Handle = (items: unknown, args: unknown, ev: unknown, ctx: unknown) => unknown;
type Condition = (accu: unknown) => boolean;
interface AstLike {
  op?: string;
  args?: unknown;
  meta?: { alternate?: AstLike };
  handle?: Handle;
}

/** Wraps every comprehension in the AST with the budget charge. */
function guardComprehensions(root: AstLike): void {
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length) {
    const n = stack.pop();
    if (!n || typeof n !== 'object' || seen.has(n)) continue;
    seen.add(n);
    if (Array.isArray(n)) {
      stack.push(...n);
      continue;
    }
    const node = n as AstLike;
    if (typeof node.op !== 'string') continue;
    if (node.op === 'comprehension' && typeof node.handle === 'function') {
      const inner = node.handle;
      node.handle = (items, args, ev, ctx) => (charge(items), inner(items, args, ev, ctx));
      const a = node.args as { iterable?: unknown; init?: unknown; step?: unknown; condition?: Condition };
      // cel-js asks `condition` before every iteration (when there is one): the deadline is
      // checked there, so one long loop cannot outlast it by more than one step.
      const cond = a.condition;
      a.condition = cond ? (accu) => (checkDeadline(), cond(accu)) : () => (checkDeadline(), true);
      stack.push(a.iterable, a.init, a.step);
    } else if (Array.isArray(node.args)) stack.push(node.args);
    else if (node.args && typeof node.args === 'object') stack.push(node.args);
    const alt = node.meta?.alternate;
    if (alt) stack.push(alt);
  }
}

export interface CompiledExpression {
  readonly source: string;
  run(vars: Record<string, unknown>): unknown;
}

/** A compile error with the position inside the expression (0-based offset). */
export class ExpressionError extends Error {
  readonly offset: number | undefined;
  constructor(message: string, offset: number | undefined) {
    super(message);
    this.offset = offset;
  }
}

/** Parses and type-checks once; the result evaluates without re-parsing or re-checking. */
export function compileExpression(source: string, limits: ExpressionLimits = DEFAULT_LIMITS): CompiledExpression {
  if (typeof source !== 'string' || source.trim() === '') throw new ExpressionError('empty expression', undefined);
  if (source.length > limits.maxExpressionLength) {
    throw new ExpressionError(`expression of ${source.length} characters exceeds the limit of ${limits.maxExpressionLength}`, undefined);
  }
  const env = policyEnvironment();
  let parsed: ReturnType<Environment['parse']>;
  try {
    parsed = env.parse(source);
  } catch (e) {
    throw toExpressionError(e);
  }
  const checked = parsed.check();
  if (!checked.valid) throw toExpressionError(checked.error);
  guardComprehensions(parsed.ast as unknown as AstLike);
  return { source, run: (vars) => parsed(vars) };
}

function toExpressionError(e: unknown): ExpressionError {
  const err = e as { message?: string; summary?: string; range?: { start?: number } };
  const msg = (err.summary ?? err.message ?? String(e)).split('\n')[0]!;
  return new ExpressionError(msg, err.range?.start);
}

/** One line describing a runtime error (cel-js messages carry a source excerpt after the first line). */
export function describeEvalError(e: unknown): string {
  const err = e as { message?: string };
  return (err?.message ?? String(e)).split('\n')[0]!;
}
