/**
 * End-to-end: the real launcher (node src/cli/bin.mjs) in child processes, for what only a
 * process shows — stdin (`-r -`), stdout as a capture (`-w -` piped into a second tsdump), the
 * banner on stderr, exit codes, and user errors as one stderr line (plus the caret lines of a
 * filter error) with no stack trace. The capture is built here, so no corpus is needed; its
 * expected lines were checked against tcpdump 4.99.3 (`tcpdump -nn -q -r`).
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './golden-helpers.ts';

const bin = join(repoRoot, 'src', 'cli', 'bin.mjs');
let dir = '';
let capture = '';

function hex(s: string): number[] {
  return s.replace(/\s+/g, '').match(/../g)!.map((b) => parseInt(b, 16));
}

/** A µs little-endian Ethernet pcap with a UDP datagram, a TCP SYN and an ARP request. */
function buildCapture(): Uint8Array {
  const eth = (type: string): string => '0a0000000002' + '0a0000000001' + type;
  const packets = [
    // UDP 10.0.0.1.1234 > 10.0.0.2.53, 4 bytes of payload
    eth('0800') + '4500 0020 0001 0000 4011 0000 0a000001 0a000002' + '04d2 0035 000c 0000' + 'deadbeef',
    // TCP SYN 10.0.0.1.40000 > 10.0.0.2.80, mss option
    eth('0800') + '4500 002c 0002 4000 4006 0000 0a000001 0a000002' + '9c40 0050 00000064 00000000 6002 2000 0000 0000' + '0204 05b4',
    // ARP who-has 10.0.0.2 tell 10.0.0.1, padded to 60 bytes
    'ffffffffffff' + '0a0000000001' + '0806' + '0001 0800 06 04 0001 0a0000000001 0a000001 000000000000 0a000002' + '00'.repeat(18),
  ].map(hex);
  const out: number[] = [];
  const u32 = (v: number): void => void out.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  const u16 = (v: number): void => void out.push(v & 0xff, (v >>> 8) & 0xff);
  u32(0xa1b2c3d4); u16(2); u16(4); u32(0); u32(0); u32(65535); u32(1);
  packets.forEach((p, i) => {
    u32(1700000000 + i); u32(250000 * i); u32(p.length); u32(p.length);
    out.push(...p);
  });
  return Uint8Array.from(out);
}

const EXPECTED_Q = [
  '22:13:20.000000 IP 10.0.0.1.1234 > 10.0.0.2.53: UDP, length 4',
  '22:13:21.250000 IP 10.0.0.1.40000 > 10.0.0.2.80: tcp 0',
  '22:13:22.500000 ARP, Request who-has 10.0.0.2 tell 10.0.0.1, length 46',
];

function run(args: string[], input?: Uint8Array | string) {
  const r = spawnSync(process.execPath, [bin, ...args], { input, env: { ...process.env, TZ: 'UTC' }, cwd: dir, maxBuffer: 1 << 24 });
  return { status: r.status, stdout: r.stdout.toString('latin1'), stderr: r.stderr.toString('latin1'), raw: r.stdout };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsdump-cli-'));
  capture = join(dir, 'three.pcap');
  writeFileSync(capture, buildCapture());
});

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('tsdump command line (spawned)', () => {
  it('reads a file: banner on stderr, one line per packet, exit 0', () => {
    const r = run(['-nnq', '-r', 'three.pcap']);
    expect(r.stderr).toBe('reading from file three.pcap, link-type EN10MB (Ethernet), snapshot length 65535\n');
    expect(r.stdout).toBe(EXPECTED_Q.join('\n') + '\n');
    expect(r.status).toBe(0);
  });

  it('reads stdin with -r - and filters with an expression', () => {
    const r = run(['-nn', '-q', '-r', '-', 'tcp', 'or', 'arp'], readFileSync(capture));
    expect(r.stderr).toMatch(/^reading from file -, link-type EN10MB/);
    expect(r.stdout).toBe(EXPECTED_Q.slice(1).join('\n') + '\n');
    expect(r.status).toBe(0);
  });

  it('writes a capture to stdout with -w - that a second tsdump reads back', () => {
    const w = run(['-r', 'three.pcap', '-w', '-', 'udp or arp']);
    expect(w.status).toBe(0);
    expect(w.raw.length).toBeGreaterThan(24);
    const r = run(['-nnqr', '-'], w.raw);
    expect(r.stdout).toBe([EXPECTED_Q[0], EXPECTED_Q[2]].join('\n') + '\n');
  });

  it('-w is silent unless --print; with -w - the printed lines go to stderr', () => {
    expect(run(['-nnq', '-r', 'three.pcap', '-w', 'copy.pcap']).stdout).toBe('');
    expect(run(['-nnq', '-r', 'three.pcap', '-w', 'copy.pcap', '--print']).stdout).toBe(EXPECTED_Q.join('\n') + '\n');
    const piped = run(['-nnq', '-r', 'three.pcap', '-w', '-', '--print']);
    expect(piped.stderr.split('\n').slice(1, 4)).toEqual(EXPECTED_Q);
    expect(piped.raw.readUInt32LE(0)).toBe(0xa1b2c3d4);
  });

  it('--pcapng writes a pcapng file that reads back to the same lines', () => {
    const w = run(['-r', 'three.pcap', '--pcapng', '-w', 'three.pcapng']);
    expect(w.status).toBe(0);
    expect(readFileSync(join(dir, 'three.pcapng')).readUInt32LE(0)).toBe(0x0a0d0d0a);
    expect(run(['-nnq', '-r', 'three.pcapng']).stdout).toBe(EXPECTED_Q.join('\n') + '\n');
  });

  it('an output name ending in .pcapng selects pcapng without --pcapng; other names write pcap', () => {
    expect(run(['-r', 'three.pcap', '-w', 'by-name.pcapng']).status).toBe(0);
    expect(readFileSync(join(dir, 'by-name.pcapng')).readUInt32LE(0)).toBe(0x0a0d0d0a);
    expect(run(['-nnq', '-r', 'by-name.pcapng']).stdout).toBe(EXPECTED_Q.join('\n') + '\n');
    expect(run(['-r', 'three.pcap', '-w', 'by-name.cap']).status).toBe(0);
    expect(readFileSync(join(dir, 'by-name.cap')).readUInt32LE(0)).toBe(0xa1b2c3d4);
  });

  it('-c stops after N matches, --count prints "N packets", --skip skips matches', () => {
    expect(run(['-nnq', '-c', '2', '-r', 'three.pcap']).stdout).toBe(EXPECTED_Q.slice(0, 2).join('\n') + '\n');
    expect(run(['--count', '-r', 'three.pcap']).stdout).toBe('3 packets\n');
    expect(run(['--count', '-r', 'three.pcap', 'arp']).stdout).toBe('1 packet\n');
    expect(run(['-nnq', '--skip', '1', '-c', '1', '-r', 'three.pcap']).stdout).toBe(EXPECTED_Q[1] + '\n');
  });

  it('runs a -ddd program file given with --program', () => {
    const prog = run(['-ddd', 'arp']).stdout;
    writeFileSync(join(dir, 'arp.ddd'), prog);
    const r = run(['-nnq', '--program', 'arp.ddd', '-r', 'three.pcap']);
    expect(r.stdout).toBe(EXPECTED_Q[2] + '\n');
  });

  it('a truncated file: every intact packet, then the error line, exit 1', () => {
    const bytes = buildCapture();
    writeFileSync(join(dir, 'cut.pcap'), bytes.subarray(0, bytes.length - 10));
    const r = run(['-nnq', '-r', 'cut.pcap']);
    expect(r.stdout).toBe(EXPECTED_Q.slice(0, 2).join('\n') + '\n');
    expect(r.stderr.split('\n')[1]).toMatch(/^tsdump: truncated dump file; tried to read 60 captured bytes, only got 50/);
    expect(r.status).toBe(1);
  });

  it('a reader that goes away (| head -1) ends tsdump quietly, for text and for -w -', () => {
    // 30,000 copies of the three packets: far more output than a pipe buffer holds.
    const one = buildCapture();
    const body = one.subarray(24);
    const big = new Uint8Array(24 + body.length * 10000);
    big.set(one.subarray(0, 24));
    for (let i = 0; i < 10000; i++) big.set(body, 24 + i * body.length);
    writeFileSync(join(dir, 'big.pcap'), big);
    for (const cmd of [`-nn -r big.pcap | head -1`, `-r big.pcap -w - | head -c 100 >/dev/null`]) {
      const r = spawnSync('sh', ['-c', `"${process.execPath}" "${bin}" ${cmd}; echo "status=$?" >&2`], { cwd: dir, env: { ...process.env, TZ: 'UTC' } });
      const stderr = r.stderr.toString();
      expect(stderr).not.toMatch(/internal error|EPIPE|\n\s+at /);
      expect(stderr).toMatch(/status=0/);
    }
  });

  const userErrors: [string, string[], RegExp, number][] = [
    ['missing file', ['-r', 'nope.pcap'], /^tsdump: nope\.pcap: No such file or directory$/, 1],
    ['bad magic', ['-r', 'bad.pcap'], /^tsdump: unknown file format/, 1],
    ['bad flag', ['-Z'], /^tsdump: unknown option '-Z'/, 1],
    ['bad -y name', ['-d', '-y', 'NOPE'], /^tsdump: invalid data link type NOPE$/, 1],
    ['-c not a number', ['-c', 'x', '-r', 'three.pcap'], /^tsdump: invalid packet count x$/, 1],
  ];
  for (const [what, args, re, code] of userErrors) {
    it(`user error, one line, no stack: ${what}`, () => {
      writeFileSync(join(dir, 'bad.pcap'), 'this is not a capture file at all');
      const r = run(args);
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(re);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.status).toBe(code);
    });
  }

  it('user error: a bad filter prints the message and a caret under the column', () => {
    const r = run(['-r', 'three.pcap', 'tcp port']);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^reading from file/);
    expect(lines[1]).toMatch(/^tsdump: .*\(column 9\)$/);
    expect(lines.slice(2)).toEqual(['tcp port', '        ^']);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.status).toBe(1);
  });
});
