// Reads anchore/vunnel's snapshot files (tests/unit/providers/*/test-fixtures/snapshots): vunnel's
// own normalisation of the same upstream samples, used by the tests as independent expectations.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface VunnelFix {
  /** Vulnerability name (CVE-…). */
  id: string;
  /** Package name. */
  name: string;
  /** Fixed version, "0" for not vulnerable, "None" for no fix. */
  version: string;
  namespace: string;
  severity?: string;
  noAdvisory?: boolean;
}

/** Every FixedIn entry of every snapshot file directly under `dir`. */
export function vunnelFixes(dir: string): VunnelFix[] {
  const out: VunnelFix[] = [];
  for (const f of readdirSync(dir).sort()) {
    if (!f.endsWith('.json')) continue;
    const doc = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    const v = doc?.item?.Vulnerability;
    if (!v) continue;
    for (const fix of v.FixedIn ?? []) {
      out.push({
        id: v.Name,
        name: fix.Name,
        version: fix.Version,
        namespace: fix.NamespaceName,
        severity: v.Severity,
        noAdvisory: fix.VendorAdvisory?.NoAdvisory,
      });
    }
  }
  return out;
}
