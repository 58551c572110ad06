// Secrets in environment variables and build arguments, by name and by value. Shared by the
// Dockerfile lint (ARG/ENV lines) and the image checks (config Env, history). Names alone are
// noisy: official images carry `GPG_KEY=<fingerprint>` and `*_SHA256` digests, and apps point at
// secret files with `*_FILE` or `*_PATH`; those are not secrets and are skipped.

/** Names that announce a secret. */
const SECRET_NAME = /(PASSWORD|PASSWD|PASSPHRASE|(^|_)PASS$|(^|_)PWD$|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|SECRET_?KEY|AUTH_?KEY|CLIENT_?SECRET|CREDENTIALS?$|(^|_)KEY$)/i;
/** Names that look secret-ish but hold public or indirect values. */
const NOT_SECRET_NAME = /(GPG|PGP|FINGERPRINT|PUBLIC|_FILE$|_PATH$|_DIR$|_ID$|_URL$|_URI$|_HOST$|_PORT$|_USER(NAME)?$|_NAME$|_SHA\d*$|_CHECKSUM$|_LENGTH$|_TYPE$|_ALGORITHM$|_HEADER$|_EXPIRY$|_TTL$|_TIMEOUT$)/i;
/** Values that are obviously not the secret itself. */
const PLACEHOLDER = /^(|\$.*|true|false|yes|no|none|null|nil|0|1|-|\*+|<.*>|\{\{.*\}\}|\/[\w./-]*)$/i;

/** Value patterns of real credentials, whatever the variable is called. */
const VALUE_PATTERNS: Array<{ name: string; re: RegExp }> = [
  { name: 'AWS access key id', re: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { name: 'GitHub token', re: /\bgh[pousr]_[A-Za-z0-9]{36,}\b/ },
  { name: 'GitLab token', re: /\bglpat-[A-Za-z0-9_-]{20,}\b/ },
  { name: 'Slack token', re: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/ },
  { name: 'Stripe key', re: /\b[rs]k_live_[A-Za-z0-9]{20,}\b/ },
  { name: 'Google API key', re: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { name: 'private key', re: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  { name: 'URL with a password', re: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/]+:[^\s@/$]{3,}@/i },
  { name: 'npm token', re: /\bnpm_[A-Za-z0-9]{36}\b/ },
];

export interface SecretHit {
  name: string;
  /** Why it is considered a secret. */
  reason: string;
  /** Redacted value: first 4 characters then asterisks. */
  redacted: string;
}

export function redact(v: string): string {
  return v.length <= 4 ? '*'.repeat(v.length) : v.slice(0, 4) + '*'.repeat(Math.min(16, v.length - 4));
}

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name) && !NOT_SECRET_NAME.test(name);
}

/** A secret in `name=value`, or undefined. */
export function secretInVariable(name: string, value: string): SecretHit | undefined {
  const v = value.trim().replace(/^(["'])(.*)\1$/, '$2');
  for (const p of VALUE_PATTERNS) {
    if (p.re.test(v)) return { name, reason: `value looks like a ${p.name}`, redacted: redact(v) };
  }
  if (isSecretName(name) && !PLACEHOLDER.test(v)) return { name, reason: `name ${name} suggests a secret and it has a value`, redacted: redact(v) };
  return undefined;
}
