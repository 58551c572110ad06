// The secret and misconfiguration scanners of `triad image`: both ride the same one pass over the
// layers as the SBOM (secrets as an extra file visitor, misconfiguration on the final view), so
// `--scanners vuln,secret,misconfig` reads the image once.
import { checkImage } from '../misconfig/image/index.ts';
import type { Severity } from '../model/advisory.ts';
import type { ScanReport } from '../model/finding.ts';
import type { Inventory } from '../model/types.ts';
import type { ScanOptions } from '../scan/scan.ts';
import type { FinalView } from '../scan/squash.ts';
import { imageSecrets, secretCataloger, type ImageSecrets } from '../secret/image.ts';
import { DEFAULT_MAX_FILE_SIZE, loadRules, SecretScanner } from '../secret/index.ts';
import type { MisconfigFinding } from '../misconfig/types.ts';
import type { Scanner } from '../match/report.ts';
import type { LayerRecord } from '../walker/walk.ts';

export interface ImageScannerFlags {
  secretConfig?: string[];
}

/** What the extra scanners found during the walk, added to the report afterwards. */
export interface ImageScanExtras {
  secrets?: ImageSecrets;
  misconfig?: MisconfigFinding[];
  misconfigWarnings: string[];
}

/** Scan options that make the walk feed the selected scanners; `extras` fills in as it runs. */
export function imageScanHooks(scanners: Scanner[], flags: ImageScannerFlags): { opts: Pick<ScanOptions, 'extraCatalogers' | 'onWalked'>; extras: ImageScanExtras } {
  const extras: ImageScanExtras = { misconfigWarnings: [] };
  const wantSecret = scanners.includes('secret');
  const wantMisconfig = scanners.includes('misconfig');
  if (!wantSecret && !wantMisconfig) return { opts: {}, extras };
  const scanner = wantSecret ? new SecretScanner(loadRules(flags.secretConfig ?? [])) : undefined;
  return {
    extras,
    opts: {
      ...(scanner ? { extraCatalogers: [secretCataloger(scanner, DEFAULT_MAX_FILE_SIZE)] } : {}),
      onWalked(records: LayerRecord[], view: FinalView, inv: Inventory) {
        if (scanner) extras.secrets = imageSecrets(records, view, inv.layers, inv.image, scanner, DEFAULT_MAX_FILE_SIZE);
        if (wantMisconfig) {
          const before = inv.warnings.length;
          extras.misconfig = checkImage(inv, view).findings;
          extras.misconfigWarnings.push(...inv.warnings.splice(before));
        }
      },
    },
  };
}

/** Adds what the extra scanners found, filtered by `--severity` like vulnerabilities. */
export function addImageExtras(report: ScanReport, extras: ImageScanExtras, scanners: Scanner[], severities?: Severity[]): void {
  const keep = (s: string) => !severities?.length || (severities as string[]).includes(s);
  report.warnings = report.warnings.filter((w) => !/^scanner "(secret|misconfig)" is not available/.test(w));
  if (scanners.includes('secret') && extras.secrets) {
    report.secrets.push(...extras.secrets.findings.filter((f) => keep(f.severity)));
    const skipped = Object.entries(extras.secrets.skipped).map(([k, n]) => `${n} ${k}`);
    if (skipped.length) report.warnings.push(`secret scan skipped files: ${skipped.join(', ')}`);
    report.warnings.push(...extras.secrets.warnings);
  }
  if (scanners.includes('misconfig') && extras.misconfig) {
    report.misconfigurations.push(...extras.misconfig.filter((f) => keep(f.severity)));
    report.misconfigTargets = [...(report.misconfigTargets ?? []), report.target];
    report.warnings.push(...extras.misconfigWarnings);
  }
}
