// Which distro advisories apply to an image: the identified OS (os-release) normalised to the
// (family, release) keys the distro importers store advisories under (see Affected.distro in
// src/model/advisory.ts and the importers' own comments):
//   Debian major ("12"; sid/testing as "sid"), Ubuntu "22.04" (+ "22.04-pro" when Ubuntu Pro/ESM
//   packages are installed), Alpine major.minor ("3.14"; edge builds as "edge"), RHEL-family
//   majors ("8"), Amazon "2"/"2023", SLES "15.5", openSUSE Leap "15.5", Wolfi/Chainguard "rolling".
// RHEL rebuilds (CentOS, Rocky, AlmaLinux, Oracle Linux) fall back to Red Hat's data for the same
// major when the database has none of their own (the redhat importer explains why that holds).

import type { OSInfo, Package } from '../model/types.ts';
import { debianRelease } from '../vulndb/importers/debian/codenames.ts';
import { ubuntuCodenameRelease } from '../vulndb/importers/ubuntu/releases.ts';

export interface DistroKey {
  family: string;
  release: string;
}

/** What to look up for one image's OS packages, in order of preference. */
export interface DistroTarget {
  /** The keys whose advisories are looked up: the first is preferred when several say the same. */
  keys: DistroKey[];
  /** Families tried, when none of them has data (for the warning). */
  label: string;
}

const RHEL_REBUILDS = new Set(['centos', 'rocky', 'almalinux', 'ol', 'oracle', 'redhat', 'eurolinux', 'circle']);

function major(version: string): string | undefined {
  return /^(\d+)/.exec(version.trim())?.[1];
}

function majorMinor(version: string): string | undefined {
  const m = /^(\d+)\.(\d+)/.exec(version.trim());
  return m ? `${m[1]}.${m[2]}` : undefined;
}

/** Debian: VERSION_ID "12" (debian_version "12.4"); testing/unstable have none ("trixie/sid"). */
function debian(os: OSInfo): string | undefined {
  const m = major(os.version);
  if (m) return m;
  const name = (os.codename || os.version || '').split('/')[0] ?? '';
  return debianRelease(name) ?? (/sid|unstable/.test(`${os.version} ${os.prettyName ?? ''}`) ? 'sid' : undefined);
}

function ubuntu(os: OSInfo): string | undefined {
  return /^\d{2}\.\d{2}/.exec(os.version.trim())?.[0] ?? (os.codename ? ubuntuCodenameRelease(os.codename) : undefined);
}

/** alpine-release "3.14.2" -> "3.14"; edge builds ("3.21_alpha20240807", "edge") -> "edge". */
function alpine(os: OSInfo): string | undefined {
  if (/edge|_alpha|_beta|_rc/.test(os.version)) return 'edge';
  return majorMinor(os.version);
}

/** Ubuntu Pro (ESM) package versions carry "+esm": such an image gets the Pro channel's fixes. */
export function hasUbuntuPro(packages: readonly Package[]): boolean {
  return packages.some((p) => p.ecosystem === 'deb' && /\+esm\d*/.test(p.version));
}

/**
 * The advisory keys for an image's OS. `hasData(key)` says whether the database holds any advisory
 * for a key (used for the RHEL-rebuild fallback). undefined when the OS is not one Triad has a rule
 * for: the caller warns rather than guessing.
 */
export function distroTarget(os: OSInfo, packages: readonly Package[], hasData: (k: DistroKey) => boolean): DistroTarget | undefined {
  const family = os.family.toLowerCase();
  const one = (release: string | undefined, f = family): DistroTarget | undefined => (release ? { keys: [{ family: f, release }], label: `${f} ${release}` } : undefined);
  switch (family) {
    case 'debian':
      return one(debian(os));
    case 'ubuntu': {
      const rel = ubuntu(os);
      if (!rel) return undefined;
      const keys = hasUbuntuPro(packages) ? [{ family, release: `${rel}-pro` }, { family, release: rel }] : [{ family, release: rel }];
      return { keys, label: `ubuntu ${rel}` };
    }
    case 'alpine':
      return one(alpine(os));
    case 'wolfi':
    case 'chainguard':
      return one('rolling');
    case 'amzn': {
      // Amazon Linux 1 identifies itself by its AMI release ("2018.03"); its advisories say "1".
      const v = os.version.trim();
      return one(/^20\d\d\.\d+/.test(v) && !v.startsWith('2023') ? '1' : /^(\d+)/.exec(v)?.[1]);
    }
    case 'opensuse-tumbleweed':
      return one('rolling');
    case 'sles':
    case 'sled':
    case 'sle-micro':
    case 'sl-micro':
    case 'opensuse-leap':
    case 'photon':
    case 'mariner':
    case 'cbl-mariner':
    case 'azurelinux':
      return one(majorMinor(os.version) ?? major(os.version));
    case 'rhel':
      return one(major(os.version));
    default: {
      if (RHEL_REBUILDS.has(family)) {
        const m = major(os.version);
        if (!m) return undefined;
        const own = { family: family === 'oracle' ? 'ol' : family, release: m };
        const keys = hasData(own) ? [own] : [{ family: 'rhel', release: m }];
        return { keys, label: keys.map((k) => `${k.family} ${k.release}`).join(', ') };
      }
      return undefined;
    }
  }
}
