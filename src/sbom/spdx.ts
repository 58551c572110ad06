// SPDX 2.3 JSON for one image: the image is a CONTAINER package the document DESCRIBES, which
// CONTAINS every package found; packages' own dependency edges become DEPENDS_ON. Licence strings
// that are not valid SPDX become LicenseRef-… with an extracted-licensing entry, as the spec requires
// for every LicenseRef a document uses.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Inventory, Package } from '../model/types.ts';
import {
  IdAllocator,
  cleanCreatedBy,
  dependencyGraph,
  imageIdentity,
  isOSPackage,
  packageLayer,
  sortedPackages,
  utcSeconds,
} from './common.ts';
import { andAll, classifyLicense, formatLicense, licenseRefs, type LicenseNode } from './license.ts';

export interface SPDXOptions {
  /** UUID that makes the documentNamespace unique; random by default. */
  uuid?: string;
  /** Namespace prefix. The default host is under the reserved .invalid TLD: a URI, never a fetchable page. */
  namespaceBase?: string;
}

const NOASSERTION = 'NOASSERTION';

/** The SPDX licence list version behind our id list (the library's schema says e.g. "v1.1-3.29.0"). */
function licenseListVersion(): string | undefined {
  try {
    const req = createRequire(import.meta.url);
    const dir = req.resolve('@cyclonedx/cyclonedx-library/package.json').replace(/package\.json$/, '');
    const schema = req(`${dir}res/schema/spdx.SNAPSHOT.schema.json`) as { $comment?: string };
    const m = /-(\d+)\.(\d+)(?:\.\d+)?$/.exec(schema.$comment ?? '');
    return m ? `${m[1]}.${m[2]}` : undefined;
  } catch {
    return undefined;
  }
}
const LICENSE_LIST_VERSION = licenseListVersion();

export function sanitizeSpdxId(s: string): string {
  const t = s.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '');
  return t || 'x';
}

/** Maps free-text licence names to LicenseRef ids, one per distinct name in the document. */
class LicenseRefs {
  readonly #ids = new IdAllocator();
  readonly #byName = new Map<string, string>();
  readonly infos = new Map<string, { licenseId: string; name: string; extractedText: string; comment: string }>();

  /** LicenseRefs written verbatim in expressions keep their exact id, so reserve them first. */
  reserve(ref: string): void {
    if (this.infos.has(ref)) return;
    this.#ids.take(ref);
    this.infos.set(ref, {
      licenseId: ref,
      name: ref.slice('LicenseRef-'.length),
      extractedText: ref,
      comment: 'Referenced by a declared licence expression; the licence text was not captured.',
    });
  }

  forName(name: string): string {
    let id = this.#byName.get(name);
    if (id === undefined) {
      // "+" means "or later" in licence names: keep it visible so GPL-2+ and GPL-2 stay distinct.
      id = this.#ids.take(`LicenseRef-${sanitizeSpdxId(name.replace(/\+/g, 'plus'))}`, name);
      this.#byName.set(name, id);
      this.infos.set(id, {
        licenseId: id,
        name,
        extractedText: name,
        comment: 'Declared licence as written in the package metadata; not an SPDX licence id or expression.',
      });
    }
    return id;
  }
}

function declaredLicense(p: Package, refs: LicenseRefs): string {
  const parts: LicenseNode[] = [];
  for (const raw of new Set((p.licenses ?? []).map((l) => l.trim()).filter(Boolean))) {
    const c = classifyLicense(raw);
    if (c.kind === 'id') parts.push({ op: 'id', id: c.id, plus: false });
    else if (c.kind === 'expression') parts.push(c.node);
    else parts.push({ op: 'ref', ref: refs.forName(c.name) });
  }
  return parts.length ? formatLicense(andAll(parts)) : NOASSERTION;
}

/** Supplier/originator in SPDX agent syntax, from ecosystem metadata when a cataloger recorded it. */
function agent(p: Package, keys: string[], kind: 'Organization' | 'Person'): string {
  for (const k of keys) {
    const v = p.metadata?.[k];
    // Agent syntax puts the e-mail in parentheses: "Debian X Team <x@debian.org>" → "… (x@debian.org)".
    if (typeof v === 'string' && v.trim()) return `${kind}: ${v.replace(/\s+/g, ' ').trim().replace(/\s*<([^<>]*)>$/, ' ($1)')}`;
  }
  return NOASSERTION;
}

function sourceInfo(inv: Inventory, p: Package): string {
  const layer = packageLayer(inv, p);
  const where = layer
    ? `layer ${layer.index} (${layer.diffID})${layer.createdBy ? `, created by: ${cleanCreatedBy(layer.createdBy)}` : ''}`
    : 'the image filesystem (no layer attribution)';
  const ev = p.locations?.length ? `; evidence: ${p.locations.join(', ')}` : '';
  return `acquired from ${where}${ev}`;
}

function packageComment(p: Package): string {
  const bits = [`ecosystem: ${p.ecosystem}`];
  if (p.source) bits.push(`source package: ${p.source.name}${p.source.version ? ` ${p.source.version}` : ''}`);
  if (p.arch) bits.push(`arch: ${p.arch}`);
  if (p.ownedBy) bits.push(`installed by OS package: ${p.ownedBy.purl}`);
  bits.push(`triad id: ${p.id}`);
  return bits.join('; ');
}

export function toSPDX(inv: Inventory, opts: SPDXOptions = {}): object {
  const pkgs = sortedPackages(inv);
  const img = imageIdentity(inv);
  const ids = new IdAllocator();
  ids.take('SPDXRef-DOCUMENT');
  const imageId = ids.take(`SPDXRef-ContainerImage-${sanitizeSpdxId(img.name)}`);
  const osId = inv.os ? ids.take(`SPDXRef-OperatingSystem-${sanitizeSpdxId(`${inv.os.family}-${inv.os.version}`)}`) : undefined;
  const idOf = new Map<string, string>();
  const pkgIds = pkgs.map((p) => {
    const id = ids.take(`SPDXRef-Package-${sanitizeSpdxId(p.id)}`, `${p.id}\n${p.purl}\n${p.locations.join('\n')}`);
    if (!idOf.has(p.id)) idOf.set(p.id, id);
    return id;
  });

  const refs = new LicenseRefs();
  for (const p of pkgs) {
    for (const l of p.licenses ?? []) {
      const c = classifyLicense(l);
      if (c.kind === 'expression') for (const r of licenseRefs(c.node)) refs.reserve(r);
    }
  }

  const base = (opts.namespaceBase ?? 'https://triad.invalid/spdx').replace(/\/+$/, '');
  const digestPart = (img.digest ?? inv.image.configDigest ?? 'nodigest').replace(/[^A-Za-z0-9.-]+/g, '-');
  const namespace = `${base}/${encodeURIComponent(img.name)}/${digestPart}-${opts.uuid ?? randomUUID()}`;

  const imagePkg: Record<string, unknown> = {
    SPDXID: imageId,
    name: img.name,
    ...(img.version ? { versionInfo: img.version } : {}),
    supplier: NOASSERTION,
    downloadLocation: NOASSERTION,
    filesAnalyzed: false,
    licenseConcluded: NOASSERTION,
    licenseDeclared: NOASSERTION,
    copyrightText: NOASSERTION,
    primaryPackagePurpose: 'CONTAINER',
    ...(img.purl ? { externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: img.purl }] } : {}),
    comment: [
      `image reference: ${inv.image.ref}`,
      `source: ${inv.image.sourceType}`,
      ...(inv.image.configDigest ? [`image id: ${inv.image.configDigest}`] : []),
      ...(inv.image.config.architecture ? [`architecture: ${inv.image.config.architecture}`] : []),
    ].join('; '),
  };
  const packages: object[] = [imagePkg];
  if (inv.os && osId) {
    packages.push({
      SPDXID: osId,
      name: inv.os.family,
      versionInfo: inv.os.version,
      supplier: NOASSERTION,
      downloadLocation: NOASSERTION,
      filesAnalyzed: false,
      licenseConcluded: NOASSERTION,
      licenseDeclared: NOASSERTION,
      copyrightText: NOASSERTION,
      primaryPackagePurpose: 'OPERATING_SYSTEM',
      ...(inv.os.prettyName || inv.os.name ? { description: inv.os.prettyName ?? inv.os.name } : {}),
      sourceInfo: `identified from ${inv.os.source}`,
    });
  }
  pkgs.forEach((p, i) => {
    packages.push({
      SPDXID: pkgIds[i],
      name: p.name,
      ...(p.version ? { versionInfo: p.version } : {}),
      supplier: agent(p, ['supplier', 'maintainer', 'vendor'], 'Organization'),
      originator: agent(p, ['author', 'originator'], 'Person'),
      downloadLocation: NOASSERTION,
      filesAnalyzed: false,
      licenseConcluded: NOASSERTION,
      licenseDeclared: declaredLicense(p, refs),
      copyrightText: NOASSERTION,
      ...(isOSPackage(p) ? {} : { primaryPackagePurpose: 'LIBRARY' }),
      ...(p.purl ? { externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: p.purl }] } : {}),
      sourceInfo: sourceInfo(inv, p),
      comment: packageComment(p),
    });
  });

  const rel = (a: string, type: string, b: string) => ({ spdxElementId: a, relationshipType: type, relatedSpdxElement: b });
  const relationships = [rel('SPDXRef-DOCUMENT', 'DESCRIBES', imageId)];
  if (osId) relationships.push(rel(imageId, 'CONTAINS', osId));
  for (const id of pkgIds) relationships.push(rel(imageId, 'CONTAINS', id));
  const graph = dependencyGraph(pkgs);
  pkgs.forEach((p, i) => {
    if (idOf.get(p.id) !== pkgIds[i]) return; // a duplicate id: its edges were merged into the first
    for (const d of graph.edges.get(p.id)!) relationships.push(rel(pkgIds[i]!, 'DEPENDS_ON', idOf.get(d)!));
  });

  const doc: Record<string, unknown> = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: img.version && img.version !== img.digest ? `${img.name}:${img.version}` : img.name,
    documentNamespace: namespace,
    creationInfo: {
      ...(LICENSE_LIST_VERSION ? { licenseListVersion: LICENSE_LIST_VERSION } : {}),
      creators: [`Tool: ${inv.scanner.name}-${inv.scanner.version}`],
      created: utcSeconds(inv.createdAt),
    },
    packages,
    relationships,
  };
  const infos = [...refs.infos.values()].sort((a, b) => (a.licenseId < b.licenseId ? -1 : a.licenseId > b.licenseId ? 1 : 0));
  if (infos.length) doc.hasExtractedLicensingInfos = infos;
  return doc;
}
