/**
 * Packets in memory for the filter benchmark, in the shape the command hands them to a filter:
 * PacketBlocks (src/runtime/batch.ts), each a window list over ONE buffer of about 1 MiB where
 * every packet is preceded by a 16-byte gap, like records in a pcap reader's block. The stream
 * regime walks all the blocks of the file (far more than the CPU caches hold); the hot regime
 * loops over one block of the first 1,024 packets.
 *
 * Any capture openCapture reads works (`-r FILE`, pcap or pcapng); the link type and snapshot
 * length come from the file, as for `tsdump -r`.
 */
import { openCapture } from '../capture/index.ts';
import { UserError } from '../errors.ts';
import type { PacketBlock } from '../runtime/batch.ts';

const BLOCK_BYTES = 1 << 20;
const HOT_PACKETS = 1024;

export interface BenchPackets {
  path: string;
  linkType: number;
  snaplen: number;
  /** Every packet, in file order, in blocks of about BLOCK_BYTES. */
  blocks: PacketBlock[];
  /** Index of each block's first packet (blocks[b] holds packets first[b] .. first[b] + count - 1). */
  first: number[];
  total: number;
  /** The first min(HOT_PACKETS, total) packets as one block. */
  hot: PacketBlock;
  bytes: number;
}

function newBlock(capacity: number, bytes: number): PacketBlock {
  return { buf: new Uint8Array(bytes), count: 0, offsets: new Int32Array(capacity), caplens: new Int32Array(capacity), wirelens: new Int32Array(capacity) };
}

/** Shrinks a block's arrays to its packets (so `count === offsets.length`). */
function seal(b: PacketBlock, used: number): PacketBlock {
  return { buf: b.buf.subarray(0, used), count: b.count, offsets: b.offsets.slice(0, b.count), caplens: b.caplens.slice(0, b.count), wirelens: b.wirelens.slice(0, b.count) };
}

/** Reads up to `limit` packets of `path` into blocks. */
export function loadPackets(path: string, limit = Infinity): BenchPackets {
  const r = openCapture(path);
  try {
    const blocks: PacketBlock[] = [];
    const first: number[] = [];
    let cur = newBlock(BLOCK_BYTES / 32, BLOCK_BYTES);
    let at = 0;
    let total = 0;
    let bytes = 0;
    const hot = newBlock(HOT_PACKETS, HOT_PACKETS * (16 + 1600));
    let hotAt = 0;
    const linkType = r.info.linkType;
    for (let rec = r.next(); rec !== null && total < limit; rec = r.next()) {
      if (rec.linkType !== linkType) throw new UserError('BENCH_LINKTYPES', `${path}: packets of several link types; the benchmark needs one`);
      const need = 16 + rec.caplen;
      if (at + need > cur.buf.length || cur.count === cur.offsets.length) {
        if (cur.count > 0) { blocks.push(seal(cur, at)); first.push(total - cur.count); }
        cur = newBlock(BLOCK_BYTES / 32, Math.max(BLOCK_BYTES, need));
        at = 0;
      }
      cur.buf.set(rec.data.subarray(0, rec.caplen), at + 16);
      cur.offsets[cur.count] = at + 16;
      cur.caplens[cur.count] = rec.caplen;
      cur.wirelens[cur.count] = rec.wirelen;
      cur.count++;
      at += need;
      if (hot.count < HOT_PACKETS) {
        if (hotAt + need > hot.buf.length) {
          const grown = new Uint8Array(Math.max(hot.buf.length * 2, hotAt + need));
          grown.set(hot.buf);
          hot.buf = grown;
        }
        hot.buf.set(rec.data.subarray(0, rec.caplen), hotAt + 16);
        hot.offsets[hot.count] = hotAt + 16;
        hot.caplens[hot.count] = rec.caplen;
        hot.wirelens[hot.count] = rec.wirelen;
        hot.count++;
        hotAt += need;
      }
      total++;
      bytes += rec.caplen;
    }
    if (r.error) throw r.error;
    if (cur.count > 0) { blocks.push(seal(cur, at)); first.push(total - cur.count); }
    if (total === 0) throw new UserError('BENCH_EMPTY', `${path}: no packets to measure`);
    return { path, linkType, snaplen: r.info.snaplen, blocks, first, total, hot: seal(hot, hotAt), bytes };
  } finally {
    r.close();
  }
}
