// `triad agent` as a user runs it, without root: replays of recorded real events (Triad's sensor,
// Falco's event-generator output), a FIFO kept open and stopped with SIGTERM, malformed rules next to
// valid ones, the webhook output against a real HTTP server, baselines and network policies on disk.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '../infra/util.ts';
import { REPO_ROOT, TRIAD, type AlertLine } from './harness.ts';

const FALCO = join(REPO_ROOT, 'src/runtime/ingest/fixtures/falco-event-generator.jsonl');
const BUSYBOX_RUNS = join(REPO_ROOT, 'src/runtime/baseline/testdata/busybox-runs.jsonl');
const FLOWS = join(REPO_ROOT, 'src/runtime/netmap/testdata/flows.jsonl');
const FLOW_IPS = join(REPO_ROOT, 'src/runtime/netmap/testdata/flows-ips.json');
const lines = (s: string) => s.split('\n').filter(Boolean).map((l) => JSON.parse(l) as AlertLine);
const tmp = () => mkdtempSync(join(tmpdir(), 'triad-agent-cli-'));

test('replay of Falco JSON output: alerts as JSON lines with the documented fields', async () => {
  const r = await run(TRIAD, ['agent', 'run', '--replay', FALCO]);
  const alerts = lines(r.stdout).filter((l) => l.kind === 'alert');
  assert.ok(alerts.length >= 1, r.stderr);
  for (const a of alerts) {
    for (const k of ['time', 'rule', 'priority', 'output'] as const) assert.equal(typeof a[k], 'string', k);
    assert.equal(typeof a.container.id, 'string');
    assert.ok('name' in a.container);
  }
  assert.ok(alerts.some((a) => a.rule === 'Run shell untrusted'));
  assert.match(r.stderr, /stopped \(end of replay\)/);
});

test('malformed rules are rejected with file, rule name and reason; the valid rules keep running', async () => {
  const dir = tmp();
  try {
    const bad = join(dir, 'mixed.yaml');
    writeFileSync(
      bad,
      [
        '- rule: Broken rule',
        '  desc: x',
        '  condition: evt.type = execve and (proc.name = ',
        '  output: x',
        '  priority: WARNING',
        '- rule: Shell seen',
        '  desc: any shell exec in a container',
        '  condition: evt.type = execve and proc.name = sh and container.id != host',
        '  output: shell %proc.cmdline in %container.name',
        '  priority: NOTICE',
        '',
      ].join('\n'),
    );
    const r = await run(TRIAD, ['agent', 'run', '--no-default-rules', '--rules', bad, '--replay', BUSYBOX_RUNS]);
    assert.match(r.stderr, /mixed\.yaml:1 rule "Broken rule": .+/);
    assert.match(r.stderr, /1 enabled rules loaded, 0 unsupported .* 1 rejected/);
    const alerts = lines(r.stdout).filter((l) => l.kind === 'alert');
    assert.ok(alerts.length > 0 && alerts.every((a) => a.rule === 'Shell seen'));
    assert.ok(alerts.every((a) => a.container.image === 'triad-test/busybox:1.31'));
    const listed = await run(TRIAD, ['agent', 'rules', '--no-default-rules', '--rules', bad], { allowFail: true });
    assert.match(listed.stdout, /Rejected \(1\):\n.*mixed\.yaml:1 Broken rule: /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SIGTERM: a running agent drains, writes its final metrics and exits 0', async () => {
  const dir = tmp();
  try {
    const fifo = join(dir, 'events.fifo');
    await run('mkfifo', [fifo]);
    const child = spawn(TRIAD, ['agent', 'run', '--replay', fifo, '--metrics-interval', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const fd = openSync(fifo, 'w'); // blocks until the agent opened it
    const first = readFileSync(FALCO, 'utf8');
    writeSync(fd, first);
    const t0 = Date.now();
    while (!out.includes('"kind":"alert"') && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 50));
    assert.ok(out.includes('"kind":"alert"'), err);
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    closeSync(fd);
    assert.equal(code, 0, err);
    assert.match(err, /stopped \(SIGTERM\)/);
    const last = lines(out).at(-1)!;
    assert.equal(last.kind, 'agent');
    assert.equal(last.final, true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('webhook output: alerts POSTed in batches to a real server, spool empty afterwards', async () => {
  const dir = tmp();
  const got: AlertLine[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push(...(JSON.parse(Buffer.concat(chunks).toString()) as AlertLine[]));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  try {
    const port = (server.address() as { port: number }).port;
    const spool = join(dir, 'spool');
    const r = await run(TRIAD, ['agent', 'run', '--replay', FALCO, '--output', `webhook:http://127.0.0.1:${port}/alerts`, '--output', `file:${join(dir, 'alerts.jsonl')}`, '--spool', spool]);
    assert.equal(r.stdout, '', 'nothing on stdout when other outputs are chosen');
    const fileLines = lines(readFileSync(join(dir, 'alerts.jsonl'), 'utf8'));
    assert.deepEqual(got.map((a) => a.rule), fileLines.map((a) => a.rule));
    assert.ok(got.some((a) => a.kind === 'alert'));
    assert.deepEqual(readdirSync(join(spool, readdirSync(spool)[0]!)), []);
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('baselines: learned from a replay, listed, exported, imported elsewhere and promoted', async () => {
  const dir = tmp();
  try {
    const a = join(dir, 'a');
    await run(TRIAD, ['agent', 'run', '--no-default-rules', '--replay', BUSYBOX_RUNS, '--baseline-dir', a]);
    const listed = JSON.parse((await run(TRIAD, ['agent', 'baseline', 'list', '--baseline-dir', a, '--json'])).stdout) as { key: string; mode: string; processes: number }[];
    assert.equal(listed.length, 1);
    assert.equal(listed[0]!.mode, 'learning');
    assert.ok(listed[0]!.processes > 0);
    const key = listed[0]!.key;
    const exported = join(dir, 'b.yaml');
    await run(TRIAD, ['agent', 'baseline', 'export', key, '--baseline-dir', a, '-o', exported]);
    assert.match(readFileSync(exported, 'utf8'), /TriadRuntimeBaseline/);
    const b = join(dir, 'b');
    await run(TRIAD, ['agent', 'baseline', 'import', exported, '--baseline-dir', b]);
    await run(TRIAD, ['agent', 'baseline', 'promote', key, 'protect', '--action', 'pause', '--baseline-dir', b]);
    const after = JSON.parse((await run(TRIAD, ['agent', 'baseline', 'list', '--baseline-dir', b, '--json'])).stdout) as { key: string; mode: string }[];
    assert.deepEqual(after.map((x) => [x.key, x.mode]), [[key, 'protect']]);
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'kind: Nope\n');
    const bad = await run(TRIAD, ['agent', 'baseline', 'import', broken, '--baseline-dir', b], { allowFail: true });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /broken\.yaml/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('netpol: network map and NetworkPolicies from recorded traffic; dry-run of them allows what was seen', async () => {
  const dir = tmp();
  try {
    const map = await run(TRIAD, ['agent', 'netpol', '--from', FLOWS, '--ips', FLOW_IPS, '--map']);
    assert.match(map.stdout, /shop\/web → shop\/api 8080\/TCP/);
    const gen = await run(TRIAD, ['agent', 'netpol', '--from', FLOWS, '--ips', FLOW_IPS]);
    assert.match(gen.stdout, /kind: NetworkPolicy/);
    const pol = join(dir, 'np.yaml');
    writeFileSync(pol, gen.stdout);
    const dry = await run(TRIAD, ['agent', 'netpol', '--from', FLOWS, '--ips', FLOW_IPS, '--dry-run', pol], { allowFail: true });
    assert.match(dry.stdout, /flows observed; 0 would be blocked/);
    assert.equal(dry.code, 0);
    const cilium = await run(TRIAD, ['agent', 'netpol', '--from', FLOWS, '--ips', FLOW_IPS, '--format', 'cilium']);
    assert.match(cilium.stdout, /kind: CiliumNetworkPolicy/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
