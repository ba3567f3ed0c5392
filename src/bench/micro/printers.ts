/**
 * Benchmarks of the command line's per-packet printing work (src/print): the summary line in the
 * -q and default forms, with -e, the timestamp column, and the -X dump. Packets are built in
 * memory (Ethernet + IPv4 + TCP with options and 100 bytes of payload; Ethernet + IPv6 + UDP), so
 * the suite needs no capture files. One op = one packet formatted.
 */
import type { BenchCase, MicroSuite } from './harness.ts';
import { PacketPrinter, type PrinterOptions } from '../../print/packet-printer.ts';
import { TimestampFormatter } from '../../print/timestamp.ts';
import { hexAsciiDump } from '../../print/hexdump.ts';

function hex(s: string): Uint8Array {
  return Uint8Array.from(s.replace(/\s+/g, '').match(/../g)!.map((b) => parseInt(b, 16)));
}

const ETH = '0a00000000020a00000000010800';
const TCP4 = hex(
  ETH + '4500 0098 0001 4000 4006 0000 0a000001 0a000002' +
    '9c40 0050 00000064 000000c8 8018 2000 0000 0000 0101 080a 0000 0001 0000 0002' + 'ab'.repeat(100),
);
const UDP6 = hex(
  '0a00000000020a000000000186dd' + '6000 0000 0010 1140' + '2001 0db8 0000 0000 0000 0000 0000 0001' +
    '2001 0db8 0000 0000 0000 0000 0000 0002' + 'c350 c351 0010 0000' + '00'.repeat(8),
);

function printCase(name: string, pkt: Uint8Array, opts: Partial<PrinterOptions>): BenchCase {
  const printer = new PacketPrinter(1, { quiet: false, linkHeader: false, verbose: 0, absoluteSeq: false, ...opts });
  return {
    name,
    run(n: number): number {
      let chars = 0;
      for (let i = 0; i < n; i++) chars += printer.print(pkt, pkt.length, pkt.length).length;
      return chars;
    },
  };
}

export const suite: MicroSuite = {
  name: 'cli printers',
  setup(): BenchCase[] {
    const ts = new TimestampFormatter(0, 'micro');
    return [
      printCase('tcp4 -q', TCP4, { quiet: true }),
      printCase('tcp4 default (flags, seq, options)', TCP4, {}),
      printCase('tcp4 -e default', TCP4, { linkHeader: true }),
      printCase('udp6 -q', UDP6, { quiet: true }),
      {
        name: 'timestamp (local time, same second)',
        run(n: number): number {
          let chars = 0;
          for (let i = 0; i < n; i++) chars += ts.format(1_700_000_000, (i % 1000) * 1000).length;
          return chars;
        },
      },
      {
        name: '-X dump of 166 bytes',
        bytesPerOp: TCP4.length,
        run(n: number): number {
          let chars = 0;
          for (let i = 0; i < n; i++) chars += hexAsciiDump(TCP4, 0, TCP4.length).length;
          return chars;
        },
      },
    ];
  },
};
