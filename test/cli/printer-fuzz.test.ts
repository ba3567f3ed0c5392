/**
 * Property test of the packet printer: for any bytes, any caplen ≤ length and any wire length,
 * on every link type it models, `print` returns a non-empty line without throwing, and the
 * link-header length it reports for the dumps never exceeds the captured length. Inputs are
 * random bytes and random mutations of well-formed Ethernet/IPv4/IPv6/TCP/UDP/ICMP/ARP frames
 * and a DNS response (so the deeper layers are reached, not only the first length check).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PacketPrinter, LINKTYPE } from '../../src/print/packet-printer.ts';

function hex(s: string): number[] {
  return s.replace(/\s+/g, '').match(/../g)!.map((b) => parseInt(b, 16));
}

const ETH = '0a00000000020a0000000001';
const SEEDS: number[][] = [
  hex(ETH + '0800' + '4500 0030 0001 2000 4006 0000 0a000001 0a000002' + '9c40 0050 00000064 000000c8 7012 2000 0000 0000 0204 05b4 0402 080a 0000 0001 0000 0002'),
  hex(ETH + '8100 0064 0800' + '4500 0020 0001 0000 4011 0000 0a000001 0a000002' + '04d2 0035 000c 0000 deadbeef'),
  hex(ETH + '86dd' + '6000 0000 0020 0001 fe80 0000 0000 0000 0000 0000 0000 0001 ff02 0000 0000 0000 0000 0000 0000 0016' +
    '3a00 0502 0000 0100' + '8f00 0000 0000 0001 0400 0000 ff02 0000 0000 0000 0000 0000 0000 00fb'),
  hex(ETH + '0800' + '4500 0038 0001 0000 4001 0000 0a000001 0a000002' + '0303 0000 0000 0000' + '4500 001c 0001 0000 4011 0000 0a000002 0a000001 04d2 0035'),
  hex('ffffffffffff0a0000000001' + '0806' + '0001 0800 06 04 0001 0a0000000001 0a000001 000000000000 0a000002'),
  // DNS response on port 53 with a compressed name (so the DNS reader is fuzzed too)
  hex(ETH + '0800' + '4500 0049 0001 0000 4011 0000 0a000002 0a000001' + '0035 c000 0035 0000' +
    '1234 8180 0001 0001 0000 0000 076578616d706c6503636f6d00 0001 0001' + 'c00c 0001 0001 0000003c 0004 5db8d822'),
];

const OPTIONS = [
  { quiet: true, linkHeader: false, verbose: 0, absoluteSeq: false },
  { quiet: false, linkHeader: true, verbose: 0, absoluteSeq: false },
  { quiet: false, linkHeader: false, verbose: 0, absoluteSeq: true },
];

function check(linkType: number, bytes: Uint8Array, caplen: number, wirelen: number): void {
  for (const o of OPTIONS) {
    const pr = new PacketPrinter(linkType, o);
    const line = pr.print(bytes, caplen, wirelen);
    expect(typeof line).toBe('string');
    expect(line.length).toBeGreaterThan(0);
    expect(line).not.toMatch(/undefined|NaN/);
    expect(pr.hdrlen).toBeLessThanOrEqual(caplen);
  }
}

describe('PacketPrinter never throws', () => {
  const linkTypes = Object.values(LINKTYPE);

  it('random bytes on every link type', () => {
    fc.assert(
      fc.property(fc.constantFrom(...linkTypes), fc.uint8Array({ minLength: 0, maxLength: 120 }), fc.nat(200), (lt, bytes, extra) => {
        check(lt, bytes, bytes.length, bytes.length + (extra % 3 === 0 ? 0 : extra));
      }),
      { numRuns: 3000, seed: Number(process.env.FUZZ_SEED ?? 20261202) },
    );
  });

  it('mutated well-formed frames, truncated anywhere', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SEEDS),
        fc.array(fc.tuple(fc.nat(200), fc.nat(255)), { maxLength: 6 }),
        fc.nat(200),
        fc.nat(100),
        (seed, flips, cut, extra) => {
          const bytes = Uint8Array.from(seed);
          for (const [at, v] of flips) bytes[at % bytes.length] = v;
          const caplen = cut % (bytes.length + 1);
          check(LINKTYPE.EN10MB, bytes.subarray(0, caplen), caplen, bytes.length + extra);
        },
      ),
      { numRuns: 5000, seed: Number(process.env.FUZZ_SEED ?? 20261202) },
    );
  });
});
