// VEX input (`--vex FILE`): OpenVEX JSON and CycloneDX VEX (a CycloneDX BOM with
// vulnerabilities[].analysis). Statements saying a product is not affected or already fixed
// suppress the matching findings; other statuses (affected, under investigation) change nothing.
//   OpenVEX: statements[].vulnerability.name (+ aliases; a plain string in v0.0.1),
//            products[] (@id purls, or strings) and their subcomponents; status not_affected|fixed.
//   CycloneDX: vulnerabilities[].id (+ references[].id), analysis.state not_affected|false_positive|
//            resolved, affects[].ref = a purl, a bom-ref of a component in the VEX document, or a
//            BOM-Link (urn:cdx:…#bom-ref) to the SBOM's component (Triad's bom-ref = package id).

import { readFileSync } from 'node:fs';

export interface VexStatement {
  vulnerabilities: string[];
  /** Product purls (or package ids) the statement is about. */
  products: string[];
  /** An image-level product (pkg:oci/…) without subcomponents: every package of the image. */
  allProducts?: boolean;
  status: string;
  justification?: string;
  document: string;
}

export class VexError extends Error {}

const MAX_BYTES = 64 * 1024 * 1024;
const SUPPRESSING_OPENVEX = new Set(['not_affected', 'fixed']);
const SUPPRESSING_CDX = new Set(['not_affected', 'false_positive', 'resolved', 'resolved_with_pedigree']);

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function productId(p: unknown): string | undefined {
  if (typeof p === 'string') return p;
  if (!isRec(p)) return undefined;
  return str(p['@id']) ?? str(isRec(p.identifiers) ? p.identifiers.purl : undefined);
}

function openVex(doc: Rec, file: string): VexStatement[] {
  const out: VexStatement[] = [];
  for (const s of arr(doc.statements)) {
    if (!isRec(s)) continue;
    const status = str(s.status);
    if (!status || !SUPPRESSING_OPENVEX.has(status)) continue;
    const v = s.vulnerability;
    const vulns = typeof v === 'string' ? [v] : isRec(v) ? [str(v.name), str(v['@id']), ...arr(v.aliases).map(str)].filter((x): x is string => x !== undefined) : [];
    if (vulns.length === 0) continue;
    const products: string[] = [];
    let all = false;
    for (const p of arr(s.products)) {
      const subs = isRec(p) ? arr(p.subcomponents).map(productId).filter((x): x is string => x !== undefined) : [];
      const id = productId(p);
      if (subs.length) products.push(...subs);
      else if (id?.startsWith('pkg:oci/') || id?.startsWith('pkg:docker/')) all = true;
      else if (id) products.push(id);
    }
    out.push({ vulnerabilities: vulns, products, ...(all ? { allProducts: true } : {}), status, ...(str(s.justification) ? { justification: str(s.justification) } : {}), document: file });
  }
  return out;
}

function cycloneVex(doc: Rec, file: string): VexStatement[] {
  const refs = new Map<string, string>();
  const walk = (list: unknown[]) => {
    for (const c of list) {
      if (!isRec(c)) continue;
      const ref = str(c['bom-ref']);
      const purl = str(c.purl);
      if (ref && purl) refs.set(ref, purl);
      walk(arr(c.components));
    }
  };
  walk(arr(doc.components));
  if (isRec(doc.metadata) && isRec(doc.metadata.component)) walk([doc.metadata.component]);
  const out: VexStatement[] = [];
  for (const v of arr(doc.vulnerabilities)) {
    if (!isRec(v) || !isRec(v.analysis)) continue;
    const state = str(v.analysis.state);
    if (!state || !SUPPRESSING_CDX.has(state)) continue;
    const ids = [str(v.id), ...arr(v.references).map((r) => (isRec(r) ? str(r.id) : undefined))].filter((x): x is string => x !== undefined);
    const products: string[] = [];
    for (const a of arr(v.affects)) {
      const ref = isRec(a) ? str(a.ref) : undefined;
      if (!ref) continue;
      if (ref.startsWith('pkg:')) products.push(ref);
      else if (ref.startsWith('urn:cdx:')) products.push(decodeURIComponent(ref.slice(ref.indexOf('#') + 1)));
      else products.push(refs.get(ref) ?? ref);
    }
    if (ids.length === 0 || products.length === 0) continue;
    out.push({ vulnerabilities: ids, products, status: state, ...(str(v.analysis.justification) ? { justification: str(v.analysis.justification) } : {}), document: file });
  }
  return out;
}

export function parseVex(text: string, file: string): VexStatement[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new VexError(`${file}: not JSON: ${(e as Error).message}`);
  }
  if (!isRec(doc)) throw new VexError(`${file}: not a VEX document (not a JSON object)`);
  if (typeof doc['@context'] === 'string' && /openvex/i.test(doc['@context'])) return openVex(doc, file);
  if (doc.bomFormat === 'CycloneDX') return cycloneVex(doc, file);
  if (Array.isArray(doc.statements)) return openVex(doc, file);
  throw new VexError(`${file}: neither OpenVEX (@context openvex) nor CycloneDX VEX (bomFormat CycloneDX)`);
}

export function readVex(path: string): VexStatement[] {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new VexError(`${path}: cannot read the VEX document: ${(e as Error).message}`);
  }
  if (buf.length > MAX_BYTES) throw new VexError(`${path}: VEX document larger than ${MAX_BYTES} bytes`);
  return parseVex(buf.toString('utf8'), path);
}
