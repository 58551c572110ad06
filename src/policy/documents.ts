// Reading YAML documents with their positions, so that every error names the file, the document
// and the line. Several documents per file (`---`); JSON is YAML too.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, parseAllDocuments, isNode, type Document } from 'yaml';

/** Policy files are small; anything bigger is a mistake or an attack. */
const MAX_FILE_BYTES = 8 * 1024 * 1024;
const MAX_DOCUMENTS = 10_000;
const MAX_DIR_FILES = 10_000;

export class PolicyLoadError extends Error {}

/** One YAML document of a file, with a way to find the line of any path inside it. */
export interface LoadedDocument {
  file: string;
  /** 0-based index of the document in the file. */
  index: number;
  value: unknown;
  /** 1-based line of the node at `path` (or of the nearest ancestor that exists). */
  lineOf(path: ReadonlyArray<string | number>): number;
  /** The YAML style of the scalar at `path` (block scalars start one line below their key). */
  isBlockScalar(path: ReadonlyArray<string | number>): boolean;
}

export function parseYamlDocuments(text: string, file: string): LoadedDocument[] {
  if (text.length > MAX_FILE_BYTES) throw new PolicyLoadError(`${file}: larger than ${MAX_FILE_BYTES} bytes`);
  const lc = new LineCounter();
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, { lineCounter: lc, uniqueKeys: true, logLevel: "error" }) as Document.Parsed[];
  } catch (e) {
    throw new PolicyLoadError(`${file}: ${(e as Error).message}`);
  }
  if (!Array.isArray(docs)) throw new PolicyLoadError(`${file}: not a YAML stream`);
  if (docs.length > MAX_DOCUMENTS) throw new PolicyLoadError(`${file}: more than ${MAX_DOCUMENTS} documents`);
  const out: LoadedDocument[] = [];
  docs.forEach((doc, index) => {
    const err = doc.errors[0];
    if (err) {
      const line = err.linePos?.[0]?.line ?? lc.linePos(err.pos[0]).line;
      throw new PolicyLoadError(`${file}:${line}: document ${index + 1}: ${err.message.split('\n')[0]}`);
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      throw new PolicyLoadError(`${file}: document ${index + 1}: ${(e as Error).message}`);
    }
    if (value === null || value === undefined) return; // empty document (trailing ---)
    const nodeAt = (path: ReadonlyArray<string | number>) => {
      for (let n = path.length; n >= 0; n--) {
        const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
        if (isNode(node) && node.range) return node;
      }
      return undefined;
    };
    out.push({
      file,
      index,
      value,
      lineOf: (path) => {
        const node = nodeAt(path);
        return node?.range ? lc.linePos(node.range[0]).line : 1;
      },
      isBlockScalar: (path) => {
        const node = doc.getIn(path, true) as { type?: string } | undefined;
        return node?.type === 'BLOCK_LITERAL' || node?.type === 'BLOCK_FOLDED';
      },
    });
  });
  return out;
}

export function loadYamlFile(file: string): LoadedDocument[] {
  let st;
  try {
    st = statSync(file);
  } catch (e) {
    throw new PolicyLoadError(`${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  if (st.size > MAX_FILE_BYTES) throw new PolicyLoadError(`${file}: larger than ${MAX_FILE_BYTES} bytes`);
  return parseYamlDocuments(readFileSync(file, 'utf8'), file);
}

/** YAML/JSON files under a path (a file is itself), sorted for stable output; no symlink loops. */
export function yamlFilesUnder(path: string, filter: (name: string) => boolean = (n) => /\.(ya?ml|json)$/i.test(n)): string[] {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new PolicyLoadError(`${path}: no such file or directory`);
  }
  if (st.isFile()) return [path];
  const out: string[] = [];
  const seen = new Set<string>();
  const walk = (dir: string, depth: number) => {
    if (depth > 20) return;
    const real = `${statSync(dir).dev}:${statSync(dir).ino}`;
    if (seen.has(real)) return;
    seen.add(real);
    for (const ent of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (ent.name.startsWith('.')) continue;
      const p = join(dir, ent.name);
      let isDir = ent.isDirectory();
      let isFile = ent.isFile();
      if (ent.isSymbolicLink()) {
        try {
          const s = statSync(p);
          isDir = s.isDirectory();
          isFile = s.isFile();
        } catch {
          continue;
        }
      }
      if (isDir) walk(p, depth + 1);
      else if (isFile && filter(ent.name)) out.push(p);
      if (out.length > MAX_DIR_FILES) throw new PolicyLoadError(`${path}: more than ${MAX_DIR_FILES} files`);
    }
  };
  walk(path, 0);
  return out;
}
