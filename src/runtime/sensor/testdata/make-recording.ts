// Regenerates recording.jsonl: runs the bpftrace sensor while real Docker containers (a Debian
// bookworm rootfs from test/infra/debian-image.ts) do what Falco's event-generator does — shell in a
// container, writes below /etc and /root/.ssh, sensitive reads, a dropped binary executed (drift),
// memfd exec, setuid, ptrace, unshare + mount (CAP_SYS_ADMIN), a listening port with an accepted
// connection, outbound connects, a package manager — plus weird argv, and writes every event (host
// activity included, it is real too) as JSON lines. Needs root, bpftrace and dockerd.
//   scripts/with-node.sh src/runtime/sensor/testdata/make-recording.ts [OUT] [--max-events N]
import { createWriteStream, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDocker } from '../../../../test/infra/docker.ts';
import { ensureDebianRootfs } from '../../../../test/infra/debian-image.ts';
import { BpftraceSensor } from '../bpftrace.ts';
import { decodeLine } from '../decode.ts';
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
// Only the workload is recorded: container events, and host events of this recorder's own process
// tree (docker CLI, dockerd, containerd, runc: the engine's real activity around the containers).
// Unrelated host processes (other users of the machine) are left out.
const ours = descendants(process.pid); // dockerd and containerd were started before the sensor
const write = (e: RuntimeEvent) => {
  if (n >= maxEvents) return;
  const p = e.process;
  if (['clone', 'clone3', 'fork', 'vfork'].includes(e.type) && p.ppid !== undefined && ours.has(p.ppid)) ours.add(p.pid);
  if (e.category !== 'agent' && e.cgroupId === 1 && !ours.has(p.pid)) {
    skippedNoise++;
    return;
  }
  n++;
  out.write(JSON.stringify(e) + '\n');
};
// The raw bpftrace stream of the containers only (records grouped by key, kept when their header's
// cgroup is not the host's), for the parser's throughput bench and tests.
const rawLines: string[] = [];
const sensor = new BpftraceSensor({
  onStderr: (l) => console.error(`bpftrace: ${l}`),
  onRawLine: (l) => {
    if (rawLines.length < maxEvents * 6) rawLines.push(l);
  },
});
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
writeFileSync(outPath.replace(/\.jsonl$/, '') + '.raw.jsonl', containerRecords(rawLines).join('\n') + '\n');
await docker.stop();
const h = sensor.health();
console.error(`wrote ${n} events to ${outPath} (unrelated host events left out: ${skippedNoise}; lost ${h.lost}, dropped ${h.dropped})`);

/** `root` and every process below it now, from /proc. */
function descendants(root: number): Set<number> {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // exited meanwhile
    }
  }
  const out = new Set<number>([root]);
  const todo = [root];
  while (todo.length) for (const c of children.get(todo.pop()!) ?? []) if (!out.has(c)) out.add(c), todo.push(c);
  return out;
}

/** Raw lines whose event (header) ran in a container cgroup; S/R/X records follow their group's key. */
function containerRecords(lines: string[]): string[] {
  const data = (l: string) => {
    const d = decodeLine(l);
    return d.kind === 'printf' ? d.data : undefined;
  };
  const keep = new Set<string>();
  for (const l of lines) {
    const t = data(l)?.split(' ');
    if (!t || t[0]!.length !== 1 || 'SRB'.includes(t[0]!)) continue;
    // header: tag name ts tid pid ppid uid euid gid loginuid cgroup ...
    if (t[10] !== '1') {
      keep.add(`${t[2]}:${t[3]}`);
      if (t[0] === 'X') keep.add(`${t[13]}:${t[14]}`); // the exec's enter group
    }
  }
  return lines.filter((l) => {
    const t = data(l)?.split(' ');
    if (!t) return false;
    if (t[0] === 'S') return keep.has(`${t[1]}:${t[2]}`);
    if (t[0] === 'R') return keep.has(`${t[2]}:${t[3]}`);
    if (t[0] === 'B') return true;
    return keep.has(`${t[2]}:${t[3]}`);
  });
}
