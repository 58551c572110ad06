// The agent beyond Docker: the same `triad agent run` attributes alerts to containers that podman
// (through its CLI) and a private containerd (through ctr) run with runc, with the right name, image
// and digest, from the cgroup of the kernel event. Each engine is skipped visibly where it cannot run.
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '../infra/util.ts';
import { liveAgentUnavailable, startAgent, type RunningAgent } from './harness.ts';
import { containerdUnavailable, podmanContainerOrSkip, podmanUnavailable, startContainerd, type TestContainerd } from '../../src/runtime/container/test-support.ts';

const why = liveAgentUnavailable();
const ACTION = 'sleep 1; echo pwned > /etc/triad-engine-e2e; sleep 1';

describe('podman', { skip: why ?? podmanUnavailable() }, () => {
  let agent: RunningAgent;
  before(async () => {
    agent = await startAgent([]);
  });
  after(async () => {
    if (agent && agent.child.exitCode === null) await agent.stop();
  });

  test('a podman container: "Write below etc" with its id, name and image', async (t) => {
    const name = `triad-e2e-podman-${process.pid}`;
    await run('podman', ['rm', '-f', name], { allowFail: true });
    const started = await podmanContainerOrSkip(t, name, ['sh', '-c', ACTION]);
    if (!started) return;
    const { id, image } = started;
    try {
      const a = await agent.waitFor((x) => x.kind === 'alert' && x.rule === 'Write below etc' && x.container?.id === id, 20_000, 'the podman alert');
      assert.equal(a.container.name, name);
      assert.equal(a.container.image, image);
      const digest = execFileSync('podman', ['inspect', '-f', '{{.ImageDigest}}', id], { encoding: 'utf8' }).trim();
      assert.equal((a.container as { imageDigest?: string }).imageDigest, digest);
    } finally {
      await run('podman', ['rm', '-f', name], { allowFail: true });
    }
  });
});

describe('containerd (ctr)', { skip: why ?? containerdUnavailable() }, () => {
  let cd: TestContainerd;
  let agent: RunningAgent;
  before(async () => {
    cd = await startContainerd();
    agent = await startAgent(['--containerd', cd.address]);
  });
  after(async () => {
    if (agent && agent.child.exitCode === null) await agent.stop();
    await cd?.stop();
  });

  test('a ctr container: "Write below etc" with its id and image', async () => {
    await cd.ctr(['run', '-d', cd.image, 'triad-e2e-ctr', 'sh', '-c', ACTION]);
    const a = await agent.waitFor((x) => x.kind === 'alert' && x.rule === 'Write below etc' && x.container?.id === 'triad-e2e-ctr', 20_000, 'the containerd alert');
    assert.equal(a.container.image, cd.image);
    const digest = (await cd.ctr(['images', 'ls'])).stdout.split('\n').find((l) => l.startsWith(cd.image))?.trim().split(/\s+/)[2];
    assert.equal((a.container as { imageDigest?: string }).imageDigest, digest);
  });
});
