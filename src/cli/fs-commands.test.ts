import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
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
    assert.deepEqual(rep.secrets.map((f: { ruleId: string; path: string }) => `${f.ruleId} ${f.path}`), ['generic-api-key app/.env.prod']);
    assert.equal(rep.secrets[0].match, '8ae3' + '*'.repeat(18));
    assert.equal(rep.secrets[0].startColumn, 13);
    assert.ok(!json.stdout.includes('8ae31cacf141669ddfb5da'));
    assert.deepEqual(rep.scanners, ['secret']);
    assert.ok(rep.warnings.some((w: string) => /secret scan: \d+ files scanned, skipped: 1 binary/.test(w)), rep.warnings.join('\n'));

    const table = triad('fs', dir, '--exit-code', '5');
    assert.equal(table.status, 5);
    assert.match(table.stdout, /generic-api-key.*app\/\.env\.prod:4.*8ae3\*+/);

    // A user file that disables the rule: nothing found, exit 0.
    writeFileSync(join(dir, 'rules.yaml'), 'disable: [generic-api-key]\n');
    const quiet = triad('fs', join(dir, 'app'), '--exit-code', '5', '--secret-config', join(dir, 'rules.yaml'));
    assert.equal(quiet.status, 0, quiet.stderr);
    assert.match(quiet.stdout, /Secrets\n=+\nTotal: 0 /);

    const bad = triad('fs', join(dir, 'nope'));
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /not a directory/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  }
});

const dockerCase = (file: string, kind: 'good' | 'bad'): string => {
  const doc = parseYaml(readFileSync(sharedData(`k8s/trivy-checks/checks/docker/${file}`), 'utf8')) as { dockerfile: Record<string, string[]> };
  return doc.dockerfile[kind]![0]!;
};

test('triad fs lints every Dockerfile in the tree: all formats, clean files pass, --severity and --exit-code gate', { skip: !hasSharedData('k8s/trivy-checks/checks/docker') }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'triad-fs-df-'));
  try {
    mkdirSync(join(dir, 'svc', 'api'), { recursive: true });
    writeFileSync(join(dir, 'svc', 'api', 'Dockerfile'), dockerCase('run_using_sudo.yaml', 'bad'));
    writeFileSync(join(dir, 'svc', 'web.Dockerfile'), dockerCase('run_using_sudo.yaml', 'good'));
    writeFileSync(join(dir, 'Containerfile.dev'), dockerCase('add_instead_of_copy.yaml', 'bad'));
    writeFileSync(join(dir, 'notes.txt'), 'FROM alpine:latest\nRUN sudo rm -rf /\n'); // not a Dockerfile name: not linted

    const json = triad('fs', dir, '-f', 'json', '--exit-code', '3');
    assert.equal(json.status, 3, json.stderr);
    const rep = JSON.parse(json.stdout);
    assert.deepEqual(rep.misconfigTargets, ['Containerfile.dev', 'svc/api/Dockerfile', 'svc/web.Dockerfile']);
    const ids = (t: string) => rep.misconfigurations.filter((m: { target: string }) => m.target === t).map((m: { checkId: string }) => m.checkId);
    assert.ok(ids('svc/api/Dockerfile').includes('DS-0010'), 'sudo check fires on the bad case');
    assert.ok(!ids('svc/web.Dockerfile').includes('DS-0010'), 'and not on the good one');
    assert.ok(ids('Containerfile.dev').includes('DS-0005'), 'ADD instead of COPY');
    assert.equal(ids('notes.txt').length, 0);

    const sarif = JSON.parse(triad('fs', dir, '-f', 'sarif').stdout);
    const sudo = sarif.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'DS-0010');
    assert.equal(sudo.locations[0].physicalLocation.artifactLocation.uri, 'svc/api/Dockerfile');
    assert.equal(sudo.locations[0].physicalLocation.region.startLine, 2);

    const junit = triad('fs', dir, '-f', 'junit', '--severity', 'CRITICAL').stdout;
    assert.match(junit, /<testcase classname="svc\/web.Dockerfile" name="no misconfigurations"/);
    assert.match(junit, /<testcase classname="[^"]+" name="no secrets found"/);

    // Only critical findings count: sudo (DS-0010) is the only one; skipping it opens the gate.
    const gated = triad('fs', dir, '--severity', 'CRITICAL', '--exit-code', '3', '--scanners', 'misconfig');
    assert.equal(gated.status, 3, gated.stdout);
    assert.match(gated.stdout, /svc\/web\.Dockerfile \(misconfigurations\)\n=+\nTotal: 0/);
    const open = triad('fs', dir, '--severity', 'CRITICAL', '--exit-code', '3', '--scanners', 'misconfig', '--skip-check', 'DS010');
    assert.equal(open.status, 0, open.stdout);
    assert.doesNotMatch(open.stdout, /Secrets/, 'the secret scanner did not run, so no secret section');

    const badScanner = triad('fs', dir, '--scanners', 'vuln');
    assert.equal(badScanner.status, 2);
    assert.match(badScanner.stderr, /--scanners: unknown value "vuln"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
