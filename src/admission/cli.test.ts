// `bin/triad admission` as users run it: certs → serve → SIGHUP reload (new policies taken
// atomically; a broken policy set is refused and the old one kept) → SIGTERM; flag errors exit 2.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Client, TESTDATA, parseMetrics, reviewOf, testCerts } from './testing/harness.ts';

const TRIAD = new URL('../../bin/triad', import.meta.url).pathname;

function waitFor(child: ChildProcess, re: RegExp, log: { text: string }, ms = 30_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re}; stderr: ${log.text}`)), ms);
    const check = () => {
      const m = log.text.match(re);
      if (m) {
        clearTimeout(timer);
        child.stderr!.off('data', check);
        resolve(m);
      }
    };
    child.stderr!.on('data', check);
    check();
  });
}

test('serve, SIGHUP reload (atomic, keeps the old set on error), SIGTERM', async () => {
  const certs = await testCerts();
  const dir = mkdtempSync(join(tmpdir(), 'triad-adm-cli-'));
  const policies = join(dir, 'policies');
  mkdirSync(policies);
  copyFileSync(join(TESTDATA, 'policies', 'erroring.yaml'), join(policies, 'erroring.yaml'));
  const child = spawn(TRIAD, ['admission', 'serve', '--tls-cert', certs.cert, '--tls-key', certs.key, '--port', '0', '--policies', policies, '--threads', '1'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const log = { text: '' };
  child.stderr!.on('data', (d: Buffer) => (log.text += d.toString()));
  let client: Client | undefined;
  try {
    const port = Number((await waitFor(child, /listening on https:\/\/127\.0\.0\.1:(\d+)\//, log))[1]);
    client = new Client(port, readFileSync(certs.caCert));
    const broken = reviewOf({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { broken: 'closed' } }, spec: { containers: [{ name: 'c', image: 'a:1' }] } });
    assert.equal((await client.review(broken)).json().response.allowed, false);
    // A new policy set without broken-closed: after SIGHUP the same pod is allowed.
    rmSync(join(policies, 'erroring.yaml'));
    copyFileSync(join(TESTDATA, 'policies', 'slow.yaml'), join(policies, 'slow.yaml'));
    child.kill('SIGHUP');
    await waitFor(child, /reloaded: 2 policies/, log);
    assert.equal((await client.review(broken)).json().response.allowed, true);
    // A broken policy file: the reload fails, the current set stays.
    writeFileSync(join(policies, 'bad.yaml'), 'apiVersion: triad.dev/v1alpha1\nkind: Policy\nmetadata: {name: bad}\nspec:\n  match: {kinds: [Pod]}\n  validations:\n    - expression: "object.spec ==="\n');
    child.kill('SIGHUP');
    await waitFor(child, /reload failed, keeping the current policies: .*bad\.yaml:7/, log);
    assert.equal((await client.review(broken)).json().response.allowed, true);
    assert.equal((await client.send('GET', '/readyz')).status, 200);
    const m = parseMetrics((await client.send('GET', '/metrics')).text);
    assert.equal(m.get('triad_admission_reloads_total{result="success"}'), 1);
    assert.equal(m.get('triad_admission_reloads_total{result="error"}'), 1);
    assert.equal(m.get('triad_admission_policies'), 2);
    client.close();
    child.kill('SIGTERM');
    const code = await new Promise((r) => child.once('exit', r));
    assert.equal(code, 0);
  } finally {
    client?.close();
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('flag and input errors exit 2 with a message', () => {
  const run = (args: string[]) => spawnSync(TRIAD, ['admission', ...args], { encoding: 'utf8' });
  let r = run(['serve', '--tls-cert', '/nonexistent.crt', '--tls-key', '/nonexistent.key', '--port', '0']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--tls-cert \/nonexistent\.crt: ENOENT/);
  r = run(['serve', '--tls-cert', 'x', '--tls-key', 'y', '--timeout-ms', 'soon']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--timeout-ms "soon"/);
  r = run(['certs', '--service', 'Bad_Name', '--namespace', 'x', '--out', tmpdir()]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--service "Bad_Name": not a valid Service name/);
  r = run(['manifest', '--service', 's', '--namespace', 'n']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /give --certs DIR or --ca-bundle FILE/);
});
