// Regenerates default.yaml from gitleaks' default config (facts: provider token formats, keywords,
// entropy thresholds, known dummy values) plus Triad's own rules and package-noise allowlists.
//   scripts/with-node.sh src/secret/rules/import-gitleaks.ts ../shared/data/secrets/gitleaks/config/gitleaks.toml
// The output is committed; edit triad-additions.yaml (not default.yaml) for Triad's own entries.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml, stringify } from 'yaml';
import { gitleaksToRuleFile, parseTomlSubset } from '../gitleaks-toml.ts';
import type { AllowlistSpec, RuleFile, RuleSpec, SecretSeverity } from '../types.ts';

const here = dirname(fileURLToPath(import.meta.url));
const src = process.argv[2];
if (!src) {
  console.error('usage: import-gitleaks.ts GITLEAKS_TOML');
  process.exit(2);
}
const gl = gitleaksToRuleFile(parseTomlSubset(readFileSync(src, 'utf8'), src), src);
const additions = parseYaml(readFileSync(join(here, 'triad-additions.yaml'), 'utf8')) as RuleFile & {
  dropGlobalPaths?: string[];
  overrides?: Record<string, Partial<RuleSpec>>;
  appendAllowlists?: Record<string, AllowlistSpec[]>;
};

const ACRONYMS: Record<string, string> = {
  api: 'API', aws: 'AWS', gcp: 'GCP', pat: 'PAT', jwt: 'JWT', ci: 'CI', cicd: 'CI/CD', id: 'ID', url: 'URL', ad: 'AD', ca: 'CA',
  npm: 'npm', pypi: 'PyPI', tf: 'Terraform', oauth: 'OAuth', ptt: 'pipeline trigger token', rrt: 'runner registration token',
  scim: 'SCIM', pkcs12: 'PKCS #12', yaml: 'YAML', droneci: 'Drone CI', travisci: 'Travis CI', github: 'GitHub', gitlab: 'GitLab',
  openai: 'OpenAI', nytimes: 'NYTimes', sendgrid: 'SendGrid', digitalocean: 'DigitalOcean', hubspot: 'HubSpot', planetscale: 'PlanetScale',
  huggingface: 'Hugging Face', launchdarkly: 'LaunchDarkly', mailchimp: 'Mailchimp', linkedin: 'LinkedIn', jfrog: 'JFrog', '1password': '1Password',
};
const titleOf = (id: string) =>
  id
    .split('-')
    .map((w, k) => ACRONYMS[w] ?? (k === 0 ? w[0]!.toUpperCase() + w.slice(1) : w))
    .join(' ');

/** Impact, not likelihood: keys that open cloud accounts or decrypt everything first; identifiers last. */
function severityOf(id: string): SecretSeverity {
  if (/^(private-key|pkcs12-file|aws-|gcp-|azure-|alibaba-access|alibaba-secret|yandex-aws|1password-secret-key|age-secret-key)/.test(id)) return 'CRITICAL';
  if (/(-client-id|-access-id|-user-api-id|-public-key|-pub-key|pub-api-key|browser-api-token)$/.test(id)) return 'LOW';
  if (/^(generic-|jwt|curl-|kubernetes-secret-yaml)|test-api-token$/.test(id)) return 'MEDIUM';
  return 'HIGH';
}

const rules: RuleSpec[] = [];
for (const r of gl.rules ?? []) {
  const out: RuleSpec = { ...r, title: titleOf(r.id), severity: severityOf(r.id) };
  if (r.id.startsWith('generic-')) {
    // gitleaks: generic findings need a digit (words are not secrets) and yield to specific rules.
    out.requireDigit = true;
    out.fallback = true;
  }
  Object.assign(out, additions.overrides?.[r.id] ?? {});
  const more = additions.appendAllowlists?.[r.id];
  if (more) out.allowlists = [...(out.allowlists ?? []), ...more];
  rules.push(out);
}
for (const r of additions.rules ?? []) {
  if (rules.some((x) => x.id === r.id)) throw new Error(`triad-additions.yaml: duplicate rule id ${r.id}`);
  rules.push({ ...r, title: r.title ?? titleOf(r.id), severity: r.severity ?? severityOf(r.id) });
}

const drop = new Set(additions.dropGlobalPaths ?? []);
const globals: AllowlistSpec[] = (gl.allowlists ?? []).map((a) => ({ ...a, paths: a.paths?.filter((p) => !drop.has(p)) }));
for (const d of drop) if (!(gl.allowlists ?? []).some((a) => a.paths?.includes(d))) throw new Error(`dropGlobalPaths: ${d} is not in the gitleaks config`);
globals.push(...(additions.allowlists ?? []));

const header = readFileSync(join(here, 'default-header.txt'), 'utf8');
const body = stringify({ allowlists: globals, rules } satisfies RuleFile, { lineWidth: 0, defaultStringType: 'QUOTE_SINGLE', defaultKeyType: 'PLAIN' });
writeFileSync(join(here, 'default.yaml'), header + body);
console.log(`default.yaml: ${rules.length} rules (${(gl.rules ?? []).length} from gitleaks), ${globals.length} global allowlists`);
