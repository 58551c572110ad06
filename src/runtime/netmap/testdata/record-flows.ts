// Records the real events behind netmap.replay.test.ts: three "pods" laid out on the real Docker
// engine as kubelet's dockershim does (a sandbox container holding the network namespace and the
// pod labels, an app container joined to it, CRI labels), plus one plain container, talking over a
// bridge network with busybox nc while Triad's bpftrace sensor and container resolver watch:
//   shop/web → shop/api:8080 → shop/db:5432, shop/web → legacy:9000 (observed window), then
//   shop/web → shop/db:5432 directly (new traffic, after `newTrafficFrom`).
// Writes flows.jsonl (attributed events of these containers) and flows-ips.json (the resolver's
// IP → container map, and the time the new traffic started).
//   scripts/with-node.sh src/runtime/netmap/testdata/record-flows.ts   (root, bpftrace, Docker)
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDocker } from '../../../../test/infra/docker.ts';
import { sharedData } from '../../../../test/shared-data.ts';
import { BpftraceSensor, bpftraceUnavailable } from '../../sensor/bpftrace.ts';
import { ContainerResolver } from '../../container/resolver.ts';
import type { ContainerInfo, RuntimeEvent } from '../../event.ts';

const IMAGE = 'triad-test/busybox:1.31';
const NET = `triad-netmap-${process.pid}`;
const SUBNET = '10.213.7';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const why = bpftraceUnavailable();
if (why) throw new Error(why);
const docker = await startDocker();
const d = (args: string[]) => docker.docker(args);
const events: RuntimeEvent[] = [];
const ours = new Set<string>();
const sensor = new BpftraceSensor();
const resolver = new ContainerResolver({ dockerHost: docker.host });
let newTrafficFrom = '';
let ips: Record<string, ContainerInfo> = {};
try {
  const load = await d(['load', '-i', sharedData('images/snyk/test/fixtures/docker-archives/skopeo-copy/busybox.tar')]);
  await d(['tag', /sha256:[0-9a-f]{64}/.exec(load.stdout)![0], IMAGE]);
  await d(['network', 'create', '--driver', 'bridge', '--subnet', `${SUBNET}.0/24`, NET]);
  await resolver.start();
  const pending: Promise<void>[] = [];
  await sensor.start((e) => {
    pending.push(Promise.resolve(resolver.attribute(e)).then(() => { if (e.container && e.container.id !== 'host') events.push(e); }));
  });
  const label = (kv: Record<string, string>) => Object.entries(kv).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
  const pod = async (ns: string, name: string, labels: Record<string, string>, ip: string, cmd: string): Promise<string> => {
    const cri = { 'io.kubernetes.pod.name': name, 'io.kubernetes.pod.namespace': ns };
    const sb = (await d(['run', '-d', '--network', NET, '--ip', `${SUBNET}.${ip}`, '--name', `k8s_POD_${name}_${ns}_${process.pid}`, ...label({ ...labels, ...cri, 'io.kubernetes.docker.type': 'podsandbox' }), IMAGE, 'sleep', '600'])).stdout.trim();
    const app = `k8s_app_${name}_${ns}_${process.pid}`;
    await d(['run', '-d', '--network', `container:${sb}`, '--name', app, ...label({ ...cri, 'io.kubernetes.sandbox.id': sb, 'io.kubernetes.container.name': 'app', 'io.kubernetes.docker.type': 'container' }), IMAGE, 'sh', '-c', cmd]);
    ours.add(sb);
    return app;
  };
  const loop = (body: string) => `while true; do ${body}; sleep 0.3; done`;
  await pod('shop', 'db-0', { app: 'db', 'statefulset.kubernetes.io/pod-name': 'db-0' }, '30', loop('echo row | nc -l -p 5432 >/dev/null'));
  await pod('shop', 'api-5c8d7f-abcde', { app: 'api', 'pod-template-hash': '5c8d7f' }, '20', `(${loop(`echo q | nc ${SUBNET}.30 5432 >/dev/null`)}) & ${loop('echo ok | nc -l -p 8080 >/dev/null')}`);
  await d(['run', '-d', '--network', NET, '--ip', `${SUBNET}.5`, '--name', `legacy-billing-${process.pid}`, IMAGE, 'sh', '-c', loop('echo bill | nc -l -p 9000 >/dev/null')]);
  await sleep(1000);
  const web = await pod('shop', 'web-7d9f8c6b5-x2kqz', { app: 'web', tier: 'front', 'pod-template-hash': '7d9f8c6b5' }, '10', loop(`echo GET | nc ${SUBNET}.20 8080 >/dev/null; echo b | nc ${SUBNET}.5 9000 >/dev/null`));
  await sleep(6000);
  newTrafficFrom = new Date().toISOString();
  // db's nc serves one connection at a time: retry until it accepts.
  await d(['exec', web, 'sh', '-c', `for i in 1 2 3 4 5 6 7 8 9 10; do echo evil | nc ${SUBNET}.30 5432 && break; sleep 0.1; done`]);
  await sleep(1500);
  ips = Object.fromEntries([...resolver.containerIPs()].filter(([ip]) => ip.startsWith(`${SUBNET}.`)));
  await sensor.stop();
  await Promise.all(pending);
  const names = (await d(['ps', '-a', '--format', '{{.Names}}'])).stdout.split('\n').filter((n) => n.endsWith(`_${process.pid}`) || n.endsWith(`-${process.pid}`));
  for (const n of names) ours.add(n);
  await d(['rm', '-f', ...names]);
  await d(['network', 'rm', NET]);
} finally {
  await resolver.close();
  await docker.stop();
}
const kept = events.filter((e) => e.category === 'network' && e.container?.name && ours.has(e.container.name.replace(/^\//, '')));
kept.sort((a, b) => (a.ts ?? 0) - (b.ts ?? 0));
const here = dirname(fileURLToPath(import.meta.url));
writeFileSync(join(here, 'flows.jsonl'), kept.map((e) => JSON.stringify(e)).join('\n') + '\n');
writeFileSync(join(here, 'flows-ips.json'), JSON.stringify({ newTrafficFrom, ips }, null, 1) + '\n');
console.error(`wrote ${kept.length} network events; ${Object.keys(ips).length} container IPs`);
