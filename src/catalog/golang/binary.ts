// Go binary -> packages: the main module, every linked dependency module (replacements applied)
// and the standard library of the toolchain that built it, as Trivy reports them.
import type { FoundPackage } from '../cataloger.ts';
import { type ModInfo, type Module, ldflagsVersion, parseModInfo, stdlibVersion } from './modinfo.ts';
import type { RawBuildInfo } from './buildinfo.ts';
import { purl } from '../../purl/purl.ts';

/** Build settings copied into the main module's metadata (the rest is compiler noise). */
const KEPT_SETTINGS = new Set([
  '-buildmode',
  '-compiler',
  '-ldflags',
  '-tags',
  '-trimpath',
  'CGO_ENABLED',
  'GOOS',
  'GOARCH',
  'GOAMD64',
  'GOARM',
  'GOEXPERIMENT',
  'vcs',
  'vcs.revision',
  'vcs.time',
  'vcs.modified',
]);

const DEVEL = '(devel)';

export function goPackages(location: string, raw: RawBuildInfo, warnings: string[]): FoundPackage[] {
  const info: ModInfo = parseModInfo(raw.modinfo);
  const settings = new Map(info.settings);
  const out: FoundPackage[] = [];
  const goVersion = raw.goVersion.trim();
  const depNames: string[] = [];

  for (const d of info.deps) {
    const p = depPackage(location, d, warnings);
    if (p) {
      out.push(p);
      depNames.push(`${p.name}@${p.version}`);
    }
  }

  const std = stdlibVersion(goVersion);
  if (std) {
    out.push({
      name: 'stdlib',
      version: std,
      ecosystem: 'golang',
      purl: goPurl('stdlib', std, warnings),
      licenses: ['BSD-3-Clause'],
      locations: [location],
      metadata: { goVersion },
    });
    depNames.push(`stdlib@${std}`);
  }
  // Otherwise a development or vendor-internal toolchain built it (go1.25-20250209-RC00): there is
  // no release to report; the main module's goVersion metadata still says what it was.

  // A binary built outside module mode (GOPATH, `go run x.go`) has no main module line.
  if (info.main) {
    const m = info.main;
    let version = m.version;
    const metadata: Record<string, string | boolean> = { main: true, goVersion };
    if (info.path) metadata.packagePath = info.path;
    if (version === DEVEL || version === '') {
      const stamped = ldflagsVersion(settings.get('-ldflags') ?? '');
      if (stamped) {
        version = stamped;
        metadata.versionSource = 'ldflags';
      } else {
        // Kept so the SBOM shows the program, but the version is not a release: no purl version.
        version = DEVEL;
        metadata.develVersion = true;
      }
    }
    for (const [k, v] of info.settings) if (KEPT_SETTINGS.has(k)) metadata[`build.${k}`] = v;
    out.unshift({
      name: m.path,
      version,
      ecosystem: 'golang',
      purl: goPurl(m.path, version === DEVEL ? '' : version, warnings),
      licenses: [],
      locations: [location],
      metadata,
      dependsOnNames: depNames,
    });
  }
  return out;
}

function depPackage(location: string, d: Module, warnings: string[]): FoundPackage | undefined {
  const metadata: Record<string, string | boolean> = {};
  let path = d.path;
  let version = d.version;
  if (d.replace) {
    if (!isLocalPath(d.replace.path)) {
      // A module replacement is what was actually compiled in.
      path = d.replace.path;
      version = d.replace.version;
      metadata.replaces = `${d.path}@${d.version}`;
      if (d.replace.sum) metadata.sum = d.replace.sum;
    } else {
      // Replaced by a local directory: there is no upstream version for the code that was used,
      // so keep the required one and say where the code came from.
      metadata.localReplace = d.replace.path;
      if (d.sum) metadata.sum = d.sum;
    }
  } else if (d.sum) {
    metadata.sum = d.sum;
  }
  if (!path || !version) return undefined;
  // Some build systems (Bazel's rules_go) record first-party code as a "(devel)" dependency.
  if (version === DEVEL) metadata.develVersion = true;
  return {
    name: path,
    version,
    ecosystem: 'golang',
    purl: goPurl(path, version === DEVEL ? '' : version, warnings),
    licenses: [],
    locations: [location],
    metadata,
  };
}

/** Go's rule for a replacement that names a directory rather than a module. */
function isLocalPath(p: string): boolean {
  return p === '.' || p === '..' || /^\.{1,2}[/\\]/.test(p) || p.startsWith('/') || /^[A-Za-z]:[/\\]/.test(p) || p.startsWith('\\');
}

/** pkg:golang/<module path>: the last element is the name, the rest the namespace. */
function goPurl(path: string, version: string, warnings: string[]): string {
  const i = path.lastIndexOf('/');
  const parts = { type: 'golang', namespace: i > 0 ? path.slice(0, i) : undefined, name: i > 0 ? path.slice(i + 1) : path };
  try {
    return purl({ ...parts, version: version || undefined });
  } catch {
    try {
      // packageurl-js refuses "v"-prefixed versions that are not semver; keep the package anyway.
      warnings.push(`${path}@${version}: not a valid purl version`);
      return purl(parts);
    } catch {
      return `pkg:golang/${encodeURIComponent(path)}`;
    }
  }
}
