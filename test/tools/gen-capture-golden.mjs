#!/usr/bin/env node
/**
 * Regenerates test/golden/capture/tcpdump-rewrite.tsv: what the local tcpdump/libpcap does with
 * every capture of the reference corpus (test/corpus/tcpdump-captures and
 * test/corpus/libpcap/captures, relative to the repository root).
 *
 * For each file F it runs, offline and without name lookups:
 *   tcpdump -nn -r F -w OUT      → exit code, sha256 and size of OUT (the pcap tcpdump rewrites:
 *                                  always µs pcap, host byte order, libpcap's snapshot and
 *                                  link type), and stderr
 *   tcpdump -nn -r F --count     → exit code, stdout ("N packets") and stderr ("reading from file
 *                                  ..., link-type ...", or the error)
 * Set "synthetic" is test/golden/capture/synthetic/, files this script builds (and commits) to
 * reach the corners the corpus does not: pcapng with several sections in both byte orders,
 * several interfaces with if_tsresol (decimal and binary) and if_tsoffset, SPB and OPB, skipped
 * block types, interfaces of different link types, bad interface ids; pcap in big-endian ns,
 * versions 2.2/2.3 with swapped lengths, Kuznetzov records, FCS bits, caplen above snaplen.
 * Set "truncated" adds synthetic damage: the first corpus capture of each kind (µs pcap little-
 * and big-endian, ns pcap, pcapng) cut at fixed lengths (`truncationCuts`); the file column is
 * "SOURCE@LENGTH" and the test rebuilds the same bytes from the corpus.
 * One TSV row per file; tabs, newlines and backslashes inside fields are escaped as \t \n \\.
 * The tests (test/capture/tcpdump-rewrite.test.ts) read this committed file, so they run on a
 * machine without tcpdump. Usage: node test/tools/gen-capture-golden.mjs
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const corpus = resolve(repo, 'test/corpus');
const sets = [
  ['tcpdump-captures', join(corpus, 'tcpdump-captures')],
  ['libpcap-captures', join(corpus, 'libpcap/captures')],
  ['captures', join(repo, 'captures')],
  ['synthetic', join(repo, 'test/golden/capture/synthetic')],
];
if (!existsSync(corpus)) {
  console.error(`gen-capture-golden: corpus not found at ${corpus}`);
  process.exit(2);
}
const version = spawnSync('tcpdump', ['--version'], { encoding: 'utf8' });
if (version.error) {
  console.error('gen-capture-golden: tcpdump not found');
  process.exit(2);
}

/** The lengths each truncation source is cut to (same list in the test). */
export function truncationCuts(size) {
  return [0, 3, 10, 23, 24, 30, 45, Math.floor(size / 2), size - 1];
}

// ---- synthetic captures -------------------------------------------------------------------
/** A little byte builder: u8/u16/u32/u64 in a chosen byte order. */
class Bytes {
  constructor(le = true) {
    this.le = le;
    this.parts = [];
  }
  u8(v) {
    this.parts.push(Buffer.from([v & 0xff]));
    return this;
  }
  u16(v) {
    const b = Buffer.alloc(2);
    this.le ? b.writeUInt16LE(v) : b.writeUInt16BE(v);
    this.parts.push(b);
    return this;
  }
  u32(v) {
    const b = Buffer.alloc(4);
    this.le ? b.writeUInt32LE(v >>> 0) : b.writeUInt32BE(v >>> 0);
    this.parts.push(b);
    return this;
  }
  i64(v) {
    const b = Buffer.alloc(8);
    this.le ? b.writeBigInt64LE(BigInt(v)) : b.writeBigInt64BE(BigInt(v));
    this.parts.push(b);
    return this;
  }
  raw(buf) {
    this.parts.push(Buffer.from(buf));
    return this;
  }
  pad4() {
    const n = this.length % 4;
    if (n) this.parts.push(Buffer.alloc(4 - n));
    return this;
  }
  get length() {
    return this.parts.reduce((a, b) => a + b.length, 0);
  }
  buf() {
    return Buffer.concat(this.parts);
  }
}

/** Deterministic packet bytes: an Ethernet/IPv4/UDP-looking frame of `len` bytes. */
function packet(len, seed) {
  const b = Buffer.alloc(len);
  for (let i = 0; i < len; i++) b[i] = (i * 7 + seed * 13) & 0xff;
  if (len >= 14) b.writeUInt16BE(0x0800, 12);
  return b;
}

/** A pcapng block: type, body (Buffer), in byte order `le`. */
function block(le, type, body) {
  const pad = (4 - (body.length % 4)) % 4;
  const len = 12 + body.length + pad;
  return new Bytes(le).u32(type).u32(len).raw(body).raw(Buffer.alloc(pad)).u32(len).buf();
}
function shb(le, minor = 0) {
  return block(le, 0x0a0d0d0a, new Bytes(le).u32(0x1a2b3c4d).u16(1).u16(minor).i64(-1).buf());
}
function idb(le, linkType, snaplen, opts = {}) {
  const b = new Bytes(le).u16(linkType).u16(0).u32(snaplen);
  if (opts.tsresol !== undefined) b.u16(9).u16(1).u8(opts.tsresol).pad4();
  if (opts.tsoffset !== undefined) b.u16(14).u16(8).i64(opts.tsoffset);
  if (opts.tsresol !== undefined || opts.tsoffset !== undefined) b.u16(0).u16(0);
  return block(le, 1, b.buf());
}
/** EPB; `ticks` is the 64-bit timestamp in the interface's units (BigInt). */
function epb(le, ifId, ticks, data, wirelen = data.length, caplen = data.length) {
  const b = new Bytes(le).u32(ifId).u32(Number(ticks >> 32n)).u32(Number(ticks & 0xffffffffn)).u32(caplen).u32(wirelen).raw(data).pad4();
  return block(le, 6, b.buf());
}
function spb(le, wirelen, data) {
  return block(le, 3, new Bytes(le).u32(wirelen).raw(data).pad4().buf());
}
function opb(le, ifId, ticks, data) {
  const b = new Bytes(le).u16(ifId).u16(0).u32(Number(ticks >> 32n)).u32(Number(ticks & 0xffffffffn)).u32(data.length).u32(data.length).raw(data).pad4();
  return block(le, 2, b.buf());
}
function pcapHeader(le, magic, major, minor, snaplen, linkField) {
  return new Bytes(le).u32(magic).u16(major).u16(minor).u32(0).u32(0).u32(snaplen).u32(linkField).buf();
}
function pcapRecord(le, sec, frac, caplen, wirelen, data, extra = null) {
  const b = new Bytes(le).u32(sec).u32(frac).u32(caplen).u32(wirelen);
  if (extra) b.raw(extra);
  return b.raw(data).buf();
}

const T0 = 1700000000n;
function syntheticCaptures() {
  const files = {};
  // Two sections: big-endian (µs), then little-endian (ns); plus blocks that must be skipped
  // (name resolution 4, interface statistics 5, custom 0x00000bad) between packets.
  files['ng-two-sections-be-le.pcapng'] = Buffer.concat([
    shb(false),
    idb(false, 1, 65535),
    epb(false, 0, T0 * 1000000n + 123456n, packet(60, 1)),
    block(false, 4, Buffer.alloc(8)),
    epb(false, 0, T0 * 1000000n + 223456n, packet(74, 2)),
    shb(true),
    idb(true, 1, 65535, { tsresol: 9 }),
    epb(true, 0, (T0 + 1n) * 1000000000n + 987654321n, packet(90, 3)),
    block(true, 5, Buffer.alloc(16)),
    block(true, 0x00000bad, Buffer.alloc(8)),
    epb(true, 0, (T0 + 2n) * 1000000000n + 1n, packet(42, 4), 1500),
  ]);
  // The same in one byte order (libpcap 1.10.3 cannot switch byte order between sections).
  files['ng-two-sections-le.pcapng'] = Buffer.concat([
    shb(true),
    idb(true, 1, 65535),
    epb(true, 0, T0 * 1000000n + 123456n, packet(60, 1)),
    block(true, 4, Buffer.alloc(8)),
    idb(true, 1, 65535, { tsresol: 9 }),
    epb(true, 1, T0 * 1000000000n + 5n, packet(61, 2)),
    shb(true),
    idb(true, 1, 65535, { tsresol: 9 }),
    epb(true, 0, (T0 + 1n) * 1000000000n + 987654321n, packet(90, 3)),
    block(true, 5, Buffer.alloc(16)),
    block(true, 0x00000bad, Buffer.alloc(8)),
    epb(true, 0, (T0 + 2n) * 1000000000n + 1n, packet(42, 4), 1500),
  ]);
  // Several interfaces of one link type: µs, binary 2^-20 with an offset, ms; SPB and OPB.
  files['ng-multi-interface.pcapng'] = Buffer.concat([
    shb(true),
    idb(true, 1, 262144),
    idb(true, 1, 262144, { tsresol: 0x80 | 20, tsoffset: 1000 }),
    idb(true, 1, 262144, { tsresol: 3 }),
    epb(true, 0, T0 * 1000000n + 5n, packet(64, 5)),
    epb(true, 1, (T0 << 20n) + 524288n + 3n, packet(65, 6)),
    epb(true, 2, T0 * 1000n + 999n, packet(66, 7)),
    spb(true, 80, packet(80, 8)),
    opb(true, 1, (T0 << 20n) + 1048575n, packet(67, 9)),
    epb(true, 0, T0 * 1000000n + 999999n, packet(68, 10)),
  ]);
  // libpcap needs one link type: the second interface's RAW stops tcpdump after packet 1.
  files['ng-linktype-change.pcapng'] = Buffer.concat([
    shb(true),
    idb(true, 1, 65535),
    epb(true, 0, T0 * 1000000n, packet(60, 11)),
    idb(true, 101, 65535),
    epb(true, 1, T0 * 1000000n + 1n, packet(40, 12)),
  ]);
  // A record longer than the interface's snaplen is cut to it.
  files['ng-snaplen-cut.pcapng'] = Buffer.concat([
    shb(true),
    idb(true, 1, 64),
    epb(true, 0, T0 * 1000000n, packet(100, 13)),
    epb(true, 0, T0 * 1000000n + 7n, packet(30, 14)),
  ]);
  files['ng-packet-before-idb.pcapng'] = Buffer.concat([shb(true), epb(true, 0, 0n, packet(60, 15)), idb(true, 1, 65535)]);
  files['ng-bad-interface-id.pcapng'] = Buffer.concat([
    shb(true),
    idb(true, 1, 65535),
    epb(true, 0, T0 * 1000000n, packet(60, 16)),
    epb(true, 3, T0 * 1000000n, packet(60, 17)),
  ]);
  files['ng-version-1-2.pcapng'] = Buffer.concat([shb(true, 2), idb(true, 1, 65535), epb(true, 0, T0 * 1000000n, packet(60, 18))]);
  // Fine and odd resolutions, a negative offset, snaplen 0, an SPB longer than the snaplen.
  files['ng-resolutions.pcapng'] = Buffer.concat([
    shb(true),
    idb(true, 1, 0, { tsresol: 12 }),
    idb(true, 1, 0, { tsresol: 0x80 | 40, tsoffset: -3600 }),
    idb(true, 1, 0, { tsresol: 0 }),
    epb(true, 0, T0 * 1000000000000n + 123456789012n, packet(60, 40)),
    epb(true, 1, (T0 << 40n) + (1n << 39n) + 12345n, packet(61, 41)),
    epb(true, 2, T0, packet(62, 42)),
  ]);
  files['ng-spb-over-snaplen.pcapng'] = Buffer.concat([shb(true), idb(true, 1, 64), spb(true, 100, packet(100, 43)), spb(true, 50, packet(40, 44))]);
  files['ng-epb-caplen-past-block.pcapng'] = Buffer.concat([
    shb(true),
    idb(true, 1, 65535),
    epb(true, 0, T0 * 1000000n, packet(60, 45)),
    epb(true, 0, T0 * 1000000n, packet(40, 46), 200, 200),
  ]);
  {
    const bad = Buffer.concat([shb(true), idb(true, 1, 65535), epb(true, 0, T0 * 1000000n, packet(60, 47)), epb(true, 0, T0 * 1000000n, packet(60, 48))]);
    // Make the last block's length (both copies) 2 bytes longer: not a multiple of 4.
    const at = bad.length - (12 + 20 + 60);
    bad.writeUInt32LE(94, at + 4);
    files['ng-length-not-multiple-of-4.pcapng'] = bad;
  }
  files['ng-tsresol-too-high.pcapng'] = Buffer.concat([shb(true), idb(true, 1, 65535, { tsresol: 20 }), epb(true, 0, 0n, packet(60, 49))]);
  // pcap corners.
  files['pcap-be-nano.pcap'] = Buffer.concat([
    pcapHeader(false, 0xa1b23c4d, 2, 4, 65535, 1),
    pcapRecord(false, 1700000000, 123456789, 60, 60, packet(60, 20)),
    pcapRecord(false, 1700000001, 999999999, 61, 1514, packet(61, 21)),
  ]);
  files['pcap-v2.2-swapped.pcap'] = Buffer.concat([
    pcapHeader(true, 0xa1b2c3d4, 2, 2, 65535, 1),
    // Old libpcap wrote (len, caplen): the reader swaps them back.
    pcapRecord(true, 1700000000, 1, 1514, 60, packet(60, 22)),
    pcapRecord(true, 1700000000, 2, 70, 70, packet(70, 23)),
  ]);
  files['pcap-v2.3-maybe-swapped.pcap'] = Buffer.concat([
    pcapHeader(true, 0xa1b2c3d4, 2, 3, 65535, 1),
    pcapRecord(true, 1700000000, 1, 60, 1514, packet(60, 24)),
    // caplen > len: a 2.3 writer swapped them.
    pcapRecord(true, 1700000000, 2, 1514, 60, packet(60, 25)),
  ]);
  files['pcap-kuznetzov.pcap'] = Buffer.concat([
    pcapHeader(true, 0xa1b2cd34, 2, 4, 65535, 1),
    pcapRecord(true, 1700000000, 10, 60, 60, packet(60, 26), Buffer.from([1, 0, 0, 0, 0x08, 0x00, 0, 0])),
    pcapRecord(true, 1700000000, 20, 62, 62, packet(62, 27), Buffer.from([2, 0, 0, 0, 0x08, 0x00, 4, 0])),
  ]);
  files['pcap-fcs-bits.pcap'] = Buffer.concat([
    pcapHeader(true, 0xa1b2c3d4, 2, 4, 65535, 0x04000000 | (2 << 28) | 1),
    pcapRecord(true, 1700000000, 0, 64, 64, packet(64, 28)),
  ]);
  files['pcap-caplen-over-snaplen.pcap'] = Buffer.concat([
    pcapHeader(true, 0xa1b2c3d4, 2, 4, 60, 1),
    pcapRecord(true, 1700000000, 0, 100, 100, packet(100, 29)),
    pcapRecord(true, 1700000000, 1, 50, 50, packet(50, 30)),
  ]);
  files['pcap-caplen-impossible.pcap'] = Buffer.concat([
    pcapHeader(true, 0xa1b2c3d4, 2, 4, 65535, 1),
    pcapRecord(true, 1700000000, 0, 60, 60, packet(60, 31)),
    pcapRecord(true, 1700000000, 1, 300000, 300000, packet(100, 32)),
  ]);
  files['pcap-v543.pcap'] = Buffer.concat([
    pcapHeader(true, 0xa1b2c3d4, 543, 0, 65535, 1),
    pcapRecord(true, 1700000000, 1, 1514, 60, packet(60, 34)),
  ]);
  files['pcap-usec-out-of-range.pcap'] = Buffer.concat([
    pcapHeader(false, 0xa1b2c3d4, 2, 4, 65535, 1),
    pcapRecord(false, 0x80000001, 0xfffffff0, 60, 60, packet(60, 35)),
    pcapRecord(false, 1700000000, 1000000, 60, 60, packet(60, 36)),
  ]);
  files['pcap-snaplen-zero.pcap'] = Buffer.concat([pcapHeader(true, 0xa1b2c3d4, 2, 4, 0, 113), pcapRecord(true, 1700000000, 0, 60, 60, packet(60, 33))]);
  files['bad-magic.pcap'] = Buffer.from('this is not a capture file at all\n');
  return files;
}

const synthDir = join(repo, 'test/golden/capture/synthetic');
mkdirSync(synthDir, { recursive: true });
for (const [name, bytes] of Object.entries(syntheticCaptures())) writeFileSync(join(synthDir, name), bytes);

const esc = (s) => s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n');
const tmp = mkdtempSync(join(tmpdir(), 'tsdump-golden-'));
const out = join(tmp, 'out.pcap');
const rows = [
  `# generated by test/tools/gen-capture-golden.mjs with ${version.stdout.split('\n').slice(0, 2).join(', ')}`,
  ['set', 'file', 'w_exit', 'w_sha256', 'w_size', 'w_stderr', 'count_exit', 'count_stdout', 'count_stderr'].join('\t'),
];
function runTcpdump(set, f, path) {
  rmSync(out, { force: true });
  const w = spawnSync('tcpdump', ['-nn', '-r', path, '-w', out], { encoding: 'utf8', timeout: 60_000 });
  let sha = '-';
  let size = '-';
  if (existsSync(out)) {
    const bytes = readFileSync(out);
    sha = createHash('sha256').update(bytes).digest('hex');
    size = String(bytes.length);
  }
  const c = spawnSync('tcpdump', ['-nn', '-r', path, '--count'], { encoding: 'utf8', timeout: 60_000 });
  // The file name inside messages is made relative so the data is machine-independent.
  const rel = (s) => s.split(path).join(f).trim();
  rows.push([set, f, String(w.status), sha, size, esc(rel(w.stderr)), String(c.status), esc(rel(c.stdout)), esc(rel(c.stderr))].join('\t'));
}

for (const [set, dir] of sets) {
  if (!existsSync(dir)) continue;
  for (const f of readdirSync(dir).sort()) {
    if (f.startsWith('_') || f === 'LICENSE' || f.endsWith('.md')) continue;
    runTcpdump(set, f, join(dir, f));
  }
}

// Synthetic truncations: the first tcpdump-captures file of each magic, cut at fixed lengths.
const kinds = ['d4c3b2a1', 'a1b2c3d4', '4d3cb2a1', '0a0d0d0a'];
const dir = join(corpus, 'tcpdump-captures');
for (const kind of kinds) {
  const src = readdirSync(dir)
    .sort()
    .find((f) => !f.startsWith('_') && readFileSync(join(dir, f)).subarray(0, 4).toString('hex') === kind && readFileSync(join(dir, f)).length > 200);
  if (!src) continue;
  const bytes = readFileSync(join(dir, src));
  for (const cut of truncationCuts(bytes.length)) {
    const name = `${src}@${cut}`;
    const path = join(tmp, name);
    writeFileSync(path, bytes.subarray(0, cut));
    runTcpdump('truncated', name, path);
  }
}
rmSync(tmp, { recursive: true, force: true });
const dest = join(repo, 'test/golden/capture/tcpdump-rewrite.tsv');
writeFileSync(dest, rows.join('\n') + '\n');
console.log(`wrote ${rows.length - 2} rows to test/golden/capture/tcpdump-rewrite.tsv`);
