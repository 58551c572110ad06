// One finding per failing check and resource: the file and line of the first offending field.
import type { CheckMeta } from '../../misconfig/types.ts';
import type { K8sObject } from '../manifest/types.ts';
import { formatPath, type PathSeg } from '../manifest/workloads.ts';
import type { K8sFinding, ResourceRef } from './types.ts';

export function resourceRef(o: K8sObject): ResourceRef {
  const ref: ResourceRef = { apiVersion: o.apiVersion, kind: o.kind, name: typeof o.metadata.name === 'string' ? o.metadata.name : '' };
  if (typeof o.metadata.namespace === 'string' && o.metadata.namespace) ref.namespace = o.metadata.namespace;
  return ref;
}

/** `Deployment prod/web` */
export function formatResource(r: ResourceRef): string {
  return `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name || '(unnamed)'}`;
}

export function makeFinding(meta: CheckMeta, o: K8sObject, message: string, paths: PathSeg[][]): K8sFinding {
  const lines = paths.map((p) => o.lineOf(p));
  const line = lines.length > 0 ? Math.min(...lines) : o.source.line;
  const resource = resourceRef(o);
  const f: K8sFinding = {
    checkId: meta.id,
    title: meta.title,
    severity: meta.severity,
    message: `${formatResource(resource)}: ${message}`,
    target: o.source.file,
    region: { startLine: line, endLine: line },
    resource,
    doc: o.source.doc,
  };
  if (o.source.template) f.template = o.source.template;
  if (paths.length > 0) f.fields = [...new Set(paths.map(formatPath))];
  return f;
}
