// Regenerates policies/tests/reports/*.json: Triad scan reports of real images with real advisories
// (src/report/testing/fixtures.ts builds them from ../shared/data). Run when the ScanReport model
// changes: scripts/with-node.sh src/policy/testing/write-report-fixtures.ts
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { alpineReport, gemReport } from '../../report/testing/fixtures.ts';

const dir = join(import.meta.dirname, '../../../policies/tests/reports');
for (const [name, make] of [['alpine-310', alpineReport], ['gemfile', gemReport]] as const) {
  const { report } = await make();
  // Paths of the fixture archives are machine-specific; the name is what tests refer to.
  const stable = { ...report, target: `docker-archive:${name}.tar` };
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(stable, null, 1) + '\n');
  console.log(`${name}: ${report.vulnerabilities.length} vulnerabilities, ${report.secrets.length} secrets`);
}
