// The ignore file (`--ignorefile`, default `.triadignore`): two forms, as Trivy users know them.
//   Plain lines, like .trivyignore:    CVE-2023-1234
//                                      CVE-2023-5678 exp:2025-12-31   # comment
//   YAML (.yaml/.yml, or a document starting with "vulnerabilities:"), like .trivyignore.yaml:
//     vulnerabilities:
//       - id: CVE-2023-1234
//         purls: ["pkg:deb/debian/openssl"]      (or purl: one)
//         paths: ["usr/lib/python3/dist-packages/foo"]
//         expired_at: 2025-12-31                 (or expiry / expires / exp)
//         statement: not reachable from our code
// An entry past its expiry date stops suppressing. Malformed lines are errors naming file and line.

import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';

export interface IgnoreEntry {
  id: string;
  expires?: Date;
  purls?: string[];
  paths?: string[];
  statement?: string;
  file: string;
  line: number;
}

export class IgnoreFileError extends Error {}

const MAX_BYTES = 16 * 1024 * 1024;
const ID = /^[A-Za-z0-9][A-Za-z0-9._:/-]{1,200}$/;

function parseDate(s: string, file: string, line: number): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s.trim());
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + 1)) : undefined;
  // The entry suppresses through the whole named day (UTC).
  if (!d || Number.isNaN(d.getTime())) throw new IgnoreFileError(`${file}:${line}: expiry ${JSON.stringify(s)} is not YYYY-MM-DD`);
  return d;
}

function parsePlain(text: string, file: string): IgnoreEntry[] {
  const out: IgnoreEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (!line) return;
    const [id, ...rest] = line.split(/\s+/);
    if (!ID.test(id!)) throw new IgnoreFileError(`${file}:${i + 1}: ${JSON.stringify(id)} is not a vulnerability id`);
    const e: IgnoreEntry = { id: id!, file, line: i + 1 };
    for (const r of rest) {
      if (r.startsWith('exp:')) e.expires = parseDate(r.slice(4), file, i + 1);
      else throw new IgnoreFileError(`${file}:${i + 1}: unexpected ${JSON.stringify(r)} (only "exp:YYYY-MM-DD" may follow the id)`);
    }
    out.push(e);
  });
  return out;
}

function list(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  const a = Array.isArray(v) ? v : [v];
  return a.map((x) => String(x));
}

function parseYaml(text: string, file: string): IgnoreEntry[] {
  let doc: unknown;
  try {
    doc = yaml.load(text, { schema: yaml.JSON_SCHEMA });
  } catch (e) {
    throw new IgnoreFileError(`${file}: not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const items = Array.isArray(doc) ? doc : doc && typeof doc === 'object' ? (doc as Record<string, unknown>).vulnerabilities : undefined;
  if (items === undefined || items === null) return [];
  if (!Array.isArray(items)) throw new IgnoreFileError(`${file}: "vulnerabilities" must be a list`);
  return items.map((it, i) => {
    if (!it || typeof it !== 'object') throw new IgnoreFileError(`${file}: entry ${i + 1} is not a mapping`);
    const r = it as Record<string, unknown>;
    if (typeof r.id !== 'string' || !ID.test(r.id)) throw new IgnoreFileError(`${file}: entry ${i + 1}: "id" must be a vulnerability id`);
    const e: IgnoreEntry = { id: r.id, file, line: i + 1 };
    const exp = r.expired_at ?? r.expiry ?? r.expires ?? r.exp;
    if (exp !== undefined && exp !== null) e.expires = parseDate(String(exp), file, i + 1);
    const purls = list(r.purls ?? r.purl);
    if (purls?.length) e.purls = purls;
    const paths = list(r.paths ?? r.path);
    if (paths?.length) e.paths = paths;
    if (typeof r.statement === 'string') e.statement = r.statement;
    return e;
  });
}

export function parseIgnoreFile(text: string, file: string): IgnoreEntry[] {
  const looksYaml = /\.ya?ml$/i.test(file) || /^\s*(vulnerabilities\s*:|-\s+id\s*:)/m.test(text);
  return looksYaml ? parseYaml(text, file) : parsePlain(text, file);
}

/** Reads an ignore file; a missing default file is no entries, a missing explicit one is an error. */
export function readIgnoreFile(path: string, explicit: boolean): IgnoreEntry[] {
  let text: string;
  try {
    const buf = readFileSync(path);
    if (buf.length > MAX_BYTES) throw new IgnoreFileError(`${path}: ignore file larger than ${MAX_BYTES} bytes`);
    text = buf.toString('utf8');
  } catch (e) {
    if (e instanceof IgnoreFileError) throw e;
    if (!explicit && (e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new IgnoreFileError(`${path}: cannot read the ignore file: ${(e as Error).message}`);
  }
  return parseIgnoreFile(text, path);
}
