// CycloneDX 1.6 JSON for one image. Plain objects rather than the library's models: we need
// exact control over ordering (for reproducible output) and over bom-refs (they must equal package
// ids so other tools can join on them). Validated against the official schema in the tests.
import { randomUUID } from 'node:crypto';
import type { Inventory, Package } from '../model/types.ts';
import {
  IdAllocator,
  cleanCreatedBy,
  dependencyGraph,
  imageIdentity,
  packageLayer,
  sortedPackages,
  utcSeconds,
} from './common.ts';
import { andAll, classifyLicense, formatLicense, type LicenseClass, type LicenseNode } from './license.ts';

export interface CycloneDXOptions {
  /** Serial number UUID; random by default (the spec wants a new one per BOM). */
  uuid?: string;
}

type Property = { name: string; value: string };

/** Property list helper: skips empty values so consumers never see "" facts. */
function props(): { add(name: string, value: string | number | undefined): void; list: Property[] } {
  const list: Property[] = [];
  return {
    list,
    add(name, value) {
      if (value !== undefined && value !== '') list.push({ name: `triad:${name}`, value: String(value) });
    },
  };
}

/**
 * A licenseChoice: CycloneDX takes either a list of licences (SPDX id or free-text name) or exactly
 * one SPDX expression. Several declared strings that are all valid SPDX become one AND expression
 * when any of them is compound; otherwise ids and names are listed as written.
 */
export function cdxLicenses(licenses: string[]): object[] | undefined {
  // Deduplicated after classification, so "mit" and "MIT" do not list the same licence twice.
  const byKey = new Map<string, LicenseClass>();
  for (const l of licenses.map((x) => x.trim()).filter(Boolean)) {
    const c = classifyLicense(l);
    byKey.set(c.kind === 'id' ? `id:${c.id}` : c.kind === 'expression' ? `x:${c.expression}` : `n:${c.name}`, c);
  }
  const classes = [...byKey.values()];
  if (classes.length === 0) return undefined;
  const hasExpr = classes.some((c) => c.kind === 'expression');
  const allSpdx = classes.every((c) => c.kind !== 'name');
  if (hasExpr && allSpdx) {
    const nodes: LicenseNode[] = classes.map((c) =>
      c.kind === 'expression' ? c.node : { op: 'id', id: (c as { id: string }).id, plus: false },
    );
    return [{ expression: formatLicense(andAll(nodes)), acknowledgement: 'declared' }];
  }
  return classes.map((c) => ({
    license:
      c.kind === 'id'
        ? { id: c.id, acknowledgement: 'declared' }
        : { name: c.kind === 'name' ? c.name : c.expression, acknowledgement: 'declared' },
  }));
}

function splitName(p: Package): { group?: string; name: string } {
  if (p.ecosystem === 'npm' && p.name.startsWith('@') && p.name.includes('/')) {
    const i = p.name.indexOf('/');
    return { group: p.name.slice(0, i), name: p.name.slice(i + 1) };
  }
  if (p.ecosystem === 'maven' && !p.namespace && p.name.includes(':')) {
    const i = p.name.indexOf(':');
    return { group: p.name.slice(0, i), name: p.name.slice(i + 1) };
  }
  if (p.namespace && (p.ecosystem === 'maven' || p.ecosystem === 'npm')) {
    const prefix = `${p.namespace}/`;
    return { group: p.namespace, name: p.name.startsWith(prefix) ? p.name.slice(prefix.length) : p.name };
  }
  return { name: p.name };
}

function packageComponent(inv: Inventory, p: Package, ref: string): Record<string, unknown> {
  const { group, name } = splitName(p);
  const pr = props();
  pr.add('package:ecosystem', p.ecosystem);
  pr.add('package:id', p.id !== ref ? p.id : undefined);
  pr.add('package:arch', p.arch);
  pr.add('source:name', p.source?.name);
  pr.add('source:version', p.source?.version);
  const layer = packageLayer(inv, p);
  pr.add('layer:index', layer?.index);
  pr.add('layer:diffID', layer?.diffID);
  pr.add('layer:digest', layer?.digest);
  pr.add('layer:createdBy', layer ? cleanCreatedBy(layer.createdBy) : undefined);
  pr.add('owner:purl', p.ownedBy?.purl);
  for (const loc of p.locations ?? []) pr.add('location:path', loc);
  const c: Record<string, unknown> = { 'bom-ref': ref, type: 'library' };
  if (group) c.group = group;
  c.name = name;
  if (p.version) c.version = p.version;
  const lic = cdxLicenses(p.licenses ?? []);
  if (lic) c.licenses = lic;
  if (p.purl) c.purl = p.purl;
  if (pr.list.length) c.properties = pr.list;
  const locs = [...new Set(p.locations ?? [])];
  if (locs.length) c.evidence = { occurrences: locs.map((location) => ({ location })) };
  return c;
}

export function toCycloneDX(inv: Inventory, opts: CycloneDXOptions = {}): object {
  const pkgs = sortedPackages(inv);
  const ids = new IdAllocator();
  // Package ids are the contract (bom-ref = id), so they are reserved before the synthetic refs.
  const refOf = new Map<string, string>();
  const pkgRefs = pkgs.map((p) => {
    // '#' rather than '-' before the disambiguating hash, so it cannot read as part of a purl qualifier.
    const ref = ids.take(p.id, `${p.id}\n${p.purl}\n${p.locations.join('\n')}`, '#');
    if (!refOf.has(p.id)) refOf.set(p.id, ref);
    return ref;
  });
  const img = imageIdentity(inv);
  const imageRef = ids.take(img.purl ?? `image:${img.name}${img.version ? `@${img.version}` : ''}`);
  const osRef = inv.os ? ids.take(`os:${inv.os.family}@${inv.os.version}`) : undefined;

  const ip = props();
  ip.add('image:ref', inv.image.ref);
  ip.add('image:sourceType', inv.image.sourceType);
  ip.add('image:id', inv.image.configDigest);
  ip.add('image:manifestDigest', inv.image.manifestDigest);
  for (const t of inv.image.repoTags) ip.add('image:repoTag', t);
  for (const d of inv.image.repoDigests) ip.add('image:repoDigest', d);
  ip.add('image:architecture', inv.image.config.architecture);
  ip.add('image:os', inv.image.config.os);
  ip.add('os:family', inv.os?.family);
  ip.add('os:version', inv.os?.version);
  ip.add('os:codename', inv.os?.codename);
  ip.add('os:name', inv.os?.prettyName ?? inv.os?.name);
  for (const l of [...inv.layers].sort((a, b) => a.index - b.index)) ip.add('layer:diffID', l.diffID);
  const image: Record<string, unknown> = { 'bom-ref': imageRef, type: 'container', name: img.name };
  if (img.version) image.version = img.version;
  if (img.purl) image.purl = img.purl;
  if (ip.list.length) image.properties = ip.list;

  const components: object[] = [];
  if (inv.os && osRef) {
    const op = props();
    op.add('os:codename', inv.os.codename);
    op.add('os:source', inv.os.source);
    const os: Record<string, unknown> = { 'bom-ref': osRef, type: 'operating-system', name: inv.os.family, version: inv.os.version };
    const desc = inv.os.prettyName ?? inv.os.name;
    if (desc) os.description = desc;
    if (op.list.length) os.properties = op.list;
    components.push(os);
  }
  pkgs.forEach((p, i) => components.push(packageComponent(inv, p, pkgRefs[i]!)));

  const graph = dependencyGraph(pkgs);
  // Second copies of a duplicated id get no edges (those went to the first), so hang them off the image.
  const orphans = pkgRefs.filter((r, i) => refOf.get(pkgs[i]!.id) !== r);
  const topLevel = [...graph.roots.map((id) => refOf.get(id)!), ...orphans];
  const dependencies: Array<{ ref: string; dependsOn: string[] }> = [
    { ref: imageRef, dependsOn: [...(osRef ? [osRef] : []), ...topLevel] },
  ];
  if (osRef) dependencies.push({ ref: osRef, dependsOn: [] });
  // Every component gets an entry, even a leaf: an empty dependsOn says "has none", absence says "unknown".
  pkgs.forEach((p, i) => {
    const first = refOf.get(p.id) === pkgRefs[i];
    const deps = first ? graph.edges.get(p.id)!.map((d) => refOf.get(d)!) : [];
    dependencies.push({ ref: pkgRefs[i]!, dependsOn: deps });
  });

  return {
    $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json',
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: `urn:uuid:${opts.uuid ?? randomUUID()}`,
    version: 1,
    metadata: {
      timestamp: utcSeconds(inv.createdAt),
      tools: { components: [{ type: 'application', name: inv.scanner.name, version: inv.scanner.version }] },
      component: image,
    },
    components,
    dependencies,
  };
}
