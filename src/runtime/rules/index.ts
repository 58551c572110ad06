// The Falco rules engine's public face: load the default (and user) rule files, evaluate events,
// and describe which rules and fields Triad supports (`triad agent rules`).

import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIELDS } from './fields.ts';
import { KNOWN_UNSUPPORTED_FIELDS } from './falco-fields.ts';
import { loadFalcoRules, type LoadResult } from './load.ts';
import type { RulesetOptions } from './ruleset.ts';

export { loadFalcoRules, loadFalcoRulesFromText, ENGINE_VERSION, type LoadResult, type UnsupportedRule } from './load.ts';
export { FalcoRuleset, type RuleMatch, type RulesetOptions, type CompiledRule } from './ruleset.ts';
export type { LoadIssue } from './definitions.ts';
export { PRIORITIES, parsePriority, type Priority } from './priority.ts';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const DEFAULT_RULES_DIR = join(REPO_ROOT, 'data', 'runtime', 'falco');
/** Falco's stable rule set: what the agent loads unless told otherwise. */
export const DEFAULT_RULE_FILES = [join(DEFAULT_RULES_DIR, 'falco_rules.yaml')];
/** Incubating and sandbox sets: loadable on top of the stable one (they reuse its macros). */
export const EXTRA_RULE_FILES = {
  incubating: join(DEFAULT_RULES_DIR, 'falco-incubating_rules.yaml'),
  sandbox: join(DEFAULT_RULES_DIR, 'falco-sandbox_rules.yaml'),
};

/** Default rules first, then the user's files in order (they may append to / override defaults). */
export function loadDefaultRules(userFiles: string[] = [], options: RulesetOptions = {}): LoadResult {
  return loadFalcoRules([...DEFAULT_RULE_FILES, ...userFiles], options);
}

export interface RulesDescription {
  supported: { rule: string; priority: string; enabled: boolean; eventTypes: string[] | { allExcept: string[] }; file: string; line?: number; tags: string[] }[];
  unsupported: { rule: string; enabled: boolean; fields: Record<string, string>; file: string; line?: number }[];
  errors: LoadResult['errors'];
  warnings: LoadResult['warnings'];
  fields: { supported: { name: string; type: string; desc: string }[]; unsupported: { name: string; reason: string }[] };
}

export function describeRules(result: LoadResult): RulesDescription {
  return {
    supported: result.ruleset.rules.map((r) => ({
      rule: r.name,
      priority: r.priority,
      enabled: r.enabled,
      eventTypes: r.eventTypes.all ? { allExcept: [...r.eventTypes.except].sort() } : [...r.eventTypes.only].sort(),
      file: r.file,
      line: r.line,
      tags: r.tags,
    })),
    unsupported: result.unsupported.map((u) => ({ rule: u.rule, enabled: u.enabled, fields: u.fields, file: u.file, line: u.line })),
    errors: result.errors,
    warnings: result.warnings,
    fields: {
      supported: Object.entries(FIELDS).map(([name, d]) => ({ name: d.arg === 'key' ? `${name}${name === 'evt.arg' ? '.NAME' : '[KEY]'}` : d.arg === 'index' ? `${name}[N]` : name, type: d.type, desc: d.desc })),
      unsupported: Object.entries(KNOWN_UNSUPPORTED_FIELDS).map(([name, reason]) => ({ name, reason })),
    },
  };
}
