// Runtime detection on real interpreters: the Node.js binaries on this machine (Debian's and the
// Node 24 the project runs on) must report exactly the version they print themselves.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { test } from 'node:test';
import { runCataloger } from '../testing.ts';
import { runtimeCataloger } from './index.ts';

const NODES = [process.execPath, '/usr/bin/node'].filter((p) => existsSync(p));

test('Node.js binaries: the version the binary itself reports, marked as the node runtime', async () => {
  assert.ok(NODES.length > 0);
  for (const bin of NODES) {
    const want = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim().replace(/^v/, '');
    const path = 'usr/local/bin/node';
    const meta = { path, size: statSync(bin).size, mode: 0o100755 };
    assert.ok(runtimeCataloger.wants(meta), bin);
    const { packages } = await runCataloger(runtimeCataloger, [{ path, data: readFileSync(bin), mode: 0o100755 }]);
    assert.deepEqual(
      packages.map((p) => [p.name, p.version, p.ecosystem, p.metadata?.runtime, p.locations]),
      [['node', want, 'npm', 'node', [path]]],
      bin,
    );
  }
});

test('scripts, wrappers and unrelated files named like runtimes are not runtimes', async () => {
  assert.equal(runtimeCataloger.wants({ path: 'usr/bin/node-gyp', size: 5000, mode: 0o100755 }), false);
  assert.equal(runtimeCataloger.wants({ path: 'usr/share/doc/node', size: 5000, mode: 0o100644 }), false);
  const script = Buffer.from('#!/bin/sh\n# https://nodejs.org/download/release/v1.2.3/node-v1.2.3-headers.tar.gz\nexec node "$@"\n'.padEnd(2048, ' '));
  const { packages } = await runCataloger(runtimeCataloger, [{ path: 'usr/local/bin/node', data: script, mode: 0o100755 }]);
  assert.deepEqual(packages, []);
});

test('ruby: RUBY_DESCRIPTION in the interpreter or libruby, one package for both', async () => {
  const desc = 'ruby 3.1.2p20 (2022-04-12 revision 4491bb740a) [x86_64-linux]';
  const elf = (pad: number) => Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), Buffer.alloc(pad), Buffer.from(desc), Buffer.alloc(64)]);
  const { packages } = await runCataloger(runtimeCataloger, [
    { path: 'usr/local/bin/ruby', data: elf(2000), mode: 0o100755 },
    { path: 'usr/local/lib/libruby.so.3.1', data: elf(5 * 1024 * 1024) },
  ]);
  assert.deepEqual(
    packages.map((p) => [p.name, p.version, p.ecosystem, p.metadata?.runtime, p.locations]),
    [['ruby', '3.1.2', 'gem', 'ruby', ['usr/local/bin/ruby', 'usr/local/lib/libruby.so.3.1']]],
  );
});
