/**
 * Capture input and output for the command line: `-r FILE|-` readers, `-w FILE|-` writers and
 * the link-type names of the "reading from file" banner and `-y`.
 *
 * Everything comes from src/capture: the block-based pcap and pcapng readers (and the
 * `pcap-parser` adapter behind `--reader pcap-parser`), the link-type table, and the block-
 * buffered writers; this module only maps the command line's choices onto them.
 */
import { UserError } from '../errors.ts';
import { openCapture, describeDlt, linkTypeByName, linkTypeToDlt, fileSink, PcapWriter, PcapngWriter } from '../capture/index.ts';
import type { CaptureReader, PacketRecord } from '../capture/types.ts';

/** A packet destination (`-w`). */
export interface PacketSink {
  write(rec: PacketRecord): void;
  /**
   * pcap output only: copies `count` records lying back to back in buf[start, end) in the pcap
   * form this writer makes (PcapWriter.writeRecords); `copiesRecordsOf` says for which input.
   */
  writeRecords?(buf: Uint8Array, start: number, end: number, count: number): void;
  copiesRecordsOf?(precision: 'micro' | 'nano'): boolean;
  /** Push buffered bytes to the file (for -U). */
  flush(): void;
  close(): void;
}

export interface WriterOptions {
  linkType: number;
  snaplen: number;
  precision: 'micro' | 'nano';
  pcapng: boolean;
}

// ------------------------------------------------------------------------------ link types

/** `EN10MB (Ethernet)`, or just the number for link types libpcap 1.10.3 has no name for. */
export function linkTypeLabel(linkType: number): string {
  return describeDlt(linkTypeToDlt(linkType));
}

/** `-y NAME`: a name (with or without `DLT_`/`LINKTYPE_`, any case) → LINKTYPE_* value. */
export function parseLinkTypeName(text: string): number {
  const t = linkTypeByName(text);
  if (t === undefined) throw new UserError('CLI_BAD_LINKTYPE', `invalid data link type ${text}`);
  return t.linkType;
}

// ------------------------------------------------------------------------------ readers

/**
 * Opens `-r` input ('-' = stdin) with the chosen reader (`ours` is src/capture's block reader),
 * as strict as libpcap 1.10.3 under tcpdump: a pcapng file must keep one link type (so one
 * compiled filter and one printer fit every packet) and one byte order.
 */
export function openReader(path: string, reader: 'ours' | 'pcap-parser'): CaptureReader {
  return openCapture(path, { reader: reader === 'ours' ? 'tsdump' : 'pcap-parser', libpcapCompat: true });
}

// ------------------------------------------------------------------------------ writers

/**
 * Opens `-w` output ('-' = stdout) with src/capture's writers: pcap with the input's link-type
 * field and snaplen, µs unless --time-stamp-precision nano (what tcpdump -w writes), or pcapng.
 */
export function openWriter(path: string, opts: WriterOptions, packetBuffered = false): PacketSink {
  const sink = fileSink(path);
  const common = { linkType: opts.linkType, snaplen: opts.snaplen, precision: opts.precision, packetBuffered };
  if (opts.pcapng) {
    const w = new PcapngWriter(sink, common);
    return { write: (rec) => w.writePacket(rec), flush: () => w.flush(), close: () => w.close() };
  }
  const w = new PcapWriter(sink, common);
  return {
    write: (rec) => w.writePacket(rec),
    writeRecords: (buf, start, end, count) => w.writeRecords(buf, start, end, count),
    copiesRecordsOf: (precision) => w.copiesRecordsOf(precision),
    flush: () => w.flush(),
    close: () => w.close(),
  };
}
