/**
 * The file loop on blocks (src/cli/tcpdump-command.ts filterFileInBlocks, src/capture/batch.ts):
 * the command must print, write (`-w` bytes), count and fail exactly as the one-packet-at-a-time
 * loop (TSDUMP_BATCH=0) on every engine — on corpus captures (pcap read in place, pcapng through
 * the copying filler), on a capture cut in the middle of a record, and with `-c N`. Below that,
 * the readers' blocks: the pcap reader's `nextBlock` with a tiny read buffer (so blocks end at
 * buffer boundaries) delivers the same records as `next()`, then the same error. `-w` over a
 * generated capture of many read buffers checks the path that moves accepted records together in
 * the read buffer before writing them.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runTcpdump } from '../../src/cli/tcpdump-command.ts';
import type { CommandIo } from '../../src/cli/tcpdump-command.ts';
import { ByteSource } from '../../src/capture/byte-source.ts';
import { blockFiller, createRecordBlock } from '../../src/capture/batch.ts';
import { PcapReader } from '../../src/capture/pcap/reader.ts';
import { PcapWriter } from '../../src/capture/pcap/writer.ts';
import { memorySink } from '../../src/capture/sink.ts';
import { openCapture } from '../../src/capture/open.ts';
import type { CaptureReader } from '../../src/capture/types.ts';
import { UserError } from '../../src/errors.ts';
import { repoRoot } from './golden-helpers.ts';

const corpus = join(repoRoot, 'test', 'corpus', 'tcpdump-captures');
const IN_CI = process.env.CI === 'true';
const tmp = mkdtempSync(join(tmpdir(), 'tsdump-block-loop-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function tsdump(args: string[], perPacket: boolean): Promise<{ status: number; out: string; err: string }> {
  let out = '', err = '';
  const io: CommandIo = { write: (fd, text) => { if (fd === 1) out += text; else err += text; } };
  const saved = process.env.TSDUMP_BATCH;
  if (perPacket) process.env.TSDUMP_BATCH = '0';
  else delete process.env.TSDUMP_BATCH;
  try {
    return { status: await runTcpdump(args, io), out, err };
  } catch (e) {
    if (e instanceof UserError) return { status: 1, out, err: err + e.message };
    throw e;
  } finally {
    if (saved === undefined) delete process.env.TSDUMP_BATCH;
    else process.env.TSDUMP_BATCH = saved;
  }
}

const ENGINES: string[][] = [
  [],
  ['--engine', 'cbpf'],
  ['--engine', 'ebpf-interp', '--hook', 'tc'],
  ['--engine', 'ebpf-jit'],
  ['--engine', 'ebpf-jit64', '--hook', 'xdp'],
  ['--engine', 'ebpf-wasm', '--hook', 'tc'],
];

/** A pcap cut in the middle of its last-but-some record (records before it stay intact). */
function truncatedCopy(src: string): string {
  const bytes = readFileSync(src);
  const out = join(tmp, 'cut.pcap');
  writeFileSync(out, bytes.subarray(0, Math.floor(bytes.length * 0.7)));
  return out;
}

function captures(): string[] {
  const samples = ['http.pcap', 'http.pcapng', 'http-truncated.pcap'].map((f) => join(repoRoot, 'captures', f));
  if (!existsSync(corpus)) {
    if (IN_CI) throw new Error(`corpus captures missing under CI=true: ${corpus}`);
    console.warn('SKIP corpus part of block-loop: test/corpus/tcpdump-captures not found; the sample captures only');
    return [...samples, truncatedCopy(samples[0]!)];
  }
  const pick = ['afs.pcap', 'pim-packet-assortment.pcap', 'huge-tipc-messages.pcap', 'geneve.pcap', 'kday6.pcap', 'of13_ericsson.pcapng', 'OSPFv2_Capture_FINAL.pcapng'];
  return [...samples, ...pick.map((f) => join(corpus, f)).filter((f) => existsSync(f)), truncatedCopy(join(corpus, 'afs.pcap'))];
}

describe('block loop ≡ one packet at a time', () => {
  const files = captures();
  for (const engine of ENGINES) {
    const name = engine.length === 0 ? 'auto' : engine.join(' ');
    it(`${name}: printed lines, -w bytes, --count, -c N and errors`, async () => {
      for (const file of files) {
        for (const expr of ['', 'tcp or udp', 'ip and len > 200']) {
          for (const extra of [['-nn', '-v', '-x'], ['--count'], ['--count', '-c', '3'], ['--count', '--skip', '2'], ['-nn', '-c', '3'], ['-nn', '--skip', '2', '-c', '7']]) {
            const args = ['-r', file, ...engine, ...extra, expr];
            const a = await tsdump(args, true);
            const b = await tsdump(args, false);
            expect(b, `${args.join(' ')}`).toEqual(a);
          }
          // -w: runs of records copied from the read buffer (pcap in), or one record at a time
          // (pcapng in, nano output from a µs file); with -c and --skip ending runs early.
          for (const extra of [[], ['--skip', '2', '-c', '7'], ['--time-stamp-precision', 'nano'], ['--count']]) {
            const wa = join(tmp, 'a.pcap'), wb = join(tmp, 'b.pcap');
            const ra = await tsdump(['-r', file, ...engine, ...extra, '-w', wa, expr], true);
            const rb = await tsdump(['-r', file, ...engine, ...extra, '-w', wb, expr], false);
            expect(rb).toEqual(ra);
            expect(Buffer.compare(readFileSync(wb), readFileSync(wa)), `-w ${file} ${extra.join(' ')} ${expr}`).toBe(0);
          }
        }
      }
    }, 300_000);
  }

  it('-w over many read buffers: accepted records moved together in the read buffer give the same bytes', async () => {
    // 6,000 Ethernet/IPv4/TCP frames of 60–1,514 bytes (about 4.5 MB: many 256 KiB reads and
    // 1,024-record blocks), a third to or from port 80, some of those in runs of neighbours.
    const path = join(tmp, 'many.pcap');
    const out = memorySink();
    const w = new PcapWriter(out, { linkType: 1, snaplen: 262144 });
    let seed = 7;
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    for (let i = 0; i < 6000; i++) {
      const len = 60 + rnd(1455);
      const frame = Buffer.alloc(len, i & 0xff);
      frame.writeUInt16BE(0x0800, 12);
      frame[14] = 0x45;
      frame.writeUInt16BE(len - 14, 16);
      frame.writeUInt16BE(0, 20);
      frame[23] = 6;
      const web = rnd(3) === 0 || (i % 97 < 5);
      frame.writeUInt16BE(web ? 80 : 1024 + rnd(1000), 34 + rnd(2) * 2);
      const tsNsec = rnd(1000000) * 1000;
      w.writePacket({ tsSec: 1700000000 + i, tsNsec, caplen: len, wirelen: len + rnd(2) * 4, data: frame });
    }
    w.close();
    writeFileSync(path, out.bytes());
    for (const extra of [[], ['--skip', '1500', '-c', '700'], ['-c', '1'], ['--skip', '5999']]) {
      const wa = join(tmp, 'ma.pcap'), wb = join(tmp, 'mb.pcap');
      const ra = await tsdump(['-r', path, ...extra, '-w', wa, 'tcp port 80'], true);
      const rb = await tsdump(['-r', path, ...extra, '-w', wb, 'tcp port 80'], false);
      expect(rb).toEqual(ra);
      const a = readFileSync(wa);
      expect(Buffer.compare(readFileSync(wb), a), extra.join(' ')).toBe(0);
      if (extra.length === 0) expect(a.length).toBeGreaterThan(1 << 20);
    }
  });

  it('a cut capture: every intact packet, then the error, in both loops', async () => {
    const cut = truncatedCopy(join(repoRoot, 'captures', 'http.pcap'));
    const a = await tsdump(['-r', cut, '-nn'], true);
    const b = await tsdump(['-r', cut, '-nn'], false);
    expect(a.status).toBe(1);
    expect(a.err).toMatch(/truncated dump file/);
    expect(a.out.split('\n').length).toBeGreaterThan(3);
    expect(b).toEqual(a);
  });
});

/** All records of a reader as [offset, caplen, wirelen, tsSec, tsNsec, bytes]. */
function viaNext(r: CaptureReader): unknown[] {
  const rows: unknown[] = [];
  for (let rec = r.next(); rec !== null; rec = r.next()) rows.push([rec.offset, rec.caplen, rec.wirelen, rec.tsSec, rec.tsNsec, rec.linkType, rec.interfaceId, Buffer.from(rec.data).toString('hex')]);
  rows.push(r.error?.message ?? null);
  return rows;
}

function viaBlocks(r: CaptureReader, capacity: number, copyBufferSize?: number): { rows: unknown[]; blocks: number } {
  const rows: unknown[] = [];
  const block = createRecordBlock(capacity);
  const fill = blockFiller(r, copyBufferSize);
  let blocks = 0;
  for (let n = fill(block); n > 0; n = fill(block)) {
    blocks++;
    expect(block.count).toBe(n);
    for (let i = 0; i < n; i++) {
      const o = block.offsets[i]!;
      rows.push([block.recOffsets[i], block.caplens[i], block.wirelens[i], block.tsSec[i], block.tsNsec[i], block.linkTypes[i], block.interfaceIds[i], Buffer.from(block.buf.subarray(o, o + block.caplens[i]!)).toString('hex')]);
    }
  }
  rows.push(r.error?.message ?? null);
  return { rows, blocks };
}

describe('reader blocks', () => {
  const http = join(repoRoot, 'captures', 'http.pcap');
  it('pcap nextBlock with small read buffers and capacities ≡ next(), blocks of many records', () => {
    const want = viaNext(new PcapReader(ByteSource.open(http)));
    for (const [bufSize, cap] of [[1 << 20, 1024], [4096, 1024], [700, 3], [1 << 20, 1]] as const) {
      const { rows, blocks } = viaBlocks(new PcapReader(ByteSource.open(http, bufSize)), cap);
      expect(rows).toEqual(want);
      if (cap === 1024 && bufSize === 1 << 20) expect(blocks).toBeLessThan(rows.length / 4);
    }
  });

  it('pcap blocks marked rawRecords hold each record exactly as the file stores it, at any buffer size', () => {
    const file = readFileSync(http);
    for (const [bufSize, cap] of [[1 << 20, 1024], [4096, 1024], [700, 3], [333, 1024], [1 << 20, 1]] as const) {
      const r = new PcapReader(ByteSource.open(http, bufSize));
      const block = createRecordBlock(cap);
      let raw = 0, blocks = 0;
      for (let n = r.nextBlock(block); n > 0; n = r.nextBlock(block)) {
        blocks++;
        if (!block.rawRecords) continue;
        raw++;
        for (let i = 0; i < n; i++) {
          const at = block.recOffsets[i]!, len = 16 + block.caplens[i]!;
          const inBlock = block.buf.subarray(block.offsets[i]! - 16, block.offsets[i]! + block.caplens[i]!);
          expect(Buffer.compare(inBlock, file.subarray(at, at + len)), `record at ${at}, buffer ${bufSize}`).toBe(0);
        }
      }
      // A refill keeps a record's header with its bytes, so every block qualifies here.
      expect(raw, `buffer ${bufSize}`).toBe(blocks);
    }
  });

  it('blocks are scratch (the consumer may overwrite them) only in the reader\'s own buffer', () => {
    const bytes = new Uint8Array(readFileSync(http));
    const copy = Uint8Array.from(bytes);
    for (const [r, want] of [[new PcapReader(ByteSource.open(http)), true], [new PcapReader(ByteSource.fromBytes(bytes)), false]] as const) {
      const block = createRecordBlock(1024);
      let blocks = 0;
      for (let n = r.nextBlock(block); n > 0; n = r.nextBlock(block)) {
        blocks++;
        expect(block.scratch).toBe(want);
      }
      expect(blocks).toBeGreaterThan(0);
    }
    // The pcapng path copies records into the filler's own buffer: scratch.
    const ng = blockFiller(openCapture(join(repoRoot, 'captures', 'http.pcapng')));
    const block = createRecordBlock(1024);
    expect(ng(block)).toBeGreaterThan(0);
    expect(block.scratch).toBe(true);
    expect(Buffer.compare(bytes, copy)).toBe(0);
  });

  it('pcap blocks of files in another layout (big-endian, swapped lengths) are not rawRecords', () => {
    // http.pcap with every header field byte-swapped: the same capture, big-endian.
    const le = Buffer.from(readFileSync(http));
    const be = Buffer.from(le);
    be.writeUInt32BE(le.readUInt32LE(0), 0);
    be.writeUInt16BE(le.readUInt16LE(4), 4);
    be.writeUInt16BE(le.readUInt16LE(6), 6);
    for (const o of [8, 12, 16, 20]) be.writeUInt32BE(le.readUInt32LE(o), o);
    for (let at = 24; at + 16 <= le.length; at += 16 + le.readUInt32LE(at + 8)) {
      for (const o of [0, 4, 8, 12]) be.writeUInt32BE(le.readUInt32LE(at + o), at + o);
    }
    // Version 2.3: lengths swapped when caplen > len (libpcap's rule), so not the writer's form either.
    const v23 = Buffer.from(le);
    v23.writeUInt16LE(3, 6);
    for (const [name, bytes] of [['be.pcap', be], ['v23.pcap', v23]] as const) {
      const path = join(tmp, name);
      writeFileSync(path, bytes);
      const r = new PcapReader(ByteSource.open(path));
      const block = createRecordBlock(1024);
      let blocks = 0;
      for (let n = r.nextBlock(block); n > 0; n = r.nextBlock(block)) {
        blocks++;
        expect(block.rawRecords, name).toBe(false);
      }
      expect(blocks).toBeGreaterThan(0);
    }
  });

  it('pcap nextBlock on a cut capture: the same records, then the same error', () => {
    const cut = truncatedCopy(http);
    const want = viaNext(new PcapReader(ByteSource.open(cut)));
    expect(want[want.length - 1]).toMatch(/truncated/);
    for (const bufSize of [1 << 20, 1000]) expect(viaBlocks(new PcapReader(ByteSource.open(cut, bufSize)), 64).rows).toEqual(want);
  });

  it('pcap records longer than the snapshot (cut by the reader) are blocks of their own', () => {
    // Rewrite http.pcap's header snaplen to 60: every longer record is cut to 60 bytes.
    const bytes = Buffer.from(readFileSync(http));
    const le = bytes.readUInt32LE(0) === 0xa1b2c3d4 || bytes.readUInt32LE(0) === 0xa1b23c4d;
    if (le) bytes.writeUInt32LE(60, 16);
    else bytes.writeUInt32BE(60, 16);
    const small = join(tmp, 'snap60.pcap');
    writeFileSync(small, bytes);
    const want = viaNext(new PcapReader(ByteSource.open(small)));
    expect(viaBlocks(new PcapReader(ByteSource.open(small)), 256).rows).toEqual(want);
  });

  it('pcapng through the copying filler ≡ next(), including a record left pending at a full block', () => {
    const file = join(repoRoot, 'captures', 'http.pcapng');
    const want = viaNext(openCapture(file));
    for (const cap of [1024, 5, 1]) expect(viaBlocks(openCapture(file), cap).rows).toEqual(want);
    // A 2,000-byte copy buffer fills up after a few records: the next one waits for the next block.
    expect(viaBlocks(openCapture(file), 1024, 2000).rows).toEqual(want);
    expect(viaBlocks(openCapture(file), 1024, 10).rows).toEqual(want);
  });
});
