// `triad image verify <ref>`: verify an image's cosign signatures (key-based or keyless) as cosign
// verify does, offline with respect to Sigstore: keyless needs a trusted_root.json (--trusted-root),
// never fetched. Signatures come from the registry, or from --signatures DIR for air-gapped use.
// Exit codes: 0 verified, 1 not verified, 2 unusable input (bad key file, bad flags).
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Attestor, ImageVerification } from '../signature/types.ts';
import { verifyImageSignatures } from '../signature/verify-image.ts';

interface VerifyFlags {
  key?: string[];
  certificateIdentity?: string;
  certificateIdentityRegexp?: string;
  certificateOidcIssuer?: string;
  certificateOidcIssuerRegexp?: string;
  trustedRoot?: string;
  signatures?: string;
  digest?: string;
  required: string;
  format: 'table' | 'json';
  insecure?: boolean;
  username?: string;
  password?: string;
  dockerConfig?: string;
}

class UsageError extends Error {}

function attestorsFrom(f: VerifyFlags): Attestor[] {
  const out: Attestor[] = [];
  for (const path of f.key ?? []) {
    let pem: string;
    try {
      pem = readFileSync(path, 'utf8');
    } catch (e) {
      throw new UsageError(`--key ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
    if (pem.length > 64 * 1024 || !pem.includes('-----BEGIN PUBLIC KEY-----')) throw new UsageError(`--key ${path}: not a PEM public key`);
    out.push({ type: 'key', name: path, publicKey: pem });
  }
  const keyless = f.certificateIdentity ?? f.certificateIdentityRegexp ?? f.certificateOidcIssuer ?? f.certificateOidcIssuerRegexp;
  if (keyless !== undefined) {
    if (f.certificateIdentity === undefined && f.certificateIdentityRegexp === undefined) throw new UsageError('keyless verification needs --certificate-identity or --certificate-identity-regexp');
    if (f.certificateOidcIssuer === undefined && f.certificateOidcIssuerRegexp === undefined) throw new UsageError('keyless verification needs --certificate-oidc-issuer or --certificate-oidc-issuer-regexp');
    if (!f.trustedRoot) throw new UsageError('keyless verification needs --trusted-root FILE (a Sigstore trusted_root.json; Triad never fetches one)');
    out.push({
      type: 'keyless',
      name: 'keyless',
      subject: f.certificateIdentity,
      subjectRegExp: f.certificateIdentityRegexp,
      issuer: f.certificateOidcIssuer,
      issuerRegExp: f.certificateOidcIssuerRegexp,
      trustedRoot: f.trustedRoot,
    });
  }
  if (out.length === 0) throw new UsageError('give --key PEM, or --certificate-identity and --certificate-oidc-issuer (keyless)');
  return out;
}

function renderTable(r: ImageVerification): string {
  const lines = [`${r.verified ? 'VERIFIED' : 'NOT VERIFIED'}  ${r.image}${r.digest && !r.image.endsWith(r.digest) ? `@${r.digest}` : ''}  (${r.signers.length}/${r.required} attestors, ${r.found} signatures found)`];
  for (const s of r.signers) lines.push(`  signed by ${s.identity}${s.issuer ? ` (issuer ${s.issuer})` : ''}${s.signedAt ? ` at ${s.signedAt}` : ''} [${s.attestor}] — ${s.source}`);
  if (!r.verified) for (const why of r.reasons) lines.push(`  - ${why}`);
  return lines.join('\n') + '\n';
}

export function registerSignatureCommands(program: Command): void {
  const image = program.commands.find((c) => c.name() === 'image') ?? program.command('image').description('image commands');
  image
    .command('verify')
    .description('verify cosign signatures of an image: --key PEM, or keyless --certificate-identity/--certificate-oidc-issuer with --trusted-root')
    .argument('<image-ref>', 'registry image reference (HOST/REPO:TAG or @sha256:…)')
    .option('--key <pem>', 'public key (PEM) that must have signed; repeatable', (v: string, a: string[] = []) => [...a, v])
    .option('--certificate-identity <san>', 'keyless: the certificate SAN (email or URI) that must have signed')
    .option('--certificate-identity-regexp <re>', 'keyless: SAN regular expression (whole value)')
    .option('--certificate-oidc-issuer <url>', 'keyless: the OIDC issuer in the certificate')
    .option('--certificate-oidc-issuer-regexp <re>', 'keyless: issuer regular expression (whole value)')
    .option('--trusted-root <file>', 'Sigstore trusted_root.json (Fulcio CAs, Rekor/CT keys) for keyless verification')
    .option('--signatures <dir>', 'read signatures from this OCI layout or bundle directory instead of the registry')
    .option('--digest <sha256:…>', 'the image digest (offline verification of a tag reference)')
    .option('--required <n>', 'distinct attestors (keys / identities) that must verify', '1')
    // -f/--format (table|json), --username/--password, --insecure and --docker-config are the
    // `image` command's own options: commander hands them to the parent, read through optsWithGlobals.
    .addHelpText('after', '\nAlso: -f json, --username/--password, --insecure, --docker-config (options of `triad image`).')
    .action(async (ref: string, _own: VerifyFlags, cmd: Command) => {
      const f = cmd.optsWithGlobals() as VerifyFlags;
      let attestors: Attestor[];
      const required = Number(f.required);
      try {
        attestors = attestorsFrom(f);
        if (!Number.isInteger(required) || required < 1 || required > attestors.length) throw new UsageError(`--required must be 1..${attestors.length}, got '${f.required}'`);
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        process.stderr.write(`triad image verify: ${e.message}\n`);
        process.exit(2);
      }
      const r = await verifyImageSignatures(ref, attestors, {
        required,
        signaturesDir: f.signatures,
        digest: f.digest,
        trustedRoot: f.trustedRoot,
        insecure: f.insecure,
        username: f.username,
        password: f.password ?? process.env.TRIAD_PASSWORD,
        dockerConfig: f.dockerConfig,
      });
      process.stdout.write(String(f.format) === 'json' ? JSON.stringify(r, null, 2) + '\n' : renderTable(r));
      process.exitCode = r.verified ? 0 : 1;
    });
}
