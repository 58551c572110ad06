// Baselines as YAML documents (export, import, and the files of a baseline directory).
//
// Schema, version 1 (every list is optional and defaults to empty; times are ISO-8601):
//   kind: TriadRuntimeBaseline
//   version: 1
//   key: sha256:…                # the image digest (or image id / reference when no digest is known)
//   image: { ref: nginx:1.27, digest: sha256:…, id: sha256:… }
//   mode: learning | monitor | protect
//   response: kill | pause | stop          # optional: the action in protect mode
//   workloads: [k8s:shop/web, container:web]
//   supersededBy: sha256:…                 # optional: the newer image that replaced this one
//   times: { created, learningStarted, lastNewBehaviour, lastSeen, modeChanged }
//   processes: [{ exe: /usr/sbin/nginx, parent: /bin/sh }]     # parent '' or absent: any parent
//   listen: [{ protocol: tcp, port: 80 }]
//   connect: [{ to: 10.0.0.7 | 10.0.0.0/24 | k8s:shop/app=db | image:redis:7 | unix:/run/x.sock, port: 5432, protocol: tcp }]
//   fileWrites: [/var/log/nginx/**, /etc/nginx/conf.d/default.conf]
//   overflow: { process: 0, listen: 0, connect: 0, file-write: 0 }
// Import validates everything and rejects a document with an error naming the file and the path
// inside the document (`baselines/x.yaml: processes[3].exe: must be an absolute path`).
import { parseDocument, stringify } from 'yaml';
import { Baseline, BASELINE_MODES, DEFAULT_LIMITS, type BaselineLimits, type BaselineMode } from './profile.ts';
import { canonicalPath } from './paths.ts';

export const BASELINE_KIND = 'TriadRuntimeBaseline';
export const BASELINE_VERSION = 1;
const MAX_DOC_BYTES = 8 * 1024 * 1024;
const MAX_TEXT = 4096;
const RESPONSES = new Set(['kill', 'pause', 'stop']);

export class BaselineFormatError extends Error {
  readonly file: string;
  readonly path: string;
  constructor(file: string, path: string, reason: string) {
    super(`${file}: ${path ? `${path}: ` : ''}${reason}`);
    this.name = 'BaselineFormatError';
    this.file = file;
    this.path = path;
  }
}

const iso = (ms: number): string => new Date(Number.isFinite(ms) ? ms : 0).toISOString();

export function baselineToObject(b: Baseline): Record<string, unknown> {
  const image: Record<string, string> = {};
  if (b.image.ref) image.ref = b.image.ref;
  if (b.image.digest) image.digest = b.image.digest;
  if (b.image.id) image.id = b.image.id;
  const doc: Record<string, unknown> = { kind: BASELINE_KIND, version: BASELINE_VERSION, key: b.key, image, mode: b.mode };
  if (b.response) doc.response = b.response;
  doc.workloads = [...b.workloads].sort();
  if (b.supersededBy) doc.supersededBy = b.supersededBy;
  doc.times = Object.fromEntries(Object.entries(b.times).map(([k, v]) => [k, iso(v)]));
  doc.processes = [...b.processes.entries()].sort(([a], [c]) => a.localeCompare(c)).flatMap(([exe, parents]) => [...parents].sort().map((parent) => (parent ? { exe, parent } : { exe })));
  doc.listen = [...b.listen].sort().map((k) => { const [protocol, port] = k.split('/'); return { protocol, port: Number(port) }; });
  doc.connect = [...b.connect].sort().map(connectEntry);
  doc.fileWrites = [...b.fileWrites.entries].sort();
  doc.overflow = { ...b.overflow };
  return doc;
}

function connectEntry(key: string): Record<string, unknown> {
  if (key.startsWith('unix:')) return { to: key, protocol: 'unix' };
  const m = /^(.*):(\d+)\/(tcp|udp)$/.exec(key);
  return m ? { to: m[1], port: Number(m[2]), protocol: m[3] } : { to: key };
}

export function exportBaselineYaml(b: Baseline): string {
  return `# Triad runtime baseline (schema: src/runtime/baseline/yaml.ts)\n${stringify(baselineToObject(b), { lineWidth: 0 })}`;
}

// ---- import -----------------------------------------------------------------------------------

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

class Reader {
  readonly file: string;
  constructor(file: string) {
    this.file = file;
  }
  fail(path: string, reason: string): never {
    throw new BaselineFormatError(this.file, path, reason);
  }
  obj(v: unknown, path: string): Obj {
    if (!isObj(v)) this.fail(path, `must be a mapping, got ${kindOf(v)}`);
    return v;
  }
  text(v: unknown, path: string, optional = false): string | undefined {
    if (v === undefined || v === null) return optional ? undefined : this.fail(path, 'is required');
    if (typeof v !== 'string') this.fail(path, `must be a string, got ${kindOf(v)}`);
    if (v.length > MAX_TEXT) this.fail(path, `is longer than ${MAX_TEXT} characters`);
    if (/[\0\n\r]/.test(v)) this.fail(path, 'must not contain NUL or line breaks');
    return v;
  }
  list(v: unknown, path: string, max: number): unknown[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) this.fail(path, `must be a list, got ${kindOf(v)}`);
    if (v.length > max) this.fail(path, `has ${v.length} entries; the limit is ${max}`);
    return v;
  }
  time(v: unknown, path: string, fallback: number): number {
    if (v === undefined || v === null) return fallback;
    const s = v instanceof Date ? v.toISOString() : this.text(v, path)!;
    const t = Date.parse(s);
    if (!Number.isFinite(t)) this.fail(path, `is not an ISO-8601 time: ${JSON.stringify(s.slice(0, 60))}`);
    return t;
  }
  port(v: unknown, path: string): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) this.fail(path, `must be a port number 1-65535, got ${JSON.stringify(v)?.slice(0, 40)}`);
    return v;
  }
  count(v: unknown, path: string): number {
    if (v === undefined || v === null) return 0;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) this.fail(path, 'must be a non-negative integer');
    return v;
  }
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'a mapping' : `${typeof v} ${JSON.stringify(v)?.slice(0, 40)}`;
}

/** Parses and validates one baseline document; throws BaselineFormatError naming `file` and the path. */
export function importBaselineYaml(text: string, file: string, limits: BaselineLimits = DEFAULT_LIMITS, now = Date.now()): Baseline {
  const r = new Reader(file);
  if (typeof text !== 'string') r.fail('', 'not text');
  if (Buffer.byteLength(text) > MAX_DOC_BYTES) r.fail('', `larger than ${MAX_DOC_BYTES} bytes`);
  let raw: unknown;
  try {
    const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
    if (doc.errors.length > 0) r.fail('', `invalid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    if (e instanceof BaselineFormatError) throw e;
    r.fail('', `invalid YAML: ${e instanceof RangeError ? 'nested too deeply' : String((e as Error)?.message ?? e).split('\n')[0]}`);
  }
  const d = r.obj(raw, '(document)');
  if (d.kind !== BASELINE_KIND) r.fail('kind', `must be ${BASELINE_KIND}, got ${JSON.stringify(d.kind)?.slice(0, 60)}`);
  if (d.version !== BASELINE_VERSION) r.fail('version', `unsupported version ${JSON.stringify(d.version)?.slice(0, 20)} (this Triad reads version ${BASELINE_VERSION})`);
  const key = r.text(d.key, 'key')!;
  if (key.length === 0) r.fail('key', 'must not be empty');
  const img = d.image === undefined ? {} : r.obj(d.image, 'image');
  const image = { ref: r.text(img.ref, 'image.ref', true), digest: r.text(img.digest, 'image.digest', true), id: r.text(img.id, 'image.id', true) };
  for (const k of ['ref', 'digest', 'id'] as const) if (image[k] === undefined) delete image[k];
  const b = new Baseline(key, image, now, limits);
  const mode = r.text(d.mode, 'mode')!;
  if (!BASELINE_MODES.includes(mode as BaselineMode)) r.fail('mode', `must be one of ${BASELINE_MODES.join(', ')}, got ${JSON.stringify(mode)}`);
  b.mode = mode as BaselineMode;
  const response = r.text(d.response, 'response', true);
  if (response !== undefined) {
    if (!RESPONSES.has(response)) r.fail('response', `must be kill, pause or stop, got ${JSON.stringify(response)}`);
    b.response = response as 'kill' | 'pause' | 'stop';
  }
  r.list(d.workloads, 'workloads', limits.workloads).forEach((w, i) => b.workloads.add(r.text(w, `workloads[${i}]`)!));
  b.supersededBy = r.text(d.supersededBy, 'supersededBy', true);
  if (b.supersededBy === undefined) delete b.supersededBy;
  const t = d.times === undefined ? {} : r.obj(d.times, 'times');
  const created = r.time(t.created, 'times.created', now);
  b.times = {
    created,
    learningStarted: r.time(t.learningStarted, 'times.learningStarted', created),
    lastNewBehaviour: r.time(t.lastNewBehaviour, 'times.lastNewBehaviour', created),
    lastSeen: r.time(t.lastSeen, 'times.lastSeen', created),
    modeChanged: r.time(t.modeChanged, 'times.modeChanged', created),
  };
  r.list(d.processes, 'processes', limits.processes).forEach((e, i) => {
    const o = r.obj(e, `processes[${i}]`);
    const exe = r.text(o.exe, `processes[${i}].exe`)!;
    if (exe.length === 0) r.fail(`processes[${i}].exe`, 'must not be empty');
    const parent = r.text(o.parent, `processes[${i}].parent`, true) ?? '';
    const set = b.processes.get(exe);
    if (set) set.add(parent);
    else b.processes.set(exe, new Set([parent]));
  });
  r.list(d.listen, 'listen', limits.listen).forEach((e, i) => {
    const o = r.obj(e, `listen[${i}]`);
    const proto = r.text(o.protocol, `listen[${i}].protocol`)!;
    if (proto !== 'tcp' && proto !== 'udp') r.fail(`listen[${i}].protocol`, `must be tcp or udp, got ${JSON.stringify(proto)}`);
    b.listen.add(`${proto}/${r.port(o.port, `listen[${i}].port`)}`);
  });
  r.list(d.connect, 'connect', limits.connect).forEach((e, i) => {
    const o = r.obj(e, `connect[${i}]`);
    const to = r.text(o.to, `connect[${i}].to`)!;
    if (to.length === 0) r.fail(`connect[${i}].to`, 'must not be empty');
    const proto = r.text(o.protocol, `connect[${i}].protocol`)!;
    if (proto === 'unix') {
      if (!to.startsWith('unix:')) r.fail(`connect[${i}].to`, 'a unix destination must start with unix:');
      b.connect.add(to);
    } else if (proto === 'tcp' || proto === 'udp') {
      b.connect.add(`${to}:${r.port(o.port, `connect[${i}].port`)}/${proto}`);
    } else r.fail(`connect[${i}].protocol`, `must be tcp, udp or unix, got ${JSON.stringify(proto)}`);
  });
  r.list(d.fileWrites, 'fileWrites', limits.fileWrites).forEach((e, i) => {
    const p = r.text(e, `fileWrites[${i}]`)!;
    if (!p.startsWith('/')) r.fail(`fileWrites[${i}]`, `must be an absolute path, got ${JSON.stringify(p.slice(0, 60))}`);
    if (p === '/**' || p === '/') r.fail(`fileWrites[${i}]`, 'must not cover the whole filesystem');
    // Patterns are stored as written by export; plain paths are re-canonicalised so hand-written ones match.
    b.fileWrites.entries.add(p.endsWith('/**') ? p : canonicalPath(p) ?? p);
  });
  const ov = d.overflow === undefined ? {} : r.obj(d.overflow, 'overflow');
  for (const k of Object.keys(b.overflow) as (keyof typeof b.overflow)[]) b.overflow[k] = r.count(ov[k], `overflow.${k}`);
  b.fileWrites.overflow = b.overflow['file-write'];
  b.dirty = false;
  return b;
}
