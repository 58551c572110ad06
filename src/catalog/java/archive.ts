// Walks one Java archive and the archives nested in it (WEB-INF/lib, BOOT-INF/lib, an ear's lib/,
// shaded lib/ folders: any entry with a Java archive extension), reporting Maven packages:
// - every pom.properties is one package (an uber jar carries one per shaded artifact);
// - the archive itself, when no pom.properties describes it: from its place in a Maven repository
//   (usr/share/maven-repo, .m2/repository), else from MANIFEST.MF and its file name; with no
//   groupId anywhere, as a group-less package (metadata.groupUnknown) rather than not at all.
// Limits bound the nesting depth, the bytes inflated per top-level file and the archives visited,
// so a zip bomb or a quine costs a warning, not the scan.
import type { FoundPackage } from '../cataloger.ts';
import { type ByteSource, errorText } from '../binary/source.ts';
import { isDirectory, openZipEntry, readZipDirectory, readZipEntry, type ZipEntry } from '../binary/zip.ts';
import { purl } from '../../purl/purl.ts';
import {
  type Coordinates,
  fileNameCoordinates,
  isJavaArchive,
  manifestCoordinates,
  manifestLicenses,
  parseManifest,
  parseProperties,
  pomCoordinates,
  repositoryCoordinates,
} from './metadata.ts';

export interface JavaLimits {
  /** Archives inside archives below the top-level file (the top level is depth 0). */
  maxDepth: number;
  /** Largest nested archive inflated into memory. */
  maxNestedArchive: number;
  /** Bytes inflated for all nested archives of one top-level file together. */
  maxInflatedTotal: number;
  /** Archives (top level included) opened per top-level file. */
  maxArchives: number;
  /** Largest manifest or pom.properties read. */
  maxMetadataFile: number;
}

export const DEFAULT_JAVA_LIMITS: JavaLimits = {
  maxDepth: 4,
  maxNestedArchive: 256 * 1024 * 1024,
  maxInflatedTotal: 1024 * 1024 * 1024,
  maxArchives: 10_000,
  maxMetadataFile: 1024 * 1024,
};

interface Walk {
  limits: JavaLimits;
  warnings: string[];
  inflated: number;
  archives: number;
}

export async function scanJavaArchive(src: ByteSource, location: string, limits = DEFAULT_JAVA_LIMITS): Promise<{ packages: FoundPackage[]; warnings: string[] }> {
  const walk: Walk = { limits, warnings: [], inflated: 0, archives: 0 };
  const packages: FoundPackage[] = [];
  await scan(src, location, 0, walk, packages);
  return { packages, warnings: walk.warnings };
}

/** Real uber jars shade a few hundred artifacts; more pom.properties than this is an attack. */
const MAX_POMS = 5000;

interface Pom extends Coordinates {
  entry: string;
}

async function scan(src: ByteSource, location: string, depth: number, walk: Walk, out: FoundPackage[]): Promise<void> {
  if (++walk.archives > walk.limits.maxArchives) {
    if (walk.archives === walk.limits.maxArchives + 1) walk.warnings.push(`${location}: more than ${walk.limits.maxArchives} nested archives; rest skipped`);
    return;
  }
  let entries: ZipEntry[];
  try {
    entries = (await readZipDirectory(src)).entries;
  } catch (e) {
    walk.warnings.push(`${location}: ${errorText(e)}`);
    return;
  }
  const poms: Pom[] = [];
  let manifest: Map<string, string> | undefined;
  const nested: ZipEntry[] = [];
  for (const e of entries) {
    if (isDirectory(e)) continue;
    const base = e.name.slice(e.name.lastIndexOf('/') + 1);
    if (base === 'pom.properties' && poms.length < MAX_POMS) {
      const text = await readText(src, e, location, walk);
      const c = text === undefined ? undefined : pomCoordinates(parseProperties(text));
      if (c && !poms.some((p) => same(p, c))) poms.push({ ...c, entry: e.name });
    } else if (e.name.toUpperCase() === 'META-INF/MANIFEST.MF') {
      const text = await readText(src, e, location, walk);
      if (text !== undefined) manifest = parseManifest(text);
    } else if (isJavaArchive(e.name)) {
      nested.push(e);
    }
  }

  identify(location, poms, manifest, out);

  for (const e of nested) {
    const inner = `${location}!/${e.name}`;
    if (depth + 1 > walk.limits.maxDepth) {
      walk.warnings.push(`${inner}: nested deeper than ${walk.limits.maxDepth} archives; skipped`);
      continue;
    }
    const budget = Math.min(walk.limits.maxNestedArchive, walk.limits.maxInflatedTotal - walk.inflated);
    if (e.method !== 0 && e.uncompressedSize > budget) {
      walk.warnings.push(`${inner}: ${e.uncompressedSize} bytes exceeds the inflation budget; skipped`);
      continue;
    }
    let opened: { source: ByteSource; inflated: boolean };
    try {
      // Stored entries are windows onto the outer file and cost no memory: only inflation is budgeted.
      opened = await openZipEntry(src, e, e.method === 0 ? src.size : budget);
    } catch (err) {
      walk.warnings.push(`${location}: ${errorText(err)}`);
      continue;
    }
    if (opened.inflated) walk.inflated += opened.source.size;
    await scan(opened.source, inner, depth + 1, walk, out);
  }
}

async function readText(src: ByteSource, e: ZipEntry, location: string, walk: Walk): Promise<string | undefined> {
  try {
    return (await readZipEntry(src, e, walk.limits.maxMetadataFile)).toString('utf8');
  } catch (err) {
    walk.warnings.push(`${location}: ${errorText(err)}`);
    return undefined;
  }
}

function same(a: Coordinates, b: Coordinates): boolean {
  return a.groupId === b.groupId && a.artifactId === b.artifactId && a.version === b.version;
}

/**
 * Turns what one archive says about itself into packages. The archive's own identity is the
 * pom.properties that matches its file name, or its only pom.properties, or one that agrees with
 * the manifest; failing those, the manifest (plus file name) describes it. Declared licences
 * belong to that identity only, not to the other artifacts shaded into the archive.
 */
function identify(location: string, poms: Pom[], manifest: Map<string, string> | undefined, out: FoundPackage[]): void {
  const archiveName = location.slice(location.lastIndexOf('/') + 1);
  const file = fileNameCoordinates(archiveName);
  const fromManifest = manifest ? manifestCoordinates(manifest, file) : {};
  const licenses = manifest ? manifestLicenses(manifest) : [];
  // File names are artifact-version or, in some caches, groupId.artifact-version.
  const namedAfter = (p: Pom) => !!file && p.version === file.version && (p.artifactId === file.artifactId || `${p.groupId}.${p.artifactId}` === file.artifactId);
  const agrees = (p: Pom) =>
    p.version === fromManifest.version && (p.groupId === fromManifest.groupId || p.artifactId.toLowerCase() === fromManifest.artifactId?.toLowerCase());
  const own = poms.find(namedAfter) ?? (poms.length === 1 ? poms[0] : undefined) ?? poms.find(agrees);

  for (const p of poms) {
    const pkg = mavenPackage(p, location, p === own ? licenses : [], { source: 'pom.properties', pomPath: p.entry });
    if (pkg) out.push(pkg);
  }
  if (own) return;
  // A Maven repository path is exact; Debian's `debian` version folder takes the manifest's version.
  const repo = location.includes('!') ? undefined : repositoryCoordinates(location);
  if (repo) {
    const version = repo.version || fromManifest.version;
    const pkg = version ? mavenPackage({ ...repo, version }, location, licenses, { source: 'repository path' }) : undefined;
    if (pkg) {
      out.push(pkg);
      return;
    }
  }
  const { groupId, artifactId, version }: Partial<Coordinates> = manifest ? fromManifest : (file ?? {});
  if (!artifactId || !version) return;
  if (groupId) {
    const pkg = mavenPackage({ groupId, artifactId, version }, location, licenses, { source: 'manifest' });
    if (pkg) out.push(pkg);
    return;
  }
  // No groupId anywhere (Debian's jsr305-0.1~+svn49.jar has a bare manifest): still a package when
  // the file name is artifact-version, so that it is not silently missing from the inventory. The
  // name must carry a plausible version (1, 1.2, 0.1~+svn49 ...): level-3-jar.jar is not level@3-jar.
  if (!file || !/^\d+(?:\.\d|$)/.test(file.version)) return;
  const pkg = grouplessPackage(artifactId, version, location, licenses, manifest ? 'manifest' : 'file name');
  if (pkg) out.push(pkg);
}

function mavenPackage(c: Coordinates, location: string, licenses: string[], metadata: Record<string, string>): FoundPackage | undefined {
  let p: string;
  try {
    p = purl({ type: 'maven', namespace: c.groupId, name: c.artifactId, version: c.version });
  } catch {
    return undefined;
  }
  return {
    name: `${c.groupId}:${c.artifactId}`,
    version: c.version,
    ecosystem: 'maven',
    purl: p,
    namespace: c.groupId,
    licenses,
    locations: [location],
    metadata: { groupId: c.groupId, artifactId: c.artifactId, ...metadata },
  };
}

/**
 * A Maven artifact whose groupId is unknown: name is the artifactId, no namespace, purl
 * pkg:maven/<artifactId>@<version>. packageurl-js (following purl-spec) refuses a maven purl without
 * a namespace, so the name and version are encoded by it under a placeholder namespace that is then
 * cut out; strict purl parsers will reject the result, which is the honest signal that the
 * coordinates are incomplete.
 */
function grouplessPackage(artifactId: string, version: string, location: string, licenses: string[], source: string): FoundPackage | undefined {
  let p: string;
  try {
    p = purl({ type: 'maven', namespace: '_', name: artifactId, version });
  } catch {
    return undefined;
  }
  if (!p.startsWith('pkg:maven/_/')) return undefined;
  return {
    name: artifactId,
    version,
    ecosystem: 'maven',
    purl: `pkg:maven/${p.slice('pkg:maven/_/'.length)}`,
    licenses,
    locations: [location],
    metadata: { artifactId, groupUnknown: true, source },
  };
}
