// bin/triad as users run it on the real Debian image of recipe.ts: the CycloneDX SBOM is valid
// against the official 1.6 schema and describes exactly the packages of the JSON inventory.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Inventory } from '../../src/model/types.ts';
import { cycloneDXValidator, formatErrors } from '../../src/sbom/tests/validate.ts';
import { REPO_ROOT } from '../shared-data.ts';
import { assertSameSet, BUILD_TIMEOUT, e2eImage, imageUnavailable, TEST_TIMEOUT } from './fixture.ts';

// Only the cached archive is needed: no Docker engine.
const why = imageUnavailable();
let dir = '';

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'triad-e2e-cli-'));
  if (!why) await e2eImage();
}, { timeout: BUILD_TIMEOUT });
after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function triad(...args: string[]): void {
  const r = spawnSync(join(REPO_ROOT, 'bin/triad'), args, { encoding: 'utf8', env: { ...process.env, CI: '1' }, timeout: TEST_TIMEOUT });
  assert.equal(r.status, 0, `triad ${args.join(' ')}: exit ${r.status ?? r.signal}\n${r.stderr}`);
}

interface Component {
  type?: string;
  name?: string;
  version?: string;
  purl?: string;
  properties?: Array<{ name: string; value: string }>;
  components?: Component[];
}

const flatten = (cs: Component[] = []): Component[] => cs.flatMap((c) => [c, ...flatten(c.components)]);

/** One line per package, numbered when the same line repeats, so multiplicity is compared too. */
function counted(lines: string[]): string[] {
  const seen = new Map<string, number>();
  return lines.map((l) => {
    const n = (seen.get(l) ?? 0) + 1;
    seen.set(l, n);
    return n === 1 ? l : `${l} (copy ${n})`;
  });
}

test('triad sbom --format cyclonedx is valid CycloneDX 1.6 and lists exactly the JSON inventory packages', { skip: why, timeout: TEST_TIMEOUT }, async () => {
  const img = await e2eImage();
  const ref = `docker-archive:${img.dockerArchive}`;
  triad('sbom', ref, '--format', 'cyclonedx', '-o', join(dir, 'bom.json'), '-q');
  triad('sbom', ref, '--format', 'json', '-o', join(dir, 'inventory.json'), '-q');
  const bom = JSON.parse(await readFile(join(dir, 'bom.json'), 'utf8')) as { specVersion: string; metadata: { component: { type: string } }; components: Component[] };
  const inv = JSON.parse(await readFile(join(dir, 'inventory.json'), 'utf8')) as Inventory;

  const validate = cycloneDXValidator();
  assert.ok(validate(bom), formatErrors(validate.errors));
  assert.equal(bom.specVersion, '1.6');
  assert.equal(bom.metadata.component.type, 'container');
  assert.ok(inv.packages.length > 100, `only ${inv.packages.length} packages`);

  const prop = (c: Component, name: string) => c.properties?.find((p) => p.name === `triad:${name}`)?.value ?? '-';
  const all = flatten(bom.components);
  // The OS is a component of its own (no purl), from the inventory's os rather than a package.
  const os = all.filter((c) => c.type === 'operating-system');
  assert.deepEqual(os.map((c) => `${c.name} ${c.version}`), [`${inv.os?.family} ${inv.os?.version}`]);
  assert.deepEqual(os.map((c) => `${c.name} ${c.version}`), ['debian 12']);
  const components = all.filter((c) => c.type !== 'operating-system');
  assertSameSet(
    'CycloneDX components vs JSON packages (purl, layer, owner)',
    counted(components.map((c) => `${c.purl ?? '(no purl)'} layer=${prop(c, 'layer:index')} owner=${prop(c, 'owner:purl')}`)),
    counted(inv.packages.map((p) => `${p.purl} layer=${p.layer?.index ?? '-'} owner=${p.ownedBy?.purl ?? '-'}`)),
  );
});
