/**
 * Properties of the golden-data tooling: the packet generator is a pure function of its seed,
 * its pcap output reads back unchanged through the test-side reader (the reader the golden tests
 * trust), and run-length encoding of verdict lists is lossless.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatePackets, writePcap, extractBias, GEN_LINKTYPES, Rng } from '../tools/packet-gen.ts';
import { readCaptureFile, packetsDigest, encodeRle, decodeRle } from '../tools/verdicts.ts';

const bias = extractBias(['host 10.0.0.1 and tcp port 80', 'ether host 00:11:22:33:44:55', 'ip6 net fe80::/10', 'ip[0xab] == 0xcd', 'vlan 100 and mpls 42', 'ifname testname1']);
const linkTypes = Object.keys(GEN_LINKTYPES);

describe('packet-gen', () => {
  it('is deterministic per (link type, seed) and keeps caplen <= wirelen', () => {
    fc.assert(
      fc.property(fc.constantFrom(...linkTypes), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (lt, seed) => {
        const a = generatePackets(lt, seed, 20, bias);
        const b = generatePackets(lt, seed, 20, bias);
        expect(a.length).toBe(20);
        expect(packetsDigest(a.map((p) => ({ ...p, caplen: p.data.length })))).toBe(packetsDigest(b.map((p) => ({ ...p, caplen: p.data.length }))));
        for (const p of a) expect(p.data.length).toBeLessThanOrEqual(p.wirelen);
      }),
      { numRuns: 60 },
    );
  });

  it('different seeds give different packets', () => {
    const digest = (seed: number) => packetsDigest(generatePackets('EN10MB', seed, 30, bias).map((p) => ({ ...p, caplen: p.data.length })));
    expect(new Set([1, 2, 3, 4, 5].map(digest)).size).toBe(5);
  });

  it('writePcap output reads back byte for byte through the golden reader', () => {
    const dir = mkdtempSync(join(tmpdir(), 'packet-gen-'));
    try {
      fc.assert(
        fc.property(fc.constantFrom(...linkTypes), fc.integer({ min: 0, max: 1e6 }), (lt, seed) => {
          const pkts = generatePackets(lt, seed, 25, bias);
          const path = join(dir, `${lt}.pcap`);
          writePcap(path, GEN_LINKTYPES[lt]!, 262144, pkts);
          const back = readCaptureFile(path);
          expect(back.length).toBe(pkts.length);
          back.forEach((p, i) => {
            expect(p.wirelen).toBe(pkts[i]!.wirelen);
            expect(Buffer.from(p.data).equals(Buffer.from(pkts[i]!.data))).toBe(true);
          });
        }),
        { numRuns: 40 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('extractBias finds the constants of expressions', () => {
    expect(bias.ipv4).toContainEqual([10, 0, 0, 1]);
    expect(bias.macs).toContainEqual([0, 0x11, 0x22, 0x33, 0x44, 0x55]);
    expect(bias.ipv6[0]!.slice(0, 2)).toEqual([0xfe, 0x80]);
    expect(bias.pokes).toContainEqual({ off: 0xab, width: 1, value: 0xcd });
    expect(bias.l4ports).toContain(80);
    expect(bias.labels).toEqual(expect.arrayContaining([100, 42]));
    expect(bias.names).toContain('testname1');
  });

  it('Rng is reproducible and in range', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 1, max: 1000 }), (seed, n) => {
        const a = new Rng(seed), b = new Rng(seed);
        for (let i = 0; i < 20; i++) {
          const x = a.int(n);
          expect(x).toBe(b.int(n));
          expect(x >= 0 && x < n).toBe(true);
        }
      }),
    );
  });
});

describe('verdict RLE', () => {
  it('encodeRle and decodeRle are inverse', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(0, 0, 0, 262144, 100, 4294967295), { maxLength: 200 }), (vals) => {
        const text = encodeRle(vals);
        expect([...decodeRle(text, vals.length)]).toEqual(vals);
      }),
    );
  });
});
