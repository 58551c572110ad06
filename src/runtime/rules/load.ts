// loadFalcoRules(paths): read every file in order, then compile each rule once all lists and
// macros are known. A broken rule (or a broken macro/list it uses) is reported with file, line,
// rule name and reason, and only that rule is dropped; rules whose fields Triad's events can't
// provide are reported as unsupported, never run as "false".

import type { Node } from './condition/ast.ts';
import { CompileError, compileCondition, FieldRegistry } from './condition/compile.ts';
import { eventTypes } from './condition/evttypes.ts';
import { ConditionSyntaxError, parseCondition } from './condition/parser.ts';
import { resolveLists, ResolveError, Resolver } from './condition/resolve.ts';
import { Definitions, type LoadIssue } from './definitions.ts';
import { exceptionsNode } from './exceptions.ts';
import { compileOutput } from './output.ts';
import { FalcoRuleset, type CompiledRule, type RulesetOptions } from './ruleset.ts';

/** The Falco rules engine version whose syntax this engine implements (exceptions, override, transformers). */
export const ENGINE_VERSION = '0.57.0';

export interface UnsupportedRule {
  rule: string;
  file: string;
  line?: number;
  /** Field → why Triad's events can't provide it (or the rule's non-syscall source). */
  fields: Record<string, string>;
  enabled: boolean;
}

export interface LoadResult {
  ruleset: FalcoRuleset;
  errors: LoadIssue[];
  warnings: LoadIssue[];
  unsupported: UnsupportedRule[];
}

export function loadFalcoRules(paths: string[], options: RulesetOptions = {}): LoadResult {
  const defs = new Definitions();
  for (const p of paths) defs.loadFile(p);
  return compileDefinitions(defs, options);
}

/** Same as loadFalcoRules for in-memory rule texts (tests, rules received over an API). */
export function loadFalcoRulesFromText(files: { name: string; text: string }[], options: RulesetOptions = {}): LoadResult {
  const defs = new Definitions();
  for (const f of files) defs.loadText(f.text, f.name);
  return compileDefinitions(defs, options);
}

function semverGreater(a: string, b: string): boolean {
  const pa = a.split('.').map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) > (pb[i] ?? 0);
  return false;
}

export function compileDefinitions(defs: Definitions, options: RulesetOptions = {}): LoadResult {
  const errors = [...defs.errors];
  const warnings = [...defs.warnings];
  if (defs.requiredEngineVersion && semverGreater(defs.requiredEngineVersion, ENGINE_VERSION)) {
    warnings.push({ file: '', message: `rules require engine version ${defs.requiredEngineVersion}; Triad implements Falco's ${ENGINE_VERSION} syntax` });
  }

  const rawLists = new Map<string, string[]>();
  for (const [n, l] of defs.lists) rawLists.set(n, l.items);
  const { lists, errors: listErrors } = resolveLists(rawLists);
  for (const [name, message] of listErrors) errors.push({ ...defs.lists.get(name)!.where, kind: 'list', name, message });

  const macros = new Map<string, Node>();
  const brokenMacros = new Map<string, string>();
  for (const [name, m] of defs.macros) {
    try {
      macros.set(name, parseCondition(m.condition));
    } catch (e) {
      const message = `condition: ${(e as Error).message}`;
      brokenMacros.set(name, message);
      errors.push({ ...m.where, kind: 'macro', name, message });
    }
  }
  const resolver = new Resolver(macros, lists);
  const registry = new FieldRegistry();
  const compiled: CompiledRule[] = [];
  const unsupported: UnsupportedRule[] = [];

  for (const rule of defs.rules.values()) {
    const where = rule.where;
    const fail = (message: string): void => void errors.push({ ...where, kind: 'rule', name: rule.name, message });
    if (rule.source !== 'syscall') {
      unsupported.push({ rule: rule.name, ...where, fields: { [`source:${rule.source}`]: `event source '${rule.source}' is not collected by Triad` }, enabled: rule.enabled });
      continue;
    }
    let ast: Node;
    try {
      ast = parseCondition(rule.condition);
      const exc = exceptionsNode(rule.exceptions);
      if (exc) ast = { kind: 'and', children: [ast, { kind: 'not', child: exc }] };
    } catch (e) {
      fail(e instanceof ConditionSyntaxError ? `condition: ${e.message}` : (e as Error).message);
      continue;
    }
    const broken = [...resolver.macrosUsed(ast)].filter((m) => brokenMacros.has(m));
    if (broken.length > 0) {
      fail(`uses invalid macro '${broken[0]}': ${brokenMacros.get(broken[0]!)}`);
      continue;
    }
    try {
      const resolved = resolver.resolve(ast);
      const { predicate, unsupported: missing } = compileCondition(resolved, registry, resolver.isMacro);
      const output = compileOutput(rule.output, registry);
      if (missing.size > 0) {
        unsupported.push({ rule: rule.name, ...where, fields: Object.fromEntries(missing), enabled: rule.enabled });
        continue;
      }
      const types = eventTypes(resolved);
      if (types.all && rule.warnEvttypes) {
        warnings.push({ ...where, kind: 'rule', name: rule.name, message: `condition does not restrict evt.type${types.except.size ? ` (all types except ${[...types.except].join(', ')})` : ''}: the rule runs on every event` });
      }
      if (!types.all && types.only.size === 0) warnings.push({ ...where, kind: 'rule', name: rule.name, message: 'condition can match no event type: the rule never fires' });
      if (output.unsupported.length > 0) warnings.push({ ...where, kind: 'rule', name: rule.name, message: `output fields always <NA> here: ${output.unsupported.join(', ')}` });
      compiled.push({
        name: rule.name, priority: rule.priority, tags: rule.tags, source: rule.source, desc: rule.desc, enabled: rule.enabled,
        index: rule.index, eventTypes: types, predicate, output, file: where.file, line: where.line,
      });
    } catch (e) {
      if (e instanceof CompileError && rule.skipIfUnknownFilter && /unknown field/.test(e.message)) {
        warnings.push({ ...where, kind: 'rule', name: rule.name, message: `skipped (skip-if-unknown-filter): ${e.message}` });
        continue;
      }
      if (e instanceof ResolveError && e.macro) fail(`in macro '${e.macro}': ${e.message}`);
      else if (e instanceof ResolveError || e instanceof CompileError) fail(e.message);
      else fail(`output: ${(e as Error).message}`);
    }
  }
  return { ruleset: new FalcoRuleset(compiled, registry, options), errors, warnings, unsupported };
}
