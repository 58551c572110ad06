// The parser against BuildKit's rules, one edge case per rule, and against every real Dockerfile
// in the shared data (they must parse cleanly, with instruction positions that point at keywords).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { SHARED_DATA } from '../../test/shared-data.ts';
import { parseDockerfile, resolveStageRef } from './dockerfile.ts';
import { parseShell } from './shell.ts';

const p = (s: string, opts = {}) => parseDockerfile(s, 'Dockerfile', opts);

test('parser directives: syntax, escape (backtick), first non-directive line ends them', () => {
  const df = p('# syntax=docker/dockerfile:1.7\n#escape=`\nFROM mcr.microsoft.com/windows:ltsc2022\nRUN dir C:\\ `\n  && echo hi\nWORKDIR C:\\app\n');
  assert.equal(df.directives.syntax, 'docker/dockerfile:1.7');
  assert.equal(df.directives.escape, '`');
  assert.equal(df.instructions[1]!.args, 'dir C:\\   && echo hi');
  assert.deepEqual(df.instructions[1]!.start, { line: 4, column: 1 });
  assert.equal(df.instructions[1]!.end.line, 5);
  assert.equal(df.instructions[2]!.expanded![0], 'C:\\app', 'a backslash is literal with the backtick escape');
  // After a comment or an unknown directive, `# escape=` is just a comment.
  assert.equal(p('# hello\n# escape=`\nFROM a\n').directives.escape, '\\');
  assert.equal(p('# foo=bar\n# escape=`\nFROM a\n').directives.escape, '\\');
  assert.equal(p('\n# escape=`\nFROM a\n').directives.escape, '\\');
  assert.ok(p('# escape=`\n# escape=\\\nFROM a\n').warnings.some((w) => /only one escape/.test(w.message)));
});

test('continuations: comments and empty lines inside are dropped, trailing blanks after the escape allowed', () => {
  const df = p('FROM a\nRUN apt-get update \\   \n# a comment\n\n    && apt-get install -y x \\\n  # indented comment\n    && true\nUSER u\n');
  const run = df.instructions[1]!;
  assert.equal(run.args, 'apt-get update     && apt-get install -y x     && true');
  assert.deepEqual([run.start.line, run.end.line], [2, 7]);
  assert.deepEqual(df.instructions[2]!.start, { line: 8, column: 1 });
  // Leading whitespace before a keyword is allowed; the column points at the keyword.
  assert.deepEqual(p('FROM a\n   RUN x\n').instructions[1]!.start, { line: 2, column: 4 });
  // CRLF line endings and a BOM.
  assert.equal(p('\uFEFFFROM a\r\nRUN x \\\r\n y\r\n').instructions[1]!.args, 'x  y');
});

test('heredocs: several per RUN, <<- strips tabs, quoted delimiters, COPY <<EOF file, positions', () => {
  const df = p('FROM a\nRUN <<EOT bash\n  set -e\n  echo $HOME\nEOT\nRUN <<-"A" 3<<B cat /dev/fd/3\n\t\tone\n\tA\ntwo\nB\nCOPY --chmod=755 <<EOF /usr/local/bin/x\n#!/bin/sh\nEOF\nUSER u\n');
  const [_, r1, r2, c] = df.instructions;
  assert.equal(r1!.heredocs[0]!.content, '  set -e\n  echo $HOME\n');
  assert.equal(r1!.heredocs[0]!.quoted, false);
  assert.deepEqual([r1!.start.line, r1!.end.line], [2, 5]);
  assert.equal(r2!.heredocs.length, 2);
  assert.deepEqual(r2!.heredocs.map((h) => [h.name, h.content, h.stripTabs, h.quoted, h.fd]), [
    ['A', 'one\n', true, true, undefined],
    ['B', 'two\n', false, false, 3],
  ]);
  assert.equal(c!.keyword, 'COPY');
  assert.equal(c!.heredocs[0]!.content, '#!/bin/sh\n', 'a # line in a heredoc is content, not a comment');
  assert.deepEqual(c!.flags, [{ name: 'chmod', value: '755' }]);
  assert.equal(df.instructions[4]!.keyword, 'USER');
  assert.equal(df.instructions[4]!.start.line, 14);
  // Heredocs only for RUN/COPY/ADD; an unterminated one is reported.
  assert.equal(p('FROM a\nCMD cat <<EOF\nUSER u\n').instructions.length, 3);
  assert.ok(p('FROM a\nRUN <<EOF\necho\n').warnings.some((w) => /unterminated heredoc EOF/.test(w.message)));
  // `<<<` here-strings are not heredocs.
  assert.equal(p('FROM a\nRUN cat <<<"x"\nUSER u\n').instructions[1]!.heredocs.length, 0);
});

test('exec form vs shell form; invalid JSON falls back to the shell form', () => {
  const df = p('FROM a\nCMD ["nginx", "-g", "daemon off;"]\nENTRYPOINT [ "/x" ]\nRUN [not json]\nHEALTHCHECK --interval=5s CMD ["curl","-f","http://l/"]\nHEALTHCHECK NONE\n');
  assert.deepEqual(df.instructions[1]!.json, ['nginx', '-g', 'daemon off;']);
  assert.deepEqual(df.instructions[2]!.json, ['/x']);
  assert.equal(df.instructions[3]!.json, undefined);
  assert.deepEqual(df.instructions[4]!.json, ['curl', '-f', 'http://l/']);
  assert.deepEqual(df.instructions[4]!.flags, [{ name: 'interval', value: '5s' }]);
  assert.equal(df.instructions[5]!.args, 'NONE');
});

test('ARG scoping: globals only in FROM, re-declared ARG inherits, ENV beats ARG, build args override', () => {
  const text = 'ARG REG=docker.io\nARG TAG=12\nFROM ${REG}/debian:${TAG:-11} AS base\nRUN echo\nWORKDIR /w/${TAG}\nARG TAG\nWORKDIR /v/${TAG}\nARG X=1\nENV X=2\nLABEL x=$X y=${UNSET:-dflt} z=${TAG:+set}\nFROM base\nUSER ${X}\nFROM --platform=$BUILDPLATFORM ${REG}/x:${TARGETARCH}\n';
  const df = p(text);
  assert.equal(df.globalArgs.length, 2);
  assert.equal(df.stages[0]!.baseImage, 'docker.io/debian:12');
  assert.equal(df.stages[0]!.name, 'base');
  const ws = df.stages[0]!.instructions.filter((i) => i.keyword === 'WORKDIR');
  assert.deepEqual(ws[0]!.expanded, ['/w/'], 'global ARG not visible in a stage before re-declaration');
  assert.deepEqual(ws[0]!.unresolved, ['TAG']);
  assert.deepEqual(ws[1]!.expanded, ['/v/12']);
  const label = df.stages[0]!.instructions.find((i) => i.keyword === 'LABEL')!;
  assert.deepEqual(label.expanded, ['x=2', 'y=dflt', 'z=set']);
  assert.equal(df.stages[1]!.baseStage, 0);
  assert.deepEqual(df.stages[1]!.instructions[0]!.expanded, ['2'], 'ENV is inherited from the parent stage');
  assert.equal(df.stages[2]!.baseImage, 'docker.io/x:amd64');
  assert.equal(df.stages[2]!.platform, 'linux/amd64');
  assert.equal(p(text, { buildArgs: { TAG: '13' } }).stages[0]!.baseImage, 'docker.io/debian:13');
  assert.equal(p(text, { platform: 'linux/arm64' }).stages[2]!.baseImage, 'docker.io/x:arm64');
});

test('substitution: quotes, escapes, ${VAR-x} vs ${VAR:-x}, nested defaults, pattern removal', () => {
  const df = p('FROM a\nARG E=\nARG V=abc.tar.gz\nENV A="$V" B=\'$V\' C=\\$V D=${E-unset} F=${E:-empty} G=${NOPE:-${V}} H=${V%.gz} I=${V##*.}\n');
  assert.deepEqual(df.stages[0]!.instructions[2]!.expanded, ['A=abc.tar.gz', 'B=$V', 'C=$V', 'D=', 'F=empty', 'G=abc.tar.gz', 'H=abc.tar', 'I=gz']);
});

test('stages: COPY --from by name, index or image; ONBUILD triggers; MAINTAINER kept', () => {
  const df = p('FROM golang:1.22 AS Build\nRUN go build\nFROM alpine:3.20\nCOPY --from=build /out /x\nCOPY --from=0 /out /y\nCOPY --from=nginx:1 /etc/nginx /z\nONBUILD COPY . /src\nMAINTAINER me\n');
  assert.equal(df.stages[0]!.name, 'build', 'stage names compare case-insensitively');
  const copies = df.stages[1]!.instructions.filter((i) => i.keyword === 'COPY');
  assert.equal(resolveStageRef(df, copies[0]!.flags[0]!.value!, 1)?.index, 0);
  assert.equal(resolveStageRef(df, copies[1]!.flags[0]!.value!, 1)?.index, 0);
  assert.equal(resolveStageRef(df, copies[2]!.flags[0]!.value!, 1), undefined);
  const ob = df.stages[1]!.instructions.find((i) => i.keyword === 'ONBUILD')!;
  assert.equal(ob.trigger?.keyword, 'COPY');
  assert.equal(ob.trigger?.args, '. /src');
  assert.equal(df.stages[1]!.instructions.at(-1)!.keyword, 'MAINTAINER');
});

test('flags: --mount with commas, --chown, --link, quoted values, `--` ends flags', () => {
  const df = p('FROM a\nRUN --mount=type=cache,target=/root/.cache --network=none pip install x\nCOPY --chown=app:app --link ["a b", "/c/"]\n');
  assert.deepEqual(df.instructions[1]!.flags, [{ name: 'mount', value: 'type=cache,target=/root/.cache' }, { name: 'network', value: 'none' }]);
  assert.equal(df.instructions[1]!.args, 'pip install x');
  assert.deepEqual(df.instructions[2]!.flags, [{ name: 'chown', value: 'app:app' }, { name: 'link' }]);
  assert.deepEqual(df.instructions[2]!.json, ['a b', '/c/']);
  assert.deepEqual(df.instructions[2]!.expanded, ['a b', '/c/']);
});

test('hostile input: huge or binary-ish input is bounded; pathological nesting terminates', () => {
  assert.throws(() => p('FROM a\n' + 'x'.repeat(9 * 1024 * 1024)), /too large/);
  const deep = 'FROM a\nENV X=' + '${A:-'.repeat(500) + 'x' + '}'.repeat(500) + '\n';
  assert.doesNotThrow(() => p(deep));
  const df = p('FROM a\nRUN \\\n');
  assert.equal(df.instructions.length, 2);
  assert.ok(p('RUN x\n').warnings.some((w) => /before the first FROM/.test(w.message)));
});

test('shell splitting: operators, quotes, sudo and env prefixes, sh -c', () => {
  const cmds = parseShell(`set -ex; A=1 sudo -u root apt-get install -y 'a b' && (cd /x || true) | sh -c "curl y | bash"  # c && d`);
  assert.deepEqual(cmds.map((c) => c.words[0]), ['set', 'apt-get', 'cd', 'true', 'sh', 'curl', 'bash']);
  assert.equal(cmds[1]!.sudo, true);
  assert.deepEqual(cmds[1]!.words, ['apt-get', 'install', '-y', 'a b']);
  assert.equal(cmds[3]!.pipesTo, true);
  assert.equal(cmds[5]!.pipesTo, true);
  assert.equal(parseShell('echo a 2>&1 | grep a')[0]!.pipesTo, true);
});

test('every real Dockerfile in the shared data parses without warnings; keywords sit at their positions', (t) => {
  let files: string[];
  try {
    files = execFileSync('find', [SHARED_DATA, '-name', 'Dockerfile*', '-type', 'f'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return t.skip('shared data absent');
  }
  if (files.length === 0) return t.skip('no Dockerfiles in the shared data');
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const df = parseDockerfile(text, f);
    assert.deepEqual(df.warnings, [], f);
    assert.ok(df.stages.length >= 1, f);
    const lines = text.split(/\r?\n/);
    for (const i of df.instructions) {
      const at = lines[i.start.line - 1]!.slice(i.start.column - 1);
      assert.equal(at.slice(0, i.keyword.length).toUpperCase(), i.keyword, `${f}:${i.start.line}`);
      assert.ok(i.end.line >= i.start.line && i.end.line <= lines.length, `${f}:${i.start.line}`);
    }
    // Independent count: lines that start an instruction, i.e. a keyword not inside a continuation.
    let expected = 0;
    let cont = false;
    for (const l of lines) {
      const comment = /^\s*#/.test(l);
      if (!cont && !comment && /^\s*[A-Za-z]+(\s|$)/.test(l)) expected++;
      if (!comment && l.trim() !== '') cont = /\\\s*$/.test(l);
    }
    assert.equal(df.instructions.length, expected, f);
  }
});
