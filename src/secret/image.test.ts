// Secrets in image layers: a file holding a secret that a later layer deletes (whiteout) or
// overwrites is still in the image and must be reported with its layer and the deleting layer;
// ENV and history (build arguments) are scanned too. The image is a real docker-save archive.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { layerTar, writeDockerArchive } from '../../test/infra/make-archive.ts';
import { addImageExtras, imageScanHooks } from '../cli/image-scanners.ts';
import { emptyReport } from '../match/report.ts';
import { scanImage } from '../scan/scan.ts';

// Random-looking values in the shape of real credentials (not any real account's).
const GH = 'ghp_' + 'R8mZq2VtK7xLp4NwB9cYf3HdJ6sGu1EaT0oQ';
const GL = 'glpat-' + 'x7Km2PqR9vTz4WbN3cLd';
const SLACK = 'xoxb-' + '2847561930-4829105736-Zk8mQ2pR7vTx9WbN4cLd3Hf6';

test('secrets in deleted and overwritten files, ENV and history, with their layers', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'triad-secret-image-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'img.tar');
  await writeDockerArchive(
    file,
    [
      { tar: await layerTar([{ path: 'app/deploy.sh', content: `#!/bin/sh\nexport GITHUB_TOKEN=${GH}\n./run\n` }, { path: 'app/notes.txt', content: `gitlab: ${GL}\n` }]), createdBy: 'COPY app /app' },
      { tar: await layerTar([{ path: 'app/.wh.deploy.sh', content: '' }, { path: 'app/notes.txt', content: 'nothing here\n' }]), createdBy: 'RUN rm /app/deploy.sh' },
      { tar: await layerTar([{ path: 'app/lib.so', content: Buffer.concat([Buffer.from(GH), Buffer.alloc(64)]) }]), createdBy: `RUN --mount=type=secret slack=${SLACK} ./notify` },
    ],
    { config: { config: { Env: ['PATH=/usr/bin', `GITLAB_TOKEN=${GL}`] } } },
  );
  const hooks = imageScanHooks(['secret', 'misconfig'], {});
  const inv = await scanImage(`docker-archive:${file}`, hooks.opts);
  const report = emptyReport(file, inv);
  addImageExtras(report, hooks.extras, ['secret', 'misconfig']);
  const got = report.secrets.map((f) => `${f.path}:${f.startLine} ${f.ruleId} layer=${f.layer?.index ?? '-'} deleted=${f.deletedInLayer ?? '-'}`).sort();
  assert.deepEqual(got, [
    '(image config) ENV:2 gitlab-pat layer=- deleted=-',
    '(image history) step 3:1 slack-bot-token layer=2 deleted=-',
    'app/deploy.sh:2 github-pat layer=0 deleted=1',
    'app/notes.txt:1 gitlab-pat layer=0 deleted=1',
  ]);
  // Redacted: the first four characters, then asterisks; never the secret.
  for (const f of report.secrets) {
    assert.ok(/^.{4}\*+$/.test(f.match), f.match);
    assert.ok(!JSON.stringify(f).includes(GH) && !JSON.stringify(f).includes(GL));
  }
  assert.ok(report.warnings.some((w) => /secret scan skipped files: .*binary/.test(w)), report.warnings.join('\n'));
  assert.ok(report.misconfigurations.some((m) => m.checkId.length > 0), 'misconfiguration checks ran on the same walk');
});
