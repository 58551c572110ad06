// Every report format of a ScanReport, and one entry point that picks by --format name.
import type { ScanReport } from '../model/finding.ts';
import { renderJSON } from './json.ts';
import { renderJUnit } from './junit.ts';
import { renderSARIF } from './sarif.ts';
import { renderTable, type TableOptions } from './table.ts';
import { renderVDR } from './vdr.ts';

export { renderJSON, toReportJSON, REPORT_SCHEMA_ID } from './json.ts';
export { renderJUnit } from './junit.ts';
export { renderSARIF, toSARIF } from './sarif.ts';
export { renderTable, type TableOptions } from './table.ts';
export { renderVDR, toVDR } from './vdr.ts';
export { countSeverities, summaryLine, vulnGroups } from './common.ts';

export const REPORT_FORMATS = ['table', 'json', 'sarif', 'cyclonedx', 'junit'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface RenderOptions extends TableOptions {
  /** CycloneDX serial number UUID (random by default). */
  uuid?: string;
}

/** `cyclonedx` is the VDR: the SBOM with its vulnerabilities. */
export function renderReport(report: ScanReport, format: ReportFormat, opts: RenderOptions = {}): string {
  switch (format) {
    case 'table':
      return renderTable(report, opts);
    case 'json':
      return renderJSON(report);
    case 'sarif':
      return renderSARIF(report);
    case 'cyclonedx':
      return renderVDR(report, opts.uuid ? { uuid: opts.uuid } : {});
    case 'junit':
      return renderJUnit(report);
    default:
      throw new Error(`unknown report format "${String(format)}" (expected one of ${REPORT_FORMATS.join(', ')})`);
  }
}
