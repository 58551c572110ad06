// Ground truth, from the tools that own each format rather than from Triad's parsers: dpkg-query
// and dpkg -S, apt's own history log, python3's importlib.metadata, ruby's Gem::Specification,
// node's module directories, skopeo's view of the image config, `go version -m` and unzip.
// Everything here only collects and splits tool output; the comparisons are in the tests.
import { e2eImage, exec as run, inImage } from './fixture.ts';

export interface DebTruth {
  name: string;
  version: string;
  arch: string;
  /** dpkg's db:Status-Status: installed, config-files, half-installed ... */
  status: string;
}

export async function dpkgPackages(): Promise<DebTruth[]> {
  const out = await inImage(['dpkg-query', '-W', '-f', '${Package}\\t${Version}\\t${Architecture}\\t${db:Status-Status}\\n']);
  return out.trim().split('\n').map((l) => {
    const [name, version, arch, status] = l.split('\t') as [string, string, string, string];
    return { name, version, arch, status };
  });
}

/** Owners of image paths per `dpkg -S` (several for shared directories); unowned paths are absent. */
export async function dpkgOwners(paths: string[]): Promise<Map<string, string[]>> {
  const owners = new Map<string, string[]>();
  for (let i = 0; i < paths.length; i += 200) {
    // dpkg -S exits 1 when one path is unowned; the others are still printed.
    const out = await inImage(['dpkg', '-S', ...paths.slice(i, i + 200)], { allowFail: true });
    for (const line of out.split('\n')) {
      const m = /^([^:]+(?::[a-z0-9-]+)?(?:, [^:]+(?::[a-z0-9-]+)?)*): (\/.*)$/.exec(line);
      if (!m || line.startsWith('diversion ')) continue;
      owners.set(m[2]!, m[1]!.split(', ').map((p) => p.replace(/:[a-z0-9-]+$/, '')));
    }
  }
  return owners;
}

export type AptAction = 'Install' | 'Upgrade' | 'Downgrade' | 'Reinstall' | 'Remove' | 'Purge';
export interface AptEvent {
  action: AptAction;
  name: string;
  arch: string;
  /** The version the package has after the event (Remove/Purge: the version removed). */
  version: string;
}
export interface AptRun {
  commandline: string;
  events: AptEvent[];
}

/** /var/log/apt/history.log: one block per apt run, in order, with what it changed. */
export async function aptHistory(): Promise<AptRun[]> {
  const text = await inImage(['cat', '/var/log/apt/history.log']);
  const runs: AptRun[] = [];
  for (const block of text.split(/\n\s*\n/)) {
    const commandline = /^Commandline: (.*)$/m.exec(block)?.[1];
    if (!commandline) continue;
    const events: AptEvent[] = [];
    for (const m of block.matchAll(/^(Install|Upgrade|Downgrade|Reinstall|Remove|Purge): (.*)$/gm)) {
      // "name:arch (version[, automatic])" or, for upgrades, "name:arch (old, new)", comma separated.
      for (const e of m[2]!.matchAll(/([^\s,:]+):([a-z0-9-]+) \(([^)]*)\)/g)) {
        const vs = e[3]!.split(', ').filter((v) => v !== 'automatic');
        const version = m[1] === 'Upgrade' || m[1] === 'Downgrade' ? vs[1]! : vs[0]!;
        events.push({ action: m[1] as AptAction, name: e[1]!, arch: e[2]!, version });
      }
    }
    runs.push({ commandline, events });
  }
  return runs;
}

/** The image's layers as its config records them (skopeo's reading, not Triad's). */
export async function configLayers(): Promise<Array<{ diffID: string; createdBy: string }>> {
  const img = await e2eImage();
  const cfg = JSON.parse((await run('skopeo', ['inspect', '--config', `docker-archive:${img.dockerArchive}`])).stdout) as {
    rootfs: { diff_ids: string[] };
    history: Array<{ created_by?: string; empty_layer?: boolean }>;
  };
  const made = cfg.history.filter((h) => !h.empty_layer);
  if (made.length !== cfg.rootfs.diff_ids.length) throw new Error(`config: ${made.length} layer-making history entries for ${cfg.rootfs.diff_ids.length} diff_ids`);
  return cfg.rootfs.diff_ids.map((diffID, i) => ({ diffID, createdBy: made[i]!.created_by ?? '' }));
}

/** A language package as the language's own runtime sees it, with the file that declares it. */
export interface LangTruth {
  name: string;
  version: string;
  /** Absolute image path of the metadata file or directory. */
  path: string;
}

/** Every distribution importlib.metadata finds on the image's sys.path. */
export async function pythonDistributions(): Promise<LangTruth[]> {
  // _path is the .dist-info/.egg-info location; importlib has no public accessor for it.
  const script = 'import importlib.metadata as m, json\n' + 'print(json.dumps([{"name": d.metadata["Name"], "version": d.version, "path": str(d._path)} for d in m.distributions()]))';
  return JSON.parse(await inImage(['python3', '-c', script])) as LangTruth[];
}

/**
 * Every gemspec RubyGems would consider, each loaded by RubyGems itself: the specification
 * directories of every Gem.path entry plus the default-gem directory. Listed per file rather than
 * through Gem::Specification.each, which keeps one spec per name-version and so hides a second
 * installed copy (libruby3.1's bundled rake next to Debian's rake package).
 */
export async function rubyGems(): Promise<LangTruth[]> {
  const script = [
    'require "json"',
    'files = (Gem::Specification.dirs + [Gem.default_specifications_dir]).uniq.flat_map { |d| Dir.glob(File.join(d, "*.gemspec")) }',
    'puts JSON.generate(files.map { |f| s = Gem::Specification.load(f); { name: s.name, version: s.version.to_s, path: f } })',
  ].join('\n');
  return JSON.parse(await inImage(['ruby', '-e', script])) as LangTruth[];
}

/**
 * The packages node can load from its global module directories (Debian puts node-* packages in
 * /usr/share/nodejs), nested node_modules included. Symlinked directories are followed as node
 * would, but a package is reported once, at its real path.
 */
export async function nodePackages(): Promise<LangTruth[]> {
  const script = `
const fs = require('fs'), path = require('path');
const roots = new Set([...require('module').globalPaths, '/usr/share/nodejs', '/usr/lib/nodejs', '/usr/lib/x86_64-linux-gnu/nodejs', '/usr/lib/node_modules', '/usr/local/lib/node_modules']);
const out = new Map();
const ls = (d) => { try { return fs.readdirSync(d); } catch { return []; } };
function pkg(dir) {
  let real;
  try { real = fs.realpathSync(path.join(dir, 'package.json')); } catch { return; }
  if (out.has(real)) return;
  try {
    const j = JSON.parse(fs.readFileSync(real, 'utf8'));
    if (typeof j.name === 'string' && typeof j.version === 'string') out.set(real, { name: j.name, version: j.version, path: real });
  } catch {}
  walk(path.join(path.dirname(real), 'node_modules'));
}
function walk(root) {
  for (const e of ls(root)) {
    if (e.startsWith('.')) continue;
    if (e.startsWith('@')) for (const s of ls(path.join(root, e))) pkg(path.join(root, e, s));
    else pkg(path.join(root, e));
  }
}
for (const r of roots) walk(r);
console.log(JSON.stringify([...out.values()]));`;
  return JSON.parse(await inImage(['node', '-e', script])) as LangTruth[];
}

export interface GoBinaryTruth {
  /** go1.19.8 */
  goVersion: string;
  main?: { path: string; version: string };
  /** Dependencies as linked: replacements applied. */
  deps: Array<{ path: string; version: string }>;
  settings: Map<string, string>;
}

/** `go version -m` on the exported root filesystem: every Go binary in it, keyed by image path. */
export async function goBinaries(rootfs: string): Promise<Map<string, GoBinaryTruth>> {
  const env = { ...process.env, GOFLAGS: '', GOTOOLCHAIN: 'local' };
  const out = (await run('go', ['version', '-m', rootfs], { env, timeoutMs: 600_000 })).stdout;
  const bins = new Map<string, GoBinaryTruth>();
  let cur: GoBinaryTruth | undefined;
  for (const line of out.split('\n')) {
    if (!line.startsWith('\t')) {
      const m = /^(.*): (go\S+)$/.exec(line);
      if (!m) continue;
      cur = { goVersion: m[2]!, deps: [], settings: new Map() };
      bins.set(m[1]!.slice(rootfs.length), cur);
      continue;
    }
    if (!cur) continue;
    const f = line.slice(1).split('\t');
    if (f[0] === 'mod') cur.main = { path: f[1]!, version: f[2]! };
    else if (f[0] === 'dep') cur.deps.push({ path: f[1]!, version: f[2]! });
    else if (f[0] === '=>') cur.deps[cur.deps.length - 1] = { path: f[1]!, version: f[2]! };
    else if (f[0] === 'build') {
      const i = f[1]!.indexOf('=');
      cur.settings.set(f[1]!.slice(0, i), f[1]!.slice(i + 1));
    }
  }
  return bins;
}

export interface JarTruth {
  /** Image path of the archive. */
  path: string;
  /** groupId:artifactId@version of every META-INF/maven/.../pom.properties inside. */
  poms: string[];
  /** Archives nested inside (the oracle does not descend into them). */
  nested: string[];
}

/** Regular-file Java archives of the exported root filesystem, read with unzip. */
export async function javaArchives(rootfs: string): Promise<JarTruth[]> {
  const found = (await run('find', [rootfs, '-type', 'f', '(', '-name', '*.jar', '-o', '-name', '*.war', '-o', '-name', '*.ear', ')'])).stdout.trim().split('\n').filter(Boolean);
  const out: JarTruth[] = [];
  for (const file of found.sort()) {
    const entries = (await run('unzip', ['-Z1', file])).stdout.split('\n');
    const poms: string[] = [];
    for (const e of entries.filter((x) => /^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/.test(x))) {
      const props = new Map<string, string>();
      for (const l of (await run('unzip', ['-p', file, e])).stdout.split(/\r?\n/)) {
        const i = l.indexOf('=');
        if (i > 0 && !l.startsWith('#')) props.set(l.slice(0, i).trim(), l.slice(i + 1).trim());
      }
      poms.push(`${props.get('groupId')}:${props.get('artifactId')}@${props.get('version')}`);
    }
    out.push({ path: file.slice(rootfs.length), poms, nested: entries.filter((x) => /\.(jar|war|ear)$/.test(x)) });
  }
  return out;
}

export interface LayerTruth {
  /** Layers per the image config. */
  layers: Array<{ diffID: string; createdBy: string }>;
  /** Every apt run of the history log with the layer whose RUN instruction ran it. */
  runs: Array<AptRun & { layer: number }>;
  /** Installed deb name -> the layer that put its current version there (0: debootstrap). */
  layerOf: Map<string, number>;
}

/**
 * Which layer installed each deb, from apt's history log: each RUN of the recipe is one apt run
 * whose Commandline appears in that layer's created_by; debootstrap's packages are not in the log
 * and are layer 0. An upgrade moves a package to the upgrading layer (its version changed there).
 */
export async function debLayerTruth(): Promise<LayerTruth> {
  const [layers, history] = await Promise.all([configLayers(), aptHistory()]);
  const runs = history.map((r) => {
    const hits = layers.map((l, i) => (l.createdBy.includes(r.commandline) ? i : -1)).filter((i) => i >= 0);
    if (hits.length !== 1) throw new Error(`apt run "${r.commandline}" matches layers [${hits.join(', ')}], expected exactly one`);
    return { ...r, layer: hits[0]! };
  });
  const layerOf = new Map<string, number>();
  for (const r of runs) {
    for (const e of r.events) {
      if (e.action === 'Remove' || e.action === 'Purge') layerOf.delete(e.name);
      // A reinstall keeps name and version: the package is still the one an earlier layer put there.
      else if (e.action !== 'Reinstall') layerOf.set(e.name, r.layer);
    }
  }
  return { layers, runs, layerOf };
}

/**
 * The files dpkg recorded for a package in the docker-archive's layers below `belowLayer`: its
 * info/<name>.list as the highest such layer holds it. This is how purged packages' contents are
 * known, since the final image no longer lists them.
 */
export async function listedFilesBefore(dockerArchive: string, pkg: string, belowLayer: number): Promise<string[]> {
  const manifest = JSON.parse((await run('tar', ['-xOf', dockerArchive, 'manifest.json'])).stdout) as Array<{ Layers: string[] }>;
  const layers = manifest[0]!.Layers;
  for (let i = Math.min(belowLayer, layers.length) - 1; i >= 0; i--) {
    for (const name of [`${pkg}.list`, `${pkg}:amd64.list`]) {
      // The layer tar is streamed out of the archive and the one member out of it; both paths are
      // ours (cache file, manifest entry), the package name comes from recipe.ts.
      const r = await run('sh', ['-c', `tar -xOf '${dockerArchive}' '${layers[i]}' | tar -xOf - 'var/lib/dpkg/info/${name}'`], { allowFail: true, timeoutMs: 300_000 });
      if (r.code === 0 && r.stdout.trim()) return r.stdout.trim().split('\n');
    }
  }
  throw new Error(`no var/lib/dpkg/info/${pkg}.list in layers below ${belowLayer}`);
}
