import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { hasSharedData, REPO_ROOT, sharedData } from '../../test/shared-data.ts';
import { importPaths } from './import.ts';
import { kevImporter } from './importers/kev/index.ts';
import { rebuildDatabase } from './rebuild.ts';
import { openVulnDB } from './store.ts';

test('a process killed while it writes the new database leaves the old one intact', { skip: !hasSharedData('advisories/kev') }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rebuild-'));
  const dbPath = join(dir, 'vulndb.sqlite');
  await rebuildDatabase(dbPath, (w) => importPaths(w, [sharedData('advisories/kev')], { importers: [kevImporter] }));
  const before = readFileSync(dbPath);

  // The child re-imports KEV into the copy, says so, and is killed before it can swap.
  const script = join(dir, 'child.ts');
  writeFileSync(
    script,
    `import { rebuildDatabase } from ${JSON.stringify(join(REPO_ROOT, 'src/vulndb/rebuild.ts'))};
     await rebuildDatabase(${JSON.stringify(dbPath)}, async (w) => {
       await w.replaceSource({ name: 'kev', origin: [] }, async () => {});
       process.stdout.write('ready\\n');
       await new Promise(() => setInterval(() => {}, 1000));
     });`,
  );
  const child = spawn(join(REPO_ROOT, 'scripts/with-node.sh'), [script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()));
  child.kill('SIGKILL');
  await new Promise((r) => child.on('close', r));

  assert.deepEqual(readFileSync(dbPath), before);
  assert.ok(readdirSync(dir).some((n) => n.endsWith('.tmp')), 'the killed build left its temporary file');
  const db = openVulnDB(dbPath);
  assert.ok(db.status().sources[0]!.kev > 1000);
  db.close();

  // The next rebuild removes the dead process's temporary file.
  await rebuildDatabase(dbPath, async () => {});
  assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith('.tmp')), []);
});
