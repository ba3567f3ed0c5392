/**
 * Unit tests of the printer pieces the golden corpus exercises only lightly: IPv6 address
 * compression (inet_ntop rules), timestamp deltas (negative, day wrap, nano carry), local time
 * in two zones, tcpdump's invalid-header text, and the -A rule for carriage returns.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ipv6At } from '../../src/print/addr.ts';
import { TimestampFormatter } from '../../src/print/timestamp.ts';
import { invalidHeaderText } from '../../src/print/packet-printer.ts';
import { asciiDump, hexAsciiDump, hexDump } from '../../src/print/hexdump.ts';

function v6(words: number[]): string {
  const b = new Uint8Array(16);
  words.forEach((w, i) => {
    b[2 * i] = w >> 8;
    b[2 * i + 1] = w & 0xff;
  });
  return ipv6At(b, 0);
}

describe('ipv6At', () => {
  it('compresses the longest zero run (first on a tie), never a single zero word', () => {
    expect(v6([0, 0, 0, 0, 0, 0, 0, 0])).toBe('::');
    expect(v6([0, 0, 0, 0, 0, 0, 0, 1])).toBe('::1');
    expect(v6([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1])).toBe('2001:db8::1:0:0:1');
    expect(v6([0x2001, 0xdb8, 0, 1, 1, 1, 1, 1])).toBe('2001:db8:0:1:1:1:1:1');
    expect(v6([0xfe80, 0, 0, 0, 0, 0, 0, 0])).toBe('fe80::');
  });
  it('prints embedded IPv4 for ::a.b.c.d and ::ffff:a.b.c.d', () => {
    expect(v6([0, 0, 0, 0, 0, 0xffff, 0x0a00, 0x0001])).toBe('::ffff:10.0.0.1');
    expect(v6([0, 0, 0, 0, 0, 0, 0x0a00, 0x0001])).toBe('::10.0.0.1');
  });
});

describe('TimestampFormatter', () => {
  const tz = process.env.TZ;
  afterEach(() => {
    process.env.TZ = tz;
  });
  it('prints local time in the TZ zone, with date for -tttt', () => {
    process.env.TZ = 'Asia/Kolkata';
    expect(new TimestampFormatter(0, 'micro').format(1_213_789_568, 367_761_000)).toBe('17:16:08.367761 ');
    expect(new TimestampFormatter(4, 'nano').format(1_213_789_568, 367_761_123)).toBe('2008-06-18 17:16:08.367761123 ');
    process.env.TZ = 'America/New_York';
    expect(new TimestampFormatter(4, 'micro').format(1_213_789_568, 367_761_000)).toBe('2008-06-18 07:46:08.367761 ');
  });
  it('-tt prints epoch seconds; -t nothing', () => {
    expect(new TimestampFormatter(2, 'micro').format(1_213_789_568, 5_000)).toBe('1213789568.000005 ');
    expect(new TimestampFormatter(1, 'micro').format(1, 2)).toBe('');
  });
  it('-ttt deltas borrow, go negative with a sign, and wrap hours at a day', () => {
    const f = new TimestampFormatter(3, 'micro');
    expect(f.format(100, 900_000_000)).toBe(' 00:00:00.000000 ');
    expect(f.format(101, 100_000_000)).toBe(' 00:00:00.200000 ');
    expect(f.format(100, 0)).toBe('-00:00:01.100000 ');
    expect(f.format(100 + 25 * 3600, 0)).toBe(' 01:00:00.000000 ');
  });
  it('-ttttt measures from the first packet, at nano precision', () => {
    const f = new TimestampFormatter(5, 'nano');
    expect(f.format(10, 999_999_999)).toBe(' 00:00:00.000000000 ');
    expect(f.format(11, 1)).toBe(' 00:00:00.000000002 ');
  });
  it('negative seconds (pcap records from 2038 on) cannot be converted; 64-bit pcapng times can', () => {
    expect(new TimestampFormatter(0, 'micro').format(-1, 0)).toBe('[Error converting time] ');
    expect(new TimestampFormatter(2, 'micro').format(-(2 ** 31), 0)).toBe('[Error converting time] ');
    process.env.TZ = 'UTC';
    expect(new TimestampFormatter(0, 'micro').format(2 ** 32, 0)).toBe('06:28:16.000000 ');
  });
});

describe('invalidHeaderText', () => {
  it('lists every problem like tcpdump, or null', () => {
    expect(invalidHeaderText(60, 60)).toBeNull();
    expect(invalidHeaderText(0, 0)).toBe('[Invalid header: caplen==0, len==0]');
    expect(invalidHeaderText(0, 10)).toBe('[Invalid header: caplen==0]');
    expect(invalidHeaderText(60, 50)).toBe('[Invalid header: len(50) < caplen(60)]');
    expect(invalidHeaderText(300000, 300000)).toBe('[Invalid header: caplen(300000) > 262144, len(300000) > 262144]');
  });
});

describe('dumps', () => {
  const bytes = Uint8Array.from([0x41, 0x0d, 0x0a, 0x42, 0x0d, 0x43, 0x00, 0x20, 0x7e]);
  it('-A drops CR before LF, shows other CRs and non-printables as dots', () => {
    expect(asciiDump(bytes, 0, bytes.length)).toBe('\nA\nB.C. ~');
  });
  it('-x groups bytes in pairs with a lone last byte; -X pads to the ASCII column', () => {
    expect(hexDump(bytes, 0, bytes.length)).toBe('\n\t0x0000:  410d 0a42 0d43 0020 7e');
    expect(hexAsciiDump(bytes, 1, bytes.length)).toBe('\n\t0x0000:  0d0a 420d 4300 207e' + ' '.repeat(20) + '  ..B.C..~');
  });
});
