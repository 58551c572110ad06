// The concrete parts behind `triad agent run`: the Falco ruleset (bundled rules + --rules), the
// container resolver, the responder, and the sensor (replay, or the live bpftrace sensor with its
// process table).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RuntimeEvent, Sensor } from '../event.ts';
import { Responder } from '../response/responder.ts';
import { DEFAULT_RULE_FILES, EXTRA_RULE_FILES, loadFalcoRules, type LoadResult } from '../rules/index.ts';
import type { AgentConfig, AgentParts } from './build.ts';
import { containerAttributor, replaySensor } from './build.ts';
import type { ProcessEnricher } from './components.ts';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export type RuleSet = 'stable' | 'incubating' | 'sandbox';
export const RULE_SETS: readonly RuleSet[] = ['stable', 'incubating', 'sandbox'];

/**
 * The bundled Falco rule files (data/runtime/falco, from falcosecurity/rules) for the chosen
 * maturity levels. All three by default: the issue asks for every rule Triad's events can feed, and
 * the incubating and sandbox sets hold most of the container-drift and privilege rules.
 */
export function defaultRuleFiles(sets: readonly RuleSet[] = RULE_SETS): string[] {
  const files: string[] = [];
  // The stable file defines the macros and lists the other two build on: always first.
  if (sets.length) files.push(...DEFAULT_RULE_FILES);
  if (sets.includes('incubating')) files.push(EXTRA_RULE_FILES.incubating);
  if (sets.includes('sandbox')) files.push(EXTRA_RULE_FILES.sandbox);
  return files.filter((f) => existsSync(f));
}

/** --rule-sets stable,incubating,sandbox */
export function parseRuleSets(list: string): RuleSet[] {
  const sets = list.split(',').map((x) => x.trim()).filter(Boolean);
  for (const s of sets) if (!(RULE_SETS as readonly string[]).includes(s)) throw new Error(`--rule-sets: unknown set ${s} (stable, incubating, sandbox)`);
  return sets as RuleSet[];
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

export function loadRules(cfg: Pick<AgentConfig, 'rules' | 'defaultRules' | 'ruleSets'>): LoadResult {
  const files = [...(cfg.defaultRules ? defaultRuleFiles(cfg.ruleSets) : []), ...expandRulePaths(cfg.rules)];
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
