// Records real events from the bpftrace sensor as JSON lines (one RuntimeEvent per line), for the
// other runtime parts' tests and benches:
//   scripts/with-node.sh src/runtime/sensor/record.ts --seconds 30 --out events.jsonl [--max-events N]
// Prints "recording" on stderr once bpftrace is attached, so a caller can start its workload then.
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { BpftraceSensor, bpftraceUnavailable } from './bpftrace.ts';
import type { RuntimeEvent } from '../event.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    out: { type: 'string' },
    'max-events': { type: 'string' },
  },
});
const seconds = Number(values.seconds);
const maxEvents = values['max-events'] ? Number(values['max-events']) : Infinity;
if (!values.out || !(seconds > 0) || !(maxEvents > 0)) {
  console.error('usage: record.ts --seconds N --out FILE [--max-events N]');
  process.exit(2);
}
const why = bpftraceUnavailable();
if (why) {
  console.error(`record: ${why}`);
  process.exit(2);
}
const out = createWriteStream(values.out);
let n = 0;
const sensor = new BpftraceSensor({ onStderr: (l) => console.error(`bpftrace: ${l}`) });
const write = (e: RuntimeEvent) => {
  if (n >= maxEvents) return;
  n++;
  out.write(JSON.stringify(e) + '\n');
};
await sensor.start(write);
console.error(`recording for ${seconds} s`);
let stopped = false;
const finish = async () => {
  if (stopped) return;
  stopped = true;
  await sensor.stop();
  await new Promise((r) => out.end(r));
  const h = sensor.health();
  console.error(`recorded ${n} events to ${values.out} (lost ${h.lost}, dropped ${h.dropped}, restarts ${h.restarts})`);
  process.exit(0);
};
setTimeout(finish, seconds * 1000);
process.once('SIGINT', finish);
process.once('SIGTERM', finish);
