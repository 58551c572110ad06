// YAML for the advisory trees. js-yaml rather than the project's `yaml` package: on these trees
// (PyPA's 7 MB of OSV YAML, RubySec, FriendsOfPHP) it is ten times faster, which is the difference
// between an import of a second and one of ten. The failsafe schema keeps every scalar a string, so
// "fixed: 1.10" stays "1.10" (not the number 1.1) and dates stay as written.

import { FAILSAFE_SCHEMA, load } from 'js-yaml';

/** Parses one YAML document; throws (with js-yaml's line/column message) on malformed input. */
export function parseYamlText(text: string, file: string): unknown {
  return load(text, { schema: FAILSAFE_SCHEMA, filename: file });
}
