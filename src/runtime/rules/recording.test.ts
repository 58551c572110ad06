// The sensor's real recording (Docker containers doing Falco event-generator actions) through
// every bundled rule set: nothing throws, and every alert is consistent with its rule and event.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../../../test/shared-data.ts';
import { DEFAULT_RULE_FILES, EXTRA_RULE_FILES } from './index.ts';
import { loadFalcoRules } from './load.ts';
import { enrichLikeAgent, readRecording } from './replay.ts';
import { ROOT_ONLY_RESOLVER } from './users.ts';

const RECORDING = process.env.TRIAD_RULES_RECORDING ?? join(REPO_ROOT, 'src/runtime/sensor/testdata/recording.jsonl');
const skip = !existsSync(RECORDING) && `no sensor recording at ${RECORDING}`;

describe('recorded sensor events through the bundled Falco rules', { skip }, () => {
  const events = skip ? [] : enrichLikeAgent(readRecording(RECORDING));
  const all = loadFalcoRules([...DEFAULT_RULE_FILES, EXTRA_RULE_FILES.incubating, EXTRA_RULE_FILES.sandbox], { ruleMatching: 'all', ids: ROOT_ONLY_RESOLVER });

  it('loads the bundled copies with no errors', () => {
    assert.deepEqual(all.errors, []);
  });

  it('every alert is plausible: right event type, container rules only in containers, output fully rendered', () => {
    const byName = new Map(all.ruleset.rules.map((r) => [r.name, r]));
    const fired = new Map<string, number>();
    for (const e of events) {
      const matches = all.ruleset.evaluate(e);
      for (const m of matches) {
        fired.set(m.rule, (fired.get(m.rule) ?? 0) + 1);
        const rule = byName.get(m.rule)!;
        const t = rule.eventTypes;
        assert.ok(t.all ? !t.except.has(e.type) : t.only.has(e.type), `${m.rule} fired on ${e.type}`);
        if (rule.tags.includes('container') && !rule.tags.includes('host')) {
          assert.ok(e.container && e.container.id !== 'host', `${m.rule} is a container rule, fired on ${e.container?.id}`);
        }
        assert.ok(!/%[a-z]/.test(m.output), `${m.rule} output left a field unrendered: ${m.output}`);
        assert.ok(m.outputFields['proc.name'] === undefined || m.outputFields['proc.name'] === e.process.comm);
      }
    }
    // The recording reads /etc/shadow with cat in a container: Falco's stable rule must see it.
    const shadowReads = events.filter((e) => e.type.startsWith('open') && e.file?.path === '/etc/shadow' && e.process.comm === 'cat' && (e.ret ?? -1) >= 0);
    if (shadowReads.length > 0) assert.ok(fired.has('Read sensitive file untrusted'), [...fired.keys()].join(', '));
    // Alerts are the exception, not the rule: a handful of actions, not every event.
    const total = [...fired.values()].reduce((a, b) => a + b, 0);
    assert.ok(total < events.length / 10, `${total} alerts for ${events.length} events`);
  });

  it('the default (stable) set alone sees the same recording without throwing', () => {
    const stable = loadFalcoRules(DEFAULT_RULE_FILES, { ids: ROOT_ONLY_RESOLVER });
    for (const e of events) assert.doesNotThrow(() => stable.ruleset.evaluate(e));
  });
});
