// Every advisory importer Triad knows, in the order `triad db import` tries to detect formats
// (most specific first). Each importer lives in its own folder beside its tests and fixtures.

import type { Importer } from '../importer.ts';
import { alpineImporter } from './alpine/index.ts';
import { chainguardImporter, wolfiImporter } from './wolfi/index.ts';

export const ALL_IMPORTERS: Importer[] = [
  alpineImporter,
  wolfiImporter,
  chainguardImporter,
];
