import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toCycloneDX } from '../sbom/cyclonedx.ts';
import { toVDR } from './vdr.ts';
import { alpineReport, gemReport, haveFixtureData, hostile } from './testing/fixtures.ts';
import { cycloneDXValidator, formatErrors } from './testing/validate.ts';

const skip = !haveFixtureData() && 'shared data absent';
const UUID = '3f2c1a4e-9b7d-4c2e-8f1a-0d5e6b7c8a9f';

interface Vuln {
  'bom-ref': string;
  id: string;
  references?: Array<{ id: string }>;
  ratings: Array<{ severity?: string; score?: number; method: string }>;
  cwes?: number[];
  affects: Array<{ ref: string; versions?: Array<{ version: string; status: string }> }>;
  analysis?: { state?: string; justification?: string };
}
interface Bom {
  components: Array<{ 'bom-ref': string }>;
  metadata: { component: { 'bom-ref': string } };
  vulnerabilities: Vuln[];
}

test('VDR validates against the CycloneDX 1.6 schema (with and without an inventory, hostile text too)', { skip }, async () => {
  const validate = cycloneDXValidator();
  for (const f of [gemReport, alpineReport]) {
    const { report } = await f();
    const bare = structuredClone(report);
    delete bare.inventory;
    for (const r of [report, hostile(report), bare]) {
      const bom = JSON.parse(JSON.stringify(toVDR(r, { uuid: UUID })));
      assert.ok(validate(bom), `${r.target}:\n${formatErrors(validate.errors)}`);
    }
  }
});

test('components and bom-refs are the SBOM writer\'s; every finding affects its component', { skip }, async () => {
  const { report, inventory } = await gemReport();
  const vdr = toVDR(report, { uuid: UUID }) as unknown as Bom;
  const sbom = toCycloneDX(inventory, { uuid: UUID }) as unknown as Bom;
  assert.deepEqual(vdr.components, sbom.components);
  const refs = new Set(vdr.components.map((c) => c['bom-ref']));
  const vulnRefs = vdr.vulnerabilities.map((v) => v['bom-ref']);
  assert.equal(new Set(vulnRefs).size, vulnRefs.length);
  for (const r of vulnRefs) assert.ok(!refs.has(r), 'vulnerability bom-refs do not collide with components');
  for (const f of report.vulnerabilities) {
    const v = vdr.vulnerabilities.find((x) => x.id === f.id && !x.analysis);
    assert.ok(v, f.id);
    const a = v.affects.find((x) => x.ref === f.packageId);
    assert.ok(a && refs.has(a.ref), `${f.id} affects ${f.packageId}`);
    assert.deepEqual(a.versions![0], { version: f.installedVersion, status: 'affected' });
    for (const fixed of f.fixedVersions) assert.ok(a.versions!.some((x) => x.version === fixed && x.status === 'unaffected'));
    assert.ok(v.ratings.some((r) => r.severity === f.severity.toLowerCase()), `${f.id} rating`);
    for (const alias of f.aliases) assert.ok(v.references?.some((r) => r.id === alias));
    for (const c of f.cvss.filter((c) => c.type === 'CVSS_V3' && typeof c.score === 'number')) assert.ok(v.ratings.some((r) => r.score === c.score && r.method.startsWith('CVSSv3')));
  }
  assert.ok(vdr.vulnerabilities.some((v) => v.cwes?.length), 'CWE ids from advisories that link them');
});

test('a VEX suppression becomes an analysis entry (not_affected with a justification)', { skip }, async () => {
  const { report } = await gemReport();
  const s = report.suppressed[0]!;
  const vdr = toVDR(report, { uuid: UUID }) as unknown as Bom;
  const e = vdr.vulnerabilities.find((v) => v.analysis)!;
  assert.equal(e.id, s.findingId);
  assert.deepEqual(e.affects, [{ ref: s.packageId }]);
  assert.equal(e.analysis!.state, 'not_affected');
  assert.equal(e.analysis!.justification, 'code_not_reachable');
});
