// Reading Falco rule files into definitions: YAML with line numbers, then lists, macros and rules
// with Falco's redefinition, `append: true`, `override:` and enabled-only semantics applied across
// files in load order. Nothing is compiled here (load.ts does that once everything is known).

import { readFileSync, statSync } from 'node:fs';
import { LineCounter, isMap, isSeq, parseDocument, type Node as YamlNode } from 'yaml';
import { parsePriority, type Priority } from './priority.ts';

export const MAX_RULE_FILE_BYTES = 16 << 20;

export interface Where { file: string; line?: number }

export interface ExceptionDef {
  name: string;
  fields?: string | string[];
  comps?: string | string[];
  values: unknown[];
  where: Where;
}

export interface RuleDef {
  name: string;
  condition: string;
  output: string;
  desc: string;
  priority: Priority;
  tags: string[];
  enabled: boolean;
  source: string;
  exceptions: ExceptionDef[];
  skipIfUnknownFilter: boolean;
  warnEvttypes: boolean;
  where: Where;
  /** Load order: Falco evaluates rules in this order. */
  index: number;
}

export interface MacroDef { name: string; condition: string; where: Where }
export interface ListDef { name: string; items: string[]; where: Where }

export interface LoadIssue {
  file: string;
  line?: number;
  /** "rule", "macro", "list" or undefined for file-level problems. */
  kind?: 'rule' | 'macro' | 'list';
  name?: string;
  message: string;
}

export class Definitions {
  readonly rules = new Map<string, RuleDef>();
  readonly macros = new Map<string, MacroDef>();
  readonly lists = new Map<string, ListDef>();
  readonly errors: LoadIssue[] = [];
  readonly warnings: LoadIssue[] = [];
  requiredEngineVersion?: string;
  readonly requiredPlugins: { name: string; version: string }[] = [];
  private nextIndex = 0;

  loadFile(path: string): void {
    let text: string;
    try {
      const size = statSync(path).size;
      if (size > MAX_RULE_FILE_BYTES) throw new Error(`file is ${size} bytes, more than ${MAX_RULE_FILE_BYTES}`);
      text = readFileSync(path, 'utf8');
    } catch (e) {
      this.errors.push({ file: path, message: `cannot read rules file: ${(e as Error).message}` });
      return;
    }
    this.loadText(text, path);
  }

  loadText(text: string, file: string): void {
    const lc = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: false });
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      this.errors.push({ file, line: lc.linePos(e.pos[0]).line, message: `invalid YAML: ${e.message.split('\n')[0]}` });
      return;
    }
    const root = doc.contents;
    if (root === null || root === undefined) return;
    if (!isSeq(root)) {
      this.errors.push({ file, line: 1, message: 'rules file must be a YAML sequence of rule/macro/list items' });
      return;
    }
    for (const node of root.items) {
      const line = (node as YamlNode | null)?.range ? lc.linePos((node as YamlNode).range![0]).line : undefined;
      const where = { file, line };
      if (!isMap(node)) {
        this.errors.push({ ...where, message: 'item is not a mapping' });
        continue;
      }
      let item: Record<string, unknown>;
      try {
        item = node.toJS(doc, { maxAliasCount: 100 }) as Record<string, unknown>;
      } catch (e) {
        this.errors.push({ ...where, message: `invalid item: ${(e as Error).message}` });
        continue;
      }
      try {
        if ('rule' in item) this.rule(item, where);
        else if ('macro' in item) this.macro(item, where);
        else if ('list' in item) this.list(item, where);
        else if ('required_engine_version' in item) this.requiredEngineVersion = String(item.required_engine_version);
        else if ('required_plugin_versions' in item) this.plugins(item.required_plugin_versions, where);
        else this.warnings.push({ ...where, message: `unknown top-level item (keys: ${Object.keys(item).join(', ')})` });
      } catch (e) {
        const kind = 'rule' in item ? 'rule' : 'macro' in item ? 'macro' : 'list' in item ? 'list' : undefined;
        this.errors.push({ ...where, kind, name: kind ? String(item[kind]) : undefined, message: (e as Error).message });
      }
    }
  }

  private plugins(v: unknown, where: Where): void {
    if (!Array.isArray(v)) throw new Error('required_plugin_versions must be a list');
    for (const p of v) {
      const o = p as { name?: unknown; version?: unknown };
      if (typeof o?.name !== 'string') throw new Error('required_plugin_versions entry without a name');
      this.requiredPlugins.push({ name: o.name, version: String(o.version ?? '') });
      // Triad provides the container plugin's fields itself (container attribution).
      if (o.name !== 'container') this.warnings.push({ ...where, message: `rules require plugin '${o.name}', which Triad does not load: rules using its fields are unsupported` });
    }
  }

  private list(item: Record<string, unknown>, where: Where): void {
    const name = str(item.list, 'list name');
    const items = item.items;
    if (items !== undefined && items !== null && !Array.isArray(items)) throw new Error("'items' must be a list");
    const values = ((items as unknown[] | null | undefined) ?? []).map((v) => {
      if (v !== null && typeof v === 'object') throw new Error('list items must be scalars');
      return String(v);
    });
    const existing = this.lists.get(name);
    const mode = mergeMode(item, ['items'], ['items'], ['items']);
    if (mode.kind === 'new') this.lists.set(name, { name, items: values, where });
    else {
      if (!existing) throw new Error(`list '${name}' has ${mode.kind === 'append' ? "'append'" : "'override'"} but no list by that name was defined before`);
      if (mode.keys.items === 'replace') existing.items = values;
      else existing.items.push(...values);
    }
  }

  private macro(item: Record<string, unknown>, where: Where): void {
    const name = str(item.macro, 'macro name');
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`invalid macro name '${name}'`);
    const condition = str(item.condition, "macro 'condition'");
    const mode = mergeMode(item, ['condition'], ['condition'], ['condition']);
    const existing = this.macros.get(name);
    if (mode.kind === 'new') this.macros.set(name, { name, condition, where });
    else {
      if (!existing) throw new Error(`macro '${name}' has ${mode.kind === 'append' ? "'append'" : "'override'"} but no macro by that name was defined before`);
      existing.condition = mode.keys.condition === 'replace' ? condition : `${existing.condition} ${condition}`;
    }
  }

  private rule(item: Record<string, unknown>, where: Where): void {
    const name = str(item.rule, 'rule name');
    const existing = this.rules.get(name);
    const keys = Object.keys(item).filter((k) => k !== 'rule');
    // `- rule: X` + `enabled: false` alone switches an existing rule on or off.
    if (keys.length === 1 && keys[0] === 'enabled' && existing) {
      existing.enabled = bool(item.enabled, 'enabled');
      return;
    }
    const mode = mergeMode(
      item,
      ['condition', 'output', 'desc', 'tags', 'exceptions'],
      ['condition', 'output', 'desc', 'priority', 'tags', 'exceptions', 'enabled', 'warn_evttypes', 'skip-if-unknown-filter'],
      ['condition', 'exceptions'],
    );
    if (mode.kind === 'new') {
      for (const k of ['condition', 'output', 'priority'] as const) if (item[k] === undefined) throw new Error(`rule '${name}' has no '${k}'`);
      const def: RuleDef = {
        name,
        condition: str(item.condition, "rule 'condition'"),
        output: str(item.output, "rule 'output'").trim(),
        desc: item.desc === undefined ? '' : str(item.desc, "rule 'desc'").trim(),
        priority: parsePriority(item.priority),
        tags: tags(item.tags),
        enabled: item.enabled === undefined ? true : bool(item.enabled, 'enabled'),
        source: item.source === undefined ? 'syscall' : str(item.source, 'source'),
        exceptions: exceptions(item.exceptions, where),
        skipIfUnknownFilter: item['skip-if-unknown-filter'] === true,
        warnEvttypes: item.warn_evttypes !== false,
        where,
        index: existing?.index ?? this.nextIndex++,
      };
      if (item.desc === undefined) this.warnings.push({ ...where, kind: 'rule', name, message: "rule has no 'desc'" });
      this.rules.set(name, def);
      return;
    }
    if (!existing) throw new Error(`rule '${name}' has ${mode.kind === 'append' ? "'append'" : "'override'"} but no rule by that name was defined before`);
    for (const [key, how] of Object.entries(mode.keys)) {
      const v = item[key];
      switch (key) {
        case 'condition': existing.condition = how === 'append' ? `${existing.condition} ${str(v, 'condition')}` : str(v, 'condition'); break;
        case 'output': existing.output = how === 'append' ? `${existing.output} ${str(v, 'output').trim()}` : str(v, 'output').trim(); break;
        case 'desc': existing.desc = how === 'append' ? `${existing.desc} ${str(v, 'desc')}` : str(v, 'desc'); break;
        case 'tags': existing.tags = how === 'append' ? [...existing.tags, ...tags(v)] : tags(v); break;
        case 'priority': existing.priority = parsePriority(v); break;
        case 'enabled': existing.enabled = bool(v, 'enabled'); break;
        case 'warn_evttypes': existing.warnEvttypes = v !== false; break;
        case 'skip-if-unknown-filter': existing.skipIfUnknownFilter = v === true; break;
        case 'exceptions': {
          const more = exceptions(v, where);
          if (how === 'replace') existing.exceptions = more;
          else for (const e of more) {
            const same = existing.exceptions.find((x) => x.name === e.name);
            if (same) same.values.push(...e.values);
            else if (e.fields === undefined) throw new Error(`appended exception '${e.name}' has no 'fields' and no exception by that name exists`);
            else existing.exceptions.push(e);
          }
          break;
        }
      }
    }
  }
}

type Merge = { kind: 'new' } | { kind: 'append' | 'override'; keys: Record<string, 'append' | 'replace'> };

/** Decides between a new definition, a legacy `append: true` and an `override:` mapping. */
function mergeMode(item: Record<string, unknown>, appendable: string[], replaceable: string[], legacyAppendable: string[]): Merge {
  const own = Object.keys(item).filter((k) => !['rule', 'macro', 'list', 'append', 'override'].includes(k));
  if (item.override !== undefined) {
    if (item.append !== undefined) throw new Error("'append' and 'override' cannot be used together");
    const ov = item.override;
    if (ov === null || typeof ov !== 'object' || Array.isArray(ov)) throw new Error("'override' must be a mapping of key: append|replace");
    const keys: Record<string, 'append' | 'replace'> = {};
    for (const [k, how] of Object.entries(ov)) {
      if (how !== 'append' && how !== 'replace') throw new Error(`override of '${k}' must be 'append' or 'replace', got '${String(how)}'`);
      if (!(how === 'append' ? appendable : replaceable).includes(k)) throw new Error(`key '${k}' cannot be overridden with '${how}'`);
      if (!(k in item)) throw new Error(`override names '${k}' but the item has no '${k}'`);
      keys[k] = how;
    }
    for (const k of own) if (!(k in keys)) throw new Error(`key '${k}' is not listed in 'override'`);
    return { kind: 'override', keys };
  }
  if (item.append === true) {
    const keys: Record<string, 'append' | 'replace'> = {};
    for (const k of own) {
      if (legacyAppendable.includes(k)) keys[k] = 'append';
      else if (k !== 'enabled' && k !== 'priority' && k !== 'output' && k !== 'desc' && k !== 'tags' && k !== 'source') throw new Error(`key '${k}' cannot be appended`);
    }
    return { kind: 'append', keys };
  }
  if (item.append !== undefined && item.append !== false) throw new Error("'append' must be true or false");
  return { kind: 'new' };
}

function str(v: unknown, what: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new Error(`${what} must be a string`);
}

function bool(v: unknown, what: string): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  throw new Error(`'${what}' must be true or false`);
}

function tags(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new Error("'tags' must be a list");
  return v.map((t) => String(t));
}

function exceptions(v: unknown, where: Where): ExceptionDef[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new Error("'exceptions' must be a list");
  return v.map((e, i) => {
    if (e === null || typeof e !== 'object' || Array.isArray(e)) throw new Error(`exception #${i + 1} is not a mapping`);
    const o = e as Record<string, unknown>;
    if (typeof o.name !== 'string' || o.name === '') throw new Error(`exception #${i + 1} has no name`);
    const isStrList = (x: unknown) => Array.isArray(x) && x.every((y) => typeof y === 'string');
    if (o.fields !== undefined && typeof o.fields !== 'string' && !isStrList(o.fields)) throw new Error(`exception '${o.name}': 'fields' must be a string or a list of strings`);
    if (o.comps !== undefined && typeof o.comps !== 'string' && !isStrList(o.comps)) throw new Error(`exception '${o.name}': 'comps' must be a string or a list of strings`);
    if (o.values !== undefined && o.values !== null && !Array.isArray(o.values)) throw new Error(`exception '${o.name}': 'values' must be a list`);
    return { name: o.name, fields: o.fields as ExceptionDef['fields'], comps: o.comps as ExceptionDef['comps'], values: (o.values as unknown[] | undefined) ?? [], where };
  });
}
