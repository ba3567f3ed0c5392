/**
 * End-to-end throughput of the command itself (process start, reading, filtering, counting) on
 * a generated pcap of PACKETS Ethernet/IPv4/TCP packets (default 16,384,000: about 2 GB), per
 * engine, next to tcpdump when it is installed. Peak RSS shows that memory stays constant.
 *
 *   node test/bench/end-to-end.mjs [PACKETS] [EXPRESSION]
 *
 * The file is written to the system temp directory and deleted at the end; the first read
 * warms the page cache, so every run after it measures CPU, not the disk.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packets = Number(process.argv[2] ?? 16_384_000);
const expr = process.argv[3] ?? 'tcp port 80';
const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'bin.mjs');
const file = join(tmpdir(), `tsdump-e2e-${process.pid}.pcap`);

function generate() {
  const fd = openSync(file, 'w');
  const hdr = Buffer.alloc(24);
  hdr.writeUInt32LE(0xa1b2c3d4, 0); hdr.writeUInt16LE(2, 4); hdr.writeUInt16LE(4, 6); hdr.writeUInt32LE(262144, 16); hdr.writeUInt32LE(1, 20);
  writeSync(fd, hdr);
  const rec = Buffer.alloc(16 + 108);
  rec.writeUInt32LE(108, 8); rec.writeUInt32LE(108, 12);
  rec[16 + 12] = 0x08; rec[16 + 14] = 0x45; rec[16 + 23] = 6; // IPv4, TCP
  const per = 16384;
  const block = Buffer.alloc(rec.length * per);
  for (let done = 0; done < packets; done += per) {
    const n = Math.min(per, packets - done);
    for (let i = 0; i < n; i++) {
      rec.writeUInt32LE(done + i, 0); // seconds
      rec.writeUInt16BE((done + i) % 3 === 0 ? 80 : 443, 16 + 36); // every third to port 80
      rec.copy(block, i * rec.length);
    }
    writeSync(fd, block, 0, n * rec.length);
  }
  closeSync(fd);
}

// GNU time reports the peak RSS; without it (the `time` package is not always installed) the
// wall time is measured here and the RSS column says so.
const gnuTime = existsSync('/usr/bin/time');

function time(label, cmd, args) {
  const t0 = process.hrtime.bigint();
  const r = gnuTime
    ? spawnSync('/usr/bin/time', ['-f', '%e %M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 })
    : spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.error || r.status !== 0) return console.log(`${label.padEnd(42)} failed: ${(r.stderr || String(r.error)).trim().split('\n').pop()}`);
  const [secs, kb] = gnuTime ? r.stderr.trim().split('\n').pop().split(' ').map(Number) : [wall, NaN];
  const rss = Number.isNaN(kb) ? 'peak RSS n/a (no /usr/bin/time)' : `peak RSS ${(kb / 1024).toFixed(0).padStart(4)} MB`;
  console.log(`${label.padEnd(42)} ${secs.toFixed(2).padStart(6)} s  ${(packets / secs / 1e6).toFixed(1).padStart(5)} M packets/s  ${rss}  (${r.stdout.trim()})`);
}

generate();
try {
  console.log(`${packets.toLocaleString('en-US')} packets, ${expr}; node ${process.version}`);
  spawnSync(process.execPath, [bin, '-r', file, '--count'], { stdio: 'ignore' }); // warm the page cache
  for (const args of [['--engine', 'cbpf'], ['--engine', 'ebpf-jit', '--hook', 'xdp'], ['--engine', 'ebpf-jit', '--hook', 'socket'], ['--engine', 'ebpf-interp', '--hook', 'xdp']]) {
    time(`tsdump --count ${args.slice(1).join(' ')}`, process.execPath, [bin, '-r', file, '--count', ...args, expr]);
  }
  time('tsdump -w /dev/null', process.execPath, [bin, '-r', file, '-w', '/dev/null', expr]);
  if (spawnSync('tcpdump', ['--version']).status === 0) {
    time('tcpdump --count', 'tcpdump', ['-r', file, '--count', expr]);
    time('tcpdump -w /dev/null', 'tcpdump', ['-r', file, '-w', '/dev/null', expr]);
  } else {
    console.log('tcpdump not installed: no comparison');
  }
} finally {
  rmSync(file, { force: true });
}
