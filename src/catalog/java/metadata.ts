// The three sources of Maven coordinates inside a Java archive: pom.properties (exact, written by
// Maven), META-INF/MANIFEST.MF (approximate: titles and vendors, not coordinates) and the file
// name (artifact-1.2.3.jar). Pure functions over text; the archive walk is in archive.ts.

export interface Coordinates {
  groupId: string;
  artifactId: string;
  version: string;
}

/** Java .properties: `key=value`, `key: value` or `key value`, # and ! comments, \ continuations. */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length && out.size < 10_000; i++) {
    let line = lines[i]!.replace(/^[ \t\f]+/, '');
    if (!line || line[0] === '#' || line[0] === '!') continue;
    // An odd number of trailing backslashes joins the next line.
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) line = line.slice(0, -1) + lines[++i]!.replace(/^[ \t\f]+/, '');
    const m = /^((?:\\.|[^=: \t\f\\])*)[ \t\f]*[=:]?[ \t\f]*(.*)$/.exec(line);
    if (!m) continue;
    out.set(unescapeProperty(m[1]!), unescapeProperty(m[2]!).trim());
  }
  return out;
}

function unescapeProperty(s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, e: string) => {
    if (e.length === 5) return String.fromCharCode(parseInt(e.slice(1), 16));
    return { t: '\t', n: '\n', r: '\r', f: '\f' }[e] ?? e;
  });
}

/** pom.properties coordinates, or undefined when any is missing or an unfiltered ${placeholder}. */
export function pomCoordinates(props: Map<string, string>): Coordinates | undefined {
  const groupId = props.get('groupId') ?? '';
  const artifactId = props.get('artifactId') ?? '';
  const version = props.get('version') ?? '';
  if (!groupId || !artifactId || !version) return undefined;
  if ([groupId, artifactId, version].some((v) => v.includes('${'))) return undefined;
  return { groupId, artifactId, version };
}

/**
 * The main section of a manifest: `Name: value` headers up to the first blank line, with
 * continuation lines (starting with one space) joined. Header names are case-insensitive, so keys
 * are lower-cased.
 */
export function parseManifest(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let key = '';
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === '') break;
    if (line.startsWith(' ')) {
      if (key) out.set(key, out.get(key)! + line.slice(1));
      continue;
    }
    const i = line.indexOf(':');
    if (i <= 0) {
      key = '';
      continue;
    }
    key = line.slice(0, i).trim().toLowerCase();
    out.set(key, line.slice(i + 1).trim());
    if (out.size > 10_000) break;
  }
  return out;
}

/** Characters Maven allows in groupId and artifactId; titles like "Spring Core" are not ids. */
const MAVEN_ID = /^[A-Za-z0-9_.-]+$/;

/** First candidate that is a valid id, else the first non-empty one (what Trivy would use). */
function pick(candidates: Array<string | undefined>): string | undefined {
  // Some hand-written manifests quote their values (Implementation-Version: "1.6").
  const present = candidates.map((c) => c?.trim().replace(/^"(.*)"$/, '$1').trim()).filter((c): c is string => !!c);
  return present.find((c) => MAVEN_ID.test(c)) ?? present[0];
}

/**
 * Coordinates guessed from the manifest, with the file name filling the gaps. Header order follows
 * Trivy's; unlike Trivy, a header that is a product title rather than an id ("Sun Java System
 * Application Server") loses to the artifact id in the file name, and so does any title when the
 * file name carries the manifest's version.
 */
export function manifestCoordinates(m: Map<string, string>, file?: FileNameCoordinates): Partial<Coordinates> {
  const groupId = pick([m.get('implementation-vendor-id'), symbolicGroup(m.get('bundle-symbolicname')), m.get('implementation-vendor'), m.get('specification-vendor')]);
  let version = pick([m.get('implementation-version'), m.get('specification-version'), m.get('bundle-version')]) ?? file?.version;
  // OSGi qualifiers and build suffixes (3.22.0.v20241030-2121, 1.9.10-release-459) are not part
  // of the Maven version the file name carries.
  if (file && version && version !== file.version && /^[.\-(]/.test(version.slice(file.version.length)) && version.startsWith(file.version)) {
    version = file.version;
  }
  const titles = [m.get('implementation-title'), m.get('specification-title'), m.get('bundle-name')];
  const validTitle = titles.map((t) => t?.trim().replace(/^"(.*)"$/, '$1')).find((t) => t && MAVEN_ID.test(t));
  // A file named artifact-<the manifest's version>.jar was almost certainly named by Maven or
  // Gradle after its coordinates, which beats a bundle name like "tomcat-embed-jasper-el".
  const artifactId = (file && file.version === version ? file.artifactId : undefined) ?? validTitle ?? file?.artifactId ?? pick(titles);
  return { groupId, artifactId, version };
}

/**
 * The groupId inside an OSGi symbolic name. The Maven bundle plugin writes groupId.artifactId
 * (drop the last element, as Trivy does), except that a groupId ending in the artifactId is used
 * alone (org.objenesis): a top-level domain left after dropping means that case. A name without
 * dots (junit-platform-launcher) is an artifactId, not a group.
 */
function symbolicGroup(value: string | undefined): string | undefined {
  const name = value?.split(';')[0]?.trim();
  if (!name || !name.includes('.')) return undefined;
  const parent = name.slice(0, name.lastIndexOf('.'));
  return parent.includes('.') ? parent : name;
}

export interface FileNameCoordinates {
  artifactId: string;
  version: string;
}

const ARCHIVE_EXT = /\.(jar|war|ear|par|sar|jpi|hpi|kar)$/i;

export function isJavaArchive(name: string): boolean {
  return ARCHIVE_EXT.test(name);
}

/**
 * artifact-1.2.3.jar -> artifact, 1.2.3: the version starts at the first "-<digit>" (so
 * guava-31.1-jre and commons-lang3-3.12.0 split correctly).
 */
export function fileNameCoordinates(path: string): FileNameCoordinates | undefined {
  const base = path.slice(path.lastIndexOf('/') + 1).replace(ARCHIVE_EXT, '');
  const m = /^([A-Za-z0-9_.-]*?[^-])-(\d[^\s/]*)$/.exec(base);
  return m ? { artifactId: m[1]!, version: m[2]! } : undefined;
}

/** <repository>/<group path>/<artifactId>/<version>/<file>: Debian's maven-repo and any local ~/.m2 repository. */
const REPOSITORY_LAYOUT = /^(?:usr\/share\/maven-repo|(?:.*\/)?\.m2\/repository)\/(.+)\/([^/]+)\/([^/]+)\/([^/]+)$/;

/**
 * Exact coordinates from where a Maven repository stores an artifact:
 * usr/share/maven-repo/org/jsr-305/jsr305/0.1-SNAPSHOT/jsr305-0.1-SNAPSHOT.jar is
 * org.jsr-305:jsr305@0.1-SNAPSHOT. Only the main artifact (file named exactly artifactId-version),
 * not classifier jars (-sources, -tests) or anything else that happens to sit in the folder.
 * Debian's version-independent `debian` folder has no version: it comes back empty for the caller
 * to fill in.
 */
export function repositoryCoordinates(path: string): Coordinates | undefined {
  const m = REPOSITORY_LAYOUT.exec(path);
  if (!m) return undefined;
  const [, group, artifactId, version, file] = m as unknown as [string, string, string, string, string];
  const ext = ARCHIVE_EXT.exec(file);
  if (!ext || file.slice(0, -ext[0].length) !== `${artifactId}-${version}`) return undefined;
  const groupId = group.replaceAll('/', '.');
  if (group.startsWith('/') || group.includes('//') || !MAVEN_ID.test(groupId)) return undefined;
  return { groupId, artifactId, version: version === 'debian' ? '' : version };
}

/** Well-known licence URLs to SPDX ids; anything else is kept as written. */
const LICENSE_URLS: Array<[RegExp, string]> = [
  [/apache\.org\/licenses\/LICENSE-2\.0/i, 'Apache-2.0'],
  [/opensource\.org\/licenses\/apache-?2\.0/i, 'Apache-2.0'],
  [/eclipse\.org\/legal\/epl-2\.0/i, 'EPL-2.0'],
  [/eclipse\.org\/(legal\/epl-v10|org\/documents\/epl-v10)/i, 'EPL-1.0'],
  [/opensource\.org\/licenses\/mit/i, 'MIT'],
  [/opensource\.org\/licenses\/bsd-3-clause/i, 'BSD-3-Clause'],
  [/gnu\.org\/licenses\/lgpl-2\.1/i, 'LGPL-2.1-only'],
  [/gnu\.org\/software\/classpath\/license\.html/i, 'GPL-2.0-with-classpath-exception'],
];

/**
 * Declared licences: OSGi Bundle-License (comma-separated clauses, each a name or URL with optional
 * ;link= / ;description= parameters, quotes allowed) and the Plugin-License-Name[-N] headers that
 * Jenkins plugins carry.
 */
export function manifestLicenses(m: Map<string, string>): string[] {
  const out: string[] = [];
  const bundle = m.get('bundle-license');
  if (bundle && bundle !== '<<EXTERNAL>>') {
    for (const clause of splitOutsideQuotes(bundle, ',')) {
      const name = splitOutsideQuotes(clause, ';')[0]!.trim().replace(/^"(.*)"$/, '$1').trim();
      if (name) out.push(normaliseLicense(name));
    }
  }
  for (const [k, v] of m) if (/^plugin-license-name(-\d+)?$/.test(k) && v) out.push(v);
  return [...new Set(out)];
}

function normaliseLicense(s: string): string {
  for (const [re, id] of LICENSE_URLS) if (re.test(s)) return id;
  return s;
}

function splitOutsideQuotes(s: string, sep: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (const c of s) {
    if (c === '"') quoted = !quoted;
    if (c === sep && !quoted) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}
