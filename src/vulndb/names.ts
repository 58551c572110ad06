// Package-name normalisation for lookups: advisories and installed packages spell the same package
// differently (PyPI "Django" vs "django", Composer "Symfony/HttpKernel" vs "symfony/http-kernel" is
// NOT the same, but "Symfony/Yaml" and "symfony/yaml" are). Both sides go through this function, so
// the rules only need to say which spellings an ecosystem itself treats as one package.

import type { Ecosystem } from '../model/types.ts';

/** PEP 503: case-insensitive, runs of "-", "_" and "." are one separator. */
function pypi(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** npm: scopes are always lower-case; unscoped legacy names with capitals ("JSONStream") are distinct packages. */
function npm(name: string): string {
  if (!name.startsWith('@')) return name;
  const slash = name.indexOf('/');
  return slash < 0 ? name.toLowerCase() : name.slice(0, slash).toLowerCase() + name.slice(slash);
}

/** Maven coordinates "groupId:artifactId" (PURL-style "group/artifact" accepted); case-sensitive. */
function maven(name: string): string {
  return name.includes(':') ? name : name.replace('/', ':');
}

/**
 * The lookup key of a package name in an ecosystem. Composer and NuGet names are case-insensitive;
 * crates.io treats "-" and "_" as the same name and is case-insensitive; Go module paths, gems and
 * OS package names are compared as written.
 */
export function normalizePackageName(ecosystem: Ecosystem | string, name: string): string {
  const n = name.trim();
  switch (ecosystem) {
    case 'pypi':
      return pypi(n);
    case 'npm':
      return npm(n);
    case 'composer':
    case 'nuget':
      return n.toLowerCase();
    case 'cargo':
      return n.toLowerCase().replace(/_/g, '-');
    case 'maven':
      return maven(n);
    default:
      return n;
  }
}
