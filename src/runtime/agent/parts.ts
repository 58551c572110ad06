// The concrete parts behind `triad agent run`: the Falco ruleset (bundled rules + --rules), the
// container resolver, the responder, and the sensor (replay, or the live bpftrace sensor with its
// process table).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RuntimeEvent, Sensor } from '../event.ts';
import { Responder } from '../response/responder.ts';
import { loadFalcoRules, type LoadResult } from '../rules/load.ts';
import type { AgentConfig, AgentParts } from './build.ts';
import { containerAttributor, replaySensor } from './build.ts';
import type { ProcessEnricher } from './components.ts';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The bundled Falco rules (data/runtime/falco, copied from falcosecurity/rules), stable first. */
export function defaultRuleFiles(): string[] {
  for (const dir of [join(REPO_ROOT, 'data/runtime/falco'), join(REPO_ROOT, '../shared/data/runtime/falco-rules/rules')]) {
    const files = ['falco_rules.yaml', 'falco-incubating_rules.yaml', 'falco-sandbox_rules.yaml'].map((f) => join(dir, f));
    if (files.every((f) => existsSync(f))) return files;
  }
  return [];
}

/** --rules PATH: a file, or every *.yaml / *.yml in a directory (sorted). */
export function expandRulePaths(paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new Error(`--rules ${p}: no such file or directory`);
    }
    if (st.isDirectory()) out.push(...readdirSync(p).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(p, f)));
    else out.push(p);
  }
  return out;
}

export function loadRules(cfg: Pick<AgentConfig, 'rules' | 'defaultRules'>): LoadResult {
  const files = [...(cfg.defaultRules ? defaultRuleFiles() : []), ...expandRulePaths(cfg.rules)];
  // Every matching rule alerts (Falco's rule_matching "all"): one exec can be both a shell in a
  // container and a drop-and-execute, and both are worth knowing.
  return loadFalcoRules(files, { ruleMatching: 'all' });
}

/** Reports malformed rules (file, rule, reason) and a one-line summary; the valid rules keep running. */
export function reportRuleLoad(r: LoadResult, log: (m: string) => void): void {
  for (const e of r.errors) log(`rules: ${e.file}${e.line ? `:${e.line}` : ''}${e.name ? ` ${e.kind ?? 'rule'} "${e.name}"` : ''}: ${e.message}`);
  const enabled = r.ruleset.rules.filter((x) => x.enabled).length;
  log(`rules: ${enabled} enabled rules loaded, ${r.unsupported.length} unsupported (triad agent rules lists them), ${r.errors.length} rejected`);
}

/**
 * The live sensor and its process table come from src/runtime/sensor (BpftraceSensor,
 * ProcessTable). It is loaded on demand so that replay-only uses never touch bpftrace.
 */
async function liveSensor(cfg: AgentConfig): Promise<{ sensor: Sensor; processes?: ProcessEnricher }> {
  const path = join(REPO_ROOT, 'src/runtime/sensor/index.ts');
  if (!existsSync(path)) throw new Error('live sensing needs the bpftrace sensor (src/runtime/sensor/index.ts), which is not in this build; use --replay FILE');
  const mod = (await import(path)) as Record<string, unknown>;
  const Sensor = mod.BpftraceSensor as (new (o: Record<string, unknown>) => Sensor) | undefined;
  if (typeof Sensor !== 'function') throw new Error(`${path} does not export BpftraceSensor`);
  const Table = mod.ProcessTable as (new () => Record<string, unknown>) | undefined;
  let processes: ProcessEnricher | undefined;
  if (typeof Table === 'function') {
    const table = new Table();
    const method = ['enrich', 'observe', 'handle', 'update'].find((m) => typeof table[m] === 'function');
    if (method) processes = { enrich: (e: RuntimeEvent) => void (table[method] as (e: RuntimeEvent) => unknown).call(table, e) };
  }
  return { sensor: new Sensor({ log: cfg.log }), processes };
}

export async function makeParts(cfg: AgentConfig): Promise<AgentParts> {
  const r = loadRules(cfg);
  reportRuleLoad(r, cfg.log);
  const attributor = containerAttributor(cfg);
  const responder = new Responder({ resolver: attributor, ...(cfg.dockerHost ? { dockerHost: cfg.dockerHost } : {}) });
  if (cfg.replay) return { sensor: replaySensor(cfg), attributor, rules: r.ruleset, responder };
  const live = await liveSensor(cfg);
  return { ...live, attributor, rules: r.ruleset, responder };
}
