// Reading what `triad policy eval|test` evaluates from files: Kubernetes manifests (multi-document
// YAML/JSON, `List` kinds), Triad scan reports (JSON) and AdmissionReview JSON.
import { readFileSync, statSync } from 'node:fs';
import type { ScanReport } from '../model/finding.ts';
import { PolicyLoadError, parseYamlDocuments } from './documents.ts';
import type { PolicyInput } from './types.ts';

/** Scan reports with full inventories are big; manifests and reviews are small. */
const MAX_INPUT_BYTES = 256 * 1024 * 1024;
const MAX_LIST_ITEMS = 100_000;

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

export function isScanReport(v: unknown): v is ScanReport {
  return isRec(v) && v.schemaVersion === 1 && typeof v.target === 'string' && Array.isArray(v.vulnerabilities);
}

/** One parsed value → inputs (a List expands into its items). */
export function inputsFromValue(v: unknown, file: string, namespace?: string): PolicyInput[] {
  if (!isRec(v)) throw new PolicyLoadError(`${file}: not a Kubernetes object, AdmissionReview or scan report`);
  if (v.kind === 'AdmissionReview') return [{ type: 'admission', review: v, file }];
  if (isScanReport(v)) return [{ type: 'image-scan', report: v, file }];
  if (typeof v.kind === 'string' && v.kind.endsWith('List') && Array.isArray(v.items)) {
    if (v.items.length > MAX_LIST_ITEMS) throw new PolicyLoadError(`${file}: List of more than ${MAX_LIST_ITEMS} items`);
    return v.items.flatMap((item) => inputsFromValue(item, file, namespace));
  }
  if (typeof v.kind !== 'string' || !v.kind) throw new PolicyLoadError(`${file}: document has no kind (not a Kubernetes object, AdmissionReview or scan report)`);
  return [{ type: 'object', object: v, namespace, file }];
}

export function loadInputFile(file: string, namespace?: string): PolicyInput[] {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw new PolicyLoadError(`${file}: no such file`);
  }
  if (size > MAX_INPUT_BYTES) throw new PolicyLoadError(`${file}: larger than ${MAX_INPUT_BYTES} bytes`);
  const text = readFileSync(file, 'utf8');
  // JSON is YAML, but JSON.parse is much faster for big scan reports.
  if (/^\s*[{[]/.test(text)) {
    try {
      const v = JSON.parse(text) as unknown;
      return Array.isArray(v) ? v.flatMap((x) => inputsFromValue(x, file, namespace)) : inputsFromValue(v, file, namespace);
    } catch (e) {
      if (!(e instanceof SyntaxError)) throw e;
      if (/\.json$/i.test(file)) throw new PolicyLoadError(`${file}: invalid JSON: ${e.message}`);
    }
  }
  return parseYamlDocuments(text, file).flatMap((d) => {
    try {
      return inputsFromValue(d.value, file, namespace);
    } catch (e) {
      throw new PolicyLoadError(`${file}:${d.lineOf([])}: document ${d.index + 1}: ${(e as Error).message.replace(`${file}: `, '')}`);
    }
  });
}
