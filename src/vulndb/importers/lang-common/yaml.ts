// YAML for the advisory trees. js-yaml rather than the project's `yaml` package: on these trees
// (PyPA's 7 MB of OSV YAML, RubySec, FriendsOfPHP) it is ten times faster, which is the difference
// between an import of a second and one of ten. The failsafe schema keeps every scalar a string, so
// "fixed: 1.10" stays "1.10" (not the number 1.1) and dates stay as written; only null is typed.

import { FAILSAFE_SCHEMA, load, Type, YAMLException } from 'js-yaml';

/** YAML 1.2's null: `~`, `null` (any case spelling of it) and an empty value. */
const NULL = new Type('tag:yaml.org,2002:null', {
  kind: 'scalar',
  resolve: (data: string | null) => data === null || data === '' || data === '~' || data === 'null' || data === 'Null' || data === 'NULL',
  construct: () => null,
});

/** Strings everywhere, except that null is null (FriendsOfPHP's "cve: ~"). */
const SCHEMA = FAILSAFE_SCHEMA.extend({ implicit: [NULL] });

/** Parses one YAML document; throws a one-line "YAML: <reason> (line L, column C)" on malformed input. */
export function parseYamlText(text: string): unknown {
  try {
    return load(text, { schema: SCHEMA });
  } catch (e) {
    if (e instanceof YAMLException) {
      const at = e.mark ? ` (line ${e.mark.line + 1}, column ${e.mark.column + 1})` : '';
      throw new Error(`YAML: ${e.reason}${at}`);
    }
    throw e;
  }
}
