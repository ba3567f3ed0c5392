/**
 * The tc hook (BPF_PROG_TYPE_SCHED_CLS, a classifier in direct-action mode) for packets handed
 * over as windows of a caller's buffer, with no copy. The context is a `struct __sk_buff` image
 * (192 bytes) followed by the shadow slots the verifier's context conversion reads data and
 * data_end from: `len` (offset 0) is the packet's WIRE length, data/data_end point at the
 * window's first and one-past-last captured byte, so a program reads the packet directly (the
 * JIT without run-time checks where the verifier proved a data_end comparison) and still knows
 * how long the packet was on the wire — which is what `len`, `less` and `greater` need on a
 * truncated capture. The other fields (mark, priority, protocol, …) are whatever the caller
 * writes into `ctx` (zero by default). r0 is a TC_ACT_* verdict (TC_ACT_OK = 0 passes).
 *
 * `attachTc(loaded)` gives `run(buf, offset, caplen, wirelen) → r0` per packet (integers written
 * into a preallocated context, nothing allocated) and `runBatch(block, verdicts)`, which runs a
 * whole block per call through the engine's batch form when it has one (the packet loop inside
 * the generated code, data/data_end/len folded to each packet's values) and packet by packet
 * otherwise. The packet is writable, as in the kernel: a program may rewrite the caller's bytes.
 */
import { SK_BUFF, TC_ACT, fieldOffset } from '../isa/ebpf/uapi.ts';
import type { BatchRunFn, PacketBlock } from '../runtime/batch.ts';
import { REGION, TAG_BASE } from '../runtime/index.ts';
import type { BatchFold, LoadedProgram } from '../runtime/index.ts';

export const SK_BUFF_SIZE = SK_BUFF.size;
const LEN = fieldOffset(SK_BUFF, 'len');

/** A program bound to a hook: one packet, or a block of them. */
export interface BoundProgram {
  /** Runs the program on buf[offset, offset + caplen), wirelen bytes on the wire; returns r0. */
  run(buf: Uint8Array, offset: number, caplen: number, wirelen: number): number;
  /** verdicts[i] = r0 (low 32 bits) for every packet of the block. */
  runBatch: BatchRunFn;
  /** The context image (write fields such as mark before running; len/data/data_end are the hook's). */
  readonly ctx: Uint8Array;
}

/** Context fields the batch form folds to per-packet values. */
export const TC_FOLD: BatchFold = { fields: new Map([['data', 'data'], ['data_end', 'data_end'], ['len', 'wirelen']]), accept: { value: TC_ACT.OK, equal: true } };

/** Binds a program loaded verified for the tc hook (tcHook). */
export function attachTc(loaded: LoadedProgram): BoundProgram {
  const layout = loaded.ctxLayout;
  const dataSlot = layout.offsets.get('data'), endSlot = layout.offsets.get('data_end');
  const ctx = new Uint8Array(Math.max(layout.size, SK_BUFF.size));
  const view = new DataView(ctx.buffer);
  for (const at of [dataSlot, endSlot]) if (at !== undefined) view.setUint32(at + 4, TAG_BASE + REGION.packet, true);
  const endAt = endSlot ?? -1;
  const run = (buf: Uint8Array, offset: number, caplen: number, wirelen: number): number => {
    view.setUint32(LEN, wirelen, true); // __sk_buff.len = the wire length
    if (endAt >= 0) view.setUint32(endAt, caplen, true); // data_end = data + caplen
    return loaded.runPacket(ctx, buf, offset, caplen, true);
  };
  return { run, runBatch: batchOrLoop(loaded, ctx, TC_FOLD, run), ctx };
}

/**
 * The engine's batch form when it has one, else a loop over `run` (the same verdicts: the batch
 * form is differential-tested against it).
 */
export function batchOrLoop(loaded: LoadedProgram, ctx: Uint8Array, fold: BatchFold, run: (buf: Uint8Array, offset: number, caplen: number, wirelen: number) => number): BatchRunFn {
  const batch = loaded.batchRunner(ctx, fold);
  if (batch !== undefined) return batch;
  const { value, equal } = fold.accept;
  return (block: PacketBlock, verdicts: Int32Array) => {
    const { buf, offsets, caplens, wirelens } = block;
    let accepted = 0;
    for (let i = 0; i < block.count; i++) {
      const r0 = (verdicts[i] = run(buf, offsets[i]!, caplens[i]!, wirelens[i]!));
      if ((r0 === value) === equal) accepted++;
    }
    return accepted;
  };
}
