import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { hasSharedData, sharedData } from '../../../../test/shared-data.ts';
import { runImporter } from '../lang-common/testing.ts';
import { rustsecImporter } from './index.ts';

const RUSTSEC = 'advisories/rustsec';

let whole: ReturnType<typeof runImporter> | undefined;
const importWhole = () => (whole ??= runImporter(rustsecImporter, sharedData(RUSTSEC)));

async function advisoryFiles(): Promise<Array<{ path: string; pkg: string; tree: string }>> {
  const out = [];
  for (const tree of ['crates', 'rust']) {
    for (const pkg of await readdir(sharedData(RUSTSEC, tree))) {
      for (const f of await readdir(sharedData(RUSTSEC, tree, pkg))) if (f.endsWith('.md')) out.push({ path: join(tree, pkg, f), pkg, tree });
    }
  }
  return out;
}

test('the whole advisory-db tree imports: one advisory per file, no warnings, ids and packages from the layout', { skip: !hasSharedData(RUSTSEC) }, async () => {
  const t0 = Date.now();
  const got = await importWhole();
  assert.ok(Date.now() - t0 < 20_000);
  assert.deepEqual(got.warnings, []);
  const files = await advisoryFiles();
  assert.equal(got.advisories.length, files.length);
  const byId = new Map(got.advisories.map((a) => [a.id, a]));
  for (const f of files) {
    const a = byId.get(basename(f.path, '.md'));
    assert.ok(a, f.path);
    assert.equal(a.affected.length, 1);
    assert.equal(a.affected[0]!.package, f.pkg, f.path);
    assert.equal(a.affected[0]!.ecosystem, 'cargo');
    assert.equal(a.affected[0]!.runtime, f.tree === 'rust' ? 'rust' : undefined, f.path);
    assert.equal(a.source, 'rustsec');
    assert.ok(a.summary, `${f.path} has a title`);
  }
});

test('specific advisories, field by field', { skip: !hasSharedData(RUSTSEC) }, async () => {
  const got = await importWhole();

  const tokio = got.byId('RUSTSEC-2020-0019');
  assert.deepEqual(tokio.aliases, ['CVE-2020-35875', 'GHSA-2jfv-g3fh-xq3v']);
  assert.equal(tokio.published, '2020-05-19');
  assert.deepEqual(tokio.references, ['https://github.com/tokio-rs/tls/pull/14']);
  assert.deepEqual(tokio.severity, [{ type: 'CVSS_V3', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', source: 'rustsec' }]);
  assert.equal(tokio.summary, 'tokio-rustls reads may cause excessive memory usage');
  assert.match(tokio.details!, /^`tokio-rustls` does not call `process_new_packets`/);
  assert.match(tokio.details!, /This may cause DoS\.$/);
  assert.deepEqual(tokio.affected, [
    { ecosystem: 'cargo', package: 'tokio-rustls', ranges: [{ type: 'CONSTRAINT', unaffected: ['>= 0.12.3, < 0.13.0', '>= 0.13.1', '< 0.12'] }] },
  ]);
  assert.equal(tokio.informational, undefined);

  // informational advisories are kept, marked; no patched version means every version.
  const badge = got.byId('RUSTSEC-2022-0057');
  assert.equal(badge.informational, 'unmaintained');
  assert.equal(badge.summary, 'badge is Unmaintained');
  assert.deepEqual(badge.affected, [{ ecosystem: 'cargo', package: 'badge', ranges: [{ type: 'CONSTRAINT' }] }]);

  const markdown = got.byId('RUSTSEC-2022-0044');
  assert.equal(markdown.withdrawn, '2025-04-28');
  assert.deepEqual(markdown.affected[0]!.ranges, [{ type: 'CONSTRAINT', unaffected: ['>= 1.0.0-alpha.1'] }]);

  // A CVSS v4 vector; the requirement's trailing space is not part of it.
  const sha3 = got.byId('RUSTSEC-2026-0207');
  assert.deepEqual(sha3.severity, [{ type: 'CVSS_V4', vector: 'CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N', source: 'rustsec' }]);
  assert.deepEqual(sha3.affected[0]!.ranges, [{ type: 'CONSTRAINT', unaffected: ['>= 0.0.10'] }]);

  // The Rust toolchain: std's versions are Rust releases.
  const std = got.byId('CVE-2021-29922');
  assert.deepEqual(std.affected, [{ ecosystem: 'cargo', package: 'std', runtime: 'rust', ranges: [{ type: 'CONSTRAINT', unaffected: ['>= 1.53.0'] }] }]);
  assert.equal(std.summary, 'Improper Input Validation of octal literals in `std::net`');

  const counts = new Map<string, number>();
  for (const a of got.advisories) if (a.informational) counts.set(a.informational, (counts.get(a.informational) ?? 0) + 1);
  assert.ok((counts.get('unmaintained') ?? 0) > 100 && (counts.get('unsound') ?? 0) > 100 && (counts.get('notice') ?? 0) > 0, JSON.stringify([...counts]));
});

test('malformed files are warnings naming the file; good ones beside them still import', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'triad-rustsec-'));
  try {
    await mkdir(join(dir, 'crates', 'demo'), { recursive: true });
    const w = (name: string, text: string) => writeFile(join(dir, 'crates', 'demo', name), text);
    await w('RUSTSEC-0000-0001.md', '```toml\n[advisory]\nid = "RUSTSEC-0000-0001"\npackage = "demo"\ndate = "2024-01-01"\ncvss = "CVSS:3.1/AV:N"\n\n[versions]\npatched = [">= 1.0.0"]\n```\n\n# Demo\n\nBody.\n');
    await w('RUSTSEC-0000-0002.md', '# no front matter\n');
    await w('RUSTSEC-0000-0003.md', '```toml\n[advisory]\nid = "RUSTSEC-0000-0003"\npackage = \n```\n');
    await w('RUSTSEC-0000-0004.md', '```toml\n[advisory]\npackage = "demo"\n```\n');
    await w('RUSTSEC-0000-0005.md', '```toml\n[advisory]\nid = "RUSTSEC-0000-0005"\npackage = "demo"\n[versions]\npatched = "not a list"\nunaffected = [1, true]\n```\n');
    await writeFile(join(dir, 'README.md'), '# The RustSec Advisory Database\n');
    await writeFile(join(dir, 'EXAMPLE_ADVISORY.md'), '```toml\n[advisory]\nid = "RUSTSEC-0000-0000"\npackage = "example"\n```\n# Example\n');
    const got = await runImporter(rustsecImporter, dir);
    assert.deepEqual(got.advisories.map((a) => a.id).sort(), ['RUSTSEC-0000-0001', 'RUSTSEC-0000-0005']);
    // A broken CVSS vector drops the vector, not the advisory.
    assert.deepEqual(got.byId('RUSTSEC-0000-0001').severity, []);
    assert.deepEqual(got.byId('RUSTSEC-0000-0001').details, 'Body.');
    // A lone string is a list of one; numbers/booleans are no requirement.
    assert.deepEqual(got.byId('RUSTSEC-0000-0005').affected[0]!.ranges, [{ type: 'CONSTRAINT', unaffected: ['not a list', '1'] }]);
    const warned = got.warnings.map((x) => basename(x.file)).sort();
    assert.deepEqual(warned, ['RUSTSEC-0000-0001.md', 'RUSTSEC-0000-0002.md', 'RUSTSEC-0000-0003.md', 'RUSTSEC-0000-0004.md']);
  } finally {
    await rm(dir, { recursive: true });
  }
});

test('detect', { skip: !hasSharedData(RUSTSEC) }, async () => {
  assert.equal(await rustsecImporter.detect(sharedData(RUSTSEC)), true);
  assert.equal(await rustsecImporter.detect(sharedData(RUSTSEC, 'crates/badge/RUSTSEC-2022-0057.md')), true);
  assert.equal(await rustsecImporter.detect(sharedData('advisories/go-vulndb')), false);
  assert.equal(await rustsecImporter.detect(sharedData('advisories/php/README.md')), false);
});
