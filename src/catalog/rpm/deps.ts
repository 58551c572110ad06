// Resolves rpm requirements (REQUIRENAME) to the installed packages that satisfy them, the way rpm
// does at install time: a capability is satisfied by a package that provides it (PROVIDENAME, which
// includes the package's own name), and a path requirement ("/bin/sh") also by the package that
// installs that file. Version ranges are not checked: the database is a consistent installed set.

export interface DepInput {
  name: string;
  provides: string[];
  requires: string[];
  /** Installed files without the leading '/'. */
  files: string[];
}

/** For each package, the sorted names of the other packages it depends on. */
export function resolveDependencies(pkgs: DepInput[]): string[][] {
  const providers = new Map<string, number[]>();
  const add = (cap: string, i: number) => {
    const list = providers.get(cap);
    if (!list) providers.set(cap, [i]);
    else if (list[list.length - 1] !== i) list.push(i);
  };
  pkgs.forEach((p, i) => {
    add(p.name, i);
    for (const cap of p.provides) add(cap, i);
  });

  // Only files that somebody requires are indexed: images have 100k+ files and a few dozen file
  // requirements.
  const wantedFiles = new Set<string>();
  for (const p of pkgs) for (const r of p.requires) if (r.startsWith('/') && !providers.has(r)) wantedFiles.add(r.slice(1));
  if (wantedFiles.size) {
    pkgs.forEach((p, i) => {
      for (const f of p.files) if (wantedFiles.has(f)) add(`/${f}`, i);
    });
  }

  return pkgs.map((p, i) => {
    const names = new Set<string>();
    for (const r of p.requires) {
      // rpmlib(...) features are provided by rpm itself, not by a package.
      if (r.startsWith('rpmlib(')) continue;
      const list = providers.get(r);
      // Unresolvable requirements (e.g. rich dependencies such as "(a if b)") are skipped, and a
      // package that satisfies its own requirement does not depend on anyone for it.
      if (!list || list.includes(i)) continue;
      const dep = pkgs[list[0]!]!.name;
      if (dep !== p.name) names.add(dep);
    }
    return [...names].sort();
  });
}
