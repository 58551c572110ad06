// `triad dockerfile` as users run it: formats, --severity filtering, --exit-code gating, bad input.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { REPO_ROOT, hasSharedData, sharedData } from '../../test/shared-data.ts';

function triad(...args: string[]) {
  const r = spawnSync(join(REPO_ROOT, 'bin/triad'), args, { encoding: 'utf8', env: { ...process.env, CI: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'triad-df-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('table and JSON output, severity filter, exit code', (t) => {
  const f = sharedData('k8s/examples/_archived/phabricator/php-phabricator/Dockerfile');
  if (!hasSharedData('k8s/examples/_archived/phabricator/php-phabricator/Dockerfile')) return t.skip('shared data absent');
  const table = triad('dockerfile', f);
  assert.equal(table.code, 0);
  assert.match(table.out, /CRITICAL DS-0010 +line 26-28/);
  const json = triad('dockerfile', f, '-f', 'json', '--severity', 'CRITICAL', '--exit-code', '5');
  assert.equal(json.code, 5);
  const r = JSON.parse(json.out) as { findings: Array<{ checkId: string; severity: string; region: { startLine: number } }> };
  assert.deepEqual(r.findings.map((x) => [x.checkId, x.region.startLine]), [['DS-0010', 26]]);
  // Nothing left after filtering: exit 0 even with --exit-code.
  const clean = join(dir, 'Dockerfile');
  writeFileSync(clean, 'FROM debian:12@sha256:' + 'a'.repeat(64) + '\nUSER 1000\nHEALTHCHECK NONE\nENTRYPOINT ["/app"]\n');
  const c = triad('dockerfile', clean, '--exit-code', '1', '-f', 'json');
  assert.equal(c.code, 0, c.out);
  assert.deepEqual(JSON.parse(c.out).findings, []);
  assert.equal(triad('dockerfile', f, '--skip-check', 'DS010', '--severity', 'critical', '--exit-code', '1').code, 0, 'skip by Trivy alias');
  // SARIF and JUnit as in triad image: the instruction's lines as the region; a clean file passes.
  const sarif = JSON.parse(triad('dockerfile', f, '-f', 'sarif', '--severity', 'CRITICAL').out);
  const res = sarif.runs[0].results;
  assert.deepEqual(res.map((x: { ruleId: string; locations: Array<{ physicalLocation: { region: { startLine: number; endLine: number } } }> }) => [x.ruleId, x.locations[0]!.physicalLocation.region.startLine, x.locations[0]!.physicalLocation.region.endLine]), [['DS-0010', 26, 28]]);
  assert.match(triad('dockerfile', clean, '-f', 'junit').out, /name="no misconfigurations"/);
});

test('bad input: missing file, binary file, bad severity -> exit 2 with one line', () => {
  const bin = join(dir, 'bin');
  writeFileSync(bin, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2]));
  for (const args of [['dockerfile', join(dir, 'nope')], ['dockerfile', bin], ['dockerfile', bin, '--severity', 'BAD']]) {
    const r = triad(...args);
    assert.equal(r.code, 2, args.join(' '));
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
  }
});
