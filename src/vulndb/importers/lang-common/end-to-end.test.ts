// End to end: real advisories imported by each language importer, evaluated with the version
// schemes, say what their upstream text says (the version just below the fix is affected, the fix
// is not). This is what catches a range imported in a shape the matcher reads differently.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Advisory } from '../../../model/advisory.ts';
import { hasSharedData, sharedData } from '../../../../test/shared-data.ts';
import { isAffected } from '../../../version/affected.ts';
import { schemeFor } from '../../../version/index.ts';
import type { Importer } from '../../importer.ts';
import { friendsOfPhpImporter } from '../friendsofphp/index.ts';
import { nodejsImporter } from '../nodejs/index.ts';
import { osvImporter } from '../osv/index.ts';
import { rubysecImporter } from '../rubysec/index.ts';
import { rustsecImporter } from '../rustsec/index.ts';
import { runImporter } from './testing.ts';

/** [importer, path under shared data (one file), id, package, affected versions, unaffected versions] */
const CASES: Array<[Importer, string, string, string, string[], string[]]> = [
  [osvImporter, 'advisories/go-vulndb/data/osv/GO-2020-0001.json', 'GO-2020-0001', 'github.com/gin-gonic/gin', ['v1.5.0', 'v0.0.1'], ['v1.6.0', 'v1.9.1']],
  // The Go version of a binary's toolchain, as the golang cataloger reports stdlib ("v1.16.0").
  [osvImporter, 'advisories/go-vulndb/data/osv/GO-2021-0067.json', 'GO-2021-0067', 'stdlib', ['v1.16.0'], ['v1.16.1', 'v1.15.8']],
  [osvImporter, 'advisories/go-vulndb/data/osv/GO-2022-0177.json', 'GO-2022-0177', 'toolchain', ['v1.8.3', 'v1.9.0'], ['v1.8.4', 'v1.9.1']],
  [osvImporter, 'advisories/pypa/vulns/accesscontrol/PYSEC-2021-335.yaml', 'PYSEC-2021-335', 'accesscontrol', ['4.2', '5.1', '5.0.1'], ['4.3', '5.2', '3.0']],
  [rustsecImporter, 'advisories/rustsec/crates/tokio-rustls/RUSTSEC-2020-0019.md', 'RUSTSEC-2020-0019', 'tokio-rustls', ['0.12.2', '0.13.0'], ['0.11.9', '0.12.3', '0.13.1']],
  [rustsecImporter, 'advisories/rustsec/rust/std/CVE-2021-29922.md', 'CVE-2021-29922', 'std', ['1.52.1'], ['1.53.0']],
  [rubysecImporter, 'advisories/rubysec/gems/actionpack/CVE-2016-6316.yml', 'CVE-2016-6316', 'actionpack', ['3.2.22.2', '4.0.13'], ['2.3.18', '3.2.22.3', '4.1.0', '5.0.0.1']],
  [rubysecImporter, 'advisories/rubysec/rubies/jruby/CVE-2011-4838.yml', 'CVE-2011-4838', 'jruby', ['1.6.5'], ['1.6.5.1', '1.7.0']],
  [friendsOfPhpImporter, 'advisories/php/symfony/symfony/CVE-2019-10909.yaml', 'CVE-2019-10909', 'symfony/symfony', ['2.7.50', '3.4.25', '4.2.6'], ['2.7.51', '3.4.26', '4.2.7', '4.3.0']],
  [nodejsImporter, 'advisories/nodejs-security-wg/vuln/npm/1.json', 'NSWG-ECO-1', 'bassmaster', ['1.5.1'], ['1.5.2']],
  [nodejsImporter, 'advisories/nodejs-security-wg/vuln/core/100.json', 'NSWG-COR-100', 'node', ['16.17.0', '18.9.0'], ['16.17.1', '18.9.1', '20.0.0']],
  [nodejsImporter, 'advisories/nodejs-security-wg/vuln/npm/334.json', 'NSWG-ECO-334', 'hubl-server', ['0.0.1', '2.0.0'], []],
];

for (const [importer, path, id, pkg, affected, unaffected] of CASES) {
  test(`${importer.name}: ${id} (${pkg}) affects ${affected.join(', ')} and not ${unaffected.join(', ') || '-'}`, { skip: !hasSharedData(path) }, async () => {
    const got = await runImporter(importer, sharedData(path));
    // Only the counted GIT-range skip is expected (PyPA records commit ranges beside release ranges).
    assert.deepEqual(got.warnings.filter((w) => !w.message.startsWith('GIT range')), []);
    const adv: Advisory = got.byId(id);
    const entry = adv.affected.find((a) => a.package === pkg);
    assert.ok(entry, pkg);
    const scheme = schemeFor(entry.ecosystem, entry.distro?.family);
    for (const v of affected) assert.equal(isAffected(v, entry, scheme), true, `${v} affected`);
    for (const v of unaffected) assert.equal(isAffected(v, entry, scheme), false, `${v} not affected`);
  });
}
