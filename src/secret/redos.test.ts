// ReDoS guard: every shipped regex on adversarial inputs. V8's engine backtracks, so a pattern that
// RE2 runs in linear time can take exponential or polynomial time here; the scanner bounds the
// input each regex sees (keyword windows, 64 KiB chunks), and this checks that within such a
// window no default rule blows up. Inputs: each rule's own keywords repeated, runs of the
// characters its classes accept, near-misses of its own generated positives, and the classic
// `aaaa...!` shapes, each at the largest window size the scanner uses.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRE2 } from './re2.ts';
import { DEFAULT_RULES_PATH, loadRules, readRuleFile } from './rules.ts';
import { SecretScanner } from './scanner.ts';
import { prng, sample } from './testing.ts';

const WINDOW = 64 * 1024;
const PER_RULE_MS = 1500;

function adversarial(keywords: string[], positive: string): string[] {
  const fill = (unit: string) => unit.repeat(Math.ceil(WINDOW / Math.max(1, unit.length))).slice(0, WINDOW);
  const kw = keywords[0] ?? 'key';
  return [
    fill('a'),
    fill('a_'),
    fill(`${kw}`),
    fill(`${kw}=`),
    fill(`${kw} = "`),
    fill(`${kw}:a1`),
    fill('-----BEGIN PRIVATE KEY-----'),
    fill(' \t'),
    fill('\n'),
    fill('0123456789abcdef'),
    // A positive with its last character cut: the engine has to try and fail everywhere.
    fill(positive.slice(0, -1) + '\u0000'),
    fill(positive.slice(0, Math.ceil(positive.length / 2))),
  ];
}

test('no default rule backtracks catastrophically on a scanner-sized window', () => {
  const set = loadRules();
  const specs = new Map((readRuleFile(DEFAULT_RULES_PATH).rules ?? []).map((r) => [r.id, r] as const));
  const slow: string[] = [];
  for (const rule of set.rules) {
    if (!rule.regex) continue;
    const positive = sample(parseRE2(specs.get(rule.id)!.regex!), prng(7)) || 'x';
    for (const input of adversarial(rule.keywords, positive)) {
      const t0 = performance.now();
      rule.regex.lastIndex = 0;
      let n = 0;
      while (rule.regex.exec(input) && ++n < 100_000) {}
      const ms = performance.now() - t0;
      if (ms > PER_RULE_MS) slow.push(`${rule.id}: ${ms.toFixed(0)} ms on ${JSON.stringify(input.slice(0, 40))}...`);
    }
  }
  assert.deepEqual(slow, []);
});

test('whole-file scans of adversarial files stay inside the time budget', () => {
  const set = loadRules();
  const sc = new SecretScanner(set, { timeBudgetMs: 2000 });
  for (const body of ['key=' + 'a'.repeat(4 << 20), ('password: "' + 'x1'.repeat(40) + '" ').repeat(50_000), '-----BEGIN RSA PRIVATE KEY-----\n'.repeat(100_000)]) {
    const t0 = performance.now();
    sc.scan('adversarial.txt', Buffer.from(body));
    // The budget is checked between windows: a window may overrun it by its own (bounded) time.
    assert.ok(performance.now() - t0 < 8000, `took ${(performance.now() - t0).toFixed(0)} ms`);
  }
});
