/**
 * Blocks of capture records for the batch filter path: a reader hands over many consecutive
 * records at once as a PacketBlock (../runtime/batch.ts) — windows of ONE buffer — plus, in
 * reusable typed arrays, what the output needs per record (timestamp, record offset, link type,
 * interface). A filter then runs the whole block in one call (`runBatch`) and only the accepted
 * records are turned back into a PacketRecord (`recordAt`, refilling one reused object).
 *
 * Technique: a reader that parses in place (the pcap reader) implements `nextBlock` itself and
 * stops at the end of its current buffer, since a refill moves the bytes the earlier windows
 * point at. Any other reader goes through `CopyingBlockFiller`, which pulls records one by one
 * with `next()` and copies their bytes into a buffer the block owns (grown when a record does
 * not fit, never per packet). Error semantics are the reader's: every intact record is put in a
 * block, then a call returns 0 and the reader's `error` says what went wrong.
 */
import { createPacketBlock } from '../runtime/batch.ts';
import type { PacketBlock } from '../runtime/batch.ts';
import { MutableRecord } from './record.ts';
import type { CaptureReader, PacketRecord } from './types.ts';

/** A PacketBlock with the per-record facts a PacketRecord carries besides the bytes. */
export interface RecordBlock extends PacketBlock {
  /** Room for this many records. */
  readonly capacity: number;
  tsSec: Float64Array;
  /** Exact seconds of the records that have them (PacketRecord.tsSecBig); absent if none. */
  tsSecBig?: (bigint | undefined)[];
  tsNsec: Float64Array;
  /** Byte offset of each record in the input. */
  recOffsets: Float64Array;
  linkTypes: Int32Array;
  interfaceIds: Int32Array;
  /**
   * True when every record of the block is stored in `buf` exactly as a little-endian pcap file
   * with the input's timestamp unit stores it: its 16-byte record header directly before its
   * bytes, uncut. A writer of that same format can then copy accepted records, headers included,
   * as runs of the buffer (PcapWriter.writeRecords) instead of formatting each one.
   */
  rawRecords: boolean;
  /**
   * True when the block's bytes are the reader's own buffer, which the consumer may overwrite
   * once it is done with the block (the reader reads on after the block's last record; the
   * `-w` path moves accepted records together there). False for bytes a caller handed in.
   */
  scratch: boolean;
}

/** A reader that can fill a RecordBlock itself (without copying packet bytes). */
export interface BlockCaptureReader extends CaptureReader {
  /** Fills `block` with up to block.capacity consecutive records; 0 at the end (check `error`). */
  nextBlock(block: RecordBlock): number;
}

/** An empty record block with room for `capacity` records. */
export function createRecordBlock(capacity = 1024): RecordBlock {
  return {
    ...createPacketBlock(capacity),
    capacity,
    tsSec: new Float64Array(capacity),
    tsNsec: new Float64Array(capacity),
    recOffsets: new Float64Array(capacity),
    linkTypes: new Int32Array(capacity),
    interfaceIds: new Int32Array(capacity),
    rawRecords: false,
    scratch: false,
  };
}

/** Refills `rec` with record i of `block` (the bytes stay in block.buf). */
export function recordAt(block: RecordBlock, i: number, rec: MutableRecord): MutableRecord {
  rec.buf = block.buf;
  rec.dataOffset = block.offsets[i]!;
  rec.caplen = block.caplens[i]!;
  rec.wirelen = block.wirelens[i]!;
  rec.tsSec = block.tsSec[i]!;
  rec.tsSecBig = block.tsSecBig?.[i];
  rec.tsNsec = block.tsNsec[i]!;
  rec.offset = block.recOffsets[i]!;
  rec.linkType = block.linkTypes[i]!;
  rec.interfaceId = block.interfaceIds[i]!;
  return rec;
}

/**
 * The generic path for readers without `nextBlock`: records are copied into a buffer owned by
 * the filler. A record that does not fit in what is left of the buffer ends the block and is
 * kept pending (it stays valid: the reader is not advanced until the next call takes it).
 */
class CopyingBlockFiller {
  private readonly reader: CaptureReader;
  private buf: Uint8Array;
  private pending: PacketRecord | null = null;

  constructor(reader: CaptureReader, bufferSize = 1 << 20) {
    this.reader = reader;
    this.buf = new Uint8Array(bufferSize);
  }

  nextBlock(block: RecordBlock): number {
    let used = 0;
    let n = 0;
    block.buf = this.buf;
    block.rawRecords = false;
    block.scratch = true;
    while (n < block.capacity) {
      const rec = this.pending ?? this.reader.next();
      this.pending = null;
      if (rec === null) break;
      const len = rec.caplen;
      if (used + len > this.buf.length) {
        if (n > 0) {
          this.pending = rec;
          break;
        }
        // A single record bigger than the whole buffer (rare): grow it.
        this.buf = new Uint8Array(Math.max(len, this.buf.length * 2));
        block.buf = this.buf;
      }
      if (rec.buf !== undefined) this.buf.set(rec.buf.subarray(rec.dataOffset!, rec.dataOffset! + len), used);
      else this.buf.set(rec.data.subarray(0, len), used);
      block.offsets[n] = used;
      block.caplens[n] = len;
      block.wirelens[n] = rec.wirelen;
      block.tsSec[n] = rec.tsSec;
      if (rec.tsSecBig !== undefined || block.tsSecBig !== undefined) (block.tsSecBig ??= [])[n] = rec.tsSecBig;
      block.tsNsec[n] = rec.tsNsec;
      block.recOffsets[n] = rec.offset;
      block.linkTypes[n] = rec.linkType;
      block.interfaceIds[n] = rec.interfaceId;
      used += len;
      n++;
    }
    block.count = n;
    return n;
  }
}

/** `reader.nextBlock` when it has one, else a copying filler over `next()`. */
export function blockFiller(reader: CaptureReader, copyBufferSize?: number): (block: RecordBlock) => number {
  const r = reader as Partial<BlockCaptureReader>;
  if (typeof r.nextBlock === 'function') return (block) => r.nextBlock!(block);
  const filler = new CopyingBlockFiller(reader, copyBufferSize);
  return (block) => filler.nextBlock(block);
}
