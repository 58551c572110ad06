// Secrets in images: every layer is scanned, not only the final filesystem, because a file a later
// layer deletes or overwrites is still in the image (anyone can extract that layer). The scanner rides
// the walker's one pass as a pseudo-cataloger: it asks for text-sized files, and its per-file results
// stay in each layer's record, so each finding knows the layer that holds it and, through the final
// view, the layer that later deleted or replaced it. The image config (ENV, labels, history
// `created_by`, where build arguments leak) is scanned as well.
import type { Cataloger, FileContent, FileMeta, FileResult } from '../catalog/cataloger.ts';
import type { ImageInfo, LayerSummary } from '../model/types.ts';
import type { FinalView } from '../scan/squash.ts';
import type { LayerRecord } from '../walker/walk.ts';
import type { SecretScanner } from './scanner.ts';
import type { ScanResult, SecretFinding, SkipReason } from './types.ts';

export const SECRET_CATALOGER = 'secret';

/** Files that are never text: skipped without being read (counted as binary). */
const BINARY_NAME =
  /\.(so(\.\d+)*|a|o|ko|jar|war|ear|class|pyc|pyo|whl|egg|gem|zip|gz|tgz|xz|bz2|zst|7z|deb|rpm|apk|png|jpe?g|gif|ico|webp|bmp|tiff?|woff2?|ttf|otf|eot|mo|db|sqlite|dat|bin|mp3|mp4|ogg|wav|pdf)$/i;

export interface ImageSecrets {
  findings: SecretFinding[];
  /** Files not scanned, by reason (binaries by name or content, above the size bound, time budget ...). */
  skipped: Partial<Record<SkipReason, number>>;
  warnings: string[];
}

/** The walker-side half: wants text-sized files, scans each as it streams by. */
export function secretCataloger(scanner: SecretScanner, maxFileSize: number): Cataloger {
  return {
    name: SECRET_CATALOGER,
    ecosystems: [],
    wants(meta: FileMeta) {
      if (meta.size === 0 || meta.size > maxFileSize || BINARY_NAME.test(meta.path) || scanner.pathAllowed(meta.path)) return false;
      return maxFileSize;
    },
    async parse(meta: FileMeta, content: FileContent): Promise<FileResult> {
      const r = scanner.scan(meta.path, await content.readAll());
      // Nothing to keep for clean files: only findings and skips travel in the layer record.
      return r.findings.length || r.skipped ? { data: r } : {};
    },
  };
}

/** The assembly half: findings per layer, with the layer that later deleted or replaced the file. */
export function imageSecrets(records: LayerRecord[], view: FinalView, layers: LayerSummary[], info: ImageInfo, scanner: SecretScanner, maxFileSize: number): ImageSecrets {
  const out: ImageSecrets = { findings: [], skipped: {}, warnings: [] };
  const skip = (why: SkipReason, n = 1) => (out.skipped[why] = (out.skipped[why] ?? 0) + n);
  const seen = new Set<string>();
  for (const rec of records) {
    const l = layers[rec.index];
    for (const [path, fr] of rec.entries) {
      if (fr.type !== 'file' || fr.size === 0) continue;
      if (fr.size > maxFileSize) skip('too-large');
      else if (BINARY_NAME.test(path)) skip('binary');
    }
    for (const [path, m] of rec.parsed) {
      const r = m.get(SECRET_CATALOGER)?.data as ScanResult | undefined;
      if (!r) continue;
      if (r.skipped) skip(r.skipped);
      if (r.warning) out.warnings.push(`layer ${rec.index}: ${r.warning}`);
      const final = view.entries.get(path);
      let gone: number | undefined;
      if (!final || final.layer !== rec.index) {
        gone = view.deletedIn(path).find((d) => d > rec.index);
        if (final && final.layer > rec.index && (gone === undefined || final.layer < gone)) gone = final.layer;
      }
      for (const f of r.findings) {
        // The same secret in an unchanged rewrite of the file is one finding, in its first layer.
        const key = `${f.ruleId}\0${path}\0${f.startLine}\0${f.startColumn}\0${f.match}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const g: SecretFinding = { ...f, layer: { index: rec.index, ...(l?.diffID ? { diffID: l.diffID } : {}), ...(l?.digest ? { digest: l.digest } : {}), ...(l?.createdBy ? { createdBy: l.createdBy } : {}) } };
        if (gone !== undefined) g.deletedInLayer = gone;
        out.findings.push(g);
      }
    }
  }
  out.findings.push(...configSecrets(info, layers, scanner));
  return out;
}

/** ENV, labels and build history: where `--build-arg` values and careless ENV lines end up. */
function configSecrets(info: ImageInfo, layers: LayerSummary[], scanner: SecretScanner): SecretFinding[] {
  const out: SecretFinding[] = [];
  const scan = (path: string, text: string) => {
    if (!text) return;
    out.push(...scanner.scan(path, Buffer.from(text)).findings);
  };
  scan('(image config) ENV', (info.config.env ?? []).join('\n'));
  scan('(image config) LABEL', Object.entries(info.config.labels ?? {}).map(([k, v]) => `${k}=${v}`).join('\n'));
  let layer = 0;
  info.history.forEach((h, i) => {
    const made = h.empty_layer ? undefined : layer++;
    if (!h.created_by) return;
    for (const f of scanner.scan(`(image history) step ${i + 1}`, Buffer.from(h.created_by)).findings) {
      const l = made !== undefined ? layers[made] : undefined;
      out.push(l ? { ...f, layer: { index: l.index, diffID: l.diffID, ...(l.createdBy ? { createdBy: l.createdBy } : {}) } } : f);
    }
  });
  return out;
}
