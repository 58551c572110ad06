// Which files a Debian package installed: var/lib/dpkg/info/<pkg>[:<arch>].list (one absolute path
// per line, directories included) or, in distroless images that have no info/ directory,
// var/lib/dpkg/status.d/<pkg>.md5sums ("<md5>  <relative path>", regular files only).
//
// Results are kept as one '\n'-joined string per package: a big Debian image has ~1000 lists and
// ~100k paths, and one flat string per list costs a fraction of an array of small strings while
// the framework holds every layer's parse results until the end of the scan.

/**
 * Paths from a .list file, without the leading '/', directories removed. A directory is an entry
 * that is the parent of another entry of the same list (dpkg lists every directory it touches,
 * including /usr and /usr/share); empty directories a package ships cannot be told apart from
 * files and stay in.
 */
export function parseList(text: string): string {
  const paths: string[] = [];
  for (let line of text.split('\n')) {
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line === '' || line === '/.' || line === '/') continue;
    let p = line;
    while (p.startsWith('/')) p = p.slice(1);
    if (p.startsWith('./')) p = p.slice(2);
    while (p.endsWith('/')) p = p.slice(0, -1);
    if (p !== '') paths.push(p);
  }
  const parents = new Set<string>();
  for (const p of paths) {
    const slash = p.lastIndexOf('/');
    if (slash > 0) parents.add(p.slice(0, slash));
  }
  const seen = new Set<string>();
  const files: string[] = [];
  for (const p of paths) {
    if (parents.has(p) || seen.has(p)) continue;
    seen.add(p);
    files.push(p);
  }
  return files.join('\n');
}

/** Paths from an md5sums file ("d41d8cd98f00b204e9800998ecf8427e  usr/bin/foo"). */
export function parseMd5sums(text: string): string {
  const files: string[] = [];
  for (let line of text.split('\n')) {
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const m = /^[0-9a-fA-F]{32,}\s+\*?(.+)$/.exec(line);
    if (!m) continue;
    let p = m[1].trim();
    while (p.startsWith('/')) p = p.slice(1);
    if (p) files.push(p);
  }
  return files.join('\n');
}

/** Back to an array (only for the packages finalize returns). */
export function splitPaths(joined: string | undefined): string[] | undefined {
  return joined ? joined.split('\n') : undefined;
}
