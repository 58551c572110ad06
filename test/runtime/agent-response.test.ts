// Response end to end: a response policy maps one Falco rule to kill (the process dies, the
// container goes on) and another to pause (the container is frozen through the engine API); the
// alerts say what was done and whether it worked.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { BUSYBOX, liveAgentUnavailable, startAgent, startContainer, startEnv, type Env, type RunningAgent } from './harness.ts';

const why = liveAgentUnavailable();
let env: Env;
let agent: RunningAgent;
let dir: string;

before(async () => {
  if (why) return;
  dir = mkdtempSync(join(tmpdir(), 'triad-e2e-resp-'));
  const policy = join(dir, 'response.yaml');
  writeFileSync(
    policy,
    ['responses:', '  - rule: Launch Suspicious Network Tool in Container', '    action: kill', '  - rule: Read sensitive file untrusted', '    action: pause', ''].join('\n'),
  );
  env = await startEnv();
  agent = await startAgent(['--docker-host', env.docker.host, '--response', policy]);
});

after(async () => {
  if (agent) assert.equal(await agent.stop(), 0);
  await env?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('kill: the offending process is killed, the container carries on', { skip: why }, async () => {
  const id = await startContainer(env, 'triad-e2e-kill', BUSYBOX, ['sh', '-c', 'nc -l -p 4444; echo "nc exit $?"; sleep 1']);
  const alert = await agent.waitFor((a) => a.kind === 'alert' && a.rule === 'Launch Suspicious Network Tool in Container' && a.container.id === id, 20_000);
  assert.deepEqual(alert.response, { action: 'kill', ok: true });
  await env.docker.docker(['wait', id]);
  const logs = await env.docker.docker(['logs', id]);
  assert.match(logs.stdout, /nc exit 137/, 'nc died of SIGKILL; its shell went on');
  await env.docker.docker(['rm', '-f', id], { allowFail: true });
});

test('pause: the container is frozen through the engine', { skip: why }, async () => {
  const id = await startContainer(env, 'triad-e2e-pause', BUSYBOX, ['sh', '-c', 'cat /etc/shadow >/dev/null; sleep 60']);
  const alert = await agent.waitFor((a) => a.kind === 'alert' && a.rule === 'Read sensitive file untrusted' && a.container.id === id, 20_000);
  assert.deepEqual(alert.response, { action: 'pause', ok: true });
  const state = await env.docker.docker(['inspect', '-f', '{{.State.Paused}}', id]);
  assert.equal(state.stdout.trim(), 'true');
  await env.docker.docker(['rm', '-f', id], { allowFail: true });
});
