#!/usr/bin/env node
// Regenerates test/golden/cli/*.jsonl: the output of the local tcpdump (4.99.3 / libpcap 1.10.3 on
// the reference machine) on captures from the reference corpus, for the flag sets the CLI tests
// compare against. Always runs tcpdump with -nn (no name lookups, so it never hangs offline), with
// an explicit TZ, from inside the capture folder so the banner names the file without a path.
//
// One JSONL file per flag set; each line: {file, args, tz, exit, stdout, stderr}.
// Usage: node test/tools/gen-cli-golden.mjs   (needs tcpdump and test/corpus)
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync, existsSync, openSync, readSync, closeSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const corpus = join(root, 'test', 'corpus', 'tcpdump-captures');
const outDir = join(root, 'test', 'golden', 'cli');
if (!existsSync(corpus)) {
  console.error(`gen-cli-golden: corpus not found at ${corpus}`);
  process.exit(1);
}
mkdirSync(outDir, { recursive: true });

const version = spawnSync('tcpdump', ['--version'], { encoding: 'utf8' });
if (version.error) {
  console.error('gen-cli-golden: tcpdump is not installed');
  process.exit(1);
}

// Link types the printers model; pcap and pcapng files (magic check), sorted by name.
const LINKTYPES = new Set(['EN10MB', 'LINUX_SLL', 'RAW', 'IPV4', 'IPV6', 'NULL']);
const rows = readFileSync(join(corpus, '_captures.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => {
  const [file, bytes, linktype, packets] = l.split('\t');
  return { file, bytes: Number(bytes), linktype, packets: Number(packets) };
});
function isCapture(file) {
  const fd = openSync(join(corpus, file), 'r');
  const b = Buffer.alloc(4);
  readSync(fd, b, 0, 4, 0);
  closeSync(fd);
  const m = b.readUInt32LE(0);
  return m === 0xa1b2c3d4 || m === 0xd4c3b2a1 || m === 0xa1b23c4d || m === 0x4d3cb2a1 || m === 0x0a0d0d0a;
}
const eligible = rows.filter((r) => LINKTYPES.has(r.linktype) && r.packets > 0 && isCapture(r.file)).sort((a, b) => (a.file < b.file ? -1 : 1));
const upTo = (bytes) => eligible.filter((r) => r.bytes <= bytes).map((r) => r.file);
/** `k` captures spread evenly over the list (deterministic). */
const spread = (files, k) => (files.length <= k ? files : Array.from({ length: k }, (_, i) => files[Math.floor((i * files.length) / k)]));

// name → { args, tz, files }. Sizes keep the committed data around a couple of megabytes.
const SETS = {
  'q': { args: ['-nn', '-q'], tz: 'UTC', files: upTo(8000) },
  'q-e': { args: ['-nn', '-q', '-e'], tz: 'UTC', files: upTo(6000) },
  'default': { args: ['-nn'], tz: 'UTC', files: upTo(8000) },
  'default-e': { args: ['-nn', '-e'], tz: 'UTC', files: spread(upTo(2500), 150) },
  'default-S': { args: ['-nn', '-S'], tz: 'UTC', files: spread(upTo(8000), 60) },
  'q-number': { args: ['-nn', '-#q'], tz: 'UTC', files: spread(upTo(1000), 60) },
  'q-tttt-kolkata': { args: ['-nn', '-q', '-tttt'], tz: 'Asia/Kolkata', files: spread(upTo(1000), 60) },
  'q-newyork': { args: ['-nn', '-q'], tz: 'America/New_York', files: spread(upTo(800), 60) },
  'q-tt-nano': { args: ['-nn', '-q', '-tt', '--time-stamp-precision', 'nano'], tz: 'UTC', files: spread(upTo(800), 60) },
  'q-ttt': { args: ['-nn', '-q', '-ttt'], tz: 'UTC', files: spread(upTo(1000), 60) },
  'q-ttttt-nano': { args: ['-nn', '-q', '-ttttt', '--time-stamp-precision', 'nano'], tz: 'UTC', files: spread(upTo(800), 60) },
  'x': { args: ['-nn', '-x'], tz: 'UTC', files: spread(upTo(1200), 150) },
  'q-xx': { args: ['-nn', '-q', '-xx'], tz: 'UTC', files: spread(upTo(700), 80) },
  'q-XX': { args: ['-nn', '-XX', '-q'], tz: 'UTC', files: spread(upTo(1000), 120) },
  'q-X': { args: ['-nn', '-X', '-q'], tz: 'UTC', files: spread(upTo(700), 80) },
  'q-A': { args: ['-nn', '-A', '-q'], tz: 'UTC', files: spread(upTo(1500), 150) },
  'count': { args: ['-nn', '--count'], tz: 'UTC', files: upTo(200000) },
};

let total = 0;
for (const [name, set] of Object.entries(SETS)) {
  const lines = [];
  for (const file of set.files) {
    const args = [...set.args, '-r', file];
    const r = spawnSync('tcpdump', args, { cwd: corpus, env: { ...process.env, TZ: set.tz }, encoding: 'latin1', timeout: 20000 });
    if (r.error) throw r.error;
    lines.push(JSON.stringify({ file, args: set.args, tz: set.tz, exit: r.status, stdout: r.stdout, stderr: r.stderr }));
  }
  const text = lines.join('\n') + '\n';
  writeFileSync(join(outDir, `${name}.jsonl`), text, 'latin1');
  total += text.length;
  console.log(`${name}: ${set.files.length} captures, ${text.length} bytes`);
}
// The program printers through the command line: -d/-dd/-ddd with -O, -y, -s, -F-less
// expressions and -r (the file's link type). One JSONL line each: {args, exit, stdout, stderr}.
const COMPILE_CASES = [
  ['-d', 'tcp'],
  ['-d'],
  ['-dd', '-O', 'ip and udp port 53'],
  ['-ddd', '-y', 'RAW', 'host 1.2.3.4'],
  ['-d', '-s', '96', 'tcp'],
  ['-d', '-y', 'LINUX_SLL', 'arp'],
  ['-d', '-y', 'EN10MB', 'vlan 10 and tcp'],
  ['-ddd', '-y', 'NULL', 'ip6'],
  ['-d', '-r', 'tcp-handshake-nano.pcap', 'tcp[tcpflags] & tcp-syn != 0'],
  ['-ddd', '-r', 'LINKTYPE_RAW_ipv6.pcap', 'udp port 53'],
];
const compileLines = COMPILE_CASES.map((args) => {
  const r = spawnSync('tcpdump', args, { cwd: corpus, env: { ...process.env, TZ: 'UTC' }, encoding: 'latin1', timeout: 20000 });
  return JSON.stringify({ args, exit: r.status, stdout: r.stdout, stderr: r.stderr });
});
writeFileSync(join(outDir, 'compile.jsonl'), compileLines.join('\n') + '\n', 'latin1');
console.log(`compile: ${COMPILE_CASES.length} command lines`);
// -w through the command line: tcpdump's output file recorded as size + SHA-256 (the test writes
// ours to a temporary file and compares). `-w OUT` is appended by both sides.
const WRITE_CASES = [
  ['-r', 'tcp-handshake-nano.pcap', 'port 80'],
  ['-r', 'tcp-handshake-nano.pcap', '--time-stamp-precision', 'nano'],
  ['-r', 'ipv4_tcp_http_xml.pcap'],
  ['-r', '3560_CDP.pcap', '-c', '2'],
  ['-r', 'ahcp.pcapng'],
  ['-r', 'pptp.pcap', 'tcp'],
  ['-r', 'isup.pcap', '--skip', '1'],
];
const tmpOut = join(outDir, '.write-tmp.pcap');
const writeLines = [];
for (const args of WRITE_CASES) {
  if (args.includes('--skip')) {
    // tcpdump 4.99.3 has no --skip; the expected file is the -c/filter-free copy minus the
    // first record, which is what --skip 1 must produce (computed from tcpdump's full copy).
    spawnSync('tcpdump', [...args.filter((a, i) => a !== '--skip' && args[i - 1] !== '--skip'), '-w', tmpOut], { cwd: corpus });
    const full = readFileSync(tmpOut);
    const le = full.readUInt32LE(0) === 0xa1b2c3d4 || full.readUInt32LE(0) === 0xa1b23c4d;
    const caplen = le ? full.readUInt32LE(24 + 8) : full.readUInt32BE(24 + 8);
    writeFileSync(tmpOut, Buffer.concat([full.subarray(0, 24), full.subarray(24 + 16 + caplen)]));
  } else {
    spawnSync('tcpdump', [...args, '-w', tmpOut], { cwd: corpus });
  }
  const bytes = readFileSync(tmpOut);
  writeLines.push(JSON.stringify({ args, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }));
}
rmSync(tmpOut, { force: true });
writeFileSync(join(outDir, 'write.jsonl'), writeLines.join('\n') + '\n');
console.log(`write: ${WRITE_CASES.length} command lines`);
console.log(`total ${total} bytes; ${version.stdout.split('\n')[0]}`);
