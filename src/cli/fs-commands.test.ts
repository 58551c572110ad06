import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { hasSharedData, REPO_ROOT, sharedData } from '../../test/shared-data.ts';

const triad = (...args: string[]) => spawnSync(join(REPO_ROOT, 'bin', 'triad'), args, { encoding: 'utf8' });

test('triad fs --scanners secret: findings, JSON, exit code, symlinks not followed, user rules', { skip: !hasSharedData('secrets/gitleaks/testdata') }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'triad-fs-'));
  const outside = mkdtempSync(join(tmpdir(), 'triad-fs-outside-'));
  try {
    mkdirSync(join(dir, 'app'));
    copyFileSync(sharedData('secrets/gitleaks/testdata/repos/nogit/.env.prod'), join(dir, 'app', '.env.prod'));
    copyFileSync(sharedData('secrets/gitleaks/testdata/repos/symlinks/source_file/id_ed25519'), join(outside, 'id_ed25519'));
    symlinkSync(join(outside, 'id_ed25519'), join(dir, 'app', 'key'));
    symlinkSync(outside, join(dir, 'linkdir'));
    writeFileSync(join(dir, 'app', 'blob.txt'), Buffer.from('ghp_aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5\0\0'));

    const json = triad('fs', dir, '--scanners', 'secret', '-f', 'json');
    assert.equal(json.status, 0, json.stderr);
    const rep = JSON.parse(json.stdout);
    assert.deepEqual(rep.findings.map((f: { ruleId: string; path: string }) => `${f.ruleId} ${f.path}`), ['generic-api-key app/.env.prod']);
    assert.equal(rep.findings[0].match, '8ae3' + '*'.repeat(18));
    assert.ok(!json.stdout.includes('8ae31cacf141669ddfb5da'));
    assert.equal(rep.skipped.binary, 1);

    const table = triad('fs', dir, '--exit-code', '5');
    assert.equal(table.status, 5);
    assert.match(table.stdout, /generic-api-key\s+app\/\.env\.prod:4:13\s+8ae3\*+/);

    // A user file that disables the rule: nothing found, exit 0.
    writeFileSync(join(dir, 'rules.yaml'), 'disable: [generic-api-key]\n');
    const quiet = triad('fs', join(dir, 'app'), '--exit-code', '5', '--secret-config', join(dir, 'rules.yaml'));
    assert.equal(quiet.status, 0, quiet.stderr);
    assert.match(quiet.stdout, /0 secrets/);

    const bad = triad('fs', join(dir, 'nope'));
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /not a directory/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  }
});
