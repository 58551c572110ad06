// `triad sbom scan`: a CycloneDX (1.4-1.6) or SPDX 2.3 JSON SBOM — Triad's own or another tool's
// (Trivy, Syft ...) — read back into an Inventory so that it can be matched without the image.
// Everything comes from purls plus the few facts tools add beside them:
//   ecosystem/name/version/namespace: the purl (maven "group:artifact", npm "@scope/name", Go and
//     Composer "namespace/name"); deb/rpm epochs from the `epoch=` qualifier when the version has none;
//   OS: Triad's triad:os:* properties, the operating-system component / OPERATING_SYSTEM package
//     (Trivy), or the purls' `distro=` qualifier ("debian-12.4", "3.10.2") with the namespace as family;
//   source package: triad:source:*, Trivy's aquasecurity:trivy:Src*, Syft's syft:metadata:source*,
//     or the purl's `upstream=` qualifier ("openssl", "openssl-1.1.1k-7.el8.src.rpm").
// Components without a usable purl are counted in a warning, never silently dropped.

import type { Ecosystem, Inventory, OSInfo, Package } from '../model/types.ts';
import { parsePurl, type PurlParts } from '../purl/purl.ts';

export class SbomInputError extends Error {}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

const TYPES: Record<string, Ecosystem> = {
  deb: 'deb', apk: 'apk', alpm: 'apk', rpm: 'rpm', npm: 'npm', pypi: 'pypi', maven: 'maven', golang: 'golang',
  cargo: 'cargo', gem: 'gem', composer: 'composer', nuget: 'nuget',
};
const MAX_COMPONENTS = 2_000_000;
/** Other tools' OS names -> os-release IDs (Trivy writes "amazon", "redhat", "oracle", "alma"). */
const FAMILY: Record<string, string> = { amazon: 'amzn', redhat: 'rhel', oracle: 'ol', alma: 'almalinux', 'cbl-mariner': 'mariner', suse: 'sles' };
const family = (f: string) => FAMILY[f.toLowerCase()] ?? f.toLowerCase();

interface Candidate {
  ref: string;
  purl: string;
  version?: string;
  props: Map<string, string>;
}

function propsOf(list: unknown): Map<string, string> {
  const m = new Map<string, string>();
  for (const p of arr(list)) if (isRec(p) && str(p.name) && typeof p.value === 'string' && !m.has(p.name as string)) m.set(p.name as string, p.value);
  return m;
}

function nameOf(eco: Ecosystem, p: PurlParts): string {
  if (!p.namespace) return p.name;
  if (eco === 'maven') return `${p.namespace}:${p.name}`;
  if (eco === 'npm' || eco === 'golang' || eco === 'composer') return `${p.namespace}/${p.name}`;
  return p.name;
}

/** "openssl-1.1.1k-7.el8_6.src.rpm" -> openssl, 1.1.1k-7.el8_6 */
function srpm(s: string): { name: string; version?: string } {
  const m = /^(.+)-([^-]+)-([^-]+)\.src\.rpm$/.exec(s);
  return m ? { name: m[1]!, version: `${m[2]}-${m[3]}` } : { name: s };
}

function sourceOf(eco: Ecosystem, c: Candidate, q: Record<string, string | undefined>, epoch?: string): Package['source'] | undefined {
  const pr = c.props;
  const name = pr.get('triad:source:name') ?? pr.get('aquasecurity:trivy:SrcName') ?? pr.get('syft:metadata:source');
  let version = pr.get('triad:source:version') ?? pr.get('syft:metadata:sourceVersion');
  const tv = pr.get('aquasecurity:trivy:SrcVersion');
  if (!version && tv) {
    const rel = pr.get('aquasecurity:trivy:SrcRelease');
    const ep = pr.get('aquasecurity:trivy:SrcEpoch');
    version = `${ep && ep !== '0' ? `${ep}:` : ''}${tv}${rel ? `-${rel}` : ''}`;
  }
  if (name) return version ? { name, version } : { name };
  const up = q.upstream;
  if (!up) return undefined;
  if (eco === 'rpm') {
    const s = srpm(up);
    return s.version ? { name: s.name, version: epoch ? `${epoch}:${s.version}` : s.version } : { name: s.name };
  }
  const m = /^([^\s(]+)\s*(?:\(([^)]+)\))?$/.exec(up);
  return m ? { name: m[1]!, ...(m[2] ? { version: m[2] } : {}) } : { name: up };
}

function osFromDistro(namespace: string | undefined, distro: string | undefined): OSInfo | undefined {
  if (!namespace || !distro) return undefined;
  // "debian-12.4", "ubuntu-22.04", "rhel-8.6", or a bare release "3.10.2" (Trivy's alpine purls)
  const m = /^(?:([a-z][a-z-]*?)-)?(\d[\w.]*)$/.exec(distro);
  if (!m) return undefined;
  return { family: family(m[1] ?? namespace), version: m[2]!, source: 'sbom purl distro qualifier' };
}

// A fleet of SBOMs repeats the same purls: parsing (percent-decoding, normalisation) is cached.
const purlCache = new Map<string, PurlParts | Error>();

function cachedPurl(s: string): PurlParts | Error {
  let p = purlCache.get(s);
  if (p === undefined) {
    try {
      p = parsePurl(s);
    } catch (e) {
      p = e as Error;
    }
    if (purlCache.size >= 100_000) purlCache.clear();
    purlCache.set(s, p);
  }
  return p;
}

function toPackage(c: Candidate, warn: (w: string) => void): { pkg?: Package; osHint?: OSInfo } {
  const p = cachedPurl(c.purl);
  if (p instanceof Error) {
    warn(`${c.ref}: unparsable purl ${JSON.stringify(c.purl.slice(0, 200))}: ${p.message}`);
    return {};
  }
  const eco = TYPES[p.type];
  const q = p.qualifiers ?? {};
  const version = p.version ?? c.version ?? '';
  const ecosystem = (eco ?? p.type) as Ecosystem;
  let full = version;
  if ((eco === 'deb' || eco === 'rpm') && q.epoch && q.epoch !== '0' && !version.includes(':')) full = `${q.epoch}:${version}`;
  const pkg: Package = {
    id: c.ref,
    name: eco ? nameOf(eco, p) : p.namespace ? `${p.namespace}/${p.name}` : p.name,
    version: full,
    ecosystem,
    purl: c.purl,
    licenses: [],
    locations: c.props.has('triad:location:path') ? [c.props.get('triad:location:path')!] : [],
  };
  if (eco === 'maven' || eco === 'npm') if (p.namespace) pkg.namespace = p.namespace;
  if (q.arch) pkg.arch = q.arch;
  const src = eco ? sourceOf(eco, c, q, eco === 'rpm' ? q.epoch : undefined) : undefined;
  if (src) pkg.source = src;
  const owner = c.props.get('triad:owner:purl');
  if (owner) {
    const o = cachedPurl(owner);
    if (o instanceof Error) warn(`${c.ref}: unparsable owner purl ${JSON.stringify(owner.slice(0, 200))}`);
    else if (TYPES[o.type]) pkg.ownedBy = { name: o.name, version: o.version ?? '', ecosystem: TYPES[o.type]!, purl: owner };
  }
  const layerIndex = Number(c.props.get('triad:layer:index'));
  const diffID = c.props.get('triad:layer:diffID') ?? c.props.get('aquasecurity:trivy:LayerDiffID');
  if (diffID) pkg.layer = { index: Number.isInteger(layerIndex) ? layerIndex : -1, diffID, ...(c.props.get('triad:layer:createdBy') ? { createdBy: c.props.get('triad:layer:createdBy')! } : {}) };
  const osHint = eco === 'deb' || eco === 'rpm' || eco === 'apk' ? osFromDistro(p.namespace, q.distro) : undefined;
  return { pkg, ...(osHint ? { osHint } : {}) };
}

function fromCycloneDX(doc: Rec, warn: (w: string) => void): { cands: Candidate[]; os?: OSInfo; target?: string } {
  const cands: Candidate[] = [];
  let os: OSInfo | undefined;
  let noPurl = 0;
  const walk = (list: unknown[], depth: number) => {
    if (depth > 64) return;
    for (const c of list) {
      if (!isRec(c) || cands.length >= MAX_COMPONENTS) continue;
      if (c.type === 'operating-system') {
        if (str(c.name) && str(c.version)) os ??= { family: family(String(c.name)), version: String(c.version), source: 'sbom operating-system component' };
      } else if (str(c.purl)) {
        cands.push({ ref: str(c['bom-ref']) ?? String(c.purl), purl: String(c.purl), ...(str(c.version) ? { version: String(c.version) } : {}), props: propsOf(c.properties) });
      } else if (c.type === 'library' || c.type === 'application' || c.type === 'framework') noPurl++;
      walk(arr(c.components), depth + 1);
    }
  };
  walk(arr(doc.components), 0);
  const meta = isRec(doc.metadata) && isRec(doc.metadata.component) ? doc.metadata.component : undefined;
  const mp = propsOf(meta?.properties);
  if (mp.get('triad:os:family') && mp.get('triad:os:version')) os = { family: mp.get('triad:os:family')!, version: mp.get('triad:os:version')!, ...(mp.get('triad:os:codename') ? { codename: mp.get('triad:os:codename')! } : {}), source: 'sbom triad:os properties' };
  if (noPurl) warn(`${noPurl} components without a purl were not matched`);
  const target = mp.get('triad:image:ref') ?? str(meta?.name);
  return { cands, ...(os ? { os } : {}), ...(target ? { target } : {}) };
}

function fromSPDX(doc: Rec, warn: (w: string) => void): { cands: Candidate[]; os?: OSInfo; target?: string } {
  const cands: Candidate[] = [];
  let os: OSInfo | undefined;
  let noPurl = 0;
  for (const p of arr(doc.packages)) {
    if (!isRec(p) || cands.length >= MAX_COMPONENTS) continue;
    if (p.primaryPackagePurpose === 'OPERATING_SYSTEM' || p.primaryPackagePurpose === 'OPERATING-SYSTEM') {
      if (str(p.name) && str(p.versionInfo)) os ??= { family: family(String(p.name)), version: String(p.versionInfo), source: 'sbom OPERATING_SYSTEM package' };
      continue;
    }
    const ref = arr(p.externalRefs).find((r) => isRec(r) && r.referenceType === 'purl') as Rec | undefined;
    const purl = str(ref?.referenceLocator);
    if (!purl) {
      if (p.primaryPackagePurpose !== 'CONTAINER') noPurl++;
      continue;
    }
    cands.push({ ref: str(p.SPDXID) ?? purl, purl, ...(str(p.versionInfo) ? { version: String(p.versionInfo) } : {}), props: new Map() });
  }
  if (noPurl) warn(`${noPurl} packages without a purl were not matched`);
  return { cands, ...(os ? { os } : {}), ...(str(doc.name) ? { target: String(doc.name) } : {}) };
}

/** Parses an SBOM document's JSON text into an Inventory. Throws SbomInputError for non-SBOMs. */
export function sbomToInventory(text: string, file: string): Inventory {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new SbomInputError(`${file}: not JSON: ${(e as Error).message}`);
  }
  if (!isRec(doc)) throw new SbomInputError(`${file}: not an SBOM (not a JSON object)`);
  const warnings: string[] = [];
  const warn = (w: string) => {
    if (warnings.length < 200) warnings.push(w);
  };
  let read: ReturnType<typeof fromCycloneDX>;
  if (doc.bomFormat === 'CycloneDX') read = fromCycloneDX(doc, warn);
  else if (typeof doc.spdxVersion === 'string') read = fromSPDX(doc, warn);
  else throw new SbomInputError(`${file}: neither CycloneDX (bomFormat) nor SPDX (spdxVersion) JSON`);
  const packages: Package[] = [];
  let os = read.os;
  const ids = new Set<string>();
  for (const c of read.cands) {
    const { pkg, osHint } = toPackage(c, warn);
    if (!pkg) continue;
    if (ids.has(pkg.id)) pkg.id = `${pkg.id}#${packages.length}`;
    ids.add(pkg.id);
    packages.push(pkg);
    os ??= osHint;
  }
  return {
    schemaVersion: 1,
    image: { ref: read.target ?? file, sourceType: 'sbom', repoTags: [], repoDigests: [], config: {}, history: [] },
    ...(os ? { os } : {}),
    layers: [],
    packages,
    warnings,
    scanner: { name: 'triad', version: 'sbom-input' },
    createdAt: new Date().toISOString(),
  };
}
