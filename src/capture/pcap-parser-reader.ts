/**
 * The npm `pcap-parser` package behind the CaptureReader contract (`--reader pcap-parser`): a
 * second, independent µs-pcap reader that tests cross-check ours against.
 *
 * pcap-parser is event based: it takes a readable stream and emits 'globalHeader', 'packet',
 * 'error' and 'end'. Its data handler runs synchronously inside `emit('data')`, so the adapter
 * hands it a stand-in stream (an EventEmitter with no-op pause/resume), pushes 1 MiB chunks of
 * the file into it on demand, and queues the packets each chunk produces: `next()` stays a
 * synchronous pull and memory stays bounded by one chunk's packets. Chunks are copied before
 * they are handed over because pcap-parser keeps references to them.
 *
 * Known limits (pcap-parser's, kept on purpose): µs magic only (both byte orders), version 2.4
 * only, no snapshot-length handling, and a truncated last record ends the stream silently; the
 * adapter reports that last case as a UserError so the contract still holds.
 */
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { UserError } from '../errors.ts';
import type { ByteSource } from './byte-source.ts';
import { captureError } from './pcap/reader.ts';
import { MutableRecord } from './record.ts';
import type { CaptureInfo, CaptureReader, PacketRecord } from './types.ts';

interface PpGlobalHeader {
  magicNumber: number;
  majorVersion: number;
  minorVersion: number;
  snapshotLength: number;
  linkLayerType: number;
}
interface PpPacket {
  header: { timestampSeconds: number; timestampMicroseconds: number; capturedLength: number; originalLength: number };
  data: Buffer;
}
interface PpParser extends EventEmitter {
  endianness: 'BE' | 'LE' | null;
  buffer: Buffer | null;
}

type PcapParserModule = { parse(input: NodeJS.ReadableStream): PpParser };
let pcapParserModule: PcapParserModule | undefined;
/** The package, loaded on first use: a command that does not ask for this reader never loads it. */
function pcapParser(): PcapParserModule {
  pcapParserModule ??= createRequire(import.meta.url)('pcap-parser') as PcapParserModule;
  return pcapParserModule;
}

class ChunkFeeder extends EventEmitter {
  pause(): this {
    return this;
  }
  resume(): this {
    return this;
  }
}

export class PcapParserReader implements CaptureReader {
  info!: CaptureInfo;
  error: UserError | null = null;
  private readonly src: ByteSource;
  private readonly feeder = new ChunkFeeder();
  private readonly parser: PpParser;
  private readonly queue: PpPacket[] = [];
  private qi = 0;
  private header: PpGlobalHeader | null = null;
  private failed: Error | null = null;
  private ended = false;
  private readonly rec = new MutableRecord();
  /** Byte offset of the next record (pcap-parser does not report offsets; we count). */
  private nextOffset = 24;

  constructor(src: ByteSource) {
    this.src = src;
    this.parser = pcapParser().parse(this.feeder as unknown as NodeJS.ReadableStream);
    this.parser.on('globalHeader', (h: PpGlobalHeader) => (this.header = h));
    this.parser.on('packet', (p: PpPacket) => this.queue.push(p));
    this.parser.on('error', (e: Error) => (this.failed = e));
    while (this.header === null && this.failed === null && this.feed()) {}
    if (this.failed) throw new UserError('CAPTURE_BAD_MAGIC', `pcap-parser: ${(this.failed as Error).message}`, { offset: 0 });
    if (this.header === null) {
      throw captureError('CAPTURE_TRUNCATED', `truncated dump file; tried to read 24 file header bytes, only got ${src.offset}`, 0);
    }
    const h = this.header;
    this.info = {
      format: 'pcap',
      linkType: h.linkLayerType & 0x03ffffff,
      snaplen: h.snapshotLength,
      precision: 'micro',
      rawLinkTypeField: h.linkLayerType,
      bigEndian: this.parser.endianness === 'BE',
      versionMajor: h.majorVersion,
      versionMinor: h.minorVersion,
    };
    this.rec.linkType = this.info.linkType;
  }

  /** Pushes the next chunk of the file into pcap-parser; false at the end of the input. */
  private feed(): boolean {
    if (this.ended) return false;
    const src = this.src;
    if (!src.ensure(1)) {
      this.ended = true;
      this.feeder.emit('end');
      return false;
    }
    const chunk = Buffer.from(src.buf.subarray(src.pos, src.end));
    src.pos = src.end;
    this.feeder.emit('data', chunk);
    return true;
  }

  next(): PacketRecord | null {
    if (this.qi >= this.queue.length) {
      this.queue.length = 0;
      this.qi = 0;
      while (this.queue.length === 0 && this.failed === null && this.feed()) {}
      if (this.queue.length === 0) {
        if (this.error === null) {
          const left = this.parser.buffer?.length ?? 0;
          if (this.failed) this.error = new UserError('CAPTURE_CORRUPT', `pcap-parser: ${this.failed.message}`, { offset: this.nextOffset });
          else if (left > 0) {
            this.error = captureError('CAPTURE_TRUNCATED', `truncated dump file; ${left} bytes of an incomplete record at the end`, this.nextOffset);
          }
        }
        return null;
      }
    }
    const p = this.queue[this.qi++]!;
    const rec = this.rec;
    rec.buf = p.data;
    rec.dataOffset = 0;
    rec.caplen = p.data.length;
    rec.wirelen = p.header.originalLength;
    rec.tsSec = p.header.timestampSeconds;
    rec.tsNsec = p.header.timestampMicroseconds * 1000;
    rec.offset = this.nextOffset;
    this.nextOffset += 16 + p.data.length;
    return rec;
  }

  close(): void {
    this.ended = true;
    this.src.close();
  }
}
