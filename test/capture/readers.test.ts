/**
 * Reader behaviour beyond the tcpdump golden comparison: one-line UserErrors for files that
 * cannot be opened (missing, empty, bad magic, bad version), errors with byte offsets after the
 * intact packets, pcapng sections that switch byte order and interfaces of several link types
 * (accepted by default, refused in libpcapCompat mode as libpcap 1.10.3 does), timestamps from
 * if_tsresol/if_tsoffset, `-r -` (stdin) and `-w -` (stdout) through a child process, and the
 * writers' packet-buffered mode.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.ts';
import { PcapWriter, createWriter, fileSink, memorySink, openCapture, openCaptureBytes, writerFormatFor, type ByteSink } from '../../src/capture/index.ts';
import { goldenDir, repoRoot } from './corpus.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tsdump-readers-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const synth = (f: string) => join(goldenDir, 'synthetic', f);
const http = join(repoRoot, 'captures/http.pcap');

function openError(path: string): UserError {
  try {
    openCapture(path).close();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error(`${path} opened`);
}

describe('files that cannot be opened', () => {
  it('missing file', () => {
    const e = openError(join(tmp, 'nope.pcap'));
    expect(e.code).toBe('CAPTURE_OPEN');
    expect(e.message).toBe(`${join(tmp, 'nope.pcap')}: No such file or directory`);
  });
  it('empty file, short header, bad magic: one line with an offset', () => {
    writeFileSync(join(tmp, 'empty.pcap'), '');
    writeFileSync(join(tmp, 'short.pcap'), readFileSync(http).subarray(0, 10));
    expect(openError(join(tmp, 'empty.pcap')).message).toBe('truncated dump file; tried to read 4 file header bytes, only got 0 (at byte offset 0)');
    expect(openError(join(tmp, 'short.pcap')).message).toBe('truncated dump file; tried to read 24 file header bytes, only got 6 (at byte offset 0)');
    const bad = openError(synth('bad-magic.pcap'));
    expect(bad.code).toBe('CAPTURE_BAD_MAGIC');
    expect(bad.message).not.toContain('\n');
  });
  it('unknown reader name', () => {
    expect(() => openCapture(http, { reader: 'nope' as 'tsdump' })).toThrow(UserError);
  });
});

describe('errors after the intact packets', () => {
  it('truncated pcap: six packets, then the offset of the broken record', () => {
    const r = openCapture(join(repoRoot, 'captures/http-truncated.pcap'));
    let n = 0;
    let lastEnd = 0;
    for (let p = r.next(); p; p = r.next()) {
      n++;
      lastEnd = p.offset + 16 + p.caplen;
    }
    expect(n).toBe(6);
    expect(r.error?.code).toBe('CAPTURE_TRUNCATED');
    expect(r.error?.offset).toBe(lastEnd);
    expect(r.error?.message).toBe(`truncated dump file; tried to read 66 captured bytes, only got 33 (at byte offset ${lastEnd})`);
    expect(r.next()).toBeNull();
  });
  it('impossible record length', () => {
    const r = openCapture(synth('pcap-caplen-impossible.pcap'));
    expect(r.next()).not.toBeNull();
    expect(r.next()).toBeNull();
    expect(r.error?.code).toBe('CAPTURE_BAD_LENGTH');
    expect(r.error?.message).toBe('invalid packet capture length 300000, bigger than snaplen of 65535 (at byte offset 100)');
  });
  it('caplen above the snapshot length is cut, the rest skipped', () => {
    const r = openCapture(synth('pcap-caplen-over-snaplen.pcap'), { blockSize: 64 });
    const a = r.next()!;
    expect([a.caplen, a.wirelen, a.data.length]).toEqual([60, 100, 60]);
    const b = r.next()!;
    expect([b.caplen, b.tsNsec]).toEqual([50, 1000]);
    expect(r.next()).toBeNull();
    expect(r.error).toBeNull();
  });
});

describe('pcapng beyond libpcap 1.10.3', () => {
  it('sections in both byte orders: read by default, refused in libpcapCompat mode', () => {
    const read = (compat: boolean) => {
      const r = openCapture(synth('ng-two-sections-be-le.pcapng'), { libpcapCompat: compat });
      const ts: string[] = [];
      for (let p = r.next(); p; p = r.next()) ts.push(`${p.tsSec}.${p.tsNsec}/${p.caplen}`);
      return { ts, error: r.error, bigEndian: r.info.bigEndian };
    };
    const free = read(false);
    expect(free.bigEndian).toBe(true);
    expect(free.ts).toEqual(['1700000000.123456000/60', '1700000000.223456000/74', '1700000001.987654321/90', '1700000002.1/42']);
    expect(free.error).toBeNull();
    const strict = read(true);
    expect(strict.ts.length).toBe(2);
    expect(strict.error?.message).toMatch(/^pcapng block size 469762048 > maximum 16777216/);
  });
  it('interfaces of different link types', () => {
    const r = openCapture(synth('ng-linktype-change.pcapng'));
    expect([r.next()?.linkType, r.next()?.linkType, r.next()]).toEqual([1, 101, null]);
    expect(r.error).toBeNull();
    const s = openCapture(synth('ng-linktype-change.pcapng'), { libpcapCompat: true });
    expect(s.next()?.linkType).toBe(1);
    expect(s.next()).toBeNull();
    expect(s.error?.code).toBe('CAPTURE_LINKTYPE');
  });
  it('if_tsresol (decimal, binary) and if_tsoffset; SPB and OPB', () => {
    const r = openCapture(synth('ng-multi-interface.pcapng'));
    const got: string[] = [];
    for (let p = r.next(); p; p = r.next()) got.push(`${p.interfaceId}:${p.tsSec}.${String(p.tsNsec).padStart(9, '0')}:${p.caplen}/${p.wirelen}`);
    expect(got).toEqual([
      '0:1700000000.000005000:64/64',
      '1:1700001000.500002861:65/65', // 2^-20 ticks: 524291 / 2^20 s, plus 1000 s offset
      '2:1700000000.999000000:66/66',
      '0:0.000000000:80/80', // SPB: no timestamp
      '1:1700001000.999999046:67/67',
      '0:1700000000.999999000:68/68',
    ]);
  });
});

describe('stdin and stdout', () => {
  it('-r - and -w - through a child process', () => {
    const script = [
      "import { openCapture, fileSink, PcapWriter } from './src/capture/index.ts';",
      "const r = openCapture('-');",
      "const w = new PcapWriter(fileSink('-'), { linkType: r.info.linkType, snaplen: r.info.snaplen });",
      'for (let p = r.next(); p; p = r.next()) w.writePacket(p);',
      'w.close();',
    ].join('\n');
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: repoRoot,
      input: readFileSync(http),
      maxBuffer: 1 << 24,
    });
    expect(Buffer.compare(out, readFileSync(http))).toBe(0);
  });
});

describe('writers', () => {
  it('pick pcapng by name or flag', () => {
    expect(writerFormatFor('x.pcap')).toBe('pcap');
    expect(writerFormatFor('x.PCAPNG')).toBe('pcapng');
    expect(writerFormatFor('-', { pcapng: true })).toBe('pcapng');
  });
  it('buffer until flush, or flush every packet when packet-buffered', () => {
    const counting = (): ByteSink & { flushes: number } => {
      const m = memorySink();
      return { write: (b) => m.write(b), flush() { this.flushes++; }, close: () => {}, flushes: 0 };
    };
    const src = openCapture(http);
    const s1 = counting();
    const s2 = counting();
    const w1 = createWriter(s1, { format: 'pcap', linkType: 1, snaplen: 65535 });
    const w2 = createWriter(s2, { format: 'pcapng', linkType: 1, snaplen: 65535, packetBuffered: true });
    for (let p = src.next(); p; p = src.next()) {
      w1.writePacket(p);
      w2.writePacket(p);
    }
    expect(s1.flushes).toBe(0);
    expect(s2.flushes).toBe(10 + 2); // SHB, IDB, then one per packet
  });
  it('a file sink written in small blocks equals the whole', () => {
    const path = join(tmp, 'out.pcap');
    const r = openCapture(http);
    const w = new PcapWriter(fileSink(path, { blockSize: 100 }), { linkType: r.info.rawLinkTypeField, snaplen: r.info.snaplen });
    for (let p = r.next(); p; p = r.next()) w.writePacket(p);
    w.close();
    expect(Buffer.compare(readFileSync(path), readFileSync(http))).toBe(0);
    expect(openCaptureBytes(readFileSync(path)).info.snaplen).toBe(65535);
  });
});
