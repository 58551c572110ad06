// Every advisory importer Triad knows, in the order `triad db import` tries to detect formats
// (most specific first). Each importer lives in its own folder beside its tests and fixtures.

import type { Importer } from '../importer.ts';
import { epssImporter } from './epss/index.ts';
import { kevImporter } from './kev/index.ts';
import { nvdImporter } from './nvd/index.ts';
import { alpineImporter } from './alpine/index.ts';
import { debianImporter } from './debian/index.ts';
import { redhatImporter } from './redhat/index.ts';
import { ubuntuImporter } from './ubuntu/index.ts';
import { chainguardImporter, wolfiImporter } from './wolfi/index.ts';
import { osvImporter } from './osv/index.ts';
import { rustsecImporter } from './rustsec/index.ts';
import { rubysecImporter } from './rubysec/index.ts';
import { friendsOfPhpImporter } from './friendsofphp/index.ts';
import { nodejsImporter } from './nodejs/index.ts';

export const ALL_IMPORTERS: Importer[] = [
  alpineImporter,
  wolfiImporter,
  chainguardImporter,
  debianImporter,
  ubuntuImporter,
  redhatImporter,
  // language databases; OSV last among them: its detection (an "id" plus OSV fields) is the loosest
  rustsecImporter,
  rubysecImporter,
  friendsOfPhpImporter,
  nodejsImporter,
  osvImporter,
  // enrichment by CVE (KEV, EPSS, NVD CVSS): last, their detectors only look for their own shapes
  kevImporter,
  epssImporter,
  nvdImporter,
];
