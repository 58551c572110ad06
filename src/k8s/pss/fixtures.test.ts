// Upstream's own fixtures (k8s.io/pod-security-admission test/testdata): for every version and
// level, every `pass` pod must be allowed and every `fail` pod denied, with the check the
// fixture is named after among the failures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { hasSharedData, sharedData } from '../../../test/shared-data.ts';
import { loadManifestsSync, podSpecOf } from '../manifest/index.ts';
import { evaluatePod, forbiddenMessage, parseVersion, podView, PSS_CHECKS, type PssLevel } from './index.ts';

// A restricted check that replaces a baseline one (capabilities, seccomp, procMount) reports its failures.
const REPLACED_BY = new Map<string, string>(PSS_CHECKS.flatMap((c) => c.versions.flatMap((v) => (v.overrides ?? []).map((o) => [o.toLowerCase(), c.id.toLowerCase()] as [string, string]))));

const ROOT = sharedData('k8s', 'pod-security-admission', 'test', 'testdata');

test('agrees with every upstream pass/fail fixture of every version', (t) => {
  if (!hasSharedData('k8s', 'pod-security-admission')) return t.skip('no shared data');
  const counts = { pass: 0, fail: 0, versions: new Set<string>() };
  const wrong: string[] = [];
  for (const level of ['baseline', 'restricted'] as PssLevel[]) {
    for (const ver of readdirSync(join(ROOT, level))) {
      const version = parseVersion(ver);
      counts.versions.add(ver);
      for (const expect of ['pass', 'fail'] as const) {
        const dir = join(ROOT, level, ver, expect);
        for (const file of readdirSync(dir).sort()) {
          const { objects, errors } = loadManifestsSync([join(dir, file)]);
          assert.deepEqual(errors, [], file);
          const pod = podSpecOf(objects[0]!)!;
          const results = evaluatePod(podView(pod), level, version);
          counts[expect]++;
          if (expect === 'pass' && results.length > 0) wrong.push(`${level}/${ver}/pass/${file}: ${forbiddenMessage(level, version, results)}`);
          if (expect === 'fail') {
            // The fixture's name is the check it exercises (lower-cased upstream id + index).
            const named = file.replace(/\d*\.yaml$/, '');
            if (!results.some((r) => r.check.id.toLowerCase() === named || r.check.id.toLowerCase() === REPLACED_BY.get(named))) {
              wrong.push(`${level}/${ver}/fail/${file}: ${results.length ? `failed other checks: ${results.map((r) => r.check.id).join(', ')}` : 'allowed'}`);
            }
          }
        }
      }
    }
  }
  console.log(`PSS fixtures: ${counts.pass} pass + ${counts.fail} fail pods over ${counts.versions.size} versions x 2 levels; disagreements: ${wrong.length}`);
  assert.deepEqual(wrong, []);
  assert.ok(counts.pass + counts.fail > 4000);
});
