// Test fixture (run as a child process by webhook.test.ts): writes records FROM..TO to a webhook
// output with a spool, printing each index once write() returned, so the test can kill -9 it at any
// moment and know which records the agent had accepted.
import { WebhookOutput } from './webhook.ts';

const [url, spoolDir, run, from, to, delayMs] = process.argv.slice(2);
const out = new WebhookOutput(url!, { spoolDir: spoolDir!, segmentMaxBytes: 2048, minBackoffMs: 20, maxBackoffMs: 200, flushTimeoutMs: 20_000 });
for (let i = Number(from); i <= Number(to); i++) {
  out.write({ kind: 'agent', time: new Date().toISOString(), type: 'test', run: Number(run), i });
  process.stdout.write(`${i}\n`);
  if (Number(delayMs) > 0) await new Promise((r) => setTimeout(r, Number(delayMs)));
}
await out.close();
process.stdout.write('done\n');
