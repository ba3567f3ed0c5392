/**
 * The fixed layout of a wasm-tier module's linear memory, shared by the translator (which bakes
 * these addresses into the code) and the JavaScript side that fills and reads the memory.
 *
 *   0      scratch: helper arguments r1..r5 (5 × i64), then a 64-bit result slot (r0 of a
 *          helper, a value a slow-path access loaded)
 *   64     region table: one 16-byte entry per fixed region (stack, ctx, packet, mem) — base
 *          address in this memory, size in bytes, writable flag — which checked accesses read
 *          after turning a pointer's tag into a region index
 *   128    the current packet of a batch run (base, caplen) for JavaScript slow paths; at 136
 *          a flag a store into the packet region sets
 *   256    local-call frames: MAX_CALL_DEPTH × 48 bytes (return segment, r6..r10)
 *   65536  the eBPF stack (STACK_BYTES): at 64 KiB so that a frame offset (≥ -32768) plus the
 *          stack's base is a non-negative constant, i.e. a load/store's own offset immediate
 *   69632  data: the run's context, packet and memory (single runs), or a batch's context,
 *          offset/length/verdict arrays and the reader's block, placed at run time
 */
import { MAX_CALL_DEPTH, STACK_BYTES } from '../semantics-memory.ts';

export const ARGS_AT = 0;
export const RES_AT = 40;
export const TABLE_AT = 64;
export const TABLE_ENTRY = 16;
/** Fixed regions with a table entry (REGION.stack … REGION.mem); others take the slow path. */
export const FIXED_REGIONS = 4;
export const CUR_PKT_AT = 128;
/** Set to 1 by a checked store into the packet region (a batch then copies the block back). */
export const DIRTY_AT = 136;
export const FRAMES_AT = 256;
export const FRAME_BYTES = 48;
export const STACK_AT = 65536;
export const DATA_AT = STACK_AT + STACK_BYTES;
export const PAGE = 65536;

if (FRAMES_AT + MAX_CALL_DEPTH * FRAME_BYTES > STACK_AT) throw new Error('wasm layout: frames overlap the stack');
