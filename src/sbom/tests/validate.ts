// Schema validators for the tests: CycloneDX 1.6 from the schema files the installed
// @cyclonedx/cyclonedx-library ships (draft-07), SPDX 2.3 from the schema vendored in ../schemas
// (draft 2019-09). Each schema is compiled with the Ajv flavour of its own draft.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS with `exports.default`; under Node's ESM interop the default import is the
// module object, so take `.default` when it is there.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv) => Ajv;

const require = createRequire(import.meta.url);
const CDX_SCHEMA_DIR = join(dirname(require.resolve('@cyclonedx/cyclonedx-library/package.json')), 'res', 'schema');
const SPDX_SCHEMA = join(dirname(fileURLToPath(import.meta.url)), '..', 'schemas', 'spdx-schema-2.3.json');

const readJson = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;

/** ajv-formats lacks the internationalised formats CycloneDX uses; check their gist instead of ignoring them. */
function addIriFormats(ajv: Ajv): void {
  ajv.addFormat('iri-reference', /^[^\s<>"{}|\\^`]*$/u);
  ajv.addFormat('idn-email', /^[^\s@]+@[^\s@]+$/u);
}

let cdx: ValidateFunction | undefined;
let spdx: ValidateFunction | undefined;

export function cycloneDXValidator(): ValidateFunction {
  if (!cdx) {
    // strict: false because the official schemas use annotation keywords Ajv does not know ("meta:enum").
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    addIriFormats(ajv);
    // The bom schema $refs these by their .SNAPSHOT file names, relative to its own $id.
    ajv.addSchema(readJson(join(CDX_SCHEMA_DIR, 'spdx.SNAPSHOT.schema.json')), 'http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json');
    ajv.addSchema(readJson(join(CDX_SCHEMA_DIR, 'jsf-0.82.SNAPSHOT.schema.json')), 'http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json');
    cdx = ajv.compile(readJson(join(CDX_SCHEMA_DIR, 'bom-1.6.SNAPSHOT.schema.json')));
  }
  return cdx;
}

export function spdxValidator(): ValidateFunction {
  if (!spdx) {
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    addFormats(ajv as unknown as Ajv);
    spdx = ajv.compile(readJson(SPDX_SCHEMA));
  }
  return spdx;
}

export function formatErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).slice(0, 20).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`).join('\n');
}
