// Naming rules for rpm packages: the version string, the source package, and the purl namespace
// (the distribution's vendor name, which the purl spec uses as the rpm namespace).
import type { OSInfo } from '../../model/types.ts';
import { purl } from '../../purl/purl.ts';

/** os-release ID -> purl namespace. IDs not listed are used as they are (already lower case). */
const FAMILY_NAMESPACE: Record<string, string> = {
  rhel: 'redhat',
  redhat: 'redhat',
  centos: 'centos',
  rocky: 'rocky',
  almalinux: 'almalinux',
  alma: 'almalinux',
  fedora: 'fedora',
  amzn: 'amazon',
  amazon: 'amazon',
  ol: 'oracle',
  oracle: 'oracle',
  sles: 'suse',
  sled: 'suse',
  'sles_sap': 'suse',
  'sle-micro': 'suse',
  'sl-micro': 'suse',
  suse: 'suse',
  opensuse: 'opensuse',
  mariner: 'mariner',
  'cbl-mariner': 'mariner',
  azurelinux: 'azurelinux',
  photon: 'photon',
  openeuler: 'openeuler',
};

/** VENDOR tag patterns, used only when the OS could not be identified. Order matters (openSUSE before SUSE). */
const VENDOR_NAMESPACE: Array<[RegExp, string]> = [
  [/red ?hat/i, 'redhat'],
  [/centos/i, 'centos'],
  [/rocky/i, 'rocky'],
  [/almalinux/i, 'almalinux'],
  [/fedora/i, 'fedora'],
  [/amazon/i, 'amazon'],
  [/opensuse/i, 'opensuse'],
  [/suse/i, 'suse'],
  [/oracle/i, 'oracle'],
  [/microsoft/i, 'mariner'],
  [/vmware/i, 'photon'],
];

export function namespaceForOs(os: OSInfo | undefined): string | undefined {
  const family = os?.family?.toLowerCase();
  if (!family) return undefined;
  if (FAMILY_NAMESPACE[family]) return FAMILY_NAMESPACE[family];
  // openSUSE ships many IDs: opensuse-leap, opensuse-tumbleweed, opensuse-microos ...
  if (family.startsWith('opensuse')) return 'opensuse';
  return family;
}

export function namespaceForVendor(vendor: string | undefined): string | undefined {
  if (!vendor) return undefined;
  for (const [re, ns] of VENDOR_NAMESPACE) if (re.test(vendor)) return ns;
  return undefined;
}

/** The namespace most packages' vendors point at: one consistent guess for a database without OS info. */
export function majorityVendorNamespace(vendors: Array<string | undefined>): string | undefined {
  const counts = new Map<string, number>();
  for (const v of vendors) {
    const ns = namespaceForVendor(v);
    if (ns) counts.set(ns, (counts.get(ns) ?? 0) + 1);
  }
  let best: string | undefined;
  for (const [ns, n] of counts) if (!best || n > counts.get(best)!) best = ns;
  return best;
}

/** `[epoch:]version-release`; an epoch of 0 is the same as none to rpm, so it is left out. */
export function rpmVersion(epoch: number | undefined, version: string, release: string): string {
  return `${epoch ? `${epoch}:` : ''}${version}-${release}`;
}

/** Splits SOURCERPM ("name-version-release.src.rpm"); undefined when it does not have that shape. */
export function parseSourceRpm(s: string | undefined): { name: string; version: string; release: string } | undefined {
  const m = s && /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/.exec(s);
  return m ? { name: m[1]!, version: m[2]!, release: m[3]! } : undefined;
}

export interface PurlInput {
  name: string;
  epoch?: number;
  version: string;
  release: string;
  arch?: string;
}

export function rpmPurl(p: PurlInput, namespace: string | undefined, os: OSInfo | undefined): string {
  return purl({
    type: 'rpm',
    namespace,
    name: p.name,
    version: `${p.version}-${p.release}`,
    qualifiers: {
      arch: p.arch,
      epoch: p.epoch ? String(p.epoch) : undefined,
      distro: os?.family && os.version ? `${os.family}-${os.version}` : undefined,
    },
  });
}
