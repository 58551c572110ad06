// Manifest inputs → objects: files, directories (recursive: *.yaml, *.yml, *.json; symlinks are
// followed only while they stay inside the directory given), and stdin (`-`). Every input is
// size-bounded before it is read; problems are collected as ManifestErrors, never thrown.
import { lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, relative, isAbsolute } from 'node:path';
import { parseManifest } from './parse.ts';
import { DEFAULT_LIMITS, type K8sObject, type LoadOptions, type LoadResult, type ManifestError, type ManifestSource } from './types.ts';

const MANIFEST_FILE = /\.(ya?ml|json)$/i;
const SKIPPED_DIRS = new Set(['.git', 'node_modules']);

function errMsg(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const first = String(err?.message ?? e).split('\n')[0]!;
  return err?.code && !first.startsWith(err.code) ? `${err.code}: ${first}` : first;
}

function inside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

interface Budget {
  files: number;
  bytes: number;
  objects: number;
}

/** Files under `dir` in a stable order; symlinks that leave `dir`'s real path are reported and skipped. */
function walk(dir: string, limits: Required<Omit<LoadOptions, 'stdin'>>, budget: Budget, errors: ManifestError[]): string[] {
  const out: string[] = [];
  let root: string;
  try {
    root = realpathSync(dir);
  } catch (e) {
    errors.push({ file: dir, level: 'error', message: `cannot read: ${errMsg(e)}` });
    return out;
  }
  const seen = new Set<string>([root]);
  const stack: string[] = [dir];
  while (stack.length > 0) {
    const d = stack.pop()!;
    let names: string[];
    try {
      names = readdirSync(d).sort();
    } catch (e) {
      errors.push({ file: d, level: 'error', message: `cannot read directory: ${errMsg(e)}` });
      continue;
    }
    const subdirs: string[] = [];
    for (const name of names) {
      const p = join(d, name);
      let st;
      try {
        st = lstatSync(p);
        if (st.isSymbolicLink()) {
          const real = realpathSync(p);
          if (!inside(root, real)) {
            errors.push({ file: p, level: 'warning', message: `symlink leads outside ${dir}; skipped` });
            continue;
          }
          st = statSync(p);
          if (st.isDirectory()) {
            if (seen.has(real)) continue;
            seen.add(real);
          }
        } else if (st.isDirectory()) {
          seen.add(realpathSync(p));
        }
      } catch (e) {
        errors.push({ file: p, level: 'warning', message: `cannot read: ${errMsg(e)}` });
        continue;
      }
      if (st.isDirectory()) {
        if (!SKIPPED_DIRS.has(name)) subdirs.push(p);
      } else if (st.isFile() && MANIFEST_FILE.test(name)) {
        if (budget.files >= limits.maxFiles) {
          errors.push({ file: dir, level: 'error', message: `more than ${limits.maxFiles} manifest files; the rest is not read` });
          return out;
        }
        budget.files++;
        out.push(p);
      }
    }
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]!);
  }
  return out;
}

function readBounded(file: string, limits: Required<Omit<LoadOptions, 'stdin'>>, budget: Budget, errors: ManifestError[]): string | undefined {
  try {
    const st = statSync(file);
    if (!st.isFile()) {
      errors.push({ file, level: 'error', message: 'not a regular file' });
      return undefined;
    }
    if (st.size > limits.maxFileBytes) {
      errors.push({ file, level: 'error', message: `too large (${st.size} bytes; the limit is ${limits.maxFileBytes})` });
      return undefined;
    }
    if (budget.bytes + st.size > limits.maxTotalBytes) {
      errors.push({ file, level: 'error', message: `total input exceeds ${limits.maxTotalBytes} bytes; not read` });
      return undefined;
    }
    const buf = readFileSync(file);
    budget.bytes += buf.length;
    return buf.toString('utf8');
  } catch (e) {
    errors.push({ file, level: 'error', message: `cannot read: ${errMsg(e)}` });
    return undefined;
  }
}

async function readStdin(stream: NodeJS.ReadableStream, max: number): Promise<string | Error> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += b.length;
    if (size > max) return new Error(`too large (more than ${max} bytes)`);
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function resolveLimits(opts: LoadOptions): Required<Omit<LoadOptions, 'stdin'>> {
  return {
    maxFileBytes: opts.maxFileBytes ?? DEFAULT_LIMITS.maxFileBytes,
    maxTotalBytes: opts.maxTotalBytes ?? DEFAULT_LIMITS.maxTotalBytes,
    maxFiles: opts.maxFiles ?? DEFAULT_LIMITS.maxFiles,
    maxDocuments: opts.maxDocuments ?? DEFAULT_LIMITS.maxDocuments,
    maxObjects: opts.maxObjects ?? DEFAULT_LIMITS.maxObjects,
    maxAliasCount: opts.maxAliasCount ?? DEFAULT_LIMITS.maxAliasCount,
  };
}

function addText(text: string, file: string, limits: Required<Omit<LoadOptions, 'stdin'>>, budget: Budget, result: LoadResult): void {
  const r = parseManifest(text, file, { maxDocuments: limits.maxDocuments, maxAliasCount: limits.maxAliasCount, maxObjects: limits.maxObjects - budget.objects });
  budget.objects += r.objects.length;
  result.objects.push(...r.objects);
  result.errors.push(...r.errors);
}

/** Expands paths (files, directories) to the files to read, in order. */
function expand(path: string, limits: Required<Omit<LoadOptions, 'stdin'>>, budget: Budget, errors: ManifestError[]): string[] {
  try {
    if (statSync(path).isDirectory()) return walk(path, limits, budget, errors);
  } catch (e) {
    errors.push({ file: path, level: 'error', message: `cannot read: ${errMsg(e)}` });
    return [];
  }
  budget.files++;
  return [path];
}

/**
 * Reads manifests from files, directories and `-` (stdin). Objects keep their order of appearance;
 * `errors` names the file, document and line of every problem (level 'error': input not read;
 * 'warning': a document skipped).
 */
export async function loadManifests(paths: string[], opts: LoadOptions = {}): Promise<LoadResult> {
  const limits = resolveLimits(opts);
  const budget: Budget = { files: 0, bytes: 0, objects: 0 };
  const result: LoadResult = { objects: [], errors: [] };
  for (const path of paths) {
    if (path === '-') {
      const text = await readStdin(opts.stdin ?? process.stdin, Math.min(limits.maxFileBytes, limits.maxTotalBytes - budget.bytes)).catch((e: unknown) => new Error(errMsg(e)));
      if (text instanceof Error) result.errors.push({ file: '-', level: 'error', message: `stdin: ${text.message}` });
      else {
        budget.bytes += Buffer.byteLength(text);
        addText(text, '-', limits, budget, result);
      }
      continue;
    }
    for (const file of expand(path, limits, budget, result.errors)) {
      const text = readBounded(file, limits, budget, result.errors);
      if (text !== undefined) addText(text, file, limits, budget, result);
    }
  }
  return result;
}

/** The same for files and directories only (no stdin), synchronously. */
export function loadManifestsSync(paths: string[], opts: Omit<LoadOptions, 'stdin'> = {}): LoadResult {
  const limits = resolveLimits(opts);
  const budget: Budget = { files: 0, bytes: 0, objects: 0 };
  const result: LoadResult = { objects: [], errors: [] };
  for (const path of paths) {
    if (path === '-') {
      result.errors.push({ file: '-', level: 'error', message: 'stdin needs loadManifests (async)' });
      continue;
    }
    for (const file of expand(path, limits, budget, result.errors)) {
      const text = readBounded(file, limits, budget, result.errors);
      if (text !== undefined) addText(text, file, limits, budget, result);
    }
  }
  return result;
}

/** Parses text already in memory (an AdmissionReview object, a test) as if read from `name`. */
export function loadManifestText(text: string, name = '-', opts: Omit<LoadOptions, 'stdin'> = {}): LoadResult {
  const limits = resolveLimits(opts);
  const result: LoadResult = { objects: [], errors: [] };
  if (Buffer.byteLength(text) > limits.maxFileBytes) {
    result.errors.push({ file: name, level: 'error', message: `too large (the limit is ${limits.maxFileBytes} bytes)` });
    return result;
  }
  addText(text, name, limits, { files: 1, bytes: 0, objects: 0 }, result);
  return result;
}

/**
 * For analyses that take plain objects (RBAC, NetworkPolicy): the raw objects and a function that
 * tells where each came from.
 */
export function rawObjects(objects: K8sObject[]): { raws: Record<string, unknown>[]; locate: (o: object) => ManifestSource | undefined } {
  const where = new WeakMap<object, ManifestSource>();
  for (const o of objects) where.set(o.raw, o.source);
  return { raws: objects.map((o) => o.raw), locate: (o) => where.get(o) };
}
