/**
 * The XDP hook (BPF_PROG_TYPE_XDP) for packets handed over as windows of a caller's buffer, with
 * no copy: for a program loaded verified for the XDP hook, the context is the `struct xdp_md`
 * image followed by the shadow slots the verifier's context conversion reads data and data_end
 * from (`loaded.ctxLayout`); they hold the runtime's region-tagged pointers to the window's first
 * and one-past-last byte. The program's r0 is an XDP action (XDP_PASS = 2, XDP_DROP = 1, …).
 *
 * The frame has no headroom or tailroom, so xdp_adjust_head/tail cannot grow it: the ELF loader
 * (../loader/load.ts) copies packets into a frame with room for programs that need that.
 * Per packet only integers are written into a preallocated context.
 */
import { XDP_ACTION, XDP_MD } from '../isa/ebpf/uapi.ts';
import { REGION, TAG_BASE } from '../runtime/index.ts';
import type { BatchFold, LoadedProgram } from '../runtime/index.ts';
import { batchOrLoop } from './tc.ts';
import type { BoundProgram } from './tc.ts';

export const XDP_ABORTED = XDP_ACTION.ABORTED;
export const XDP_DROP = XDP_ACTION.DROP;
export const XDP_PASS = XDP_ACTION.PASS;
export const XDP_TX = XDP_ACTION.TX;
export const XDP_REDIRECT = XDP_ACTION.REDIRECT;

/** run(buffer, offset, length) → the XDP action, for a program loaded verified for the XDP hook. */
export function attachXdp(loaded: LoadedProgram): (buf: Uint8Array, offset: number, length: number) => number {
  const layout = loaded.ctxLayout;
  const dataSlot = layout.offsets.get('data'), endSlot = layout.offsets.get('data_end');
  const ctx = new Uint8Array(Math.max(layout.size, 24));
  const view = new DataView(ctx.buffer);
  // High halves: the packet region's tag; low halves are offsets in it (data is always 0). A
  // program that never reads a pointer field has no slot for it.
  for (const at of [dataSlot, endSlot]) if (at !== undefined) view.setUint32(at + 4, TAG_BASE + REGION.packet, true);
  const endAt = endSlot ?? -1;
  return (buf, offset, length) => {
    if (endAt >= 0) view.setUint32(endAt, length, true); // data_end = packet + length
    return loaded.runPacket(ctx, buf, offset, length, true); // writable, as in the kernel
  };
}

/** Context fields the batch form folds to per-packet values. */
export const XDP_FOLD: BatchFold = { fields: new Map([['data', 'data'], ['data_end', 'data_end']]), accept: { value: XDP_PASS, equal: true } };

/**
 * The XDP hook as a BoundProgram (./tc.ts): `run` per packet and `runBatch` per block (the
 * engine's batch form when it has one). The packet is writable, as in the kernel.
 */
export function bindXdp(loaded: LoadedProgram): BoundProgram {
  const layout = loaded.ctxLayout;
  const dataSlot = layout.offsets.get('data'), endSlot = layout.offsets.get('data_end');
  const ctx = new Uint8Array(Math.max(layout.size, XDP_MD.size));
  const view = new DataView(ctx.buffer);
  for (const at of [dataSlot, endSlot]) if (at !== undefined) view.setUint32(at + 4, TAG_BASE + REGION.packet, true);
  const endAt = endSlot ?? -1;
  const run = (buf: Uint8Array, offset: number, caplen: number): number => {
    if (endAt >= 0) view.setUint32(endAt, caplen, true);
    return loaded.runPacket(ctx, buf, offset, caplen, true);
  };
  return { run, runBatch: batchOrLoop(loaded, ctx, XDP_FOLD, run), ctx };
}
