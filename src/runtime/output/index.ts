// Builds outputs from --output specs (stdout, file:PATH, webhook:URL).
import { join } from 'node:path';
import { RotatingFileOutput, type FileOutputOptions } from './file.ts';
import { parseOutputSpec, type Output } from './output.ts';
import { StreamOutput } from './stdout.ts';
import { WebhookOutput, type WebhookOptions } from './webhook.ts';

export { parseOutputSpec, toJsonLine, type Output, type OutputRecord, type OutputStats, type OutputSpec } from './output.ts';
export { StreamOutput } from './stdout.ts';
export { RotatingFileOutput } from './file.ts';
export { WebhookOutput } from './webhook.ts';
export { Spool } from './spool.ts';

export interface CreateOutputOptions {
  /** Spool root for webhooks; each webhook gets its own subdirectory named after its URL. */
  spoolDir: string;
  file?: FileOutputOptions;
  webhook?: Omit<WebhookOptions, 'spoolDir'>;
}

export function createOutput(spec: string, opts: CreateOutputOptions): Output {
  const s = parseOutputSpec(spec);
  if (s.type === 'stdout') return new StreamOutput(process.stdout, 'stdout');
  if (s.type === 'file') return new RotatingFileOutput(s.path, opts.file);
  const sub = s.url.replace(/[^A-Za-z0-9.-]+/g, '_').slice(0, 120);
  return new WebhookOutput(s.url, { ...opts.webhook, spoolDir: join(opts.spoolDir, sub) });
}
