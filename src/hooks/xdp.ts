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
import { REGION, TAG_BASE } from '../runtime/index.ts';
import type { LoadedProgram } from '../runtime/index.ts';

export const XDP_ABORTED = 0;
export const XDP_DROP = 1;
export const XDP_PASS = 2;
export const XDP_TX = 3;
export const XDP_REDIRECT = 4;

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
    return loaded.runPacket(ctx, buf, offset, length);
  };
}
