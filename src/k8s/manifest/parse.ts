// One manifest text → Kubernetes objects with positions. YAML is read as YAML 1.1, as Kubernetes'
// own decoder (go-yaml) reads it, so `privileged: yes` is the boolean the API server would see.
// JSON is YAML too (and so keeps its line numbers); JSON that YAML rejects (duplicate keys, tabs
// as indentation) falls back to JSON.parse. Problems become ManifestErrors naming file, document
// and line; nothing here throws on bad input.
import { Composer, isMap, isSeq, LineCounter, Parser, parseDocument, type Document, type Node as YamlNode } from 'yaml';
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

/**
 * Field positions are needed only for objects with findings, so a document's syntax tree is not
 * kept: it is rebuilt from the document's text on the first lineOf() call and shared by the
 * objects of that document (List items). This keeps memory near the size of the parsed objects.
 */
export class DocPositions {
  private root: YamlNode | null | undefined;
  private lc: LineCounter | undefined;
  private readonly text: string;
  /** Line of the document's first character in the file. */
  private readonly firstLine: number;

  constructor(text: string, firstLine: number) {
    this.text = text;
    this.firstLine = firstLine;
  }

  private tree(): { root: YamlNode | null; lc: LineCounter } | undefined {
    if (this.root === undefined) {
      this.lc = new LineCounter();
      try {
        const doc = parseDocument(this.text, { lineCounter: this.lc, version: '1.1', uniqueKeys: false, logLevel: 'silent' });
        this.root = (doc.contents as YamlNode | null) ?? null;
      } catch {
        this.root = null;
      }
    }
    return this.root ? { root: this.root, lc: this.lc! } : undefined;
  }

  /** The line of the node at `path` (or of its nearest existing ancestor), else `fallback`. */
  lineOf(path: ReadonlyArray<string | number>, fallback: number): number {
    const t = this.tree();
    if (!t) return fallback;
    let cur: unknown = t.root;
    let line: number | undefined;
    for (const seg of path) {
      let next: YamlNode | undefined;
      let at: YamlNode | undefined;
      if (isMap(cur)) {
        const pair = cur.items.find((p) => {
          const k = p.key as { value?: unknown } | null;
          return k !== null && typeof k === 'object' && String(k.value) === String(seg);
        });
        if (pair) {
          at = pair.key as YamlNode;
          next = pair.value as YamlNode;
        }
      } else if (isSeq(cur) && typeof seg === 'number') {
        next = cur.items[seg] as YamlNode | undefined;
        at = next;
      }
      if (!at) break;
      const off = at.range?.[0];
      if (off !== undefined) line = this.firstLine + t.lc.linePos(off).line - 1;
      cur = next;
    }
    return line ?? fallback;
  }
}

function makeLineOf(positions: DocPositions | undefined, prefix: Array<string | number>, objectLine: number): K8sObject['lineOf'] {
  return (path) => (positions ? Math.max(objectLine, positions.lineOf([...prefix, ...path], objectLine)) : objectLine);
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
  positions: DocPositions | undefined,
  prefix: Array<string | number>,
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
      collect(item, itemNode, lc, positions, [...prefix, 'items', i], { ...base, line, listIndex: i }, out, limits, depth + 1);
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
  out.objects.push({ apiVersion, kind, metadata: metaOf(value), raw: value, source, lineOf: makeLineOf(positions, prefix, base.line) });
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
  collect(value, undefined, undefined, undefined, [], { file, doc: 1, line: 1 }, out, limits, 0);
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
  // Documents are composed one at a time, so only one document's syntax tree is alive at once.
  const composer = new Composer({ version: '1.1', logLevel: 'error' });
  const docs = composer.compose(new Parser(lc.addNewLine).parse(text));
  let index = 0;
  let first = true;
  try {
    for (const doc of docs) {
      index++;
      if (first) {
        first = false;
        // A JSON file YAML cannot read as a whole (duplicate keys, tab indentation) is still JSON.
        if (doc.errors.some((e) => e.code !== 'DUPLICATE_KEY') && looksLikeJSON(file, text) && parseJSON(text, file, out, lim)) return out;
      }
      if (!readDocument(doc as Document.Parsed, index, text, file, lc, out, lim)) break;
    }
  } catch (e) {
    if (index <= 1 && looksLikeJSON(file, text) && parseJSON(text, file, out, lim)) return out;
    out.errors.push({ file, ...(index > 0 ? { doc: index } : {}), level: 'error', message: `cannot parse: ${short(e)}` });
  }
  return out;
}

/** One document → objects; false when no more documents should be read. */
function readDocument(doc: Document.Parsed, index: number, text: string, file: string, lc: LineCounter, out: ParseResult, lim: ParseLimits): boolean {
  if (index > lim.maxDocuments) {
    out.errors.push({ file, doc: index, level: 'error', message: `more than ${lim.maxDocuments} documents; the rest is not read` });
    return false;
  }
  const contents = doc.contents as YamlNode | null;
  const docLine = lc.linePos(doc.range[0]).line;
  const line = nodeLine(contents, lc, docLine);
  const errLine = (e: { pos: [number, number] }) => lc.linePos(e.pos[0]).line;
  // Duplicate keys: Kubernetes' decoder warns and keeps the last one; so does Triad.
  const fatal = doc.errors.filter((e) => e.code !== 'DUPLICATE_KEY');
  const dup = doc.errors.find((e) => e.code === 'DUPLICATE_KEY');
  if (dup) out.errors.push({ file, doc: index, line: errLine(dup), level: 'warning', message: 'duplicate map key (the last value is used)' });
  if (fatal.length > 0) {
    const err = fatal[0]!;
    const msg = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    out.errors.push({ file, doc: index, line: errLine(err), level: 'error', message: `malformed YAML: ${msg}` });
    return true;
  }
  if (contents === null) return true; // only comments, or an empty document between separators
  const head = text.slice(doc.range[0], contents.range?.[0] ?? doc.range[0]);
  const template = HELM_SOURCE.exec(head)?.[1];
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: lim.maxAliasCount });
  } catch (e) {
    const why = e instanceof RangeError ? 'nested too deeply' : /alias/i.test(short(e)) ? `too many YAML aliases (more than ${lim.maxAliasCount}; an alias bomb?)` : short(e);
    out.errors.push({ file, doc: index, line, level: 'error', message: `cannot read document: ${why}` });
    return true;
  }
  const positions = new DocPositions(text.slice(doc.range[0], doc.range[2]), docLine);
  collect(value, contents, lc, positions, [], { file, doc: index, line, ...(template ? { template } : {}) }, out, lim, 0);
  return lim.maxObjects >= 0;
}
