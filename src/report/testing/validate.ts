// Schema validators for the report tests: Triad's JSON report schema (draft-07) and the SARIF
// 2.1.0 schema vendored in ../schemas (draft-04: loaded with its top-level `id` as `$id`, the only
// draft-04-only keyword it uses; see ../schemas/README.md). CycloneDX comes from the SBOM tests.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

export { cycloneDXValidator, formatErrors } from '../../sbom/tests/validate.ts';

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv) => Ajv;
const SCHEMAS = join(dirname(fileURLToPath(import.meta.url)), '..', 'schemas');
const readJson = (name: string) => JSON.parse(readFileSync(join(SCHEMAS, name), 'utf8')) as Record<string, unknown>;

let report: ValidateFunction | undefined;
let sarif: ValidateFunction | undefined;

export function reportValidator(): ValidateFunction {
  if (!report) {
    const ajv = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true });
    addFormats(ajv);
    report = ajv.compile(readJson('triad-report.schema.json'));
  }
  return report;
}

export function sarifValidator(): ValidateFunction {
  if (!sarif) {
    const schema = readJson('sarif-2.1.0-rtm.5.json');
    const { id, $schema: _draft04, ...rest } = schema;
    // unicodeRegExp: false because the schema's `language` pattern has a stray ']' that only the
    // non-Unicode regular-expression grammar (the one JSON Schema's ECMA-262 dialect means) accepts.
    const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
    addFormats(ajv);
    const draft07: Record<string, unknown> = { $id: id, ...rest };
    sarif = ajv.compile(draft07);
  }
  return sarif;
}
