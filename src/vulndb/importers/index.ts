// Every advisory importer Triad knows, in the order `triad db import` tries to detect formats
// (most specific first). Each importer lives in its own folder beside its tests and fixtures.

import type { Importer } from '../importer.ts';

export const ALL_IMPORTERS: Importer[] = [
];
