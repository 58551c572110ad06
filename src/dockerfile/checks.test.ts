// Every good/bad example Trivy ships for its Dockerfile checks: good -> no finding of that check,
// bad -> at least one. Plus Trivy's own integration golden for a Dockerfile repository.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { sharedData } from '../../test/shared-data.ts';
import { parseDockerfile } from './dockerfile.ts';
import { DOCKERFILE_CHECKS, lintDockerfile } from './lint.ts';

const DIR = sharedData('k8s/trivy-checks/checks/docker');

/** Trivy example file -> the Triad check with the same meaning. */
const EXAMPLE_TO_CHECK: Record<string, string> = {
  add_instead_of_copy: 'DS-0005',
  apt_get_missing_yes_flag_to_avoid_manual_input: 'DS-0021',
  copy_from_references_current_from_alias: 'DS-0006',
  copy_with_more_than_two_arguments_not_ending_with_slash: 'DS-0011',
  latest_tag: 'DS-0001',
  maintainer_is_deprecated: 'DS-0022',
  missing_dnf_clean_all: 'DS-0019',
  missing_zypper_clean: 'DS-0020',
  multiple_cmd_instructions_listed: 'DS-0016',
  multiple_entrypoint_instructions_listed: 'DS-0007',
  multiple_healthcheck_instructions: 'DS-0023',
  port22: 'DS-0004',
  root_user: 'DS-0002',
  run_apt_get_dist_upgrade: 'DS-0024',
  run_command_cd_instead_of_workdir: 'DS-0013',
  run_using_sudo: 'DS-0010',
  run_using_wget_and_curl: 'DS-0014',
  same_alias_in_different_froms: 'DS-0012',
  unix_ports_out_of_range: 'DS-0008',
  update_instruction_alone: 'DS-0017',
  workdir_path_not_absolute: 'DS-0009',
  yum_clean_all_missing: 'DS-0015',
};

function ids(text: string, name: string): string[] {
  return lintDockerfile(parseDockerfile(text, name)).findings.map((f) => f.checkId);
}

test('trivy-checks docker examples: good passes, bad fails, for every example file', (t) => {
  if (!existsSync(DIR)) return t.skip('shared data absent');
  const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));
  assert.ok(files.length >= 20);
  for (const f of files) {
    const name = f.replace(/\.yaml$/, '');
    const id = EXAMPLE_TO_CHECK[name];
    assert.ok(id, `no Triad check mapped for Trivy example ${f}`);
    assert.ok(DOCKERFILE_CHECKS.some((c) => c.id === id));
    const doc = parseYaml(readFileSync(join(DIR, f), 'utf8')) as { dockerfile: { good: string[]; bad: string[] } };
    doc.dockerfile.good.forEach((g, k) => assert.ok(!ids(g, `${f} good#${k}`).includes(id), `${f} good#${k} must not raise ${id}:\n${g}`));
    doc.dockerfile.bad.forEach((b, k) => assert.ok(ids(b, `${f} bad#${k}`).includes(id), `${f} bad#${k} must raise ${id}:\n${b}`));
  }
});

test("Trivy's golden for its Dockerfile fixture: only DS-0002 among the DS checks", (t) => {
  const golden = sharedData('expected/trivy-integration/integration/testdata/dockerfile.json.golden');
  const fixture = sharedData('expected/trivy-integration/integration/testdata/fixtures/repo/dockerfile/Dockerfile');
  if (!existsSync(golden)) return t.skip('shared data absent');
  const g = JSON.parse(readFileSync(golden, 'utf8')) as { Results: Array<{ Misconfigurations?: Array<{ ID: string; Status: string }> }> };
  const expected = g.Results.flatMap((r) => r.Misconfigurations ?? []).filter((m) => m.Status === 'FAIL').map((m) => m.ID);
  const got = ids(readFileSync(fixture, 'utf8'), fixture).filter((id) => id.startsWith('DS-'));
  assert.deepEqual([...new Set(got)].sort(), [...new Set(expected)].sort());
});

test('findings carry the region of the offending instruction', () => {
  const df = 'FROM debian:12\nRUN apt-get update && \\\n    apt-get install -y curl\nUSER app\nEXPOSE 22\n';
  const r = lintDockerfile(parseDockerfile(df, 'x/Dockerfile'));
  const rec = r.findings.find((f) => f.checkId === 'DS-0029')!;
  assert.deepEqual(rec.region, { startLine: 2, startColumn: 1, endLine: 3, endColumn: 28 });
  assert.equal(rec.target, 'x/Dockerfile');
  const p22 = r.findings.find((f) => f.checkId === 'DS-0004')!;
  assert.equal(p22.region?.startLine, 5);
});

function has(text: string, id: string): boolean {
  return ids(text, 'Dockerfile').includes(id);
}

test('base image pinning: latest, no tag, digest, stage names, scratch, ARG-built references', () => {
  assert.ok(has('FROM debian\nUSER a', 'DS-0001'));
  assert.ok(has('FROM registry:5000/debian\nUSER a', 'DS-0001'), 'a registry port is not a tag');
  assert.ok(!has('FROM registry:5000/debian:12\nUSER a', 'DS-0001'));
  assert.ok(!has('FROM debian@sha256:' + 'a'.repeat(64) + '\nUSER a', 'DS-0001'));
  assert.ok(!has('FROM debian:12@sha256:' + 'a'.repeat(64) + '\nUSER a', 'TRIAD-DF-0001'));
  assert.ok(has('FROM debian:12\nUSER a', 'TRIAD-DF-0001'));
  assert.ok(!has('FROM golang:1.22 AS build\nFROM build\nUSER a', 'DS-0001'), 'a previous stage is not an image');
  assert.ok(!has('FROM scratch\nUSER a', 'DS-0001'));
  assert.ok(has('ARG V=latest\nFROM debian:${V}\nUSER a', 'DS-0001'));
  assert.ok(!has('ARG V=12\nFROM debian:${V}\nUSER a', 'DS-0001'));
  assert.ok(!has('ARG V\nFROM debian:${V}\nUSER a', 'DS-0001'), 'unknown at lint time');
  assert.ok(has('ARG IMG=debian\nFROM ${IMG}\nUSER a', 'DS-0001'));
});

test('USER: final stage only, inherited from a parent stage, root by name or uid', () => {
  assert.ok(!has('FROM a:1 AS b\nUSER app\nFROM b\nRUN x', 'DS-0002'), 'inherited from stage b');
  assert.ok(has('FROM a:1 AS b\nUSER app\nFROM c:1\nRUN x', 'DS-0002'));
  assert.ok(has('FROM a:1\nUSER app\nUSER 0:0', 'DS-0002'));
  assert.ok(has('FROM a:1\nUSER root', 'DS-0002'));
  assert.ok(!has('FROM a:1\nUSER 1000:1000', 'DS-0002'));
  assert.ok(!has('FROM a:1\nARG U=app\nUSER $U', 'DS-0002'));
});

test('ADD: local archive fine, plain file and URL flagged, checksum and pinned git accepted', () => {
  assert.ok(!has('FROM a:1\nADD rootfs.tar.xz /', 'DS-0005'));
  assert.ok(has('FROM a:1\nADD app.py /app/', 'DS-0005'));
  assert.ok(has('FROM a:1\nADD https://example.com/x.sh /x.sh', 'TRIAD-DF-0002'));
  assert.ok(!has('FROM a:1\nADD --checksum=sha256:' + 'b'.repeat(64) + ' https://example.com/x.sh /x.sh', 'TRIAD-DF-0002'));
  assert.ok(!has('FROM a:1\nADD https://example.com/x.sh /x.sh', 'DS-0005'), 'the URL check covers it');
  assert.ok(has('FROM a:1\nADD https://github.com/o/r.git /src', 'TRIAD-DF-0002'));
  assert.ok(!has('FROM a:1\nADD https://github.com/o/r.git#' + 'c'.repeat(40) + ' /src', 'TRIAD-DF-0002'));
});

test('RUN: curl | sh in shell form, heredoc scripts, sh -c and ONBUILD triggers', () => {
  assert.ok(has('FROM a:1\nRUN curl -fsSL https://x/install | sh', 'TRIAD-DF-0003'));
  assert.ok(has('FROM a:1\nRUN wget -qO- https://x | tee /tmp/x | bash -s --', 'TRIAD-DF-0003'));
  assert.ok(has('FROM a:1\nRUN <<EOF\nset -e\ncurl -sSL https://x | sh\nEOF', 'TRIAD-DF-0003'));
  assert.ok(has('FROM a:1\nRUN ["sh", "-c", "curl https://x | sh"]', 'TRIAD-DF-0003'));
  assert.ok(has('FROM a:1\nONBUILD RUN curl https://x | sh', 'TRIAD-DF-0003'));
  assert.ok(!has('FROM a:1\nRUN curl -o /tmp/x https://x && sha256sum -c sums && sh /tmp/x', 'TRIAD-DF-0003'));
  assert.ok(!has("FROM a:1\nRUN echo 'curl x | sh' > /doc.txt", 'TRIAD-DF-0003'), 'quoted text is not a pipeline');
  assert.ok(!has('FROM a:1\nRUN python3 <<EOF\nprint("curl x | sh")\nEOF', 'TRIAD-DF-0003'), 'a heredoc fed to python is not shell');
  assert.ok(has('FROM a:1\nRUN DEBIAN_FRONTEND=noninteractive sudo -E apt-get install -y x', 'DS-0010'));
});

test('package installs: pinning, cleanup, recommends, apk cache, cache mounts', () => {
  const apt = (s: string) => `FROM debian:12\n${s}\nUSER a`;
  assert.ok(has(apt('RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*'), 'TRIAD-DF-0004'));
  assert.ok(!has(apt('RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10 && rm -rf /var/lib/apt/lists/*'), 'TRIAD-DF-0004'));
  assert.ok(has(apt('RUN apt-get update && apt-get install -y curl=1'), 'TRIAD-DF-0005'));
  assert.ok(!has(apt('RUN --mount=type=cache,target=/var/lib/apt apt-get update && apt-get install -y curl=1'), 'TRIAD-DF-0005'));
  assert.ok(!has(apt('RUN apt-get -qq install curl=1'), 'DS-0021'), '-qq implies -y');
  assert.ok(has(apt('RUN apk add curl'), 'DS-0025'));
  assert.ok(!has(apt('RUN apk add --no-cache curl=8.5.0-r0'), 'DS-0025'));
  assert.ok(!has(apt('RUN apk add --no-cache curl=8.5.0-r0'), 'TRIAD-DF-0004'));
  assert.ok(has(apt('RUN yum install -y httpd && yum clean all'), 'TRIAD-DF-0004'));
  assert.ok(!has(apt('RUN yum install -y httpd-2.4.57 && yum clean all'), 'TRIAD-DF-0004'));
  assert.ok(has(apt('RUN microdnf install -y x-1'), 'DS-0027'));
  assert.ok(has(apt('RUN apt-get upgrade -y'), 'TRIAD-DF-0007'));
  assert.ok(has(apt('RUN yum update -y'), 'TRIAD-DF-0007'));
  assert.ok(!has(apt('RUN yum update -y openssl-3.0.7'), 'TRIAD-DF-0007'));
  assert.ok(has(apt('RUN apk update'), 'DS-0017'));
});

test('secrets in ARG/ENV by name and by value; fingerprints and file pointers are not secrets', () => {
  assert.ok(has('FROM a:1\nENV DB_PASSWORD=hunter2\nUSER a', 'DS-0031'));
  assert.ok(has('ARG GITHUB_TOKEN=ghp_' + 'x'.repeat(36) + '\nFROM a:1\nUSER a', 'DS-0031'));
  assert.ok(has('FROM a:1\nENV CONFIG="postgres://app:s3cr3t@db/app"\nUSER a', 'DS-0031'));
  assert.ok(has('FROM a:1\nENV AWS_SECRET_ACCESS_KEY wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\nUSER a', 'DS-0031'), 'legacy ENV form');
  assert.ok(!has('FROM a:1\nENV GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D\nUSER a', 'DS-0031'));
  assert.ok(!has('FROM a:1\nENV DB_PASSWORD_FILE=/run/secrets/db\nUSER a', 'DS-0031'));
  assert.ok(!has('FROM a:1\nARG NPM_TOKEN\nUSER a', 'DS-0031'), 'no value in the file');
  assert.ok(!has('FROM a:1\nENV API_TOKEN=${API_TOKEN}\nUSER a', 'DS-0031'), 'passed through, not hard-coded');
  const msg = lintDockerfile(parseDockerfile('FROM a:1\nENV DB_PASSWORD=hunter2\nUSER a')).findings.find((f) => f.checkId === 'DS-0031')!.message;
  assert.ok(msg.includes('hunt***') && !msg.includes('hunter2'), msg);
});

test('shell-form ENTRYPOINT/CMD in the final stage only; CMD as arguments of an exec ENTRYPOINT is fine', () => {
  assert.ok(has('FROM a:1\nUSER a\nENTRYPOINT /app/run', 'TRIAD-DF-0006'));
  assert.ok(!has('FROM a:1\nUSER a\nENTRYPOINT ["/app/run"]\nCMD --help', 'TRIAD-DF-0006'));
  assert.ok(!has('FROM a:1 AS b\nCMD make\nFROM c:1\nUSER a\nCMD ["/x"]', 'TRIAD-DF-0006'));
  assert.ok(!has('FROM a:1\nUSER a\nCMD exec /app/run', 'TRIAD-DF-0006'));
});

test('every check has id, title, severity, rationale and remediation; ids are unique', () => {
  const seen = new Set<string>();
  for (const c of DOCKERFILE_CHECKS) {
    assert.ok(c.id && c.title && c.severity && c.rationale.length > 20 && c.remediation.length > 10, c.id);
    assert.ok(!seen.has(c.id), `duplicate ${c.id}`);
    seen.add(c.id);
  }
});
