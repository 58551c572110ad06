// The command line as users run it: bin/triad on real archives, exit codes, formats validated
// against the official schemas, atomic -o.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { cycloneDXValidator, formatErrors, spdxValidator } from '../../src/sbom/tests/validate.ts';
import { hasSharedData, REPO_ROOT, sharedData } from '../shared-data.ts';

const ALPINE = sharedData('images/snyk/test/fixtures/containerd-archives/alpine.tar');

function triad(...args: string[]) {
  const r = spawnSync(join(REPO_ROOT, 'bin/triad'), args, { encoding: 'utf8', env: { ...process.env, CI: '1' }, maxBuffer: 256 << 20 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

let dir: string;
before(async () => { dir = await mkdtemp(join(tmpdir(), 'triad-cli-')); });
after(async () => { await rm(dir, { recursive: true, force: true }); });

test('--help reads like a scanner CLI and lists the commands', () => {
  const r = triad('--help');
  assert.equal(r.code, 0);
  for (const s of ['image', 'sbom', 'docker-archive:PATH', 'registry:HOST/REPO', 'rootfs:DIR']) assert.ok(r.out.includes(s), s);
  const s = triad('sbom', '--help');
  assert.equal(s.code, 0);
  assert.match(s.out, /cyclonedx/);
});

test('sbom --format cyclonedx is valid CycloneDX 1.6 with the image packages', { skip: !hasSharedData('images') }, () => {
  const r = triad('sbom', `oci-archive:${ALPINE}`, '--format', 'cyclonedx');
  assert.equal(r.code, 0, r.err);
  const bom = JSON.parse(r.out) as { specVersion: string; components: Array<{ purl?: string }> };
  const validate = cycloneDXValidator();
  assert.ok(validate(bom), formatErrors(validate.errors));
  assert.equal(bom.specVersion, '1.6');
  const purls = (bom.components as Array<{ purl?: string }>).map((c) => c.purl ?? '');
  assert.ok(purls.some((p) => p.startsWith('pkg:apk/alpine/musl@')), purls.join('\n'));
  assert.ok(purls.some((p) => p.startsWith('pkg:apk/alpine/busybox@')));
});

test('sbom --format spdx is valid SPDX 2.3', { skip: !hasSharedData('images') }, async () => {
  const out = join(dir, 'alpine.spdx.json');
  const r = triad('sbom', ALPINE, '--format', 'spdx', '-o', out);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, '');
  const doc = JSON.parse(await readFile(out, "utf8")) as { packages: unknown[] };
  const validate = spdxValidator();
  assert.ok(validate(doc), formatErrors(validate.errors));
  assert.ok(doc.packages.length > 10);
});

test('image prints the vulnerability summary, the layer table and (--list-all-pkgs) the package table', { skip: !hasSharedData('images') }, () => {
  const r = triad('image', ALPINE, '--list-all-pkgs');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /musl/);
  assert.match(r.out, /ADD file:/);
});

test('unusable input exits 2 with one line naming it and writes no output file', async () => {
  const out = join(dir, 'never.json');
  const missing = join(dir, 'missing.tar');
  const r = triad('sbom', missing, '-f', 'json', '-o', out);
  assert.equal(r.code, 2);
  assert.equal(r.err.trim().split('\n').length, 1);
  assert.ok(r.err.includes(missing), r.err);
  assert.equal(existsSync(out), false);
  const bad = triad('sbom', `docker-archive:${sharedData('images/snyk/test/fixtures/docker-archives/docker-save/java.tar')}`, '-f', 'json');
  assert.equal(bad.code, 2);
  assert.match(bad.err, /layer 0 .*diffID mismatch/);
  assert.equal(bad.out, '');
});
