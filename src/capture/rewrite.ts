/**
 * `rewriteCapture(inPath, sink)`: what `tcpdump -r IN -w OUT` does, byte for byte, and the
 * writer factory the CLI uses for `-w`.
 *
 * What tcpdump 4.99.3 / libpcap 1.10.3 write (established against the whole corpus, see
 * test/golden/capture/tcpdump-rewrite.tsv): always a pcap file, even from pcapng input; µs
 * magic in host byte order (timestamps of ns files and of pcapng interfaces are cut to µs);
 * version 2.4, thiszone 0, sigfigs 0; snaplen = libpcap's snapshot length for the input; link
 * type = the input's (DLT mapped back to LINKTYPE) with a pcap input's FCS bits kept; records
 * with caplen cut to the snapshot length; 32-bit seconds. Before writing anything tcpdump
 * compiles its (empty) filter for the link type, so a link type libpcap's filter compiler does
 * not know fails with no output file. When the input ends badly, every packet before the error
 * is written, then the error is reported.
 */
import { UserError } from '../errors.ts';
import { DLT_MATCHING_MAX, DLT_MATCHING_MIN, describeDlt, dltToLinkType, linkTypeByDlt, linkTypeToDlt } from './link-types.ts';
import { openCapture, type OpenCaptureOptions } from './open.ts';
import type { PcapInfo } from './pcap/reader.ts';
import { PcapWriter, type PcapWriterOptions } from './pcap/writer.ts';
import type { PcapngInfo } from './pcapng/reader.ts';
import { PcapngWriter, type PcapngWriterOptions } from './pcapng/writer.ts';
import type { ByteSink } from './sink.ts';
import type { CaptureInfo, CaptureReader } from './types.ts';

export type WriterFormat = 'pcap' | 'pcapng';

/** tcpdump's choice of output format: pcapng for a .pcapng name or with --pcapng, else pcap. */
export function writerFormatFor(outputName: string, opts: { pcapng?: boolean } = {}): WriterFormat {
  return opts.pcapng || /\.pcapng$/i.test(outputName) ? 'pcapng' : 'pcap';
}

export type CreateWriterOptions = (PcapWriterOptions & { format: 'pcap' }) | (PcapngWriterOptions & { format: 'pcapng' });

/** Builds the writer for a format. */
export function createWriter(sink: ByteSink, opts: CreateWriterOptions): PcapWriter | PcapngWriter {
  return opts.format === 'pcapng' ? new PcapngWriter(sink, opts) : new PcapWriter(sink, opts);
}

/** The DLT libpcap uses for an open capture (pcap/pcapng readers expose it; else the LINKTYPE). */
export function dltOf(info: CaptureInfo): number {
  // Readers that do not record the DLT (the pcap-parser adapter) give a LINKTYPE_ value.
  return (info as Partial<PcapInfo | PcapngInfo>).dlt ?? linkTypeToDlt(info.linkType);
}

/** tcpdump's first stderr line for `-r`: "reading from file F, link-type EN10MB (Ethernet), snapshot length 262144". */
export function readingFromLine(name: string, info: CaptureInfo): string {
  return `reading from file ${name}, link-type ${describeDlt(dltOf(info))}, snapshot length ${info.snaplen}`;
}

/**
 * The check tcpdump's filter compilation makes before any packet is read: libpcap 1.10.3
 * compiles filters only for link types it knows or in the range where DLT = LINKTYPE.
 */
export function checkFilterableLinkType(info: CaptureInfo): void {
  const dlt = dltOf(info);
  if (linkTypeByDlt(dlt)?.libpcap1103 || (dlt >= DLT_MATCHING_MIN && dlt <= DLT_MATCHING_MAX)) return;
  throw new UserError('CAPTURE_LINKTYPE', `unknown data link type ${dlt} (min ${DLT_MATCHING_MIN}, max ${DLT_MATCHING_MAX})`);
}

/** A pcap writer configured exactly as tcpdump's `-w` would be for this input. */
export function tcpdumpPcapWriter(sink: ByteSink, info: CaptureInfo, opts: { packetBuffered?: boolean } = {}): PcapWriter {
  const dlt = dltOf(info);
  const linkType = dltToLinkType(dlt);
  if (linkType < 0) throw new UserError('CAPTURE_LINKTYPE', `link-layer type ${dlt} isn't supported in savefiles`);
  const ext = (info as Partial<PcapInfo>).linkTypeExt ?? 0;
  return new PcapWriter(sink, { linkType: (linkType | ext) >>> 0, snaplen: info.snaplen, precision: 'micro', packetBuffered: opts.packetBuffered });
}

export interface RewriteResult {
  packets: number;
  /** Null, or why the input ended early (every packet before it was written). */
  error: UserError | null;
  info: CaptureInfo;
}

/**
 * Copies every packet of `inPath` ('-' = stdin) to `sink` as tcpdump -r IN -w OUT does.
 * Throws (before writing anything) when the input cannot be opened or its link type cannot be
 * filtered/written; the sink is flushed, not closed.
 */
export function rewriteCapture(inPath: string, sink: ByteSink, opts: OpenCaptureOptions & { packetBuffered?: boolean } = {}): RewriteResult {
  const reader: CaptureReader = openCapture(inPath, { libpcapCompat: true, ...opts });
  try {
    checkFilterableLinkType(reader.info);
    const writer = tcpdumpPcapWriter(sink, reader.info, opts);
    for (let p = reader.next(); p !== null; p = reader.next()) writer.writePacket(p);
    writer.flush();
    return { packets: writer.packets, error: reader.error, info: reader.info };
  } finally {
    reader.close();
  }
}
