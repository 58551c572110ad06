// Rotating file output and the stream output: real files in a temp dir, a real pipe to a child.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RotatingFileOutput } from './file.ts';
import { StreamOutput } from './stdout.ts';
import { parseOutputSpec } from './output.ts';

const rec = (i: number) => ({ kind: 'agent' as const, time: '2026-01-01T00:00:00.000Z', type: 'test', i, pad: 'p'.repeat(90) });

test('rotation: bounded files, N kept, every line complete, newest in the live file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'triad-out-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'alerts.jsonl');
  const out = new RotatingFileOutput(path, { maxBytes: 4096, keep: 3 });
  for (let i = 0; i < 1000; i++) out.write(rec(i));
  await out.close();
  assert.deepEqual(readdirSync(dir).sort(), ['alerts.jsonl', 'alerts.jsonl.1', 'alerts.jsonl.2', 'alerts.jsonl.3']);
  const seen: number[] = [];
  for (const f of ['alerts.jsonl.3', 'alerts.jsonl.2', 'alerts.jsonl.1', 'alerts.jsonl']) {
    assert.ok(statSync(join(dir, f)).size <= 4096, `${f} within maxBytes`);
    const text = readFileSync(join(dir, f), 'utf8');
    assert.ok(text.endsWith('\n'));
    for (const line of text.trimEnd().split('\n')) seen.push((JSON.parse(line) as { i: number }).i);
  }
  // The kept files hold the newest records, contiguous and in order, ending with the last one.
  assert.equal(seen.at(-1), 999);
  assert.deepEqual(seen, seen.map((_, k) => seen[0]! + k));
  assert.equal(out.stats().written, 1000);
});

test('appends to an existing file and rotates it when it is already full', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'triad-out-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'a.jsonl');
  const a = new RotatingFileOutput(path, { maxBytes: 2048, keep: 1 });
  for (let i = 0; i < 15; i++) a.write(rec(i));
  await a.close();
  const b = new RotatingFileOutput(path, { maxBytes: 2048, keep: 1 });
  for (let i = 15; i < 30; i++) b.write(rec(i));
  await b.close();
  const all = [readFileSync(`${path}.1`, 'utf8'), readFileSync(path, 'utf8')].join('').trimEnd().split('\n').map((l) => (JSON.parse(l) as { i: number }).i);
  assert.equal(all.at(-1), 29);
  assert.ok(!existsSync(`${path}.2`));
});

test('a file that cannot be written is counted, not thrown', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'triad-out-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = new RotatingFileOutput(join(dir, 'x.jsonl'));
  rmSync(dir, { recursive: true, force: true }); // the directory disappears under the agent
  out.write(rec(1));
  await out.close();
  assert.equal(out.stats().written, 1, 'the open fd still takes the line');
  out.write(rec(2)); // after close: reopen fails
  await out.flush();
  assert.equal(out.stats().dropped, 1);
  assert.match(out.stats().lastError ?? '', /x\.jsonl/);
});

test('stream output: JSON lines through a real pipe; a reader that goes away is counted (EPIPE), not fatal', async () => {
  const child = spawn('head', ['-n', '3'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let got = '';
  child.stdout.on('data', (d: Buffer) => (got += d.toString()));
  const out = new StreamOutput(child.stdin, 'pipe');
  for (let i = 0; i < 5; i++) out.write(rec(i));
  await out.flush();
  await new Promise((r) => child.once('close', r));
  assert.deepEqual(got.trimEnd().split('\n').map((l) => (JSON.parse(l) as { i: number }).i), [0, 1, 2]);
  for (let i = 0; i < 50; i++) {
    out.write(rec(i));
    await out.flush();
  }
  assert.ok(out.stats().dropped > 0);
});

test('output specs', () => {
  assert.deepEqual(parseOutputSpec('stdout'), { type: 'stdout' });
  assert.deepEqual(parseOutputSpec('file:/var/log/triad.jsonl'), { type: 'file', path: '/var/log/triad.jsonl' });
  assert.deepEqual(parseOutputSpec('webhook:http://127.0.0.1:8080/x'), { type: 'webhook', url: 'http://127.0.0.1:8080/x' });
  assert.throws(() => parseOutputSpec('webhook:ftp://x'), /only http/);
  assert.throws(() => parseOutputSpec('syslog'), /expected stdout/);
});
