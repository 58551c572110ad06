import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { hasSharedData, sharedData } from '../../../../test/shared-data.ts';
import type { Affected } from '../../../model/advisory.ts';
import { memorySink } from '../os-common/testing.ts';
import { ubuntuImporter } from './index.ts';
import { ubuntuDistroRelease, ubuntuEcosystemRelease } from './releases.ts';

const FIXTURES = 'feeds/vunnel/tests/unit/providers/ubuntu/test-fixtures';

function fixedOf(f: Affected): string | undefined {
  return f.ranges.flatMap((r) => ('events' in r ? r.events : [])).find((e) => e.fixed)?.fixed;
}

test('ubuntu: OSV + VEX samples agree with vunnel per release (fixed versions and wont-fix states)', { skip: !hasSharedData(FIXTURES) }, async () => {
  const s = memorySink();
  const input = sharedData(FIXTURES);
  assert.equal(await ubuntuImporter.detect(input), true);
  await ubuntuImporter.import(input, s);
  assert.deepEqual(s.warnings, []);
  let compared = 0;
  for (const ns of readdirSync(sharedData(FIXTURES, 'snapshots'))) {
    const m = /^ubuntu-(pro-)?(\d+\.\d+)-lts$/.exec(ns);
    if (!m) continue; // ubuntu:12.04 etc. come from vunnel's older tracker parser, not these inputs
    const release = m[2] + (m[1] ? '-pro' : '');
    for (const f of readdirSync(sharedData(FIXTURES, 'snapshots', ns))) {
      const item = JSON.parse(readFileSync(sharedData(FIXTURES, 'snapshots', ns, f), 'utf8')).item;
      const cve = item.id.replace(/^UBUNTU-/, '');
      const adv = s.byId(cve);
      assert.ok(adv, cve);
      for (const exp of item.affected) {
        const name = exp.package.name;
        // vunnel files Pro-only packages under the plain release too: Triad keeps them under
        // "-pro", which matching consults when the plain release has no entry for the package.
        const ours: Affected | undefined =
          adv.affected.find((x) => x.distro!.release === release && x.package === name) ??
          adv.affected.find((x) => x.distro!.release === `${release}-pro` && x.package === name);
        assert.ok(ours, `${cve} ${name} ${release}`);
        const expFixed = exp.ranges.flatMap((r: { events: Array<{ fixed?: string }> }) => r.events).find((e: { fixed?: string }) => e.fixed)?.fixed;
        const expState = exp.database_specific?.anchore?.status ?? (expFixed ? 'fixed' : 'affected');
        if (ours.distro!.release !== release) {
          // A Pro-only package seen from the plain release: vunnel calls it "wont-fix" with no fixed
          // version (nobody fixes it outside Pro); Triad keeps Pro's own answer (fixed in …+esm…, or
          // affected), which matching reports as needing Pro.
          assert.equal(expFixed, undefined, `${cve} ${name} ${release}: vunnel has no plain-release fix`);
          assert.ok(expState === 'wont-fix' || expState === ours.state, `${cve} ${name} ${release} state ${expState}`);
        } else {
          assert.equal(fixedOf(ours), expFixed, `${cve} ${name} ${release} fixed`);
          assert.equal(ours.state, expState, `${cve} ${name} ${release} state`);
        }
        compared++;
      }
    }
  }
  assert.ok(compared >= 40, `compared ${compared}`);
  const wayland = s.byId('CVE-2021-3782')!;
  assert.deepEqual(wayland.aliases, ['UBUNTU-CVE-2021-3782', 'USN-5614-1', 'USN-5614-2']);
  assert.equal(wayland.published, '2022-08-30T20:51:00Z');
  assert.ok(wayland.severity.some((x) => x.type === 'CVSS_V3' && x.vector === 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:L/A:H'));
  assert.ok(wayland.severity.some((x) => x.type === 'vendor' && x.rating === 'MEDIUM' && x.source === 'ubuntu'));
  assert.equal(wayland.affected.find((f) => f.distro!.release === '22.04')!.severity, 'MEDIUM');
  // VEX-only information: curl in 16.04 is end of life; vulnerable code not present in the ESM builds.
  const curl = s.byId('CVE-2023-38545')!;
  assert.equal(curl.affected.find((f) => f.distro!.release === '16.04')!.state, 'end-of-life');
  assert.equal(curl.affected.find((f) => f.distro!.release === '18.04-pro')!.state, 'not-affected');
  // DNE (component_not_present) is not stored: zabbix does not exist in 24.04.
  assert.equal(s.byId('CVE-2016-20013')!.affected.some((f) => f.package === 'zabbix' && f.distro!.release === '24.04'), false);
});

test('ubuntu: ecosystems and purl distros map to os-release versions', () => {
  assert.equal(ubuntuEcosystemRelease('Ubuntu:22.04:LTS'), '22.04');
  assert.equal(ubuntuEcosystemRelease('Ubuntu:24.10'), '24.10');
  assert.equal(ubuntuEcosystemRelease('Ubuntu:Pro:16.04:LTS'), '16.04-pro');
  assert.equal(ubuntuEcosystemRelease('Ubuntu:Pro:FIPS-updates:20.04:LTS'), '20.04-pro-fips-updates');
  assert.equal(ubuntuEcosystemRelease('Debian:12'), undefined);
  assert.equal(ubuntuDistroRelease('jammy'), '22.04');
  assert.equal(ubuntuDistroRelease('esm-infra/xenial'), '16.04-pro');
  assert.equal(ubuntuDistroRelease('esm-infra-legacy/trusty'), '14.04-pro');
  assert.equal(ubuntuDistroRelease('fips-updates/focal'), '20.04-pro-fips-updates');
  assert.equal(ubuntuDistroRelease('warty'), undefined);
});

test('ubuntu: malformed records are counted warnings naming the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'triad-ubuntu-'));
  mkdirSync(join(dir, 'osv'));
  mkdirSync(join(dir, 'vex'));
  writeFileSync(join(dir, 'osv', 'UBUNTU-CVE-2024-0001.json'), '{"id": "UBUNTU-CVE-2024-0001", "affected": [');
  writeFileSync(
    join(dir, 'osv', 'UBUNTU-CVE-2024-0002.json'),
    JSON.stringify({
      id: 'UBUNTU-CVE-2024-0002',
      affected: [
        { package: { ecosystem: 'Ubuntu:22.04:LTS', name: 'foo' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.0-1ubuntu1' }] }] },
        { package: { ecosystem: 'Martian:1', name: 'bar' }, ranges: [] },
        { package: { ecosystem: 'Ubuntu:20.04:LTS' } },
        { package: { ecosystem: 'Ubuntu:20.04:LTS', name: 'baz' }, ranges: [{ events: [{}] }] },
        'junk',
      ],
    }),
  );
  writeFileSync(join(dir, 'osv', 'UBUNTU-CVE-2024-0003.json'), JSON.stringify({ id: 'weird', affected: [] }));
  writeFileSync(join(dir, 'vex', 'CVE-2024-0002.json'), JSON.stringify({ '@context': 'https://openvex.dev/ns/v0.2.0', author: 'Canonical Ltd.', statements: [{ vulnerability: { name: 'CVE-2024-0002' }, status: 'sideways', products: [] }] }));
  const s = memorySink();
  await ubuntuImporter.import(dir, s);
  assert.deepEqual(s.advisories.map((a) => [a.id, a.affected.map((f) => `${f.distro!.release}/${f.package}`)]), [['CVE-2024-0002', ['22.04/foo']]]);
  const msgs = s.warnings.map((w) => `${w.file.slice(dir.length + 1)}: ${w.message}`);
  assert.equal(msgs.length, 7, msgs.join('\n'));
  assert.ok(msgs.some((m) => /^osv\/UBUNTU-CVE-2024-0001\.json: not valid JSON/.test(m)));
  assert.ok(msgs.some((m) => /unknown ecosystem "Martian:1"/.test(m)));
  assert.ok(msgs.some((m) => /^vex\/CVE-2024-0002\.json: .*unknown status "sideways"/.test(m)));
});
