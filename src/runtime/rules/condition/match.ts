// String matchers behind glob, regex and pmatch.

import { CompileError } from './errors.ts';

export const MAX_PATTERN_LENGTH = 4096;

/** fnmatch(3) without FNM_PATHNAME, as libsinsp uses it: '*' also crosses '/'. */
export function compileGlob(pattern: string, caseInsensitive: boolean): RegExp {
  if (pattern.length > MAX_PATTERN_LENGTH) throw new CompileError(`glob pattern longer than ${MAX_PATTERN_LENGTH}`);
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      while (pattern[i + 1] === '*') i++; // '**' is '*': keeps the regex free of stacked quantifiers
      re += '[^]*';
    } else if (c === '?') re += '[^]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        let body = pattern.slice(i + 1, end);
        const neg = body.startsWith('!') || body.startsWith('^');
        if (neg) body = body.slice(1);
        re += `[${neg ? '^' : ''}${body.replace(/[\\\]]/g, '\\$&')}]`;
        i = end;
      }
    } else if (c === '\\' && i + 1 < pattern.length) re += escapeRe(pattern[++i]!);
    else re += escapeRe(c);
  }
  try {
    return new RegExp(re + '$', caseInsensitive ? 'i' : '');
  } catch (e) {
    throw new CompileError(`bad glob '${pattern}': ${(e as Error).message}`);
  }
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * Falco's regex is RE2 (linear time, whole-string match). JS regexes backtrack, so constructs RE2
 * refuses (backreferences, lookaround) are refused too, and so are nested quantifiers, the shape
 * of catastrophic backtracking: a rule file must not be able to stall the agent.
 */
export function compileRegex(pattern: string): RegExp {
  if (pattern.length > MAX_PATTERN_LENGTH) throw new CompileError(`regex longer than ${MAX_PATTERN_LENGTH}`);
  if (/\(\?<?[=!]/.test(pattern)) throw new CompileError(`regex '${pattern}': lookaround is not supported (RE2 syntax)`);
  if (/\\[1-9]|\\k</.test(pattern)) throw new CompileError(`regex '${pattern}': backreferences are not supported (RE2 syntax)`);
  if (/\((?:[^()\\]|\\.)*[*+}](?:[^()\\]|\\.)*\)\s*[*+{]/.test(pattern)) {
    throw new CompileError(`regex '${pattern}': nested quantifiers could backtrack catastrophically`);
  }
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch (e) {
    throw new CompileError(`bad regex '${pattern}': ${(e as Error).message}`);
  }
}

/** pmatch: the value is one of the paths or lies below one of them (component-wise). */
export function pathPrefixMatcher(paths: string[]): (v: string) => boolean {
  const prefixes = new Set<string>();
  for (const p of paths) {
    const t = p.length > 1 ? p.replace(/\/+$/, '') : p;
    prefixes.add(t);
  }
  return (v: string) => {
    if (prefixes.has(v)) return true;
    if (prefixes.has('/') && v.startsWith('/')) return true;
    // Walk the value's parent directories: /a/b/c → /a/b → /a.
    let end = v.length;
    while ((end = v.lastIndexOf('/', end - 1)) > 0) {
      if (prefixes.has(v.slice(0, end))) return true;
    }
    return false;
  };
}
