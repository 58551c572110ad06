// OSV ecosystem names ("PyPI", "crates.io", "Debian:12", "Alpine:v3.18", "Rocky Linux:9" ...) to
// Triad's Ecosystem and, for distributions, the (family, release) pair normalised the way Triad
// identifies images (os-release ID; release as documented on Affected.distro in model/advisory.ts).
// Anything else is skipped with a reason, never guessed.

import type { Ecosystem } from '../../../model/types.ts';

export type EcosystemMapping =
  | { ecosystem: Ecosystem; distro?: { family: string; release: string }; bySource?: boolean }
  | { skip: string };

const LANGUAGES: ReadonlyMap<string, Ecosystem> = new Map([
  ['npm', 'npm'],
  ['PyPI', 'pypi'],
  ['Maven', 'maven'],
  ['Go', 'golang'],
  ['crates.io', 'cargo'],
  ['RubyGems', 'gem'],
  ['Packagist', 'composer'],
  ['NuGet', 'nuget'],
]);

/** Ecosystems OSV knows that Triad has no packages for (yet): skipped under one reason each. */
const UNSUPPORTED = 'ecosystem without Triad packages';

function distro(ecosystem: Ecosystem, family: string, release: string, bySource?: boolean): EcosystemMapping {
  return bySource ? { ecosystem, distro: { family, release }, bySource } : { ecosystem, distro: { family, release } };
}

/** "9", "9.2" -> "9" (RHEL-family releases are identified by their major version). */
function major(s: string): string | undefined {
  return /^(\d+)(?:\.\d+)*$/.exec(s.trim())?.[1];
}

export function mapEcosystem(raw: string): EcosystemMapping {
  const colon = raw.indexOf(':');
  const base = colon < 0 ? raw : raw.slice(0, colon);
  const suffix = colon < 0 ? '' : raw.slice(colon + 1).trim();

  // Language ecosystems: a suffix names another registry of the same kind (Maven mirrors); the
  // coordinates mean the same thing there.
  const lang = LANGUAGES.get(base);
  if (lang) return { ecosystem: lang };

  switch (base) {
    case 'Debian': {
      // "Debian:12", "Debian:3.0": the major release (Debian images carry VERSION_ID="12").
      const m = /^(\d+)(?:\.\d+)?$/.exec(suffix);
      if (m) return distro('deb', 'debian', m[1]!, true);
      return { skip: suffix ? `Debian release ${JSON.stringify(suffix)} not understood` : 'Debian without a release' };
    }
    case 'Ubuntu': {
      // "Ubuntu:22.04", "Ubuntu:22.04:LTS"; Ubuntu Pro (ESM) and FIPS streams publish fixes only
      // subscribers get: matching them against plain images would report unobtainable fixes.
      if (/^(Pro|FIPS)/i.test(suffix)) return { skip: 'Ubuntu Pro/FIPS stream (subscriber-only fixes)' };
      const m = /^(\d{2}\.\d{2})(?::LTS)?$/.exec(suffix);
      if (m) return distro('deb', 'ubuntu', m[1]!, true);
      return { skip: `Ubuntu release ${JSON.stringify(suffix)} not understood` };
    }
    case 'Alpine': {
      // "Alpine:v3.18" -> "3.18" (Triad compares Alpine releases as major.minor).
      const m = /^v?(\d+\.\d+)(?:\.\d+)?$/.exec(suffix);
      if (m) return distro('apk', 'alpine', m[1]!, true);
      return { skip: `Alpine release ${JSON.stringify(suffix)} not understood` };
    }
    case 'Rocky Linux':
    case 'AlmaLinux': {
      const rel = major(suffix);
      if (rel) return distro('rpm', base === 'AlmaLinux' ? 'almalinux' : 'rocky', rel);
      return { skip: `${base} release ${JSON.stringify(suffix)} not understood` };
    }
    case 'Red Hat': {
      // "Red Hat:enterprise_linux:9::appstream" is RHEL 9; EUS/AUS/E4S streams have their own fixes.
      const m = /^enterprise_linux:(\d+)(?::|$)/.exec(suffix);
      if (m) return distro('rpm', 'rhel', m[1]!);
      return { skip: 'Red Hat stream other than enterprise_linux' };
    }
    case 'openSUSE': {
      const m = /^Leap (\d+\.\d+)$/.exec(suffix);
      if (m) return distro('rpm', 'opensuse-leap', m[1]!);
      return { skip: 'openSUSE stream other than Leap X.Y' };
    }
    case 'SUSE': {
      // "SUSE:Linux Enterprise Server 15 SP5" and its modules install on SLES 15.5.
      const m = /^Linux Enterprise (?:Server|Module for [^:]+?) (\d+)(?: SP(\d+))?$/.exec(suffix);
      if (m) return distro('rpm', 'sles', m[2] ? `${m[1]}.${m[2]}` : m[1]!);
      return { skip: 'SUSE product other than Linux Enterprise Server and its modules' };
    }
    case 'Photon OS': {
      const m = /^(\d+\.\d+)$/.exec(suffix);
      if (m) return distro('rpm', 'photon', m[1]!);
      return { skip: `Photon OS release ${JSON.stringify(suffix)} not understood` };
    }
    case 'Mageia': {
      const m = /^(\d+)$/.exec(suffix);
      if (m) return distro('rpm', 'mageia', m[1]!);
      return { skip: `Mageia release ${JSON.stringify(suffix)} not understood` };
    }
    case 'Wolfi':
    case 'Chainguard':
      // Rolling distributions: no release to key on; not matched until matching has a rule for them.
      return { skip: `${base} (rolling distribution without releases)` };
    case 'GIT':
      return { skip: 'GIT ecosystem (commit ranges of source repositories)' };
    default:
      return { skip: `${UNSUPPORTED} (${base || raw})` };
  }
}
