// One manifest text → Kubernetes objects with positions. YAML is read as YAML 1.1, as Kubernetes'
// own decoder (go-yaml) reads it, so `privileged: yes` is the boolean the API server would see.
// JSON is YAML too (and so keeps its line numbers); JSON that YAML rejects (duplicate keys, tabs
// as indentation) falls back to JSON.parse. Problems become ManifestErrors naming file, document
// and line; nothing here throws on bad input.
import { isMap, isSeq, LineCounter, parseAllDocuments, type Document, type Node as YamlNode } from 'yaml';
import { DEFAULT_LIMITS, type K8sObject, type ManifestError, type ManifestSource, type ObjectMeta } from './types.ts';

export interface ParseLimits {
  maxDocuments: number;
  maxAliasCount: number;
  /** Objects still allowed in this load. */
  maxObjects: number;
}

export interface ParseResult {
  objects: K8sObject[];
  errors: ManifestError[];
}

const LIST_DEPTH = 4;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `v1 List`, `RoleList`, `PodList` ...: a kind ending in List with an items array. */
export function isListObject(v: Record<string, unknown>): boolean {
  return typeof v.kind === 'string' && v.kind.endsWith('List') && Array.isArray(v.items);
}

function short(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n')[0]!.slice(0, 300);
}

/** The first line of the object's own text: for a YAML map, its first key. */
function nodeLine(node: YamlNode | null | undefined, lc: LineCounter, fallback: number): number {
  const off = node?.range?.[0];
  return off === undefined ? fallback : lc.linePos(off).line;
}

function makeLineOf(node: YamlNode | undefined, lc: LineCounter | undefined, objectLine: number): K8sObject['lineOf'] {
  return (path) => {
    if (!node || !lc) return objectLine;
    let cur: unknown = node;
    let line = objectLine;
    for (const seg of path) {
      if (isMap(cur)) {
        const pair = cur.items.find((p) => {
          const k = p.key as { value?: unknown } | null;
          return k !== null && typeof k === 'object' && String(k.value) === String(seg);
        });
        if (!pair) break;
        line = nodeLine(pair.key as YamlNode, lc, line);
        cur = pair.value;
      } else if (isSeq(cur) && typeof seg === 'number') {
        const item = cur.items[seg];
        if (!item) break;
        line = nodeLine(item as YamlNode, lc, line);
        cur = item;
      } else break;
    }
    return line;
  };
}

function metaOf(raw: Record<string, unknown>): ObjectMeta {
  return isRecord(raw.metadata) ? (raw.metadata as ObjectMeta) : {};
}

const HELM_SOURCE = /^#\s*Source:\s*(\S.*?)\s*$/m;

/** Adds `value` (an object or a List) to `out`; `node` is its YAML node when known. */
function collect(
  value: unknown,
  node: YamlNode | undefined,
  lc: LineCounter | undefined,
  base: Omit<ManifestSource, 'line'> & { line: number },
  out: ParseResult,
  limits: ParseLimits,
  depth: number,
): void {
  const where = { file: base.file, doc: base.doc, line: base.line };
  if (!isRecord(value)) {
    if (value !== null && value !== undefined) out.errors.push({ ...where, level: 'warning', message: `not a Kubernetes object (a ${Array.isArray(value) ? 'list' : typeof value}); skipped` });
    return;
  }
  if (isListObject(value) && depth < LIST_DEPTH) {
    const items = value.items as unknown[];
    const itemsNode = isMap(node) ? (node.get('items', true) as YamlNode | undefined) : undefined;
    items.forEach((item, i) => {
      const itemNode = isSeq(itemsNode) ? (itemsNode.items[i] as YamlNode | undefined) : undefined;
      const line = lc ? nodeLine(itemNode, lc, base.line) : base.line;
      collect(item, itemNode, lc, { ...base, line, listIndex: i }, out, limits, depth + 1);
    });
    return;
  }
  const kind = value.kind;
  const apiVersion = value.apiVersion;
  if (typeof kind !== 'string' || kind === '' || typeof apiVersion !== 'string' || apiVersion === '') {
    const missing = [typeof apiVersion === 'string' && apiVersion ? '' : 'apiVersion', typeof kind === 'string' && kind ? '' : 'kind'].filter(Boolean).join(' and ');
    out.errors.push({ ...where, level: 'warning', message: `not a Kubernetes object (no ${missing}); skipped` });
    return;
  }
  if (out.objects.length >= limits.maxObjects) {
    if (out.objects.length === limits.maxObjects) out.errors.push({ ...where, level: 'error', message: `more than ${limits.maxObjects} objects; the rest is not read` });
    limits.maxObjects = -1;
    return;
  }
  const source: ManifestSource = { file: base.file, doc: base.doc, line: base.line };
  if (base.template) source.template = base.template;
  if (base.listIndex !== undefined) source.listIndex = base.listIndex;
  out.objects.push({ apiVersion, kind, metadata: metaOf(value), raw: value, source, lineOf: makeLineOf(node, lc, base.line) });
}

function looksLikeJSON(file: string, text: string): boolean {
  return /\.json$/i.test(file) || /^\s*[{[]/.test(text);
}

function parseJSON(text: string, file: string, out: ParseResult, limits: ParseLimits): boolean {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return false;
  }
  collect(value, undefined, undefined, { file, doc: 1, line: 1 }, out, limits, 0);
  return true;
}

/** Parses one file's text (YAML multi-document or JSON). */
export function parseManifest(text: string, file: string, limits: Partial<ParseLimits> = {}): ParseResult {
  const lim: ParseLimits = {
    maxDocuments: limits.maxDocuments ?? DEFAULT_LIMITS.maxDocuments,
    maxAliasCount: limits.maxAliasCount ?? DEFAULT_LIMITS.maxAliasCount,
    maxObjects: limits.maxObjects ?? DEFAULT_LIMITS.maxObjects,
  };
  const out: ParseResult = { objects: [], errors: [] };
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.includes('\0')) {
    out.errors.push({ file, level: 'error', message: 'binary data (NUL bytes), not a YAML or JSON manifest' });
    return out;
  }
  const lc = new LineCounter();
  let docs: Document.Parsed[];
  try {
    const parsed = parseAllDocuments(text, { lineCounter: lc, version: '1.1', prettyErrors: true, logLevel: 'error' });
    docs = Array.isArray(parsed) ? parsed : [];
  } catch (e) {
    if (looksLikeJSON(file, text) && parseJSON(text, file, out, lim)) return out;
    out.errors.push({ file, level: 'error', message: `cannot parse: ${short(e)}` });
    return out;
  }
  // A JSON file YAML cannot read as a whole (duplicate keys, tab indentation) is still JSON.
  if (docs.length === 1 && docs[0]!.errors.some((e) => e.code !== 'DUPLICATE_KEY') && looksLikeJSON(file, text) && parseJSON(text, file, out, lim)) return out;

  for (let i = 0; i < docs.length; i++) {
    const doc = docs[i]!;
    const index = i + 1;
    if (index > lim.maxDocuments) {
      out.errors.push({ file, doc: index, level: 'error', message: `more than ${lim.maxDocuments} documents; the rest is not read` });
      break;
    }
    const contents = doc.contents as YamlNode | null;
    const line = nodeLine(contents, lc, lc.linePos(doc.range[0]).line);
    // Duplicate keys: Kubernetes' decoder warns and keeps the last one; so does Triad.
    const fatal = doc.errors.filter((e) => e.code !== 'DUPLICATE_KEY');
    for (const e of doc.errors.length > fatal.length ? [doc.errors.find((e) => e.code === 'DUPLICATE_KEY')!] : []) {
      out.errors.push({ file, doc: index, line: e.linePos?.[0]?.line ?? line, level: 'warning', message: 'duplicate map key (the last value is used)' });
    }
    if (fatal.length > 0) {
      const err = fatal[0]!;
      const errLine = err.linePos?.[0]?.line ?? line;
      const msg = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      out.errors.push({ file, doc: index, line: errLine, level: 'error', message: `malformed YAML: ${msg}` });
      continue;
    }
    if (contents === null) continue; // only comments, or an empty document between separators
    const head = text.slice(doc.range[0], contents.range?.[0] ?? doc.range[0]);
    const template = HELM_SOURCE.exec(head)?.[1];
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: lim.maxAliasCount });
    } catch (e) {
      const why = e instanceof RangeError ? 'nested too deeply' : /alias/i.test(short(e)) ? `too many YAML aliases (more than ${lim.maxAliasCount}; an alias bomb?)` : short(e);
      out.errors.push({ file, doc: index, line, level: 'error', message: `cannot read document: ${why}` });
      continue;
    }
    collect(value, contents, lc, { file, doc: index, line, ...(template ? { template } : {}) }, out, lim, 0);
    if (lim.maxObjects < 0) break;
  }
  return out;
}
