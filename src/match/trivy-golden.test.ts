// Parity with Trivy's integration goldens: the goldens in expected/trivy-integration were produced
// from the fixture advisories beside them (fixtures/db/*.yaml). Those advisories are loaded into a
// Triad database, each golden's installed packages (its Packages lists and the packages of its
// findings, with the OS from its metadata) are matched, and the (package, version, advisory, fixed
// versions) sets are compared. Every difference must be listed, with its reason, in
// testdata/trivy-golden-differences.json — and every listed difference must still occur.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Ecosystem, Inventory, OSInfo, Package } from '../model/types.ts';
import { hasSharedData, sharedData } from '../../test/shared-data.ts';
import { rebuildDatabase } from '../vulndb/rebuild.ts';
import { openVulnDB } from '../vulndb/store.ts';
import { matchInventory } from './matcher.ts';
import { applyPolicy } from './policy.ts';
import { loadTrivyFixtures } from './testing/trivy-fixtures.ts';

const DIR = 'expected/trivy-integration/integration/testdata';
const have = hasSharedData(DIR, 'fixtures', 'db');

/** Result.Type -> ecosystem (Trivy's analyzer names). Types absent here are not Triad ecosystems. */
const LANG_TYPES: Record<string, Ecosystem> = {
  pip: 'pypi', pipenv: 'pypi', poetry: 'pypi', uv: 'pypi', pylock: 'pypi', 'python-pkg': 'pypi',
  npm: 'npm', yarn: 'npm', pnpm: 'npm', bun: 'npm', 'node-pkg': 'npm',
  gomod: 'golang', gobinary: 'golang', cargo: 'cargo', 'rust-binary': 'cargo',
  composer: 'composer', 'composer-vendor': 'composer', jar: 'maven', pom: 'maven', gradle: 'maven', sbt: 'maven',
  nuget: 'nuget', 'dotnet-core': 'nuget', 'packages-props': 'nuget', gemspec: 'gem', bundler: 'gem',
};

/** Trivy's OS family names -> os-release IDs. */
const FAMILIES: Record<string, string> = { alma: 'almalinux', amazon: 'amzn', oracle: 'ol', redhat: 'rhel', 'cbl-mariner': 'mariner', slem: 'sle-micro' };
const OS_ECO: Record<string, Ecosystem> = { alpine: 'apk', debian: 'deb', ubuntu: 'deb' };

/**
 * Binary -> source package facts for the binaries in the goldens (the goldens name binaries; the
 * distros' advisories speak of sources). From the distributions' package indexes
 * (packages.debian.org, packages.ubuntu.com, pkgs.alpinelinux.org, the RPMs' SOURCERPM).
 */
const SOURCE_OF: Record<string, string> = {
  'libcrypto1.1': 'openssl', 'libssl1.1': 'openssl', 'musl-utils': 'musl', 'libidn2-0': 'libidn2',
  'curl-libs': 'curl', e2fslibs: 'e2fsprogs', libcomerr2: 'e2fsprogs', libss2: 'e2fsprogs', 'libcom-err2': 'e2fsprogs', libext2fs2: 'e2fsprogs',
};

interface Golden {
  Metadata?: { OS?: { Family: string; Name: string } };
  Results?: Array<{
    Target: string;
    Class?: string;
    Type?: string;
    Packages?: Array<{ Name: string; Version: string; Identifier?: { PURL?: string } }>;
    Vulnerabilities?: Array<{ VulnerabilityID: string; PkgName: string; InstalledVersion: string; FixedVersion?: string; PkgIdentifier?: { PURL?: string } }>;
  }>;
}

type Difference = { golden: string; kind: 'missing' | 'extra' | 'skipped'; key: string; reason: string };

/**
 * Fixed versions are compared as versions: Trivy prints Go fixes as written ("v2.8.0") and drops a
 * zero RPM epoch ("0:1.0.1e-58.el6_10" is "1.0.1e-58.el6_10"); Triad keeps the feed's spelling.
 */
function key(pkg: string, version: string, id: string, fixed: string[]): string {
  const norm = fixed.map((f) => f.replace(/^v(?=\d)/, '').replace(/^0:/, ''));
  return `${pkg}@${version} ${id} [${norm.sort().join(', ')}]`;
}

/** The golden's packages as an inventory; undefined (with the reason) when Triad has no such ecosystem. */
function inventoryOf(g: Golden): { inv: Inventory; skipped: string[] } {
  const packages: Package[] = [];
  const skipped: string[] = [];
  const seen = new Set<string>();
  const osFamily = g.Metadata?.OS ? (FAMILIES[g.Metadata.OS.Family] ?? g.Metadata.OS.Family) : undefined;
  for (const r of g.Results ?? []) {
    let eco: Ecosystem | undefined = r.Class === 'os-pkgs' ? (OS_ECO[osFamily ?? ''] ?? 'rpm') : LANG_TYPES[r.Type ?? ''];
    if (r.Class !== 'os-pkgs' && r.Class !== 'lang-pkgs') continue;
    if (!eco) {
      if ((r.Vulnerabilities ?? []).length || (r.Packages ?? []).length) skipped.push(`${r.Target} (${r.Type})`);
      continue;
    }
    const add = (name: string, version: string, purl = '') => {
      const k = `${eco}\0${name}\0${version}`;
      if (seen.has(k)) return;
      seen.add(k);
      const p: Package = { id: `${name}@${version}#${packages.length}`, name, version, ecosystem: eco!, purl, licenses: [], locations: [r.Target] };
      if (r.Class === 'os-pkgs') p.source = { name: SOURCE_OF[name] ?? name };
      packages.push(p);
    };
    for (const p of r.Packages ?? []) add(p.Name, p.Version, p.Identifier?.PURL);
    for (const v of r.Vulnerabilities ?? []) add(v.PkgName, v.InstalledVersion, v.PkgIdentifier?.PURL);
  }
  // Trivy names some releases by their banner ("AMI release 2018.03", "2 (Karoo)"): the version
  // token is what os-release/system-release gives Triad's OS cataloger.
  const version = g.Metadata?.OS ? (/\d+(?:\.\d+)*/.exec(g.Metadata.OS.Name)?.[0] ?? g.Metadata.OS.Name) : '';
  const os: OSInfo | undefined = g.Metadata?.OS ? { family: osFamily!, version, source: 'golden' } : undefined;
  const inv: Inventory = {
    schemaVersion: 1,
    image: { ref: 'golden', sourceType: 'golden', repoTags: [], repoDigests: [], config: {}, history: [] },
    ...(os ? { os } : {}),
    layers: [],
    packages,
    warnings: [],
    scanner: { name: 'triad', version: 'test' },
    createdAt: new Date(0).toISOString(),
  };
  return { inv, skipped };
}

test('Trivy goldens: the same (package, advisory, fixed version) sets from the same fixture advisories', { skip: !have }, async () => {
  const fixtures = loadTrivyFixtures(sharedData(DIR, 'fixtures', 'db'));
  const path = join(mkdtempSync(join(tmpdir(), 'triad-golden-')), 'db.sqlite');
  await rebuildDatabase(path, async (w) => {
    await w.replaceSource({ name: 'trivy-fixtures', origin: [DIR] }, async (sink) => {
      for (const a of fixtures.advisories) sink.advisory(a);
    });
  });
  const db = openVulnDB(path);
  const recorded: Difference[] = JSON.parse(readFileSync(new URL('./testdata/trivy-golden-differences.json', import.meta.url), 'utf8'));
  for (const r of recorded) assert.ok(r.reason && r.reason.length > 10, `a recorded difference needs a reason: ${JSON.stringify(r)}`);
  const actual: Array<Omit<Difference, 'reason'>> = [];
  let compared = 0;
  let findingsSeen = 0;
  try {
    for (const file of readdirSync(sharedData(DIR)).filter((f) => f.endsWith('.json.golden')).sort()) {
      const g = JSON.parse(readFileSync(sharedData(DIR, file), 'utf8')) as Golden;
      if (!g || typeof g !== 'object' || !Array.isArray(g.Results)) continue;
      const { inv, skipped } = inventoryOf(g);
      for (const s of skipped) actual.push({ golden: file, kind: 'skipped', key: s });
      if (inv.packages.length === 0) continue;
      compared++;
      const m = matchInventory(inv, db);
      // The golden's file name says which filter options produced it.
      const severities = file.includes('-medium') ? ['MEDIUM' as const] : file.includes('high-critical') ? ['HIGH' as const, 'CRITICAL' as const] : undefined;
      const policy = applyPolicy(m.vulnerabilities, { ignoreUnfixed: file.includes('ignore-unfixed'), ...(severities ? { severities } : {}) });
      const ours = new Set(policy.vulnerabilities.map((f) => key(f.packageName, f.installedVersion, f.id, f.fixedVersions)));
      const theirs = new Set<string>();
      for (const r of g.Results ?? []) {
        if (r.Class === 'os-pkgs' ? false : !LANG_TYPES[r.Type ?? '']) continue;
        for (const v of r.Vulnerabilities ?? []) {
          theirs.add(key(v.PkgName, v.InstalledVersion, v.VulnerabilityID, v.FixedVersion ? v.FixedVersion.split(/,\s*/) : []));
        }
      }
      findingsSeen += theirs.size;
      for (const k of theirs) if (!ours.has(k)) actual.push({ golden: file, kind: 'missing', key: k });
      for (const k of ours) if (!theirs.has(k)) actual.push({ golden: file, kind: 'extra', key: k });
    }
  } finally {
    db.close();
  }
  const id = (d: Omit<Difference, 'reason'>) => `${d.golden} ${d.kind} ${d.key}`;
  const unexplained = actual.filter((a) => !recorded.some((r) => id(r) === id(a)));
  const stale = recorded.filter((r) => !actual.some((a) => id(a) === id(r)));
  assert.deepEqual(unexplained.map(id), [], 'differences from the goldens without a recorded reason');
  assert.deepEqual(stale.map(id), [], 'recorded differences that no longer occur');
  assert.ok(compared >= 40, `goldens compared: ${compared}`);
  assert.ok(findingsSeen >= 80, `golden findings compared: ${findingsSeen}`);
});
