// Image misconfiguration on real images: dockle's fixtures (built for these checks) and a Debian
// image built by Docker with planted problems (test-image.ts) on a debootstrap base whose own
// setuid binaries must not be reported.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { debianImageUnavailable, ensureDebianImage } from '../../../test/infra/debian-image.ts';
import { sharedData } from '../../../test/shared-data.ts';
import { openImage } from '../../image/open.ts';
import { FinalView } from '../../scan/squash.ts';
import { walkImage } from '../../walker/walk.ts';
import { baseLayerCount } from './base.ts';
import { IMAGE_CHECKS, scanImageMisconfig } from './index.ts';
import { MISCONFIG_RECIPE } from './test-image.ts';

test('base layers: explicit, last CMD boundary, root filesystem first layer, nothing', () => {
  const legacy = [
    { created_by: '/bin/sh -c #(nop) ADD file:abc in / ' },
    { created_by: '/bin/sh -c #(nop)  CMD ["bash"]', empty_layer: true },
    { created_by: '/bin/sh -c apt-get update && apt-get install -y x' },
    { created_by: '/bin/sh -c #(nop)  CMD ["x"]', empty_layer: true },
  ];
  assert.equal(baseLayerCount(legacy, 2).count, 1);
  assert.equal(baseLayerCount(legacy, 2, 0).count, 0);
  const buildkit = [
    { created_by: '# debian.sh --arch amd64 out/ bookworm', comment: 'debuerreotype 0.15' },
    { created_by: 'RUN /bin/sh -c apt-get update # buildkit', comment: 'buildkit.dockerfile.v0' },
    { created_by: 'CMD ["python3"]', comment: 'buildkit.dockerfile.v0', empty_layer: true },
    { created_by: 'COPY app /app # buildkit', comment: 'buildkit.dockerfile.v0' },
    { created_by: 'RUN /bin/sh -c pip install x # buildkit', comment: 'buildkit.dockerfile.v0' },
  ];
  assert.equal(baseLayerCount(buildkit, 4).count, 2);
  assert.equal(baseLayerCount([{ created_by: '/bin/sh -c #(nop) ADD file:abc in / ' }], 1).count, 0, 'a lone base image is its own');
  assert.equal(baseLayerCount([{ created_by: 'RUN x' }, { created_by: 'RUN y' }], 2).count, 0);
});

test('every image check has id, title, severity, rationale and remediation', () => {
  const ids = new Set<string>();
  for (const c of IMAGE_CHECKS) {
    assert.ok(c.id.startsWith('TRIAD-IMG-') && c.title && c.severity && c.rationale.length > 20 && c.remediation.length > 10, c.id);
    assert.ok(!ids.has(c.id));
    ids.add(c.id);
  }
});

test("dockle's fixtures: scratch image with USER, alpine 3.10 running as root", async (t) => {
  const scratch = sharedData('images/dockle/pkg/scanner/testdata/scratch.tar');
  const alpine = sharedData('images/dockle/pkg/deckoder/extractor/image/testdata/alpine-310.tar.gz');
  if (!existsSync(scratch) || !existsSync(alpine)) return t.skip('shared data absent');
  const s = await scanImageMisconfig(`docker-archive:${scratch}`);
  const sIds = s.misconfig.findings.map((f) => f.checkId);
  assert.ok(!sIds.includes('TRIAD-IMG-0001'), 'USER scratch is not root');
  assert.ok(sIds.includes('TRIAD-IMG-0002'));
  assert.ok(sIds.includes('TRIAD-IMG-0005'), 'tagged scratchtest2:latest');
  const a = await scanImageMisconfig(`docker-archive:${alpine}`);
  const aIds = a.misconfig.findings.map((f) => f.checkId);
  assert.ok(aIds.includes('TRIAD-IMG-0001'));
  assert.equal(a.misconfig.base.count, 0);
  // Alpine's own tree has world-writable dirs only with the sticky bit (/tmp, /var/tmp).
  assert.ok(!aIds.includes('TRIAD-IMG-0007'));
});

test('a Debian image built by Docker with planted problems: each found, at the right layer, base setuid files not reported', async (t) => {
  const why = debianImageUnavailable(MISCONFIG_RECIPE);
  if (why) return t.skip(why);
  const img = await ensureDebianImage(MISCONFIG_RECIPE);
  const ref = `docker-archive:${img.dockerArchive}`;
  const { misconfig, inventory } = await scanImageMisconfig(ref);
  const by = (id: string) => misconfig.findings.filter((f) => f.checkId === id);
  assert.equal(misconfig.base.count, 1, 'the imported rootfs is the base');

  assert.equal(by('TRIAD-IMG-0001').length, 1);
  assert.equal(by('TRIAD-IMG-0002').length, 1);
  const secrets = by('TRIAD-IMG-0003');
  assert.deepEqual(secrets.map((f) => f.message.split('=')[0]), ['ENV DB_PASSWORD'], 'GPG_KEY and APP_HOME are not secrets');
  assert.ok(!secrets[0]!.message.includes('hunter2'));

  // setuid/setgid: what the image added, with its layer; the base's su/mount/passwd are not.
  const suid = new Map(by('TRIAD-IMG-0006').map((f) => [f.path, f.layer?.index]));
  assert.equal(suid.get('/usr/local/bin/suid-true'), 3);
  assert.equal(suid.get('/usr/local/bin/sgid-true'), 3);
  assert.equal(suid.get('/usr/bin/sudo'), 1);
  const src = await openImage(ref);
  try {
    const view = new FinalView(await walkImage(src, []));
    const baseSuid = [...view.entries].filter(([, e]) => e.layer === 0 && e.rec.type === 'file' && e.rec.mode & 0o6000).map(([p]) => '/' + p);
    assert.ok(baseSuid.length > 0, 'the debootstrap base has setuid binaries (su, mount ...)');
    for (const p of baseSuid) assert.ok(!suid.has(p), `${p} comes from the base`);
  } finally {
    await src.close();
  }

  assert.deepEqual(by('TRIAD-IMG-0007').map((f) => f.path), ['/opt/shared'], '/opt/tmp has the sticky bit');
  const caches = new Map(by('TRIAD-IMG-0008').map((f) => [f.path, f.layer?.index]));
  assert.equal(caches.get('/var/lib/apt/lists'), 2, 'left by the RUN without cleanup');
  assert.equal(caches.get('/root/.cache/pip'), 3);
  assert.ok(by('TRIAD-IMG-0009').some((f) => f.message.includes('sudo')));
  assert.ok(by('TRIAD-IMG-0010').some((f) => f.message.includes('openssh-server')));
  assert.deepEqual(by('TRIAD-IMG-0011').map((f) => f.message.split(' ')[1]).sort(), ['22/tcp', '5432/tcp']);
  assert.equal(by('TRIAD-IMG-0012').length, 1);
  assert.ok(inventory.packages.length > 50);
});
