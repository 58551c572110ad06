// The "outbound connection" and "new listening port" actions, live, through learned baselines,
// and the live network map: `triad agent run --netmap` learns a busybox image whose normal run does no
// networking; then one container of that image starts a web server (a new program and a new listening
// port) and another one fetches from it over a Docker network we create (a new program and a new
// outbound destination, named by the peer container rather than its IP). Each deviation is alerted
// once, with the right container and image. The network map the agent saved gives the flow
// client → server:8080/TCP; two pods run the way cri-dockerd runs them under kubelet (sandbox +
// app container, pod labels on the sandbox) talk too, and their traffic becomes NetworkPolicies that
// a dry-run over the same map shows to allow exactly what was seen, while a default-deny blocks it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { run } from '../infra/util.ts';
import { BUSYBOX, liveAgentUnavailable, runContainer, startAgent, startContainer, startEnv, TRIAD, type Env, type RunningAgent } from './harness.ts';

const why = liveAgentUnavailable();
let env: Env;
let agent: RunningAgent;
let dir: string;
const NET = `triad-e2e-net-${process.pid}`;
const NORMAL = ['sh', '-c', 'id >/dev/null; ls / >/dev/null'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  if (why) return;
  dir = mkdtempSync(join(tmpdir(), 'triad-e2e-network-'));
  env = await startEnv();
  await env.docker.docker(['network', 'rm', NET], { allowFail: true });
  await env.docker.docker(['network', 'create', '--subnet', '10.231.7.0/24', NET]);
  agent = await startAgent(['--docker-host', env.docker.host, '--baseline-dir', join(dir, 'baselines'), '--learning', '4s', '--quiet-period', '3s', '--netmap', join(dir, 'flows.json')]);
});

after(async () => {
  if (agent && agent.child.exitCode === null) await agent.stop();
  if (env) {
    await env.docker.docker(['rm', '-f', 'triad-e2e-web'], { allowFail: true });
    await env.docker.docker(['network', 'rm', NET], { allowFail: true });
    await env.stop();
  }
  if (dir && !process.env.TRIAD_TEST_KEEP) rmSync(dir, { recursive: true, force: true });
});

test('new listening port and new outbound destination: one baseline alert each; the live network map gives NetworkPolicies for pods', { skip: why }, async () => {
  const alertsOf = (id: string) => agent.lines.filter((a) => a.kind === 'alert' && a.source === 'baseline' && a.container?.id === id);
  for (let i = 0; i < 3; i++) await runContainer(env, `triad-e2e-net-learn-${i}`, BUSYBOX, NORMAL, ['--network', NET]);
  await sleep(5_000); // learning window and quiet period pass
  const first = await runContainer(env, 'triad-e2e-net-normal', BUSYBOX, NORMAL, ['--network', NET]);
  await sleep(1_000);
  assert.deepEqual(alertsOf(first), [], 'the first normal run after the window promotes and raises nothing');

  const web = await startContainer(env, 'triad-e2e-web', BUSYBOX, ['httpd', '-f', '-p', '8080', '-h', '/etc'], ['--network', NET]);
  const listen = await agent.waitFor((a) => a.kind === 'alert' && a.rule === 'baseline:listen' && a.container?.id === web, 15_000, 'the new listening port');
  assert.match(listen.output, /tcp\/8080/);
  assert.equal(listen.container.name, 'triad-e2e-web');
  assert.equal(listen.container.image, BUSYBOX);
  const ip = (await env.docker.docker(['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', web])).stdout.trim();

  const client = await runContainer(env, 'triad-e2e-client', BUSYBOX, ['wget', '-q', '-O', '/dev/null', `http://${ip}:8080/hostname`], ['--network', NET]);
  const connect = await agent.waitFor((a) => a.kind === 'alert' && a.rule === 'baseline:connect' && a.container?.id === client, 15_000, 'the new outbound destination');
  assert.match(connect.output, /:8080\/tcp/);
  assert.doesNotMatch(connect.output.split(' (')[0]!, new RegExp(ip.replace(/\./g, '\\.')), 'the destination is named by the peer container, not its address');
  assert.equal(connect.container.image, BUSYBOX);
  await sleep(1_000);
  assert.deepEqual(alertsOf(web).map((a) => a.rule).sort(), ['baseline:listen', 'baseline:process'], 'httpd: one new program, one new port');
  assert.deepEqual(alertsOf(client).map((a) => a.rule).sort(), ['baseline:connect', 'baseline:process'], 'wget: one new program, one new destination');

  // Two pods the way cri-dockerd runs them under kubelet: a sandbox container that holds the pod's
  // network namespace and labels, and the app container inside it.
  const pod = async (name: string, app: string, cmd: string[]) => {
    const common = ['--label', `io.kubernetes.pod.name=${name}`, '--label', 'io.kubernetes.pod.namespace=shop', '--label', `io.kubernetes.pod.uid=uid-${app}`];
    const sbx = await startContainer(env, `k8s_POD_${name}_shop_uid-${app}_0`, BUSYBOX, ['sleep', '300'], ['--network', NET, ...common, '--label', 'io.kubernetes.docker.type=podsandbox', '--label', `app=${app}`, '--label', 'pod-template-hash=7d4f9c8b6']);
    await startContainer(env, `k8s_${app}_${name}_shop_uid-${app}_0`, BUSYBOX, cmd, ['--network', `container:${sbx}`, ...common, '--label', `io.kubernetes.container.name=${app}`, '--label', `io.kubernetes.sandbox.id=${sbx}`, '--label', 'io.kubernetes.docker.type=container']);
    return (await env.docker.docker(['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', sbx])).stdout.trim();
  };
  const shopIp = await pod('shop-7d4f9c8b6-x1abc', 'shop', ['httpd', '-f', '-p', '8080', '-h', '/etc']);
  await pod('cart-7d4f9c8b6-q2w3e', 'cart', ['sh', '-c', `for i in 1 2 3 4 5 6 7 8 9 10; do wget -q -O /dev/null http://${shopIp}:8080/hostname && break; sleep 0.5; done; sleep 300`]);
  await agent.waitFor((a) => a.kind === 'alert' && a.rule === 'baseline:connect' && a.container?.name === 'k8s_cart_cart-7d4f9c8b6-q2w3e_shop_uid-cart_0', 20_000, 'the cart pod connecting');
  await sleep(500);

  assert.equal(await agent.stop(), 0);
  const flowsFile = join(dir, 'flows.json');
  const map = await run(TRIAD, ['agent', 'netpol', '--flows', flowsFile, '--map']);
  const line = map.stdout.split('\n').find((l) => l.includes('triad-e2e-client') && l.includes('triad-e2e-web'));
  assert.ok(line, `client → web flow in the map:\n${map.stdout}`);
  assert.match(line, /8080\/TCP/);

  // Plain Docker containers are not pods: no NetworkPolicy can select them, and netpol says so
  // (policies from recorded Kubernetes traffic: agent-cli.test.ts).
  const gen = await run(TRIAD, ['agent', 'netpol', '--flows', flowsFile]);
  assert.match(gen.stderr, /skipped container:triad-e2e-web: not a Kubernetes pod/);
  // A dry-run of a default-deny policy in the pods' namespace over the live map: the pods' flow (added
  // below) would be blocked; the plain containers' flow is not Kubernetes traffic.
  const polFile = join(dir, 'deny.yaml');
  writeFileSync(polFile, 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny-all, namespace: shop}\nspec: {podSelector: {}, policyTypes: [Ingress, Egress]}\n');
  const dry = await run(TRIAD, ['agent', 'netpol', '--flows', flowsFile, '--dry-run', polFile], { allowFail: true });
  assert.match(dry.stdout, /2 flows observed; 1 would be blocked/, dry.stdout + dry.stderr);
  assert.equal(JSON.parse(readFileSync(flowsFile, 'utf8')).kind, 'TriadFlows');

  // The pods' traffic becomes NetworkPolicies: shop admits cart on 8080, cart may reach shop on 8080.
  const pol = await run(TRIAD, ['agent', 'netpol', '--flows', flowsFile]);
  const docs = parseAllDocuments(pol.stdout).map((d) => d.toJS() as { kind: string; metadata: { name: string; namespace: string }; spec: Record<string, unknown> });
  const shop = docs.find((d) => d.metadata.namespace === 'shop' && JSON.stringify(d.spec.podSelector) === JSON.stringify({ matchLabels: { app: 'shop' } }));
  assert.ok(shop, pol.stdout);
  assert.match(JSON.stringify(shop.spec.ingress), /"app":"cart"/);
  assert.match(JSON.stringify(shop.spec.ingress), /"port":8080/);
  const cart = docs.find((d) => d.metadata.namespace === 'shop' && JSON.stringify(d.spec.podSelector) === JSON.stringify({ matchLabels: { app: 'cart' } }));
  assert.ok(cart, pol.stdout);
  assert.match(JSON.stringify(cart.spec.egress), /"app":"shop"/);
  const generated = join(dir, 'generated.yaml');
  writeFileSync(generated, pol.stdout);
  const check = await run(TRIAD, ['agent', 'netpol', '--flows', flowsFile, '--dry-run', generated], { allowFail: true });
  assert.match(check.stdout, /0 would be blocked/, check.stdout + check.stderr);
});
