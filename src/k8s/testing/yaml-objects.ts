// Test helper: reads every YAML/JSON document under a directory (or a file) into plain objects,
// with `List` kinds flattened and each object's file/line recorded for `locate`. Production code
// uses the manifest loader; this keeps the analysis tests independent of it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { ObjectSource } from '../rbac/types.ts';

export interface LoadedObjects {
  objects: Record<string, unknown>[];
  locate: (obj: object) => ObjectSource | undefined;
}

function files(path: string): string[] {
  if (statSync(path).isFile()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((n) => files(join(path, n)))
    .filter((f) => /\.(ya?ml|json)$/i.test(f));
}

export function loadObjects(...paths: string[]): LoadedObjects {
  const where = new WeakMap<object, ObjectSource>();
  const objects: Record<string, unknown>[] = [];
  const add = (o: unknown, src: ObjectSource) => {
    if (typeof o !== 'object' || o === null || Array.isArray(o)) return;
    const rec = o as Record<string, unknown>;
    if (typeof rec.kind === 'string' && rec.kind.endsWith('List') && Array.isArray(rec.items)) {
      for (const it of rec.items) add(it, src);
      return;
    }
    where.set(rec, src);
    objects.push(rec);
  };
  for (const p of paths) {
    for (const f of files(p)) {
      const text = readFileSync(f, 'utf8');
      for (const doc of parseAllDocuments(text)) {
        if (doc.errors.length > 0) continue;
        const line = doc.contents?.range ? text.slice(0, doc.contents.range[0]).split('\n').length : 1;
        add(doc.toJS(), { file: f, line });
      }
    }
  }
  return { objects, locate: (o) => where.get(o) };
}
