// What the pipeline needs from the other runtime parts, as narrow structural interfaces: the
// pipeline is tested with the real parts, and these names are the whole contract between them.
import type { Deviation } from '../baseline/manager.ts';
import type { Alert, ResponseAction, RuntimeEvent } from '../event.ts';

/** Fills process.ancestors (and exe/argv/cwd for events that lack them) from the process table. */
export interface ProcessEnricher {
  enrich(event: RuntimeEvent): void;
}

/** Container attribution: sets event.container (HOST_CONTAINER for host processes), drift flags. */
export interface Attributor {
  attribute(event: RuntimeEvent): void | Promise<void>;
}

/** One Falco rule that matched an event. */
export interface RuleHit {
  rule: string;
  priority: string;
  output: string;
  tags?: string[];
  outputFields?: Record<string, string | number | boolean | null>;
}

export interface RuleEvaluator {
  evaluate(event: RuntimeEvent): RuleHit[];
}

/** Learned baselines (BaselineManager): deviations carry their mode and suggested action. */
export interface BaselineObserver {
  observe(event: RuntimeEvent): Deviation[];
}

export interface ActionResult {
  ok: boolean;
  error?: string;
}

export interface ResponseExecutor {
  execute(action: ResponseAction, alert: Alert): Promise<ActionResult>;
}
