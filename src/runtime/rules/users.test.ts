import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { parseIdFile, ProcRootIdResolver } from './users.ts';

it('resolves uids through the process root: this process, the host, and root everywhere', () => {
  const r = new ProcRootIdResolver();
  const passwd = parseIdFile(readFileSync('/etc/passwd', 'utf8'));
  const [uid, name] = [...passwd].find(([id]) => id !== 0)!;
  assert.equal(r.userName(uid, process.pid, undefined), name);
  assert.equal(r.userName(uid, 0, 'host'), name);
  assert.equal(r.userName(0, 999_999_999, 'gone'), 'root');
  assert.equal(r.userName(uid, 999_999_999, 'gone'), undefined, 'no /proc entry: unknown, not guessed');
});

it('parses passwd/group lines defensively', () => {
  const m = parseIdFile('#c\nroot:x:0:0::/root:/bin/sh\nweird\nwww-data:x:33:33\nshadow-dup:x:33:1\nbad:x:abc:1\n');
  assert.deepEqual([...m], [[0, 'root'], [33, 'www-data']]);
});
