// The upstream Pod Security Admission fixtures through the webhook path: every pod of the latest
// version, wrapped in an AdmissionReview and POSTed over HTTPS to a webhook running the shipped
// PSS policy of its level, must be allowed exactly when it is in pass/ — and agree with Triad's own
// PSS checker (src/k8s/pss) on the same pod.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { evaluatePod, parseVersion, podView } from '../k8s/pss/index.ts';
import { hasSharedData, sharedData } from '../../test/shared-data.ts';
import { Client, REPO_POLICIES, reviewOf, startWebhook } from './testing/harness.ts';

const ROOT = 'k8s/pod-security-admission/test/testdata';

function latestVersion(level: string): string {
  const dirs = readdirSync(sharedData(ROOT, level)).filter((d) => /^v\d+\.\d+$/.test(d));
  return dirs.sort((a, b) => { const [x, y] = [a, b].map((d) => d.slice(1).split('.').map(Number)); return x![0]! - y![0]! || x![1]! - y![1]!; }).at(-1)!;
}

describe('PSS fixtures through the webhook', { skip: !hasSharedData(ROOT) && 'shared data absent' }, () => {
  for (const level of ['baseline', 'restricted'] as const) {
    test(`${level}: allowed exactly when upstream says pass`, async () => {
      const version = latestVersion(level);
      const pods: Array<{ file: string; expectPass: boolean; obj: Record<string, any> }> = [];
      for (const dir of ['pass', 'fail']) {
        for (const f of readdirSync(sharedData(ROOT, level, version, dir)).filter((n) => n.endsWith('.yaml'))) {
          pods.push({ file: `${dir}/${f}`, expectPass: dir === 'pass', obj: parse(readFileSync(sharedData(ROOT, level, version, dir, f), 'utf8')) });
        }
      }
      assert.ok(pods.length > 40, `${pods.length} fixtures`);
      const hook = await startWebhook({ policyPaths: [join(REPO_POLICIES, `pss-${level}.yaml`)] });
      const client = await Client.for(hook);
      try {
        const results = await Promise.all(pods.map(async (p, i) => {
          const review = reviewOf(p.obj, { uid: `pss-${i}` });
          const r = (await client.review(review)).json();
          assert.equal(r.response.uid, `pss-${i}`);
          return { ...p, allowed: r.response.allowed, message: r.response.status?.message ?? '' };
        }));
        const wrong = results.filter((r) => r.allowed !== r.expectPass).map((r) => `${r.file}: ${r.allowed ? 'allowed' : `denied (${r.message})`}`);
        assert.deepEqual(wrong, []);
        // Triad's PSS checker on the same pods says the same.
        const v = parseVersion(version);
        for (const r of results) {
          const kind = r.obj.kind as string;
          const spec = kind === 'Pod' ? r.obj.spec : r.obj.spec?.template?.spec;
          const meta = kind === 'Pod' ? r.obj.metadata : r.obj.spec?.template?.metadata;
          const failed = evaluatePod(podView({ spec, podMeta: meta ?? {} } as never), level, v).length > 0;
          assert.equal(!failed, r.allowed, `${r.file}: checker and webhook disagree`);
        }
      } finally {
        client.close();
        await hook.close();
      }
    });
  }
});
