/**
 * Property tests (fast-check, fixed seed): what the writers write, the readers read back
 * unchanged — pcap with both magics (µs, ns) in both byte orders, pcapng with several
 * interfaces of different link types and resolutions — also through a file read with a tiny
 * block size, so records straddle buffer refills and the compaction path is exercised.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PcapWriter, PcapngWriter, memorySink, openCapture, openCaptureBytes, type CaptureReader } from '../../src/capture/index.ts';

const SEED = 20261124;
const tmp = mkdtempSync(join(tmpdir(), 'tsdump-roundtrip-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Pkt {
  tsSec: number;
  tsNsec: number;
  wirelen: number;
  data: Uint8Array;
  iface: number;
}

const pktArb = (nano: boolean, maxSec: number, ifaces: number) =>
  fc
    .record({
      tsSec: fc.integer({ min: 0, max: maxSec }),
      frac: nano ? fc.integer({ min: 0, max: 999_999_999 }) : fc.integer({ min: 0, max: 999_999 }),
      data: fc.uint8Array({ maxLength: 200 }),
      extra: fc.integer({ min: 0, max: 1500 }),
      iface: fc.integer({ min: 0, max: ifaces - 1 }),
    })
    .map((r): Pkt => ({ tsSec: r.tsSec, tsNsec: nano ? r.frac : r.frac * 1000, wirelen: r.data.length + r.extra, data: r.data, iface: r.iface }));

function readBack(r: CaptureReader): Array<Pkt & { linkType: number }> {
  const out: Array<Pkt & { linkType: number }> = [];
  for (let p = r.next(); p; p = r.next()) {
    out.push({ tsSec: p.tsSec, tsNsec: p.tsNsec, wirelen: p.wirelen, data: p.data.slice(), iface: p.interfaceId, linkType: p.linkType });
  }
  expect(r.error).toBeNull();
  r.close();
  return out;
}

describe('pcap write → read', () => {
  for (const bigEndian of [false, true]) {
    for (const precision of ['micro', 'nano'] as const) {
      it(`${precision} ${bigEndian ? 'big' : 'little'}-endian`, () => {
        fc.assert(
          fc.property(fc.array(pktArb(precision === 'nano', 0x7fffffff, 1), { maxLength: 40 }), fc.constantFrom(1, 12, 113, 127, 276), fc.integer({ min: 16, max: 400 }), (pkts, linkType, blockSize) => {
            const sink = memorySink();
            const w = new PcapWriter(sink, { linkType, snaplen: 65535, precision, bigEndian });
            for (const p of pkts) w.writePacket({ ...p, caplen: p.data.length });
            w.close();
            const bytes = sink.bytes();
            const expected = pkts.map((p) => ({ ...p, iface: 0, linkType }));
            const r = openCaptureBytes(bytes);
            expect(r.info).toMatchObject({ format: 'pcap', linkType, snaplen: 65535, precision, bigEndian });
            expect(readBack(r)).toEqual(expected);
            // The same bytes through a file and a tiny read buffer.
            const path = join(tmp, 'rt.pcap');
            writeFileSync(path, bytes);
            expect(readBack(openCapture(path, { blockSize }))).toEqual(expected);
          }),
          { seed: SEED, numRuns: 60 },
        );
      });
    }
  }
});

describe('pcapng write → read', () => {
  it('several interfaces, link types and resolutions', () => {
    const ifaceArb = fc.record({ linkType: fc.constantFrom(1, 101, 113, 127, 228), precision: fc.constantFrom('micro' as const, 'nano' as const) });
    fc.assert(
      fc.property(
        fc.array(ifaceArb, { minLength: 1, maxLength: 3 }).chain((ifaces) =>
          fc.tuple(fc.constant(ifaces), fc.array(pktArb(true, 0xffffffff, ifaces.length), { maxLength: 40 }), fc.integer({ min: 16, max: 400 })),
        ),
        ([ifaces, pkts, blockSize]) => {
          const sink = memorySink();
          const w = new PcapngWriter(sink, { ...ifaces[0]!, snaplen: 65535 });
          for (const i of ifaces.slice(1)) w.addInterface({ ...i, snaplen: 65535 });
          for (const p of pkts) w.writePacket({ ...p, caplen: p.data.length }, p.iface);
          w.close();
          const bytes = sink.bytes();
          // A µs interface keeps only whole microseconds.
          const expected = pkts.map((p) => ({
            ...p,
            tsNsec: ifaces[p.iface]!.precision === 'micro' ? Math.floor(p.tsNsec / 1000) * 1000 : p.tsNsec,
            linkType: ifaces[p.iface]!.linkType,
          }));
          const r = openCaptureBytes(bytes);
          expect(r.info).toMatchObject({ format: 'pcapng', linkType: ifaces[0]!.linkType, snaplen: 65535 });
          expect(readBack(r)).toEqual(expected);
          const path = join(tmp, 'rt.pcapng');
          writeFileSync(path, bytes);
          expect(readBack(openCapture(path, { blockSize }))).toEqual(expected);
        },
      ),
      { seed: SEED, numRuns: 80 },
    );
  });
});
