// Instructions -> stages, with BuildKit's variable scoping:
// - ARGs before the first FROM are global and visible only to FROM lines (and to stages that
//   re-declare them with a bare `ARG NAME`, which inherits the global value);
// - inside a stage, ARG and ENV define variables for later instructions, ENV wins over ARG,
//   a stage built FROM an earlier stage inherits that stage's ENV (not its ARGs);
// - build arguments given by the caller override ARG defaults; BuildKit's automatic platform ARGs
//   (TARGETPLATFORM, BUILDARCH ...) are known in the global scope.
import { readFile } from 'node:fs/promises';
import { expandWord, expandWords, splitPairs, type Lookup } from './lexer.ts';
import { MAX_DOCKERFILE_BYTES, parseInstructions } from './parser.ts';
import type { Dockerfile, Instruction, Stage } from './types.ts';

export interface ParseOptions {
  /** --build-arg values. */
  buildArgs?: Record<string, string>;
  /** Target platform for the automatic platform ARGs (default linux/amd64). */
  platform?: string;
}

/** Instructions whose arguments BuildKit expands itself (shell-form RUN/CMD/ENTRYPOINT are not). */
const EXPANDS = new Set(['ADD', 'COPY', 'ENV', 'EXPOSE', 'FROM', 'LABEL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR', 'ARG']);

function platformArgs(platform: string): Record<string, string> {
  const [os = 'linux', arch = 'amd64', variant = ''] = platform.split('/');
  const p = { PLATFORM: platform, OS: os, ARCH: arch, VARIANT: variant };
  const out: Record<string, string> = {};
  for (const pre of ['TARGET', 'BUILD']) for (const [k, v] of Object.entries(p)) out[pre + k] = v;
  return out;
}

export function parseDockerfile(text: string, source = 'Dockerfile', opts: ParseOptions = {}): Dockerfile {
  const raw = parseInstructions(text, source);
  const escape = raw.directives.escape;
  const buildArgs = opts.buildArgs ?? {};
  const auto = platformArgs(opts.platform ?? 'linux/amd64');
  const globals = new Map<string, string | undefined>(Object.entries(auto));
  const globalArgs: Instruction[] = [];
  const stages: Stage[] = [];
  const stageEnv: Array<Map<string, string>> = [];
  let cur: Stage | undefined;
  let args = new Map<string, string | undefined>();
  let env = new Map<string, string>();

  const globalLookup: Lookup = (n) => globals.get(n);
  const stageLookup: Lookup = (n) => (env.has(n) ? env.get(n) : args.get(n));

  const expand = (ins: Instruction, lookup: Lookup) => {
    if (!EXPANDS.has(ins.keyword) || ins.json) {
      if (ins.json && EXPANDS.has(ins.keyword)) {
        // Exec form of COPY/ADD/VOLUME: each element expanded as one word.
        const un = new Set<string>();
        ins.expanded = ins.json.map((w) => {
          const r = expandWord(w.replace(/(["'])/g, `${escape}$1`), escape, lookup);
          r.unresolved.forEach((u) => un.add(u));
          return r.word;
        });
        if (un.size) ins.unresolved = [...un];
      }
      return;
    }
    const r = expandWords(ins.args, escape, lookup);
    ins.expanded = r.words;
    if (r.unresolved.length) ins.unresolved = r.unresolved;
    for (const f of ins.flags) {
      if (f.value !== undefined && f.value.includes('$')) f.value = expandWord(f.value, escape, lookup).word;
    }
  };

  /** ARG name[=default] ... in the given scope; returns nothing, updates the scope. */
  const declareArgs = (ins: Instruction, scope: Map<string, string | undefined>, lookup: Lookup, inherit?: Map<string, string | undefined>) => {
    for (const { key, value } of splitPairs(ins.args, escape, false)) {
      let v: string | undefined;
      if (key in buildArgs) v = buildArgs[key];
      else if (value !== undefined) v = expandWord(value, escape, lookup).word;
      else if (inherit?.has(key)) v = inherit.get(key);
      else if (key in auto) v = auto[key];
      scope.set(key, v);
    }
  };

  for (const ins of raw.instructions) {
    if (ins.keyword === 'FROM') {
      expand(ins, globalLookup);
      const words = ins.expanded ?? [];
      const image = words[0] ?? '';
      const asIdx = words.findIndex((w) => w.toLowerCase() === 'as');
      const stage: Stage = {
        index: stages.length,
        from: ins,
        baseImage: image,
        baseUnresolved: (ins.unresolved?.length ?? 0) > 0,
        instructions: [],
      };
      if (asIdx > 0 && words[asIdx + 1]) stage.name = words[asIdx + 1]!.toLowerCase();
      const platform = ins.flags.find((f) => f.name === 'platform')?.value;
      if (platform !== undefined) stage.platform = platform;
      const base = stages.find((s) => s.name !== undefined && s.name === image.toLowerCase());
      if (base) stage.baseStage = base.index;
      ins.stage = stage.index;
      stages.push(stage);
      cur = stage;
      args = new Map();
      env = new Map(base ? stageEnv[base.index] : []);
      stageEnv.push(env);
      continue;
    }
    if (!cur) {
      ins.stage = -1;
      if (ins.keyword === 'ARG') {
        globalArgs.push(ins);
        declareArgs(ins, globals, globalLookup);
        expand(ins, globalLookup);
      } else {
        raw.warnings.push({ line: ins.start.line, message: `${ins.keyword} before the first FROM` });
      }
      continue;
    }
    ins.stage = cur.index;
    if (ins.trigger) ins.trigger.stage = cur.index;
    cur.instructions.push(ins);
    if (ins.keyword === 'ARG') {
      declareArgs(ins, args, stageLookup, globals);
      expand(ins, stageLookup);
    } else if (ins.keyword === 'ENV') {
      const un = new Set<string>();
      const words: string[] = [];
      for (const { key, value } of splitPairs(ins.args, escape, true)) {
        const r = expandWord(value ?? '', escape, stageLookup);
        r.unresolved.forEach((u) => un.add(u));
        words.push(`${key}=${r.word}`);
        env.set(key, r.word);
      }
      ins.expanded = words;
      if (un.size) ins.unresolved = [...un];
    } else {
      expand(ins, stageLookup);
    }
  }

  return { source, directives: raw.directives, instructions: raw.instructions, globalArgs, stages, warnings: raw.warnings };
}

export async function readDockerfile(path: string, opts: ParseOptions = {}): Promise<Dockerfile> {
  const buf = await readFile(path);
  if (buf.length > MAX_DOCKERFILE_BYTES) throw new Error(`${path}: ${buf.length} bytes is too large for a Dockerfile`);
  if (buf.includes(0)) throw new Error(`${path}: binary data, not a Dockerfile`);
  return parseDockerfile(buf.toString('utf8'), path, opts);
}

/** The stage a `--from=` value or FROM name refers to: a stage name, a stage index, or undefined (an image). */
export function resolveStageRef(df: Dockerfile, ref: string, before: number): Stage | undefined {
  const lower = ref.toLowerCase();
  const byName = df.stages.find((s) => s.index < before && s.name === lower);
  if (byName) return byName;
  if (/^\d+$/.test(ref)) {
    const n = Number(ref);
    if (n < before) return df.stages[n];
  }
  return undefined;
}
