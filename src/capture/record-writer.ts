/**
 * Shared plumbing of the pcap and pcapng writers: where record bytes are formatted.
 *
 * Technique: with a block-buffered FdSink the writer reserves the record's bytes inside the
 * sink's block and formats them in place (header fields through a DataView kept per block,
 * payload with one `set`), so writing allocates nothing. Any other sink gets the record formatted
 * in a reusable scratch buffer and passed to `write`.
 */
import { FdSink, type ByteSink } from './sink.ts';
import type { PacketRecord } from './types.ts';

/** Anything with a timestamp, lengths and bytes (a PacketRecord, or a hand-made packet). */
export type WritablePacket = Pick<PacketRecord, 'tsSec' | 'tsSecBig' | 'tsNsec' | 'caplen' | 'wirelen'> & {
  data?: Uint8Array;
  buf?: Uint8Array;
  dataOffset?: number;
};

export interface WriterOptions {
  /** Flush after every packet (tcpdump -U). */
  packetBuffered?: boolean;
}

export abstract class RecordWriter {
  protected readonly sink: ByteSink;
  protected readonly packetBuffered: boolean;
  private readonly fdSink: FdSink | null;
  private scratch = new Uint8Array(65536 + 64);
  private scratchView = new DataView(this.scratch.buffer);
  private blockView: DataView | null = null;
  private blockOf: Uint8Array | null = null;
  /** Set by `reserve`: where to write the record. */
  protected out: Uint8Array = this.scratch;
  protected outView: DataView = this.scratchView;
  protected at = 0;
  private pendingLen = 0;
  private closed = false;

  constructor(sink: ByteSink, opts: WriterOptions) {
    this.sink = sink;
    this.packetBuffered = opts.packetBuffered ?? false;
    this.fdSink = sink instanceof FdSink ? sink : null;
  }

  /** Makes `n` bytes writable at `this.out[this.at ..]`; call `commit()` after filling them. */
  protected reserve(n: number): void {
    const fd = this.fdSink;
    if (fd !== null && n <= fd.blockSize) {
      this.at = fd.reserve(n);
      const block = fd.block;
      if (this.blockOf !== block) {
        this.blockOf = block;
        this.blockView = new DataView(block.buffer, block.byteOffset, block.byteLength);
      }
      this.out = block;
      this.outView = this.blockView!;
      this.pendingLen = -1;
      return;
    }
    if (this.scratch.length < n) {
      this.scratch = new Uint8Array(Math.max(n, this.scratch.length * 2));
      this.scratchView = new DataView(this.scratch.buffer);
    }
    this.out = this.scratch;
    this.outView = this.scratchView;
    this.at = 0;
    this.pendingLen = n;
  }

  protected commit(): void {
    if (this.pendingLen >= 0) this.sink.write(this.scratch.subarray(0, this.pendingLen));
    if (this.packetBuffered) this.sink.flush();
  }

  /** Copies a packet's bytes to `out[at + o ..]`. */
  protected copyPayload(p: WritablePacket, o: number, len: number): void {
    if (p.buf !== undefined && p.dataOffset !== undefined) {
      this.out.set(p.buf.subarray(p.dataOffset, p.dataOffset + len), this.at + o);
    } else {
      this.out.set(p.data!.subarray(0, len), this.at + o);
    }
  }

  flush(): void {
    this.sink.flush();
  }

  /** Flushes and closes the sink. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sink.close();
  }
}
