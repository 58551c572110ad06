import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { hasSharedData, sharedData } from '../../../../test/shared-data.ts';
import type { Advisory } from '../../../model/advisory.ts';
import { memorySink } from '../os-common/testing.ts';
import { vunnelFixes } from '../os-common/vunnel.ts';
import { debianRelease } from './codenames.ts';
import { debianImporter } from './index.ts';

const FIXTURES = 'feeds/vunnel/tests/unit/providers/debian/test-fixtures';

/** Our result in vunnel's vocabulary: the fixed version, "0" for not affected, "None" for no fix. */
function vunnelVersion(a: Advisory, pkg: string, release: string): string | undefined {
  const f = a.affected.find((x) => x.package === pkg && x.distro?.release === release);
  if (!f) return undefined;
  if (f.state === 'not-affected') return '0';
  const fixed = f.ranges.flatMap((r) => ('events' in r ? r.events : [])).find((e) => e.fixed)?.fixed;
  return fixed ?? 'None';
}

const VUNNEL_SEVERITY: Record<string, string | undefined> = { Negligible: 'LOW', Low: 'LOW', Medium: 'MEDIUM', High: 'HIGH', Critical: 'CRITICAL', Unknown: undefined };

test('debian: the JSON feed and DSA samples agree with vunnel, release by release', { skip: !hasSharedData(FIXTURES) }, async () => {
  const s = memorySink();
  const input = sharedData(FIXTURES, 'input');
  assert.equal(await debianImporter.detect(input), true);
  await debianImporter.import(input, s);
  assert.deepEqual(s.warnings, []);
  let compared = 0;
  for (const ns of readdirSync(sharedData(FIXTURES, 'snapshots'))) {
    // debian:7 snapshots come from vunnel's legacy database, not from these inputs.
    if (ns === 'debian:7') continue;
    const release = ns === 'debian:unstable' ? 'sid' : ns.slice('debian:'.length);
    for (const fix of vunnelFixes(sharedData(FIXTURES, 'snapshots', ns))) {
      const a = s.byId(fix.id);
      // The snapshot folder also holds results of vunnel tests with other inputs.
      if (!a) continue;
      assert.equal(vunnelVersion(a, fix.name, release), fix.version, `${fix.id} ${fix.name} in ${ns}`);
      const f = a.affected.find((x) => x.package === fix.name && x.distro?.release === release)!;
      assert.equal(f.severity, VUNNEL_SEVERITY[fix.severity!], `${fix.id} ${ns} severity`);
      compared++;
    }
  }
  assert.ok(compared >= 25, `compared ${compared}`);
  // End of life in buster and stretch: open, with urgency "end-of-life".
  const chromium = s.byId('CVE-2022-0456')!;
  assert.equal(chromium.affected.find((f) => f.distro!.release === '10')!.state, 'end-of-life');
  // "fixed_version": "0" is the tracker's <not-affected>.
  assert.ok(s.byId('CVE-2007-2383')!.affected.every((f) => f.state === 'not-affected' && f.ranges.length === 0));
  // The DSA sample: DSA-5970-1 fixes CVE-2025-53603 in sope for bookworm.
  const dsa = s.byId('DSA-5970-1')!;
  assert.deepEqual(dsa.aliases, ['CVE-2025-53603']);
  assert.equal(dsa.published, '2025-07-31');
  assert.deepEqual(dsa.affected.map((f) => [f.package, f.distro!.release, vunnelVersion(dsa, f.package, f.distro!.release)]), [['sope', '12', '5.8.0-1+deb12u1']]);
  // An empty "releases" ([] from Perl) is nothing to import, not an error.
  assert.equal(s.byId('CVE-2022-0358'), undefined);
});

test('debian: the whole DSA/DLA tree imports, every header and package line accounted for', { skip: !hasSharedData('advisories/debian-tracker') }, async () => {
  const root = sharedData('advisories/debian-tracker');
  const s = memorySink();
  assert.equal(await debianImporter.detect(root), true);
  await debianImporter.import(root, s);
  assert.deepEqual(s.warnings, []);
  const dsas = s.advisories.filter((a) => a.id.startsWith('DSA-')).length;
  const dlas = s.advisories.filter((a) => a.id.startsWith('DLA-')).length;
  // Header counts of data/DSA/list and data/DLA/list (grep -c '^\[').
  assert.equal(dsas, 5406);
  assert.equal(dlas, 3534);
  const xorg = s.byId('DSA-5380-1')!;
  assert.equal(xorg.summary, 'xorg-server - security update');
  assert.deepEqual(xorg.affected, [
    {
      ecosystem: 'deb',
      distro: { family: 'debian', release: '11' },
      package: 'xorg-server',
      bySource: true,
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2:1.20.11-1+deb11u6' }] }],
      state: 'fixed',
    },
  ]);
  // States of the text lists.
  const vlc = s.byId('DSA-2218-1')!.affected.find((f) => f.package === 'vlc')!;
  assert.equal(vlc.state, 'not-affected');
  assert.equal(vlc.distro!.release, '5');
  assert.equal(s.byId('DSA-3699-1')!.affected[0].state, 'end-of-life');
  // Old releases: woody is 3.0.
  assert.equal(s.byId('DSA-141')!.affected[0].distro!.release, '3.0');
});

test('debian: codenames', () => {
  assert.equal(debianRelease('bookworm'), '12');
  assert.equal(debianRelease('bookworm-security'), '12');
  assert.equal(debianRelease('forky'), '14');
  assert.equal(debianRelease('sid'), 'sid');
  assert.equal(debianRelease('sarge'), '3.1');
  assert.equal(debianRelease('nonsense'), undefined);
});

test('debian: CVE list, states, notes and malformed input', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'triad-debian-'));
  writeFileSync(
    join(dir, 'list'),
    [
      'CVE-2024-0001 (Heap overflow in foo ...)',
      '\t{DSA-5999-1}',
      '\t- foo 1.2-3 (bug #1000)',
      '\t[bookworm] - foo 1.2-1+deb12u1',
      '\t[bullseye] - foo <no-dsa> (Minor issue)',
      '\t[buster] - foo <postponed> (low; revisit)',
      '\t[stretch] - foo <ignored> (unimportant)',
      '\t[jessie] - foo <removed>',
      '\t[trixie] - foo <not-affected> (Vulnerable code not present)',
      '\t[duke2] - foo <unfixed>',
      '\tNOTE: https://example.org/fix',
      'CVE-2024-0002',
      '\tNOT-FOR-US: some other product',
      'CVE-2024-XXXX [placeholder]',
      '\t- bar <unfixed>',
      'garbage header',
      '\t- baz 1.0-1',
      'CVE-2024-0003',
      '\t[bookworm] - qux <wat>',
      '\tthis is not a line we know',
      '\t- qux <unfixed> (high)',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'broken.json'), '{"foo": {"CVE-2024-0004": {"releases": {"bookworm": {"status": "resolved", "fixed_version": "1.0-1"}}}, "CVE-2024-0005": 3}, "bar": [');
  writeFileSync(
    join(dir, 'tracker.json'),
    JSON.stringify({
      foo: {
        'CVE-2024-0006': {
          description: 'd',
          releases: {
            bookworm: { status: 'open', urgency: 'low', nodsa: 'Minor issue', nodsa_reason: 'postponed' },
            bullseye: { status: 'open', urgency: 'unimportant', nodsa: 'Minor issue', nodsa_reason: 'ignored' },
            sid: { status: 'undetermined', urgency: 'not yet assigned' },
            trixie: { status: 'weird' },
            buster: 'nope',
          },
        },
        'TEMP-0000000-ABCDEF': { releases: { sid: { status: 'open' } } },
        'CVE-2024-0007': 'nope',
      },
      bar: 'nope',
    }),
  );
  const s = memorySink();
  await debianImporter.import(dir, s);
  const a = s.byId('CVE-2024-0001')!;
  assert.equal(a.details, 'Heap overflow in foo ...');
  assert.deepEqual(a.aliases, ['DSA-5999-1']);
  const byRelease = Object.fromEntries(a.affected.map((f) => [f.distro!.release, [f.state, f.severity]]));
  assert.deepEqual(byRelease, {
    sid: ['fixed', undefined],
    '12': ['fixed', undefined],
    '11': ['affected', undefined],
    '10': ['deferred', 'LOW'],
    '9': ['wont-fix', 'LOW'],
    '13': ['not-affected', undefined],
    duke2: ['affected', undefined],
  });
  assert.equal(s.byId('CVE-2024-0002'), undefined);
  assert.equal(s.byId('CVE-2024-0003')!.affected[0].severity, 'HIGH');
  const json = s.byId('CVE-2024-0006')!;
  assert.deepEqual(
    Object.fromEntries(json.affected.map((f) => [f.distro!.release, f.state])),
    { '12': 'deferred', '11': 'wont-fix', sid: 'affected' },
  );
  assert.equal(s.advisories.some((x) => x.id.startsWith('TEMP-')), false);
  // broken.json is not parsed at all (invalid JSON) and says so.
  assert.equal(s.byId('CVE-2024-0004'), undefined);
  const messages = s.warnings.map((w) => `${w.file.slice(dir.length + 1)}: ${w.message}`);
  for (const expected of [
    /^list: unknown Debian codename "duke2"/,
    /^list: line 16: unrecognised header/,
    /^list: line 19 \(CVE-2024-0003\): unknown state <wat>/,
    /^list: line 20 \(CVE-2024-0003\): unrecognised line/,
    /^broken\.json: not valid JSON/,
    /^tracker\.json: foo CVE-2024-0006 trixie: unknown status/,
    /^tracker\.json: foo CVE-2024-0006 buster: not an object/,
    /^tracker\.json: foo CVE-2024-0007: not an object/,
    /^tracker\.json: bar: not an object of vulnerabilities/,
  ])
    assert.ok(messages.some((m) => expected.test(m)), `${expected} in ${messages.join('\n')}`);
  assert.equal(messages.length, 9, messages.join("\n"));
});
