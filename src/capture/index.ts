/**
 * Capture I/O: the public API of src/capture (pcap and pcapng files, the link-type table).
 *
 * Reading
 *   openCapture(path | '-', { reader?: 'tsdump' | 'pcap-parser', blockSize?, libpcapCompat? })
 *     → CaptureReader. Detects pcap (µs, ns and Kuznetzov magics, both byte orders) or pcapng
 *     by the magic. `reader.next()` returns the same PacketRecord refilled in place (or null at
 *     the end); `record.buf`/`record.dataOffset` give the bytes without allocating, `record.data`
 *     is a view. After the last record, `reader.error` is null or a UserError naming the byte
 *     offset (truncated/corrupt input). Files that cannot be opened throw a one-line UserError.
 *   openCaptureBytes(bytes, opts) — the same over bytes in memory.
 *
 * Writing
 *   createWriter(sink, { format: 'pcap' | 'pcapng', linkType, snaplen, precision, ... })
 *   writerFormatFor(outputName, { pcapng? }) → 'pcapng' when the name ends in .pcapng or the
 *     flag is given, else 'pcap' (tcpdump's -w default).
 *   fileSink(path | '-', { packetBuffered? }) — buffered output to a file or stdout (`-w -`);
 *     `packetBuffered` flushes after every packet (tcpdump -U). memorySink() collects bytes.
 *   PcapWriter / PcapngWriter: writePacket(record-like), flush(), close().
 *
 * Rewriting (what `tcpdump -r IN -w OUT` does, byte for byte)
 *   rewriteCapture(inPath, sink) → { packets, error, info }: µs pcap in host byte order with
 *   libpcap's snapshot length, link type (+ FCS bits) and 32-bit timestamps.
 *
 * Link types (one table, shared with the filter compiler)
 *   LINK_TYPES, linkTypeByName (case-insensitive, -y names), linkTypeByDlt, linkTypeByLinkType,
 *   dltToLinkType, linkTypeToDlt, describeDlt, maxSnaplenForDlt, splitLinkTypeField.
 */
export type { CaptureInfo, CaptureReader, PacketRecord } from './types.ts';
export { openCapture, openCaptureBytes, type OpenCaptureOptions, type ReaderKind } from './open.ts';
export * from './link-types.ts';
export { PcapReader, type PcapInfo } from './pcap/reader.ts';
export { PcapngReader, type PcapngInfo, type PcapngInterface } from './pcapng/reader.ts';
export { PcapParserReader } from './pcap-parser-reader.ts';
export { fileSink, memorySink, FdSink, MemorySink, type ByteSink } from './sink.ts';
export { PcapWriter, type PcapWriterOptions } from './pcap/writer.ts';
export { PcapngWriter, type PcapngWriterOptions, type PcapngInterfaceOptions } from './pcapng/writer.ts';
export type { WritablePacket, WriterOptions } from './record-writer.ts';
export {
  rewriteCapture,
  createWriter,
  writerFormatFor,
  readingFromLine,
  checkFilterableLinkType,
  tcpdumpPcapWriter,
  dltOf,
  type RewriteResult,
  type WriterFormat,
  type CreateWriterOptions,
} from './rewrite.ts';
