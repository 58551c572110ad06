// Records the real events behind baseline.replay.test.ts: a busybox container run 14 times by the
// real Docker engine while Triad's bpftrace sensor watches and the container resolver attributes.
//   runs 1-3    normal behaviour (learning)
//   run 4       the same plus one new program (/bin/id): the deviation
//   runs 5-14   normal behaviour again
// Only events of these containers are kept (other containers on the machine are filtered out).
//   scripts/with-node.sh src/runtime/baseline/testdata/record-runs.ts   (root, bpftrace, Docker)
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDocker } from '../../../../test/infra/docker.ts';
import { sharedData } from '../../../../test/shared-data.ts';
import { BpftraceSensor, bpftraceUnavailable } from '../../sensor/bpftrace.ts';
import { ContainerResolver } from '../../container/resolver.ts';
import type { RuntimeEvent } from '../../event.ts';

const IMAGE = 'triad-test/busybox:1.31';
const NORMAL = 'echo $$ > /tmp/app.pid; mkdir -p /var/cache/app; date > /var/cache/app/last-run; ls /etc > /tmp/listing; cat /etc/hostname > /dev/null; sleep 1';
const DEVIATION = `${NORMAL}; id > /dev/null`;

const why = bpftraceUnavailable();
if (why) throw new Error(why);
const docker = await startDocker();
const events: RuntimeEvent[] = [];
const names = new Set<string>();
const sensor = new BpftraceSensor();
const resolver = new ContainerResolver({ dockerHost: docker.host });
try {
  const load = await docker.docker(['load', '-i', sharedData('images/snyk/test/fixtures/docker-archives/skopeo-copy/busybox.tar')]);
  await docker.docker(['tag', /sha256:[0-9a-f]{64}/.exec(load.stdout)![0], IMAGE]);
  await resolver.start();
  const pending: Promise<void>[] = [];
  await sensor.start((e) => {
    const r = resolver.attribute(e);
    // Filtered at the end: the resolver completes a new container's info in place once the engine answers.
    pending.push(Promise.resolve(r).then(() => { if (e.container && e.container.id !== 'host') events.push(e); }));
  });
  for (let i = 1; i <= 14; i++) {
    const name = `triad-baseline-run-${i}-${process.pid}`;
    names.add(name);
    await docker.docker(['run', '--rm', '--network', 'none', '--name', name, IMAGE, 'sh', '-c', i === 4 ? DEVIATION : NORMAL]);
  }
  await new Promise((r) => setTimeout(r, 2000));
  await sensor.stop();
  await Promise.all(pending);
} finally {
  await resolver.close();
  await docker.stop();
}
const ours = events.filter((e) => e.container?.name && names.has(e.container.name.replace(/^\//, '')));
ours.sort((a, b) => (a.ts ?? 0) - (b.ts ?? 0));
const out = join(dirname(fileURLToPath(import.meta.url)), 'busybox-runs.jsonl');
writeFileSync(out, ours.map((e) => JSON.stringify(e)).join('\n') + '\n');
console.error(`wrote ${ours.length} events of ${names.size} runs to ${out}`);
