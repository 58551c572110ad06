import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { hasSharedData, sharedData } from '../../test/shared-data.ts';
import { parseRE2, re2ToJS } from './re2.ts';
import { compileRuleFiles, loadRules, readRuleFile, DEFAULT_RULES_PATH } from './rules.ts';
import { redact, SecretScanner, secretOf, shannonEntropy } from './scanner.ts';
import { prng, sample } from './testing.ts';
import type { RuleSpec } from './types.ts';

const set = loadRules();
const scanner = new SecretScanner(set);
const specs = new Map((readRuleFile(DEFAULT_RULES_PATH).rules ?? []).map((r) => [r.id, r] as const));

test('the default rules load without errors and cover gitleaks plus Triad rules', () => {
  assert.deepEqual(set.errors, []);
  assert.ok(set.rules.length >= 224);
  for (const id of ['aws-access-token', 'github-pat', 'gitlab-pat', 'slack-webhook-url', 'stripe-access-token', 'private-key', 'jwt', 'database-url-password', 'generic-api-key', 'microsoft-teams-webhook']) {
    assert.ok(set.rules.some((r) => r.id === id), id);
  }
});

const PATHS = ['app/config.txt', 'app/secret.yaml', 'app/nuget.config', 'app/cert.p12', 'app/settings.py', 'app/index.php', 'infra/main.tf'];

test('recall: a generated true positive of every regex rule is found, with its exact secret', () => {
  const globals = set.allowlists.flatMap((a) => a.stopwords);
  const missed: string[] = [];
  let tried = 0;
  for (const rule of set.rules) {
    if (!rule.regex) continue;
    const spec = specs.get(rule.id) as RuleSpec;
    const fullRe = parseRE2(spec.regex!);
    const exact = new RegExp(re2ToJS(spec.regex!), 'u');
    const path = PATHS.find((p) => !rule.path || rule.path.test(p))!;
    const rnd = prng(rule.id.length * 7919 + rule.id.charCodeAt(0));
    let line: string | undefined;
    let secret = '';
    // The sample must be a positive by the rule's own definition: matched by the untransformed
    // pattern, entropy and digit requirements met, no stopword. (Generated, as gitleaks' tests do.)
    for (let attempt = 0; attempt < 200 && !line; attempt++) {
      const s = sample(fullRe, rnd);
      const text = `value ${s}\n`;
      const mm = exact.exec(text);
      if (!mm) continue;
      secret = pickSecret(mm, rule.secretGroup);
      if (rule.entropy && shannonEntropy(secret) <= rule.entropy) continue;
      if (rule.requireDigit && !/\d/.test(secret)) continue;
      const low = secret.toLowerCase();
      if ([...globals, ...rule.allowlists.flatMap((a) => a.stopwords)].some((w) => low.includes(w))) continue;
      if (rule.allowlists.some((a) => a.regexes.some((re) => re.test(secret) || re.test(mm[0])))) continue;
      line = text;
    }
    assert.ok(line, `${rule.id}: no sample generated`);
    tried++;
    // A keyword-gated rule (the keyword is not part of the token) needs the keyword in the file.
    const gate = rule.keywords.some((k) => line!.toLowerCase().includes(k)) ? 'settings' : rule.keywords[0];
    const content = `# ${gate}\n${line}`;
    const r = scanner.scan(path, Buffer.from(content));
    const f = r.findings.find((x) => x.ruleId === rule.id || (rule.fallback && secretOf(x) === secret));
    if (!f || (f.ruleId === rule.id && secretOf(f) !== secret)) missed.push(`${rule.id}: ${JSON.stringify(line)} -> ${JSON.stringify(r.findings.map((x) => [x.ruleId, secretOf(x)]))}`);
    else {
      // Line and column point at the secret itself.
      const lines = content.split('\n');
      const at = lines.slice(0, f.startLine - 1).join('\n').length + (f.startLine > 1 ? 1 : 0) + f.startColumn - 1;
      assert.equal(content.slice(at, at + secretOf(f)!.length), secretOf(f), rule.id);
      assert.ok(f.startLine >= 2, rule.id);
    }
  }
  assert.ok(tried > 200);
  assert.deepEqual(missed, []);
});

function pickSecret(m: RegExpExecArray, group?: number): string {
  if (group) return m[group] ?? '';
  for (let g = 1; g < m.length; g++) if (m[g]) return m[g]!;
  return m[0];
}

const DS = 'secrets/detect-secrets/test_data';
const GL = 'secrets/gitleaks/testdata';

test('recall on real files: gitleaks and detect-secrets test data', { skip: !hasSharedData(DS) || !hasSharedData(GL) }, () => {
  const expect: Array<[string, string, string]> = [
    // [file, rule, secret prefix]
    [`${GL}/repos/nogit/.env.prod`, 'generic-api-key', '8ae31cacf141669ddfb5da'],
    [`${GL}/archives/files/.env.prod`, 'generic-api-key', '8ae31cacf141669ddfb5da'],
    [`${GL}/repos/symlinks/source_file/id_ed25519`, 'private-key', '-----BEGIN OPENSSH PRIVATE KEY-----'],
    [`${DS}/files/private_key`, 'private-key', '-----BEGIN OPENSSH PRIVATE KEY-----'],
    [`${DS}/config.md`, 'generic-api-key', 'ToCynx5Se4e2PtoZxEhW7lUJcOX15c54'],
    [`${DS}/config.ini`, 'generic-api-key', 'vh987tyw9ehy8ghis7vwyhiwbwitefy7w3ASDGYDGUASDG'],
  ];
  for (const [file, rule, prefix] of expect) {
    const r = scanner.scan(file, readFileSync(sharedData(file)));
    assert.ok(
      r.findings.some((f) => f.ruleId === rule && secretOf(f)!.startsWith(prefix)),
      `${file}: ${rule} ${prefix} not in ${JSON.stringify(r.findings.map((f) => f.ruleId))}`,
    );
  }
  // detect-secrets' inline pragma suppresses: config.ini line 25 and config.yaml's allowlisted key.
  const ini = scanner.scan('config.ini', readFileSync(sharedData(`${DS}/config.ini`)));
  assert.ok(!ini.findings.some((f) => f.startLine === 25));
  const yaml = scanner.scan('config.yaml', readFileSync(sharedData(`${DS}/config.yaml`)));
  assert.ok(!yaml.findings.some((f) => f.startLine === 10), JSON.stringify(yaml.findings));
  // AKIATESTTESTTESTTEST (detect-secrets' AWS fixture) is a dummy: four characters repeated.
  assert.ok(!yaml.findings.some((f) => f.ruleId === 'aws-access-token'));
});

test('redaction: first 4 characters then asterisks; the secret never in the JSON', () => {
  assert.equal(redact('ghp_abcdefghijklmnopqrstuvwxyz0123456789'), 'ghp_' + '*'.repeat(32));
  assert.equal(redact('abcdefgh'), 'ab******');
  assert.equal(redact('abc'), '****');
  const token = 'ghp_' + 'aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5';
  const r = scanner.scan('x.env', Buffer.from(`GITHUB_TOKEN=${token}\n`));
  assert.equal(r.findings.length, 1);
  assert.equal(secretOf(r.findings[0]!), token);
  assert.ok(!JSON.stringify(r).includes(token.slice(4)));
});

test('user rule files: add a rule, disable one by id, bad regex reported not dropped', () => {
  const s = compileRuleFiles([
    { name: 'default', file: readRuleFile(DEFAULT_RULES_PATH) },
    {
      name: 'mine.yaml',
      file: {
        rules: [
          { id: 'acme-token', title: 'ACME token', severity: 'HIGH', regex: '\\bacme_[0-9a-f]{16}\\b', keywords: ['acme_'] },
          { id: 'broken', regex: '(?U)a+' },
        ],
        disable: ['github-pat', 'no-such-rule'],
      },
    },
  ]);
  assert.ok(s.rules.some((r) => r.id === 'acme-token'));
  assert.ok(!s.rules.some((r) => r.id === 'github-pat'));
  assert.ok(s.errors.some((e) => e.includes('broken') && e.includes('(?U)')));
  assert.ok(s.errors.some((e) => e.includes('no-such-rule')));
  const sc = new SecretScanner(s);
  const found = sc.scan('a.txt', Buffer.from('x acme_9f3a71c04be2d586 y\nGITHUB=ghp_aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5\n')).findings.map((f) => f.ruleId);
  assert.deepEqual(found, ['acme-token']);
});

test('gitleaks TOML config loads as a rule file', { skip: !hasSharedData('secrets/gitleaks/config/gitleaks.toml') }, () => {
  const s = loadRules([sharedData('secrets/gitleaks/config/gitleaks.toml')], { noDefault: true });
  assert.deepEqual(s.errors, []);
  assert.equal(s.rules.length, 222);
});

test('bad input: binaries, size bound, invalid UTF-8, giant lines, time budget', () => {
  const key = 'ghp_aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5';
  assert.equal(scanner.scan('a.txt', Buffer.from(`x\0y ${key}`)).skipped, 'binary');
  const small = new SecretScanner(set, { maxFileSize: 100 });
  assert.equal(small.scan('a.txt', Buffer.alloc(101, 'a')).skipped, 'too-large');
  const latin = Buffer.concat([Buffer.from('caf\xe9 token=', 'latin1'), Buffer.from(`${key}\n`)]);
  const r = scanner.scan('a.txt', latin);
  assert.match(r.warning ?? '', /invalid UTF-8/);
  assert.equal(r.findings[0]?.ruleId, 'github-pat');
  // 8 MiB on one line, keywords everywhere, the token at the end: found, quickly.
  const giant = Buffer.from('key=value;api:auth,token '.repeat(330_000) + ` ${key}\n`);
  const t0 = performance.now();
  const g = scanner.scan('bundle.min.js', giant);
  assert.ok(performance.now() - t0 < 20_000);
  assert.ok(g.findings.some((f) => f.ruleId === 'github-pat') || g.skipped === 'time-budget');
  // A tiny budget stops the scan of a big file and says so.
  const hurried = new SecretScanner(set, { timeBudgetMs: 1 });
  const h = hurried.scan('bundle.min.js', giant);
  assert.equal(h.skipped, 'time-budget');
});
