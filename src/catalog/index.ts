// The catalogers Triad runs by default, in one list. Adding an ecosystem = one folder under
// src/catalog/ with a Cataloger, and one line here.
import type { CatalogSet } from '../scan/inventory.ts';
import type { Cataloger } from './cataloger.ts';
import { apkCataloger } from './apk/index.ts';
import { dotnetCataloger } from './dotnet/index.ts';
import { dpkgCataloger } from './dpkg/index.ts';
import { goCataloger } from './golang/index.ts';
import { goModCataloger } from './golang/gomod.ts';
import { javaCataloger } from './java/index.ts';
import { npmCataloger } from './npm/index.ts';
import { identifyOS, osReleaseCataloger } from './osrelease/index.ts';
import { phpCataloger } from './php/index.ts';
import { pythonCataloger } from './python/index.ts';
import { rpmCataloger } from './rpm/index.ts';
import { rubyCataloger } from './ruby/index.ts';
import { rustCataloger } from './rust/index.ts';
import { runtimeCataloger } from './runtime/index.ts';

export const ALL_CATALOGERS: readonly Cataloger[] = [
  osReleaseCataloger,
  dpkgCataloger,
  apkCataloger,
  rpmCataloger,
  npmCataloger,
  pythonCataloger,
  javaCataloger,
  goCataloger,
  goModCataloger,
  rustCataloger,
  rubyCataloger,
  phpCataloger,
  dotnetCataloger,
  runtimeCataloger,
];

export function defaultCatalogSet(only?: readonly string[]): CatalogSet {
  const catalogers = only?.length ? ALL_CATALOGERS.filter((c) => c.name === osReleaseCataloger.name || only.includes(c.name)) : ALL_CATALOGERS;
  return { catalogers, identifyOS, osCataloger: osReleaseCataloger.name };
}
