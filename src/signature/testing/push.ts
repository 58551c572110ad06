// Test helper: pushes blobs and a manifest to a registry on loopback over the OCI Distribution
// API (monolithic upload: POST then PUT ?digest=), as cosign's registry client does.
import { createHash } from 'node:crypto';

export async function pushBlob(host: string, repo: string, bytes: Buffer): Promise<string> {
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  const start = await fetch(`http://${host}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  await start.arrayBuffer();
  if (start.status !== 202) throw new Error(`upload start: HTTP ${start.status}`);
  const loc = new URL(start.headers.get('location')!, `http://${host}`);
  loc.searchParams.set('digest', digest);
  const put = await fetch(loc, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: bytes });
  await put.arrayBuffer();
  if (put.status !== 201) throw new Error(`upload ${digest}: HTTP ${put.status}`);
  return digest;
}

export async function pushManifest(host: string, repo: string, reference: string, manifest: Buffer, mediaType = 'application/vnd.oci.image.manifest.v1+json'): Promise<void> {
  const res = await fetch(`http://${host}/v2/${repo}/manifests/${reference}`, { method: 'PUT', headers: { 'content-type': mediaType }, body: manifest });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`manifest ${reference}: HTTP ${res.status} ${text}`);
}

export async function deleteManifest(host: string, repo: string, digest: string): Promise<void> {
  const res = await fetch(`http://${host}/v2/${repo}/manifests/${digest}`, { method: 'DELETE' });
  await res.arrayBuffer();
}
