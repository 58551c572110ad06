// Output templates: "Shell in container | user=%user.name cmd=%proc.cmdline g=%proc.aname[2]".
// Fields are resolved once at load time; missing values render as <NA>, as Falco prints them.

import { fieldKey } from './condition/ast.ts';
import { FieldRegistry, type EvalState } from './condition/compile.ts';
import { parseCondition } from './condition/parser.ts';
import type { Extracted } from './fields.ts';

type Part = { text: string } | { field: string; slot: number | undefined };

export interface OutputTemplate {
  parts: Part[];
  /** Fields the template names that the event model can't provide (always <NA>). */
  unsupported: string[];
}

const FIELD_AT = /%(\(?)([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)+)(\[[^\]\s]*\])?(\)?)/y;

export function compileOutput(template: string, registry: FieldRegistry): OutputTemplate {
  const parts: Part[] = [];
  const unsupported: string[] = [];
  let text = '';
  for (let i = 0; i < template.length; ) {
    if (template[i] === '%') {
      FIELD_AT.lastIndex = i;
      const m = FIELD_AT.exec(template);
      if (m) {
        if (text) parts.push({ text });
        text = '';
        const written = m[2]! + (m[3] ?? '');
        const node = parseCondition(`${written} exists`);
        if (node.kind !== 'check') throw new Error(`invalid output field '%${written}'`);
        const r = registry.lookup(node.field);
        if ('unknown' in r) throw new Error(`invalid output field '%${written}': ${r.unknown}`);
        if ('unsupported' in r) unsupported.push(fieldKey(node.field));
        parts.push({ field: written, slot: 'slot' in r ? r.slot : undefined });
        // "%(field)" keeps its parentheses out of the text; "%field)" keeps ")" as text.
        const closeParen = m[1] === '(' && m[4] === ')';
        i += m[0].length - (m[4] && !closeParen ? 1 : 0);
        continue;
      }
    }
    text += template[i];
    i++;
  }
  if (text) parts.push({ text });
  return { parts, unsupported };
}

function render(v: Extracted): string | number | boolean | null {
  if (v === undefined) return null;
  if (Array.isArray(v)) return v.length > 0 ? (v[0] as string | number | boolean) : null;
  return v as string | number | boolean;
}

export function renderOutput(t: OutputTemplate, state: EvalState): { output: string; fields: Record<string, string | number | boolean | null> } {
  let out = '';
  const fields: Record<string, string | number | boolean | null> = {};
  for (const p of t.parts) {
    if ('text' in p) {
      out += p.text;
      continue;
    }
    const v = p.slot === undefined ? null : render(state.get(p.slot));
    fields[p.field] = v;
    out += v === null || v === '' ? '<NA>' : String(v);
  }
  return { output: out, fields };
}
