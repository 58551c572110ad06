// An evaluator thread: compiles the policies and reads the scan cache once, then judges reviews
// one at a time. Runs in a worker so that the HTTP thread stays responsive and can answer on time
// (and kill this thread) when a policy overruns the time budget.
import { parentPort, workerData } from 'node:worker_threads';
import type { AdmissionEvaluator } from './evaluator.ts';
import type { EvaluatorConfig, ToWorker } from './pool.ts';
import { createEvaluator } from './setup.ts';

const cfg = workerData as EvaluatorConfig;
const port = parentPort!;

let evaluator: AdmissionEvaluator | undefined;
/** Bodies arrive as bytes; invalid UTF-8 becomes U+FFFD (and then usually a JSON error), never a throw. */
const utf8 = new TextDecoder('utf-8');
try {
  const built = createEvaluator(cfg);
  evaluator = built.evaluator;
  port.postMessage({ t: 'ready', info: built.info });
} catch (e) {
  port.postMessage({ t: 'error', message: (e as Error)?.message ?? String(e) });
}

port.on('message', (m: ToWorker) => {
  if (m.t !== 'review' || !evaluator) return;
  const text = typeof m.body === 'string' ? m.body : utf8.decode(m.body);
  // With signatures to verify, reviews wait for registry I/O: others proceed meanwhile.
  if (evaluator.verifiesSignatures) void evaluator.reviewAsync(text).then((o) => port.postMessage({ t: 'done', id: m.id, ...o }));
  else port.postMessage({ t: 'done', id: m.id, ...evaluator.review(text) });
});
