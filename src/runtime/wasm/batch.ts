/**
 * The wasm tier's batch path, the point of the tier: a whole PacketBlock (../batch.ts) per call,
 * the packet loop inside the module.
 *
 * Per call, JavaScript copies the block's used span of bytes into linear memory in one `set`,
 * and the offsets / captured lengths / wire lengths arrays likewise; the module then loops over
 * the packets, builds each packet's hook context in memory (XDP: the data and data_end shadow
 * pointers; socket filter and tc: `__sk_buff.len`, plus data/data_end for tc), runs the program
 * inline and stores r0's low half as the verdict; one more `set` copies the verdicts out. For the
 * socket hook, bpf_skb_load_bytes runs inside the module (see ./translate.ts), so a translated
 * socket filter makes no import call per packet either; nothing is allocated per packet.
 *
 * Helpers other than skb_load_bytes (a verdict counter's map lookup) are JavaScript imports: the
 * Machine's context and packet regions are pointed at the current windows of linear memory before
 * each such call, so they see the bytes the program sees.
 */
import { UserError } from '../../errors.ts';
import { disassembleInsn } from '../../isa/ebpf/asm.ts';
import { decodeSlots } from '../../isa/ebpf/codec.ts';
import type { PacketBlock } from '../batch.ts';
import { DEFAULT_BUDGET } from '../index.ts';
import type { LddwResolver } from '../semantics-program.ts';
import { EbpfFault, Machine, REGION } from '../semantics-memory.ts';
import type { HelperTable } from '../semantics-memory.ts';
import { prepare } from '../semantics-program.ts';
import type { Prepared } from '../semantics-program.ts';
import { rewriteCtxLoads } from '../verifier/ctx-rewrite.ts';
import type { VerifiedProgram } from '../verifier/verify.ts';
import { WasmInstance } from './instance.ts';
import { CUR_PKT_AT, DATA_AT, DIRTY_AT, PAGE, RES_AT, TABLE_AT, TABLE_ENTRY } from './layout.ts';
import { translate } from './translate.ts';
import type { BatchCtxField, BatchHookModel } from './translate.ts';

/** The hooks a batch module can model. */
export type WasmBatchHook = 'xdp' | 'socket' | 'tc';

/** Kernel helper id of bpf_skb_load_bytes. */
const SKB_LOAD_BYTES = 26;
const EFAULT = 14;
/** Room for the context image at the start of the data area. */
const CTX_ROOM = 256;

export interface WasmBatchOptions {
  helpers?: HelperTable;
  resolveLddw?: LddwResolver;
  /** Instruction budget per packet (default: the runtime's). */
  budget?: number;
  /** Passed to helpers as `env.user`. */
  env?: unknown;
}

export interface WasmBatchProgram {
  /** verdicts[i] = r0 (low 32 bits) of packet i of the block. */
  run(block: PacketBlock, verdicts: Int32Array): void;
  readonly machine: Machine;
  /** Size of the module in bytes (for reports). */
  readonly moduleBytes: number;
  /**
   * A buffer inside the module's memory for a reader to fill with up to `maxPackets` packets:
   * a block whose `buf` is this view is run in place, without the copy. Valid until the next
   * call of `blockBuffer` (which may move it).
   */
  blockBuffer(bytes: number, maxPackets: number): Uint8Array;
}

/** The per-packet context recipe of a hook, for a program whose context layout is `layout`. */
function hookModel(hook: WasmBatchHook, shadow: ReadonlyMap<string, number>, shadowSize: number): BatchHookModel {
  const fields: BatchCtxField[] = [];
  const data = shadow.get('data'), end = shadow.get('data_end');
  if (data !== undefined) fields.push({ at: data, value: 'data' });
  if (end !== undefined) fields.push({ at: end, value: 'data_end' });
  // Whole loads of these fields become the packet's values (no context read at all); the image
  // in memory is kept up to date as well, for narrow reads.
  const fold = new Map<string, 'data' | 'data_end' | 'wirelen'>([['data', 'data'], ['data_end', 'data_end']]);
  if (hook === 'xdp') return { ctxSize: Math.max(shadowSize, 24), fields, packetRegion: true, packetWritable: true, fold };
  fields.push({ at: 0, value: 'wirelen' }); // __sk_buff.len
  fold.set('len', 'wirelen');
  return { ctxSize: Math.max(shadowSize, 192), fields, packetRegion: hook === 'tc', packetWritable: hook === 'tc', skbLoadBytes: SKB_LOAD_BYTES, fold };
}

/**
 * Loads a verified program for batch runs at `hook`: the same steps as the runtime's `load`
 * (context conversion, prepare with the verifier's proven accesses), then a batch module.
 * `opts.helpers` must hold the helpers the program calls, except skb_load_bytes for the socket
 * and tc hooks, which the module implements.
 */
export function loadWasmBatch(v: VerifiedProgram, hook: WasmBatchHook, opts: WasmBatchOptions = {}): WasmBatchProgram {
  const { slots, layout } = rewriteCtxLoads(v);
  const m = new Machine(opts.helpers ?? {});
  const p = prepare(decodeSlots(slots), m, opts.resolveLddw);
  p.proven = v.provenAccess;
  return compileWasmBatch(p, m, { ...hookModel(hook, layout.offsets, layout.size), ctxField: v.ctxAccess }, opts);
}

type BatchExport = (start: number, count: number, offs: number, caps: number, wires: number, verd: number, delta: number, lo: number, span: number, budget: number) => number;

/** A batch module for a prepared program and a hook model (see loadWasmBatch). */
function compileWasmBatch(p: Prepared, m: Machine, model: BatchHookModel, opts: WasmBatchOptions = {}): WasmBatchProgram {
  const ctxAt = DATA_AT;
  if (model.ctxSize > CTX_ROOM) throw new Error(`wasm batch: a ${model.ctxSize}-byte context does not fit`);
  const bytes = translate(p, { kind: 'batch', hook: model, ctxAt });
  const budget = Math.min(opts.budget ?? DEFAULT_BUDGET, 0x7fffffff);
  const PKT = (TABLE_AT + REGION.packet * TABLE_ENTRY) >> 2;
  // Helpers and slow paths see the context and the current packet where the module keeps them.
  let ctxSize = model.ctxSize;
  const bind = (): void => {
    w.refresh();
    m.bytes[REGION.ctx] = w.u8; m.views[REGION.ctx] = w.dv; m.base[REGION.ctx] = ctxAt; m.size[REGION.ctx] = ctxSize; m.writable[REGION.ctx] = false;
    m.bytes[REGION.packet] = w.u8; m.views[REGION.packet] = w.dv; m.base[REGION.packet] = w.i32[PKT]!; m.size[REGION.packet] = w.i32[PKT + 1]!; m.writable[REGION.packet] = model.packetWritable === true;
    m.size[REGION.mem] = 0; m.base[REGION.mem] = 0;
    m.user = opts.env;
  };
  const skb = (pc: number): void => {
    // bpf_skb_load_bytes when the destination is not a fixed region (or a fault): as the hook does
    m.pc = pc;
    const from = m.argLo(2) >>> 0, len = m.argLo(4) >>> 0;
    const { bytes: dst, offset } = m.argMem(3, len);
    const cur = CUR_PKT_AT >> 2, base = w.i32[cur]!, curLen = w.i32[cur + 1]!;
    let r = 0;
    if (m.argHi(2) !== 0 || from > 0x7fffffff || from + len > curLen) { dst.fill(0, offset, offset + len); r = -EFAULT; }
    else for (let k = 0; k < len; k++) dst[offset + k] = w.u8[base + from + k]!;
    w.i32[RES_AT >> 2] = r;
    w.i32[(RES_AT >> 2) + 1] = r < 0 ? -1 : 0;
  };
  const w: WasmInstance = new WasmInstance(bytes, m, { beforeHelper: bind, beforeAccess: bind, afterHelper: () => {}, skb }, 4 * PAGE);
  const run = w.exports.batch as BatchExport;
  // The context image: zero but for what the module writes per packet.
  w.u8.fill(0, ctxAt, ctxAt + CTX_ROOM);
  const arraysAt = ctxAt + CTX_ROOM;
  let capacity = 0, blockAt = 0;
  const fault = (e: unknown): unknown => toUserError(e, p);

  let inPlace: Uint8Array | undefined;
  return {
    machine: m,
    moduleBytes: bytes.length,
    blockBuffer(size, maxPackets) {
      capacity = Math.max(capacity, maxPackets, 1024);
      blockAt = arraysAt + 16 * capacity;
      w.ensure(blockAt + size + 8);
      inPlace = w.u8.subarray(blockAt, blockAt + size);
      return inPlace;
    },
    run(block, verdicts) {
      const n = block.count;
      if (n <= 0) return;
      const buf = block.buf;
      if (model.ctxSizeDynamic) {
        // the caller's context image (the Machine's ctx region), read-only for the program
        ctxSize = m.size[REGION.ctx]!;
        if (ctxSize > CTX_ROOM) throw new UserError('EBPF_BAD_INPUT', `the wasm tier takes contexts up to ${CTX_ROOM} bytes (${ctxSize} given)`);
        const src = m.bytes[REGION.ctx]!, base = m.base[REGION.ctx]!;
        w.u8.fill(0, ctxAt, ctxAt + CTX_ROOM);
        if (ctxSize > 0) w.u8.set(src.subarray(base, base + ctxSize), ctxAt);
        w.i32[((TABLE_AT + REGION.ctx * TABLE_ENTRY) >> 2) + 1] = ctxSize;
      }
      if (buf.buffer === w.memory.buffer) {
        // A block read into blockBuffer's view: run it where it is.
        if (n > capacity || buf.byteOffset < arraysAt + 16 * capacity) throw new Error('wasm batch: the block does not fit the buffer blockBuffer gave');
        const offs = arraysAt, caps = offs + 4 * capacity, wires = caps + 4 * capacity, verd = wires + 4 * capacity;
        const { i32 } = w;
        i32.set(block.offsets.subarray(0, n), offs >> 2);
        i32.set(block.caplens.subarray(0, n), caps >> 2);
        i32.set(block.wirelens.subarray(0, n), wires >> 2);
        let stop: number;
        try {
          stop = run(0, n, offs, caps, wires, verd, buf.byteOffset, 0, buf.length, budget);
        } catch (e) {
          throw fault(e);
        }
        if (stop >= 0) {
          const o = block.offsets[stop]!, c = block.caplens[stop]!;
          throw new UserError('EBPF_BAD_INPUT', `packet window [${o}, ${o + c}) is outside the ${buf.length}-byte buffer`);
        }
        verdicts.set(w.i32.subarray(verd >> 2, (verd >> 2) + n));
        return;
      }
      if (n > capacity) { capacity = Math.max(n, 1024); blockAt = arraysAt + 16 * capacity; }
      // The span of the block the packets use, assuming the reader's order (checked in wasm).
      let lo = block.offsets[0]!, hi = block.offsets[n - 1]! + block.caplens[n - 1]!;
      if (!(lo >= 0 && hi <= buf.length && lo <= hi)) { lo = 0; hi = buf.length; }
      const offs = arraysAt, caps = offs + 4 * capacity, wires = caps + 4 * capacity, verd = wires + 4 * capacity;
      let start = 0;
      for (;;) {
        w.ensure(blockAt + (hi - lo) + 8);
        const { u8, i32 } = w;
        u8.set(buf.subarray(lo, hi), blockAt);
        if (start === 0) {
          i32.set(block.offsets.subarray(0, n), offs >> 2);
          i32.set(block.caplens.subarray(0, n), caps >> 2);
          i32.set(block.wirelens.subarray(0, n), wires >> 2);
        }
        let stop: number;
        w.u8[DIRTY_AT] = 0;
        try {
          stop = run(start, n, offs, caps, wires, verd, blockAt - lo, lo, hi - lo, budget);
        } catch (e) {
          throw fault(e);
        } finally {
          // the program stored into packets: the caller's block gets the bytes back
          if (w.u8[DIRTY_AT] !== 0) buf.set(w.u8.subarray(blockAt, blockAt + (hi - lo)), lo);
        }
        if (stop < 0) break;
        const o = block.offsets[stop]!, c = block.caplens[stop]!;
        if (o < 0 || c < 0 || o + c > buf.length) {
          throw new UserError('EBPF_BAD_INPUT', `packet window [${o}, ${o + c}) is outside the ${buf.length}-byte buffer`);
        }
        // a packet outside the assumed span: copy the whole buffer and go on from it
        lo = 0; hi = buf.length; start = stop;
      }
      verdicts.set(w.i32.subarray(verd >> 2, (verd >> 2) + n));
    },
  };
}

/** An engine fault as the runtime reports it: a UserError naming the pc and the instruction. */
function toUserError(e: unknown, p: Prepared): unknown {
  if (e instanceof EbpfFault) {
    const i = e.pc >= 0 && e.pc < p.indexOfPc.length ? p.indexOfPc[e.pc]! : -1;
    const text = i >= 0 ? disassembleInsn(p.prog[i]!) : '?';
    return new UserError(e.code, `pc ${e.pc}: ${text}: ${e.reason}`);
  }
  return e;
}

/** An engine batch function (the runtime's Engine.compileBatch contract in ../index.ts). */
export type WasmEngineBatchFn = (view: DataView, buf: Uint8Array, offsets: Int32Array, caplens: Int32Array, wirelens: Int32Array, count: number, verdicts: Int32Array) => number;

/**
 * The wasm engine's `compileBatch`: the caller has set the Machine's context region to the hook's
 * context image (copied into the module per call); whole loads of the fields in `fold` become
 * each packet's values; the packet region is each packet's window; helpers are the Machine's.
 */
export function compileWasmEngineBatch(p: Prepared, m: Machine, fold: { fields: ReadonlyMap<string, 'data' | 'data_end' | 'wirelen' | 'caplen'>; accept: { value: number; equal: boolean } }, budget?: number): WasmEngineBatchFn {
  const ctxField = (p as { ctxField?: ReadonlyMap<number, { name: string; off: number; kind: string }> }).ctxField;
  const prog = compileWasmBatch(p, m, { ctxSize: 0, ctxSizeDynamic: true, fields: [], packetRegion: true, packetWritable: true, fold: fold.fields, ctxField }, { budget });
  const block: PacketBlock = { buf: new Uint8Array(0), count: 0, offsets: new Int32Array(0), caplens: new Int32Array(0), wirelens: new Int32Array(0) };
  return (_view, buf, offsets, caplens, wirelens, count, verdicts) => {
    block.buf = buf; block.offsets = offsets; block.caplens = caplens; block.wirelens = wirelens; block.count = count;
    prog.run(block, verdicts);
    const { value, equal } = fold.accept;
    let accepted = 0;
    for (let i = 0; i < count; i++) if ((verdicts[i] === value) === equal) accepted++;
    return accepted;
  };
}
