// Reads another scanner's expected package lists (snyk-docker-plugin's jest snapshots in
// ../shared/data/expected/snyk) into plain sets of "name version" for parity tests.
import { readFileSync } from 'node:fs';

/** Every export block of a snapshot file: its title and the OS packages it lists. */
export function snapshotPackages(file: string): Map<string, Set<string>> {
  const text = readFileSync(file, 'utf8');
  const out = new Map<string, Set<string>>();
  const blocks = text.split(/^exports\[`/m).slice(1);
  for (const b of blocks) {
    const title = b.slice(0, b.indexOf('`'));
    const set = new Set<string>();
    // Only the OS package list ("pkgs"), whose names are "source/binary" or "binary".
    for (const m of b.matchAll(/"info": Object \{\s*"name": "([^"]+)",(?:\s*"purl": "[^"]*",)?\s*"version": "([^"]+)"/g)) {
      const name = m[1]!.includes('/') ? m[1]!.slice(m[1]!.lastIndexOf('/') + 1) : m[1]!;
      set.add(`${name} ${m[2]}`);
    }
    out.set(title, set);
  }
  return out;
}
