// `triad admission certs`: a self-signed CA and a server certificate for the webhook's Service.
// Node can parse certificates (X509Certificate) but not build them, so the openssl CLI (in every
// Debian/Ubuntu image, and what the Kubernetes docs use) signs them: no new dependency, and the
// keys never leave the output directory. The result is checked with node:crypto before it is kept.
import { execFile } from 'node:child_process';
import { X509Certificate, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CertOptions {
  service: string;
  namespace: string;
  outDir: string;
  days: number;
  /** Extra DNS names and IP addresses for the server certificate. */
  dns?: string[];
  ips?: string[];
  /** Replace existing files. */
  force?: boolean;
  openssl?: string;
}

export interface CertFiles {
  caCert: string;
  caKey: string;
  cert: string;
  key: string;
  /** Subject alternative names of the server certificate, as written into it. */
  dnsNames: string[];
  ips: string[];
  notAfter: string;
}

export class CertError extends Error {}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_NAME = /^(\*\.)?[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*$/;

/** The names the API server uses to reach a Service: NAME.NS.svc (what it verifies) and the cluster-local form. */
export function serviceDnsNames(service: string, namespace: string): string[] {
  return [`${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`];
}

function opensslConfig(cn: string, dns: string[], ips: string[]): string {
  const alt = [...dns.map((d, i) => `DNS.${i + 1} = ${d}`), ...ips.map((ip, i) => `IP.${i + 1} = ${ip}`)];
  return [
    '[req]', 'distinguished_name = dn', 'prompt = no', '[dn]', `CN = ${cn}`,
    '[v3_ca]', 'basicConstraints = critical,CA:TRUE,pathlen:0', 'keyUsage = critical,keyCertSign,cRLSign', 'subjectKeyIdentifier = hash',
    '[v3_server]', 'basicConstraints = critical,CA:FALSE', 'keyUsage = critical,digitalSignature,keyEncipherment', 'extendedKeyUsage = serverAuth',
    'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid', 'subjectAltName = @alt', '[alt]', ...alt, '',
  ].join('\n');
}

export async function generateCerts(o: CertOptions): Promise<CertFiles> {
  if (!DNS_LABEL.test(o.service)) throw new CertError(`--service ${JSON.stringify(o.service)}: not a valid Service name (DNS label)`);
  if (!DNS_LABEL.test(o.namespace)) throw new CertError(`--namespace ${JSON.stringify(o.namespace)}: not a valid namespace name (DNS label)`);
  if (!Number.isInteger(o.days) || o.days < 1 || o.days > 3650) throw new CertError(`--days ${o.days}: must be 1-3650`);
  for (const d of o.dns ?? []) if (!DNS_NAME.test(d) || d.length > 253) throw new CertError(`--dns ${JSON.stringify(d)}: not a DNS name`);
  for (const ip of o.ips ?? []) if (!isIP(ip)) throw new CertError(`--ip ${JSON.stringify(ip)}: not an IP address`);
  const dnsNames = [...new Set([...serviceDnsNames(o.service, o.namespace), ...(o.dns ?? [])])];
  const ips = [...new Set(o.ips ?? [])];
  const out = {
    caCert: join(o.outDir, 'ca.crt'), caKey: join(o.outDir, 'ca.key'), cert: join(o.outDir, 'tls.crt'), key: join(o.outDir, 'tls.key'),
  };
  if (!o.force) {
    const existing = Object.values(out).filter((f) => existsSync(f));
    if (existing.length) throw new CertError(`${existing.join(', ')} already exist (use --force to replace them)`);
  }
  mkdirSync(o.outDir, { recursive: true });
  // Work in a private directory, then move the finished files into place: no half-written set.
  const work = mkdtempSync(join(tmpdir(), 'triad-certs-'));
  const openssl = o.openssl ?? 'openssl';
  try {
    const cnf = join(work, 'openssl.cnf');
    writeFileSync(cnf, opensslConfig(dnsNames[0]!, dnsNames, ips));
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    const w = (f: string) => join(work, f);
    const exec = async (args: string[]) => {
      try {
        await run(openssl, args, { timeout: 60_000 });
      } catch (e) {
        const err = e as { code?: string; stderr?: string; message: string };
        if (err.code === 'ENOENT') throw new CertError(`${openssl} not found: install openssl (Debian: apt-get install openssl)`);
        throw new CertError(`openssl ${args[0]} failed: ${(err.stderr ?? err.message).trim().split('\n').slice(-3).join(' ')}`);
      }
    };
    await exec(['req', '-x509', '-config', cnf, '-extensions', 'v3_ca', ...ec, '-keyout', w('ca.key'), '-out', w('ca.crt'), '-days', String(o.days), '-subj', `/CN=triad-admission-ca.${o.service}.${o.namespace}`]);
    await exec(['req', '-new', '-config', cnf, ...ec, '-keyout', w('tls.key'), '-out', w('tls.csr'), '-subj', `/CN=${dnsNames[0]}`]);
    await exec(['x509', '-req', '-in', w('tls.csr'), '-CA', w('ca.crt'), '-CAkey', w('ca.key'), '-set_serial', `0x${randomBytes(16).toString('hex')}`, '-days', String(o.days), '-extfile', cnf, '-extensions', 'v3_server', '-out', w('tls.crt')]);
    const checked = checkServerCert(readFileSync(w('tls.crt')), readFileSync(w('ca.crt')), dnsNames, ips);
    for (const f of ['ca.key', 'tls.key']) chmodSync(w(f), 0o600);
    renameOrCopy(w('ca.crt'), out.caCert);
    renameOrCopy(w('ca.key'), out.caKey);
    renameOrCopy(w('tls.crt'), out.cert);
    renameOrCopy(w('tls.key'), out.key);
    return { ...out, dnsNames, ips, notAfter: checked.validTo };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function renameOrCopy(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch {
    writeFileSync(to, readFileSync(from), { mode: from.endsWith('.key') ? 0o600 : 0o644 });
  }
}

/** Issued by the CA, signed by it, and valid for every expected name: or a CertError saying which not. */
export function checkServerCert(certPem: Buffer | string, caPem: Buffer | string, dnsNames: string[], ips: string[]): X509Certificate {
  const cert = new X509Certificate(certPem);
  const ca = new X509Certificate(caPem);
  if (!ca.ca) throw new CertError('the CA certificate is not a CA');
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) throw new CertError('the server certificate is not signed by the CA');
  for (const d of dnsNames) if (!cert.checkHost(d, { wildcards: false })) throw new CertError(`the server certificate is not valid for ${d}`);
  for (const ip of ips) if (!cert.checkIP(ip)) throw new CertError(`the server certificate is not valid for ${ip}`);
  return cert;
}
