import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { hasSharedData, sharedData } from '../../../../test/shared-data.ts';
import { memorySink } from '../os-common/testing.ts';
import { parseNevra, rhelRelease } from './csaf.ts';
import { redhatImporter } from './index.ts';

const TRIVY = 'feeds/trivy-db/pkg/vulnsrc/redhat-csaf/testdata';
const VUNNEL = 'feeds/vunnel/tests/unit/providers/rhel/test-fixtures/csaf/advisories';

test('redhat: CSAF VEX samples give fixed NEVRAs (epoch kept) and unfixed states per major release', { skip: !hasSharedData(TRIVY) }, async () => {
  const s = memorySink();
  assert.equal(await redhatImporter.detect(sharedData(TRIVY)), true);
  await redhatImporter.import(sharedData(TRIVY), s);
  assert.deepEqual(s.warnings, []);
  const pam = s.byId('CVE-2024-10041')!;
  assert.deepEqual(pam.affected, [
    { ecosystem: 'rpm', distro: { family: 'rhel', release: '9' }, package: 'pam', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '0:1.5.1-21.el9_5' }] }], state: 'fixed', severity: 'MEDIUM' },
  ]);
  assert.ok(pam.severity.some((x) => x.type === 'CVSS_V3' && x.vector === 'CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:N/A:N' && x.score === 4.7));
  const states = Object.fromEntries(s.byId('CVE-2024-11111')!.affected.map((f) => [f.package, f.state]));
  assert.equal(states['test-package'], 'fixed');
  assert.equal(states['oci-image'], 'end-of-life');
  assert.equal(states['affected-package'], 'affected');
});

test('redhat: RHSA CSAF advisories list their CVEs and fixed packages', { skip: !hasSharedData(VUNNEL) }, async () => {
  const s = memorySink();
  await redhatImporter.import(sharedData(VUNNEL), s);
  const sudo = s.byId('RHSA-2024:0811')!;
  assert.deepEqual(sudo.aliases, ['CVE-2023-28486', 'CVE-2023-28487', 'CVE-2023-42465']);
  const fixed = Object.fromEntries(sudo.affected.filter((f) => f.package === 'sudo').map((f) => [f.distro!.release, 'events' in f.ranges[0] ? f.ranges[0].events[1].fixed : '']));
  assert.deepEqual(fixed, { '8': '0:1.9.5p2-1.el8_9', '9': '0:1.9.5p2-10.el9_3' });
});

test('redhat: names, releases and bad input', async () => {
  assert.equal(rhelRelease('cpe:/o:redhat:enterprise_linux:9::baseos'), '9');
  assert.equal(rhelRelease('cpe:/a:redhat:enterprise_linux:8::appstream'), '8');
  assert.equal(rhelRelease('cpe:/a:redhat:rhel_eus:8.6::appstream'), undefined);
  assert.equal(rhelRelease('cpe:/a:redhat:openshift:4.14::el9'), undefined);
  assert.deepEqual(parseNevra('pam-0:1.5.1-21.el9_5.x86_64'), { name: 'pam', evr: '0:1.5.1-21.el9_5', arch: 'x86_64' });
  assert.equal(parseNevra('pam'), undefined);
  const dir = mkdtempSync(join(tmpdir(), 'triad-rh-'));
  writeFileSync(join(dir, 'cve-2024-0001.json'), '{"csaf_version": "2.0", "publisher": "Red Hat", ');
  writeFileSync(join(dir, 'cve-2024-0002.json'), JSON.stringify({ document: { category: 'csaf_vex', csaf_version: '2.0', publisher: { name: 'Red Hat' } }, vulnerabilities: [{}, 'x'] }));
  const s = memorySink();
  await redhatImporter.import(dir, s);
  assert.equal(s.advisories.length, 0);
  assert.equal(s.warnings.length, 2, JSON.stringify(s.warnings));
});
