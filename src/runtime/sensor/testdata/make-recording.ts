// Regenerates recording.jsonl: runs the bpftrace sensor while real Docker containers (a Debian
// bookworm rootfs from test/infra/debian-image.ts) do what Falco's event-generator does — shell in a
// container, writes below /etc and /root/.ssh, sensitive reads, a dropped binary executed (drift),
// memfd exec, setuid, ptrace, unshare + mount (CAP_SYS_ADMIN), a listening port with an accepted
// connection, outbound connects, a package manager — plus weird argv, and writes every event (host
// activity included, it is real too) as JSON lines. Needs root, bpftrace and dockerd.
//   scripts/with-node.sh src/runtime/sensor/testdata/make-recording.ts [OUT] [--max-events N]
import { createWriteStream, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDocker } from '../../../../test/infra/docker.ts';
import { ensureDebianRootfs } from '../../../../test/infra/debian-image.ts';
import { BpftraceSensor } from '../bpftrace.ts';
import type { RuntimeEvent } from '../../event.ts';

const here = dirname(fileURLToPath(import.meta.url));
const outPath = process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : join(here, 'recording.jsonl');
const maxIdx = process.argv.indexOf('--max-events');
const maxEvents = maxIdx > 0 ? Number(process.argv[maxIdx + 1]) : 4000;

const rootfs = await ensureDebianRootfs();

const docker = await startDocker();
const image = 'triad-recording:bookworm';
const has = await docker.docker(['image', 'inspect', image], { allowFail: true });
if (has.code !== 0) await docker.docker(['import', rootfs, image]);

const out = createWriteStream(outPath);
let n = 0;
let skippedNoise = 0;
// The raw bpftrace stream too (first lines only), for the parser's throughput bench and tests.
const rawOut = createWriteStream(outPath.replace(/\.jsonl$/, '') + '.raw.jsonl');
let rawLines = 0;
const sensor = new BpftraceSensor({
  onStderr: (l) => console.error(`bpftrace: ${l}`),
  onRawLine: (l) => {
    if (rawLines++ < maxEvents * 3) rawOut.write(l + '\n');
  },
});
// Keep the file small: the recorder's own dockerd/containerd chatter and other helpers' host activity
// are real but repetitive; host events are capped so container activity dominates.
let hostEvents = 0;
const write = (e: RuntimeEvent) => {
  if (n >= maxEvents) return;
  if (e.cgroupId === 1 && e.category !== 'agent' && ++hostEvents > maxEvents / 3) {
    skippedNoise++;
    return;
  }
  n++;
  out.write(JSON.stringify(e) + '\n');
};
await sensor.start(write);
console.error('sensor attached; running workloads');

const PERL_MEMFD = `my $n = "triad-memfd"; my $fd = syscall(319, $n, 0); die "memfd: $!" if $fd < 0; open(my $s, "<:raw", "/bin/true") or die; local $/; my $b = <$s>; open(my $m, ">&=", $fd) or die; binmode $m; syswrite($m, $b); exec {"/proc/self/fd/$fd"} "memfd-true" or die "exec: $!";`;
const PERL_SETUID = `$) = "65534 65534"; $> = 65534; $< = 65534; exec "/usr/bin/id";`;
const PERL_PTRACE = `my $p = fork(); if (!$p) { sleep 2; exit 0 } my $r = syscall(101, 16, $p, 0, 0); print "attach=$r\\n"; select(undef,undef,undef,0.2); syscall(101, 17, $p, 0, 0); waitpid($p, 0);`;
const PERL_NET = `use IO::Socket::INET; my $l = IO::Socket::INET->new(Listen => 5, LocalAddr => "127.0.0.1", LocalPort => 0, Proto => "tcp") or die; my $port = $l->sockport; if (!fork()) { my $c = IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $port, Proto => "tcp") or die; print $c "hi\\n"; exit 0 } my $a = $l->accept; print "accepted ", $a->peerport, "\\n"; wait;`;
const WEIRD = `exec /bin/echo 'quo"te' 'new
line' "$(printf 'tab\\there\\377\\001end')" ''`;
const script = [
  'echo drift > /etc/triad-written',
  'cat /etc/shadow > /dev/null',
  'mkdir -p /root/.ssh && echo ssh-ed25519 AAAA >> /root/.ssh/authorized_keys',
  'cp /bin/true /tmp/dropped && /tmp/dropped',
  'mv /etc/triad-written /etc/triad-renamed && rm /etc/triad-renamed',
  `perl -e '${PERL_MEMFD}'`,
  `perl -e '${PERL_SETUID}'`,
  `perl -e '${PERL_PTRACE}'`,
  `perl -e '${PERL_NET}'`,
  'dpkg -l > /dev/null',
  `sh -c "${WEIRD.replace(/"/g, '\\"').replace(/\$/g, '\\$')}"`,
].join('; ');
const run = async (args: string[]) => {
  const r = await docker.docker(args, { allowFail: true });
  if (r.code !== 0) console.error(`docker ${args.slice(0, 4).join(' ')}: exit ${r.code}: ${r.stderr.trim().slice(0, 300)}`);
  return r;
};
await run(['run', '--rm', '--name', 'triad-rec-app', '--network', 'host', image, 'bash', '-c', script]);
await run(['run', '--rm', '--name', 'triad-rec-priv', '--cap-add', 'SYS_ADMIN', '--security-opt', 'seccomp=unconfined', '--security-opt', 'apparmor=unconfined', '--network', 'none', image, 'bash', '-c', 'unshare -m sh -c "mount -t tmpfs none /mnt && ls /mnt"; mount -t proc proc /proc 2>/dev/null; echo 1 > /proc/sys/kernel/printk 2>/dev/null; true']);
await run(['run', '-d', '--name', 'triad-rec-long', '--network', 'host', image, 'sleep', '30']);
await run(['exec', 'triad-rec-long', 'bash', '-c', 'echo shell in container; ls /root/.ssh 2>/dev/null; apt-get --version > /dev/null']);
await run(['rm', '-f', 'triad-rec-long']);
await new Promise((r) => setTimeout(r, 1500));
await sensor.stop();
await new Promise((r) => out.end(r));
await new Promise((r) => rawOut.end(r));
await docker.stop();
const h = sensor.health();
console.error(`wrote ${n} events to ${outPath} (host events skipped ${skippedNoise}; lost ${h.lost}, dropped ${h.dropped}); docker socket existed: ${existsSync('/var/run/docker.sock')}`);
