// Gemfile.lock: the `specs:` lists of the GEM (rubygems.org and other gem servers) and GIT
// sections. PATH sections are local gems (usually the project itself) and are left out. A spec
// line is `    name (version[-platform])` at four spaces; its dependencies follow at six.
import type { FoundPackage } from '../cataloger.ts';
import { gemPackage } from './gemspec.ts';

export interface LockResult {
  packages: FoundPackage[];
  warnings: string[];
}

const SPEC = /^ {4}([^\s(]+) \(([^)\s]+)\)$/;
const DEP = /^ {6}([^\s(]+)/;

export function parseGemfileLock(path: string, buf: Buffer): LockResult {
  const text = buf.toString('utf8');
  const seen = new Map<string, FoundPackage>();
  let section = '';
  let inSpecs = false;
  let current: { name: string; version: string; platform?: string; deps: string[] } | undefined;
  const flush = () => {
    if (!current) return;
    const key = `${current.name}@${current.version}`;
    const had = seen.get(key);
    // The same release for several platforms (nokogiri x86_64-linux and aarch64-linux) is one package.
    if (!had) seen.set(key, gemPackage(current.name, current.version, path, [], current.deps, current.platform));
    current = undefined;
  };
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') continue;
    if (line[0] !== ' ') {
      flush();
      section = line.trim();
      inSpecs = false;
      continue;
    }
    if (line === '  specs:') {
      flush();
      inSpecs = section === 'GEM' || section === 'GIT';
      continue;
    }
    if (!inSpecs) continue;
    const spec = SPEC.exec(line);
    if (spec) {
      flush();
      const full = spec[2]!;
      // Gem versions never contain '-': anything after the first one is the platform.
      const dash = full.indexOf('-');
      current = { name: spec[1]!, version: dash < 0 ? full : full.slice(0, dash), deps: [] };
      if (dash >= 0) current.platform = full.slice(dash + 1);
      continue;
    }
    const dep = DEP.exec(line);
    if (dep && current) current.deps.push(dep[1]!);
    else if (!line.startsWith('  ')) inSpecs = false;
  }
  flush();
  const warnings = seen.size === 0 && !/^(GEM|GIT|PATH|PLATFORMS|DEPENDENCIES|BUNDLED WITH)/m.test(text) ? ['not a Gemfile.lock (no known section)'] : [];
  return { packages: [...seen.values()], warnings };
}
