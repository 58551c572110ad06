// kubescape's regolibrary cases (rules/<rule>/test/<case>/input + expected.json) for the rules
// Triad's checks implement: the same resources must fail, at the same fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasSharedData, sharedData } from '../../../test/shared-data.ts';
import { loadManifestsSync } from '../manifest/index.ts';
import { runChecks } from './index.ts';

const RULES = sharedData('k8s', 'regolibrary', 'rules');

/** kubescape rule → the Triad checks that together look for the same thing. */
const RULE_CHECKS: Record<string, string[]> = {
  'resources-cpu-limits': ['KSV-0011'],
  'resources-memory-limits': ['KSV-0018'],
  'resources-cpu-limit-and-request': ['KSV-0011', 'KSV-0015'],
  'resources-memory-limit-and-request': ['KSV-0016', 'KSV-0018'],
  'resource-policies': ['KSV-0011', 'KSV-0018'],
  'configured-liveness-probe': ['TRIAD-K8S-LIVENESS'],
  'configured-readiness-probe': ['TRIAD-K8S-READINESS'],
  'automount-service-account': ['TRIAD-K8S-SA-TOKEN'],
  'container-hostPort': ['KSV-0024'],
  'immutable-container-filesystem': ['KSV-0014'],
  'pods-in-default-namespace': ['KSV-0110'],
  'container-image-repository': ['TRIAD-K8S-TRUSTED-REGISTRY'],
};

interface Alert {
  failedPaths?: string[] | null;
  fixPaths?: Array<{ path: string }> | null;
  alertObject: { k8sApiObjects?: Array<{ kind: string; metadata?: { name?: string } }> };
}

/** Inputs Triad's checks take: the trusted registries; cases configuring anything else (min/max quantities) are not applicable. */
function options(caseDir: string): { trustedRegistries?: string[] } | undefined {
  const f = join(caseDir, 'data.json');
  if (!existsSync(f)) return {};
  const inputs = (JSON.parse(readFileSync(f, 'utf8')) as { postureControlInputs?: Record<string, unknown> }).postureControlInputs ?? {};
  const keys = Object.keys(inputs).filter((k) => k !== 'imageRepositoryAllowList');
  if (keys.length > 0) return undefined;
  return Array.isArray(inputs.imageRepositoryAllowList) ? { trustedRegistries: inputs.imageRepositoryAllowList as string[] } : {};
}

test('agrees with kubescape regolibrary cases for the mapped rules', (t) => {
  if (!hasSharedData('k8s', 'regolibrary')) return t.skip('no shared data');
  const wrong: string[] = [];
  let cases = 0;
  const skipped: string[] = [];
  for (const [rule, ids] of Object.entries(RULE_CHECKS)) {
    const testDir = join(RULES, rule, 'test');
    for (const c of readdirSync(testDir).sort()) {
      const dir = join(testDir, c);
      const opts = options(dir);
      if (!opts) {
        skipped.push(`${rule}/${c}`);
        continue;
      }
      cases++;
      const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Alert[];
      const want = new Map<string, Set<string>>();
      for (const a of expected) {
        const obj = a.alertObject.k8sApiObjects?.find((o) => o.kind !== 'ServiceAccount') ?? a.alertObject.k8sApiObjects?.[0];
        if (!obj) continue;
        const key = `${obj.kind}/${obj.metadata?.name ?? ''}`;
        const paths = want.get(key) ?? new Set<string>();
        for (const p of [...(a.failedPaths ?? []), ...(a.fixPaths ?? []).map((f) => f.path)]) paths.add(p);
        want.set(key, paths);
      }
      // Inputs sit in input/, or (older cases) beside expected.json.
      const inputs = existsSync(join(dir, 'input')) ? [join(dir, 'input')] : readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f) && f !== 'expected.json' && f !== 'data.json').map((f) => join(dir, f));
      const { objects, errors } = loadManifestsSync(inputs);
      assert.equal(errors.filter((e) => e.level === 'error').length, 0, `${rule}/${c}`);
      const got = new Map<string, Set<string>>();
      for (const f of runChecks(objects, new Set(ids), opts).findings) {
        const key = `${f.resource.kind}/${f.resource.name}`;
        const paths = got.get(key) ?? new Set<string>();
        for (const p of f.fields ?? []) paths.add(p.replace(/^\./, ''));
        got.set(key, paths);
      }
      const fmt = (m: Map<string, Set<string>>) => [...m].map(([k, ps]) => `${k}[${[...ps].sort().join(' ')}]`).sort().join('; ');
      const wantKeys = [...want.keys()].sort().join(',');
      const gotKeys = [...got.keys()].sort().join(',');
      if (wantKeys !== gotKeys) wrong.push(`${rule}/${c}: expected ${fmt(want) || 'nothing'}, got ${fmt(got) || 'nothing'}`);
      else for (const [k, ps] of want) if (ps.size > 0 && [...ps].sort().join() !== [...got.get(k)!].sort().join()) wrong.push(`${rule}/${c}: expected ${fmt(want)}, got ${fmt(got)}`);
    }
  }
  console.log(`kubescape cases: ${cases} compared over ${Object.keys(RULE_CHECKS).length} rules; not applicable (min/max inputs): ${skipped.join(', ') || 'none'}`);
  assert.deepEqual(wrong, []);
});
