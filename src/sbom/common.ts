// Pieces every SBOM writer needs: a deterministic package order, the image's name/version/purl,
// unique identifiers, and the dependency graph with dangling edges dropped and roots found.
import { createHash } from 'node:crypto';
import type { Inventory, LayerSummary, Package } from '../model/types.ts';
import { OS_ECOSYSTEMS } from '../model/types.ts';
import { looseReference } from '../image/registry/reference.ts';
import { purl } from '../purl/purl.ts';

/** Code-unit comparison: localeCompare would make the output depend on the machine's locale. */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const ECOSYSTEM_RANK = ['deb', 'apk', 'rpm', 'npm', 'pypi', 'maven', 'golang', 'cargo', 'gem', 'composer', 'nuget'];

/** Packages in a stable order independent of the order catalogers happened to report them. */
export function sortedPackages(inv: Inventory): Package[] {
  const rank = (p: Package) => {
    const r = ECOSYSTEM_RANK.indexOf(p.ecosystem);
    return r < 0 ? ECOSYSTEM_RANK.length : r;
  };
  // Case-folded name first so "PyYAML" sorts among the p's, then exact fields as tie-breakers.
  const key = (p: Package) => [p.name.toLowerCase(), p.name, p.version, p.id, p.purl, (p.locations ?? []).join('\n')];
  return [...inv.packages].sort((a, b) => {
    const r = rank(a) - rank(b) || cmp(a.ecosystem, b.ecosystem);
    if (r !== 0) return r;
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) {
      const c = cmp(ka[i]!, kb[i]!);
      if (c !== 0) return c;
    }
    return 0;
  });
}

export interface ImageIdentity {
  /** Repository as the user or the image named it ("alpine", "ghcr.io/org/app"). */
  name: string;
  tag?: string;
  /** Manifest (repo) digest, "sha256:…", when the source knows one. */
  digest?: string;
  /** The tag when there is one, else the digest, else the config digest (image ID). */
  version?: string;
  /** pkg:oci purl; only when a digest is known, since the purl spec makes the digest the version. */
  purl?: string;
}

/** Splits "host:5000/a/b:tag@sha256:…" into repository, tag and digest. */
export function parseImageRef(ref: string): { repository: string; tag?: string; digest?: string } {
  const { name, tag, digest } = looseReference(ref);
  return { repository: name, tag, digest };
}

/** Docker's reference normalisation, so repository_url names the registry explicitly. */
function fullRepository(repo: string): string {
  const r = looseReference(repo);
  return `${r.registry}/${r.repository}`;
}

export function imageIdentity(inv: Inventory): ImageIdentity {
  const img = inv.image;
  const fromTag = img.repoTags[0] ? parseImageRef(img.repoTags[0]) : undefined;
  const fromDigest = img.repoDigests[0] ? parseImageRef(img.repoDigests[0]) : undefined;
  const fromRef = parseImageRef(img.ref);
  // A rootfs scan's ref is a directory path: it names the image but has neither tag nor digest.
  const named = fromTag ?? (img.sourceType === 'rootfs' ? { repository: img.ref } : fromRef);
  const name = named.repository || img.ref;
  const tag = fromTag?.tag ?? (img.sourceType === 'rootfs' ? undefined : fromRef.tag);
  const digest = fromDigest?.digest ?? img.manifestDigest ?? (img.sourceType === 'rootfs' ? undefined : fromRef.digest);
  const version = tag ?? digest ?? img.configDigest;
  let p: string | undefined;
  if (digest && img.sourceType !== 'rootfs') {
    const repo = fullRepository((fromDigest ?? named).repository).toLowerCase();
    p = purl({
      type: 'oci',
      name: repo.split('/').pop()!,
      version: digest,
      qualifiers: { arch: img.config.architecture, repository_url: repo, tag },
    });
  }
  return { name, tag, digest, version, purl: p };
}

/** Hands out identifiers that are unique in one document, deterministically. */
export class IdAllocator {
  readonly #used = new Set<string>();
  /** Returns `wanted` if free, else `wanted` plus a short hash of `seed` (and a counter if needed). */
  take(wanted: string, seed: string = wanted, sep = '-'): string {
    let id = wanted;
    if (this.#used.has(id)) {
      const h = createHash('sha256').update(seed).digest('hex').slice(0, 8);
      id = `${wanted}${sep}${h}`;
      for (let n = 2; this.#used.has(id); n++) id = `${wanted}${sep}${h}${sep}${n}`;
    }
    this.#used.add(id);
    return id;
  }
}

export interface DependencyGraph {
  /** Per package id (first occurrence of an id wins): existing dependency ids, sorted, deduplicated. */
  edges: Map<string, string[]>;
  /** Packages nothing depends on, plus one entry per dependency cycle unreachable from them. */
  roots: string[];
}

/** The packages' dependsOn graph with edges to unknown ids and self-edges dropped. */
export function dependencyGraph(pkgs: Package[]): DependencyGraph {
  const edges = new Map<string, string[]>();
  for (const p of pkgs) if (!edges.has(p.id)) edges.set(p.id, []);
  for (const p of pkgs) {
    const deps = new Set((p.dependsOn ?? []).filter((d) => d !== p.id && edges.has(d)));
    const cur = edges.get(p.id)!;
    for (const d of cur) deps.add(d);
    edges.set(p.id, [...deps].sort(cmp));
  }
  const referenced = new Set([...edges.values()].flat());
  const roots = [...edges.keys()].filter((id) => !referenced.has(id));
  // A cycle nobody else points at would be unreachable from the image: adopt one member as a root.
  const seen = new Set<string>();
  const visit = (start: string) => {
    const stack = [start];
    while (stack.length) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      stack.push(...edges.get(id)!);
    }
  };
  roots.forEach(visit);
  for (const id of [...edges.keys()].sort(cmp)) {
    if (!seen.has(id)) {
      roots.push(id);
      visit(id);
    }
  }
  return { edges, roots: roots.sort(cmp) };
}

export function isOSPackage(p: Package): boolean {
  return OS_ECOSYSTEMS.has(p.ecosystem);
}

/** The image layer a package came from, with the summary's fuller data when present. */
export function packageLayer(inv: Inventory, p: Package): (Partial<LayerSummary> & { index: number; diffID: string }) | undefined {
  if (!p.layer) return undefined;
  const l = inv.layers.find((x) => x.index === p.layer!.index);
  return { ...l, ...p.layer, createdBy: p.layer.createdBy ?? l?.createdBy };
}

/** A history instruction as a person reads it: one line, no shell/buildkit boilerplate. */
export function cleanCreatedBy(s: string | undefined): string {
  if (!s) return '';
  let t = s.replace(/\s+/g, ' ').trim();
  t = t.replace(/^\/bin\/(?:ba)?sh -c #\(nop\) */, '');
  // Legacy builder: a bare shell command is a RUN step.
  t = t.replace(/^\/bin\/(?:ba)?sh -c /, 'RUN ');
  t = t.replace(/^RUN \/bin\/(?:ba)?sh -c /, 'RUN ');
  return t.replace(/ # buildkit$/, '').trim();
}

/** SPDX and CycloneDX both want a UTC timestamp; SPDX forbids fractional seconds. */
export function utcSeconds(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
