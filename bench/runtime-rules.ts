// Falco rule evaluation throughput: recorded sensor events (src/runtime/sensor/testdata/recording.jsonl,
// or the JSON-lines file given as argument) replicated to >= 500,000 events, run through the full
// default rule set (Falco's stable falco_rules.yaml) and through all three bundled sets, on one core
// (one JS thread). Baseline in the same run: iterating the same events and reading their type.
// JSON parsing is done before timing for both.
// Run: scripts/with-node.sh bench/runtime-rules.ts [recording.jsonl]
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_RULE_FILES, EXTRA_RULE_FILES } from '../src/runtime/rules/index.ts';
import { loadFalcoRules } from '../src/runtime/rules/load.ts';
import { enrichLikeAgent, readRecording } from '../src/runtime/rules/replay.ts';
import { ROOT_ONLY_RESOLVER } from '../src/runtime/rules/users.ts';
import type { RuntimeEvent } from '../src/runtime/event.ts';
import { REPO_ROOT, type Figure } from './util.ts';

const TARGET = 100_000;
const MIN_EVENTS = 500_000;

export function runtimeRules(path = join(REPO_ROOT, 'src/runtime/sensor/testdata/recording.jsonl')): Figure[] {
  if (!existsSync(path)) {
    console.log(`runtime-rules: no recording at ${path} (record one: scripts/with-node.sh src/runtime/sensor/record.ts --seconds 30 --out FILE)`);
    return [{ figure: 'rule evaluation events/s (Falco rules, one core)', measured: 'no recording', target: `>= ${TARGET}`, pass: false }];
  }
  const recorded = enrichLikeAgent(readRecording(path)).filter((e) => e.category !== 'agent');
  const events: RuntimeEvent[] = [];
  while (events.length < MIN_EVENTS) events.push(...recorded);
  const types = new Map<string, number>();
  for (const e of recorded) types.set(e.type, (types.get(e.type) ?? 0) + 1);
  console.log(`runtime-rules: ${recorded.length} recorded events from ${path}, replicated to ${events.length}`);
  console.log(`  event types: ${[...types].sort((a, b) => b[1] - a[1]).map(([t, n]) => `${t} ${n}`).join(', ')}`);

  // Baseline: the least any consumer does — walk the events and look at their type.
  const baseline = (): number => {
    let n = 0;
    const t0 = performance.now();
    for (const e of events) n += e.type.length;
    const ms = performance.now() - t0;
    if (n < 0) console.log(n);
    return (events.length / ms) * 1000;
  };

  const figures: Figure[] = [];
  for (const [label, files] of [
    ['default (falco_rules.yaml)', DEFAULT_RULE_FILES],
    ['stable + incubating + sandbox', [...DEFAULT_RULE_FILES, EXTRA_RULE_FILES.incubating, EXTRA_RULE_FILES.sandbox]],
  ] as const) {
    const r = loadFalcoRules([...files], { ruleMatching: 'all', ids: ROOT_ONLY_RESOLVER });
    const run = (): { perSec: number; alerts: number } => {
      let alerts = 0;
      const t0 = performance.now();
      for (const e of events) alerts += r.ruleset.evaluate(e).length;
      return { perSec: (events.length / (performance.now() - t0)) * 1000, alerts };
    };
    run(); // warm-up (JIT, per-type rule lists)
    const best = [run(), run(), run()].sort((a, b) => b.perSec - a.perSec)[0]!;
    const base = Math.max(baseline(), baseline(), baseline());
    const enabled = r.ruleset.rules.filter((x) => x.enabled).length;
    console.log(`  ${label}: ${enabled} enabled rules (${r.unsupported.length} unsupported, ${r.errors.length} rejected)`);
    console.log(`    rules: ${best.perSec.toFixed(0)} events/s, ${best.alerts} alerts per pass; baseline iteration: ${base.toFixed(0)} events/s`);
    figures.push({ figure: `rule evaluation events/s, ${label}, one core`, measured: best.perSec.toFixed(0), target: `>= ${TARGET}`, pass: best.perSec >= TARGET });
  }
  return figures;
}

if (import.meta.main) console.table(runtimeRules(process.argv[2]));
