/**
 * eBPF → WebAssembly: one module per program, encoded by ./encoder.ts.
 *
 * Registers are i64 locals (r0..r10), so 64-bit arithmetic is native; 32-bit ALU and JMP32 work
 * on `i32.wrap` of the operands and zero-extend the result (RFC 9669 §4.1). The corner cases are
 * spelled out where wasm differs from eBPF: division by zero gives 0 and modulo by zero leaves
 * the dividend (wasm would trap), INT_MIN / -1 is computed as a negation (wasm would trap),
 * shift counts are masked by wasm itself, byte swaps are shifts and masks (32 bits: two
 * rotates and two masks, inline).
 *
 * Control flow, the block-per-target nesting: the program is cut into segments at every jump
 * target (and every return point of a local call). Segment s sits right after the `end` of block
 * B_s, and the blocks nest B_K (outermost) … B_1, so from inside segment s a forward jump to
 * segment t is one `br` to B_t. Forward-only programs (every translated filter) are nothing but
 * these blocks. A program with a back edge or a local call is wrapped in a `loop`, plus an
 * innermost block holding a `br_table` on a `pc` local that enters any segment: a backward jump
 * sets `pc`, counts one unit of the instruction budget and branches to the loop head; a local
 * call counts one unit too, as the JavaScript JIT does (./../jit/js.ts). Local calls keep
 * (return segment, r6..r10) in a frame stack in linear memory and give the callee a fresh
 * 512-byte stack frame, exactly as the interpreter lays them out.
 *
 * Memory: pointers keep the runtime's region-tagged values (high half TAG_BASE + region, low half
 * the offset in the region, ../semantics-memory.ts), so every engine returns the same r0. The
 * fixed regions (stack, ctx, packet, mem) live in linear memory (./layout.ts); a checked access
 * calls `$chk`, which maps the tag to a region-table entry and tests the bounds and the writable
 * flag, giving the absolute address, or -1 — then the access goes to a JavaScript import that
 * performs it through the Machine: either the pointer is into a region only JavaScript holds (a
 * map value a helper returned) and the access succeeds, or the Machine raises exactly the fault
 * the interpreter raises. Accesses the verifier proved in bounds (`Prepared.proven`) are plain
 * wasm loads/stores at the region's base (the stack's is a constant folded into the offset
 * immediate). Helper calls store r1..r5 in a scratch area and call one import, which runs the
 * same JavaScript helper the other engines call; r0 comes back through the scratch area.
 *
 * Two kinds of module come out of the same body generator: `run` (one run: the entry function
 * takes r1, r2 and the budget, returns r0) and `batch` (the packet loop inside wasm: per packet
 * it builds the hook's context in memory, runs the body inline, stores r0's low half as the
 * verdict). A batch module for the socket hook implements bpf_skb_load_bytes itself (bounds
 * test, then memory.copy from the packet or memory.fill with zeros), so a packet costs no import
 * call at all.
 */
import { AtomicOps, Sizes } from '../../isa/ebpf/opcodes.ts';
import type { AluOp, JmpOp } from '../../isa/ebpf/opcodes.ts';
import type { EbpfInsn } from '../../isa/ebpf/types.ts';
import { MAX_CALL_DEPTH, REGION, STACK_BYTES, TAG_BASE } from '../semantics-memory.ts';
import { STACK_SIZE } from '../../isa/ebpf/opcodes.ts';
import type { Prepared } from '../semantics-program.ts';
import { Code, encodeModule, I32, I64, Op } from './encoder.ts';
import type { Func, ValType } from './encoder.ts';
import { ARGS_AT, CUR_PKT_AT, DIRTY_AT, FIXED_REGIONS, FRAME_BYTES, FRAMES_AT, RES_AT, STACK_AT, TABLE_AT, TABLE_ENTRY } from './layout.ts';

/** Fault kinds the `fault` import turns into the interpreter's EbpfFaults. */
export const FAULT = { budget: 0, callDepth: 1, kfunc: 2, invalid: 3, fallsOff: 4 } as const;

/** Imported functions, in index order. */
const F_HELPER = 0, F_LD = 1, F_ST = 2, F_ATOMIC = 3, F_FAULT = 4, F_SKB = 5;
const N_IMPORTS = 6;
const F_CHK = N_IMPORTS;

/** A context field a batch run writes per packet: a u32 length or a 64-bit packet pointer. */
export interface BatchCtxField {
  at: number;
  value: 'wirelen' | 'caplen' | 'data' | 'data_end';
}

/** What a batch module builds per packet (see ./batch.ts for the hooks' models). */
export interface BatchHookModel {
  /** Bytes of context (UAPI struct plus shadow slots); r1 points to it. */
  ctxSize: number;
  fields: BatchCtxField[];
  /** The packet is the packet region (XDP, tc); otherwise only bpf_skb_load_bytes reads it. */
  packetRegion: boolean;
  /** Stores into the packet region are allowed (and copied back to the caller's block). */
  packetWritable?: boolean;
  /** Helper id implemented inside the module as bpf_skb_load_bytes on the current packet. */
  skbLoadBytes?: number;
  /**
   * Context fields (by name) whose whole loads become the packet's value instead of a memory
   * read; needs the verifier's field of each context load (`ctxField`, pc → field).
   */
  fold?: ReadonlyMap<string, 'data' | 'data_end' | 'wirelen' | 'caplen'>;
  ctxField?: ReadonlyMap<number, { name: string; off: number; kind: string }>;
  /** The context's size is set by JavaScript per call (region-table entry), not by the module. */
  ctxSizeDynamic?: boolean;
}

export type ModuleKind = { kind: 'run' } | { kind: 'batch'; hook: BatchHookModel; ctxAt: number };

const big = (lo: number, hi: number): bigint => BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo >>> 0));

/** The wasm module for a prepared program. */
export function translate(p: Prepared, kind: ModuleKind): Uint8Array {
  const main = new Translator(p, kind).build();
  const chk = checkFunction();
  return encodeModule({
    imports: [
      { module: 'e', name: 'helper', type: { params: [I32, I32], results: [I32] } },
      { module: 'e', name: 'ld', type: { params: [I32, I32, I32, I32, I32], results: [] } },
      { module: 'e', name: 'st', type: { params: [I32, I32, I32, I32, I32, I32, I32], results: [] } },
      { module: 'e', name: 'atomic', type: { params: [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32], results: [] } },
      { module: 'e', name: 'fault', type: { params: [I32, I32], results: [] } },
      { module: 'e', name: 'skb', type: { params: [I32], results: [] } },
    ],
    memory: { module: 'e', name: 'memory', minPages: 2 },
    funcs: [chk, main],
    globals: [{ type: I32, mutable: true, init: 0, export: 'r0hi' }],
  });
}

/**
 * $chk(ptr i64, off i32, n i32, write i32) → absolute address, or -1 when the access must take
 * the slow path (not a fixed region, out of bounds, or a store to a read-only region). The
 * offset sum is done in i32 and zero-extended: a true offset below zero or past 2^31 becomes a
 * value ≥ 2^31 - 2^15, beyond any region here, so one unsigned comparison covers both bounds.
 */
function checkFunction(): Func {
  const c = new Code();
  const PTR = 0, OFF = 1, N = 2, W = 3, IDX = 4, E = 5, A = 6;
  c.get(PTR).i64(32n).op(Op.i64_shr_u, Op.i32_wrap_i64).i32(TAG_BASE).op(Op.i32_sub).tee(IDX)
    .i32(FIXED_REGIONS).op(Op.i32_ge_u).if().i32(-1).op(Op.return).end();
  c.get(IDX).i32(4).op(Op.i32_shl).set(E);
  c.get(PTR).op(Op.i32_wrap_i64).get(OFF).op(Op.i32_add).tee(A).op(Op.i64_extend_i32_u)
    .get(N).op(Op.i64_extend_i32_u).op(Op.i64_add)
    .get(E).mem(Op.i32_load, TABLE_AT + 4).op(Op.i64_extend_i32_u).op(Op.i64_gt_u)
    .if().i32(-1).op(Op.return).end();
  c.get(W).if().get(E).mem(Op.i32_load, TABLE_AT + 8).op(Op.i32_eqz).if().i32(-1).op(Op.return).end()
    // a store into the packet: the block must be copied back to the caller's buffer
    .get(IDX).i32(REGION.packet).op(Op.i32_eq).if().i32(0).i32(1).mem(Op.i32_store8, DIRTY_AT).end().end();
  c.get(E).mem(Op.i32_load, TABLE_AT).get(A).op(Op.i32_add);
  return { type: { params: [I64, I32, I32, I32], results: [I32] }, locals: [I32, I32, I32], code: c };
}

const BIN64: Partial<Record<AluOp, number>> = {
  add: Op.i64_add, sub: Op.i64_sub, mul: Op.i64_mul, or: Op.i64_or, and: Op.i64_and, xor: Op.i64_xor,
  lsh: Op.i64_shl, rsh: Op.i64_shr_u, arsh: Op.i64_shr_s,
};
const BIN32: Partial<Record<AluOp, number>> = {
  add: Op.i32_add, sub: Op.i32_sub, mul: Op.i32_mul, or: Op.i32_or, and: Op.i32_and, xor: Op.i32_xor,
  lsh: Op.i32_shl, rsh: Op.i32_shr_u, arsh: Op.i32_shr_s,
};
const CMP64: Record<Exclude<JmpOp, 'jset'>, number> = {
  jeq: Op.i64_eq, jne: Op.i64_ne, jgt: Op.i64_gt_u, jge: Op.i64_ge_u, jlt: Op.i64_lt_u, jle: Op.i64_le_u,
  jsgt: Op.i64_gt_s, jsge: Op.i64_ge_s, jslt: Op.i64_lt_s, jsle: Op.i64_le_s,
};
const CMP32: Record<Exclude<JmpOp, 'jset'>, number> = {
  jeq: Op.i32_eq, jne: Op.i32_ne, jgt: Op.i32_gt_u, jge: Op.i32_ge_u, jlt: Op.i32_lt_u, jle: Op.i32_le_u,
  jsgt: Op.i32_gt_s, jsge: Op.i32_ge_s, jslt: Op.i32_lt_s, jsle: Op.i32_le_s,
};
const LOAD_U: Record<string, number> = { b: Op.i64_load8_u, h: Op.i64_load16_u, w: Op.i64_load32_u, dw: Op.i64_load };
const LOAD_S: Record<string, number> = { b: Op.i64_load8_s, h: Op.i64_load16_s, w: Op.i64_load32_s, dw: Op.i64_load };
const STORE: Record<string, number> = { b: Op.i64_store8, h: Op.i64_store16, w: Op.i64_store32, dw: Op.i64_store };
const EXTEND_S: Record<string, number | undefined> = { b: Op.i64_extend8_s, h: Op.i64_extend16_s, w: Op.i64_extend32_s };

class Translator {
  private readonly c = new Code();
  private readonly locals: ValType[] = [];
  private readonly nParams: number;
  // local indices
  private readonly R: number[] = [];
  private readonly T64: number;
  private readonly T32: number;
  private readonly U32: number;
  private readonly PC: number;
  private readonly SP: number;
  private readonly BUDGET: number;
  private readonly PKT_BASE: number;
  private readonly PKT_SIZE: number;
  private readonly CTX_BASE: number;
  private readonly SKB_BASE: number;
  private readonly SKB_LEN: number;
  private readonly WIRE: number;
  /** Counter and source of smallCopy. */
  private readonly CI: number;
  private readonly CS: number;
  /** Open labels (count); a label opened at position q has depth `open - 1 - q`. */
  private open = 0;
  /** Stack position of B_s (segment s starts after its end); -1 for segment 0. */
  private readonly blockPos: number[] = [];
  private loopPos = -1;
  private donePos = -1;
  private readonly segOf: Int32Array;
  private readonly dispatch: boolean;
  private hasCalls: boolean;
  private readonly batch: Extract<ModuleKind, { kind: 'batch' }> | undefined;

  constructor(private readonly p: Prepared, kind: ModuleKind) {
    this.batch = kind.kind === 'batch' ? kind : undefined;
    // run: (r1lo, r1hi, r2lo, r2hi, budget) → r0 low half;
    // batch: (start, count, offsAt, capsAt, wiresAt, verdAt, delta, lo, span, budget) → -1, or
    // the index of a packet outside the copied span (see batchLoop)
    this.nParams = this.batch ? 10 : 5;
    const local = (t: ValType) => { this.locals.push(t); return this.nParams + this.locals.length - 1; };
    for (let r = 0; r <= 10; r++) this.R.push(local(I64));
    this.T64 = local(I64);
    this.T32 = local(I32);
    this.U32 = local(I32);
    this.PC = local(I32);
    this.SP = local(I32);
    this.BUDGET = this.batch ? local(I32) : 4;
    this.PKT_BASE = local(I32);
    this.PKT_SIZE = local(I32);
    this.CTX_BASE = local(I32);
    this.SKB_BASE = local(I32);
    this.SKB_LEN = local(I32);
    this.WIRE = local(I32);
    this.CI = local(I32);
    this.CS = local(I32);
    const { prog, target } = p;
    const entry = new Set<number>([0]);
    let back = false;
    this.hasCalls = false;
    prog.forEach((insn, i) => {
      if (target[i]! >= 0) { entry.add(target[i]!); if (target[i]! <= i) back = true; }
      if (insn.kind === 'call' && insn.call === 'local') { entry.add(i + 1); this.hasCalls = true; }
    });
    this.dispatch = back || this.hasCalls;
    this.segOf = new Int32Array(prog.length + 1).fill(-1);
    [...entry].sort((a, b) => a - b).forEach((i, s) => { this.segOf[i] = s; });
  }

  private push(): number { return this.open++; }
  private pop(): void { this.open--; }
  private depth(pos: number): number { return this.open - 1 - pos; }

  build(): Func {
    const { c } = this;
    if (this.batch) this.batchLoop(); else this.runEntry();
    const type = this.batch
      ? { params: [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32] as ValType[], results: [I32] as ValType[] }
      : { params: [I32, I32, I32, I32, I32] as ValType[], results: [I32] as ValType[] };
    return { type, locals: this.locals, code: c, export: this.batch ? 'batch' : 'run' };
  }

  private runEntry(): void {
    const { c, R } = this;
    c.get(0).op(Op.i64_extend_i32_u).get(1).op(Op.i64_extend_i32_u).i64(32n).op(Op.i64_shl, Op.i64_or).set(R[1]!);
    c.get(2).op(Op.i64_extend_i32_u).get(3).op(Op.i64_extend_i32_u).i64(32n).op(Op.i64_shl, Op.i64_or).set(R[2]!);
    c.i64(big(STACK_BYTES, TAG_BASE + REGION.stack)).set(R[10]!);
    this.reloadRegions();
    this.body();
    // Unreachable: prepare() guarantees the program ends in exit or a jump.
    c.i32(FAULT.fallsOff).i32(this.p.pcOf[this.p.prog.length - 1]!).call(F_FAULT).op(Op.unreachable);
  }

  /** Single runs: the context and packet windows can move at a helper call; read them again. */
  private reloadRegions(): void {
    if (this.batch) return;
    const { c } = this;
    c.i32(0).mem(Op.i32_load, TABLE_AT + REGION.packet * TABLE_ENTRY).set(this.PKT_BASE);
    c.i32(0).mem(Op.i32_load, TABLE_AT + REGION.packet * TABLE_ENTRY + 4).set(this.PKT_SIZE);
    c.i32(0).mem(Op.i32_load, TABLE_AT + REGION.ctx * TABLE_ENTRY).set(this.CTX_BASE);
  }

  private batchLoop(): void {
    const { c, R } = this;
    const b = this.batch!;
    const START = 0, COUNT = 1, OFFS = 2, CAPS = 3, WIRES = 4, VERD = 5, DELTA = 6, LO = 7, SPAN = 8, BUDGET0 = 9;
    const II = this.locals.length + this.nParams;
    this.locals.push(I32); // packet index, kept apart from the body's scratch
    // Constant context fields (packet start) and the ctx region entry, once per call.
    for (const f of b.hook.fields) if (f.value === 'data') c.i32(0).i64(big(0, TAG_BASE + REGION.packet)).mem(Op.i64_store, b.ctxAt + f.at);
    c.i32(0).i32(b.ctxAt).mem(Op.i32_store, TABLE_AT + REGION.ctx * TABLE_ENTRY);
    if (!b.hook.ctxSizeDynamic) c.i32(0).i32(b.hook.ctxSize).mem(Op.i32_store, TABLE_AT + REGION.ctx * TABLE_ENTRY + 4);
    c.i32(0).i32(0).mem(Op.i32_store, TABLE_AT + REGION.ctx * TABLE_ENTRY + 8);
    c.i32(0).i32(b.hook.packetWritable ? 1 : 0).mem(Op.i32_store, TABLE_AT + REGION.packet * TABLE_ENTRY + 8);
    c.get(START).set(II);
    c.block(); const out = this.push();
    c.loop(); const next = this.push();
    c.get(II).get(COUNT).op(Op.i32_ge_u).brIf(this.depth(out));
    // this packet: its offset relative to the copied span [lo, lo + span) and its captured length;
    // a window outside the span ends the call with the packet's index (JavaScript copies more)
    c.get(II).i32(2).op(Op.i32_shl).tee(this.U32).get(OFFS).op(Op.i32_add).mem(Op.i32_load, 0).tee(this.SKB_BASE)
      .get(LO).op(Op.i32_sub).tee(this.T32).get(SPAN).op(Op.i32_gt_u);
    c.get(this.U32).get(CAPS).op(Op.i32_add).mem(Op.i32_load, 0).tee(this.SKB_LEN).get(SPAN).get(this.T32).op(Op.i32_sub).op(Op.i32_gt_u);
    c.op(Op.i32_or).if().get(II).op(Op.return).end();
    c.get(this.SKB_BASE).get(DELTA).op(Op.i32_add).set(this.SKB_BASE);
    if (b.hook.packetRegion) {
      c.get(this.SKB_BASE).set(this.PKT_BASE);
      c.get(this.SKB_LEN).set(this.PKT_SIZE);
    }
    const needWire = b.hook.fields.some((f) => f.value === 'wirelen') || [...(b.hook.fold?.values() ?? [])].includes('wirelen');
    if (needWire) c.get(this.U32).get(WIRES).op(Op.i32_add).mem(Op.i32_load, 0).set(this.WIRE);
    // The context image and the region table matter only to context loads that do not fold and
    // to checked accesses and helpers (which may follow a pointer into the context or packet).
    const slow = this.p.prog.some((insn, i) => ((insn.kind === 'ldx' || insn.kind === 'st' || insn.kind === 'stx') && this.proven(i) === undefined) ||
      insn.kind === 'atomic' || insn.kind === 'callx' || (insn.kind === 'call' && insn.call === 'helper'));
    const unfolded = this.p.prog.some((insn, i) => insn.kind === 'ldx' && this.proven(i) === 'ctx' && !this.foldable(insn, this.p.pcOf[i]!));
    const image = slow || unfolded;
    for (const f of image ? b.hook.fields : []) {
      if (f.value === 'wirelen') c.i32(0).get(this.WIRE).mem(Op.i32_store, b.ctxAt + f.at);
      else if (f.value === 'caplen') c.i32(0).get(this.SKB_LEN).mem(Op.i32_store, b.ctxAt + f.at);
      else if (f.value === 'data_end') {
        c.i32(0).get(this.SKB_LEN).op(Op.i64_extend_i32_u).i64(big(0, TAG_BASE + REGION.packet)).op(Op.i64_or).mem(Op.i64_store, b.ctxAt + f.at);
      }
    }
    // region table: the packet window; the current packet for JavaScript slow paths
    if (slow) {
      c.i32(0).get(this.PKT_BASE).mem(Op.i32_store, TABLE_AT + REGION.packet * TABLE_ENTRY);
      c.i32(0).get(this.PKT_SIZE).mem(Op.i32_store, TABLE_AT + REGION.packet * TABLE_ENTRY + 4);
      c.i32(0).get(this.SKB_BASE).mem(Op.i32_store, CUR_PKT_AT);
      c.i32(0).get(this.SKB_LEN).mem(Op.i32_store, CUR_PKT_AT + 4);
    }
    // registers: r1 = ctx, r10 = top of the stack, the rest 0 (as every engine starts)
    for (let r = 0; r <= 9; r++) {
      if (r === 1) c.i64(big(0, TAG_BASE + REGION.ctx)).set(R[1]!);
      else c.i64(0n).set(R[r]!);
    }
    c.i64(big(STACK_BYTES, TAG_BASE + REGION.stack)).set(R[10]!);
    c.get(BUDGET0).set(this.BUDGET);
    if (this.dispatch) c.i32(0).set(this.PC);
    if (this.hasCalls) c.i32(0).set(this.SP);
    c.block(); this.donePos = this.push();
    this.body();
    c.i32(FAULT.fallsOff).i32(this.p.pcOf[this.p.prog.length - 1]!).call(F_FAULT).op(Op.unreachable);
    c.end(); this.pop();
    // verdicts[i] = r0
    c.get(II).i32(2).op(Op.i32_shl).get(VERD).op(Op.i32_add).get(R[0]!).op(Op.i32_wrap_i64).mem(Op.i32_store, 0);
    c.get(II).i32(1).op(Op.i32_add).set(II);
    c.br(this.depth(next));
    c.end(); this.pop();
    c.end(); this.pop();
    c.i32(-1);
  }

  /** The program: segments inside their blocks (and the dispatch loop when needed). */
  private body(): void {
    const { c, p } = this;
    const nSeg = Math.max(...this.segOf) + 1;
    if (this.dispatch) { c.loop(); this.loopPos = this.push(); }
    this.blockPos.length = nSeg;
    this.blockPos[0] = -1;
    for (let s = nSeg - 1; s >= 1; s--) { c.block(); this.blockPos[s] = this.push(); }
    if (this.dispatch) {
      c.block();
      const inner = this.push();
      const depths = Array.from({ length: nSeg }, (_, s) => (s === 0 ? this.depth(inner) : this.depth(this.blockPos[s]!)));
      c.get(this.PC).brTable(depths, this.depth(inner));
      c.end(); this.pop();
    }
    let seg = 0;
    let skip = -1;
    p.prog.forEach((insn, i) => {
      const s = this.segOf[i]!;
      if (s > 0) { c.end(); this.pop(); seg = s; }
      if (i === skip) return;
      if (this.bigEndianLoad(insn, i)) { skip = i + 1; return; }
      this.insn(insn, i, seg);
    });
    if (this.dispatch) { c.end(); this.pop(); }
  }

  /**
   * A proven unsigned 16/32-bit packet load followed by `be16`/`be32` of the same register (how
   * translated classic loads read network order), where nothing jumps to the swap: one load and
   * an inline swap in i32, then one zero-extension. Returns false when the pair does not apply.
   */
  private bigEndianLoad(insn: EbpfInsn, i: number): boolean {
    const { c, p, R } = this;
    const next = p.prog[i + 1];
    if (insn.kind !== 'ldx' || insn.signed || (insn.size !== 'h' && insn.size !== 'w') || next === undefined) return false;
    if (next.kind !== 'end' || next.order !== 'be' || next.dst !== insn.dst || next.width !== (insn.size === 'h' ? 16 : 32)) return false;
    if (this.segOf[i + 1]! >= 0 || this.proven(i) !== 'pkt') return false;
    this.directAddr('pkt', R[insn.src]!, insn.off);
    if (insn.size === 'h') {
      c.mem(Op.i32_load16_u, this.directOffset('pkt', insn.off)).tee(this.T32).i32(8).op(Op.i32_shl)
        .get(this.T32).i32(8).op(Op.i32_shr_u).op(Op.i32_or).i32(0xffff).op(Op.i32_and);
    } else {
      c.mem(Op.i32_load, this.directOffset('pkt', insn.off)).tee(this.T32).i32(8).op(Op.i32_rotl).i32(0x00ff00ff).op(Op.i32_and)
        .get(this.T32).i32(8).op(Op.i32_rotr).i32(0xff00ff00 | 0).op(Op.i32_and).op(Op.i32_or);
    }
    c.op(Op.i64_extend_i32_u).set(R[insn.dst]!);
    return true;
  }

  // ---- control transfer ---------------------------------------------------------------------

  private budgetCheck(i: number): void {
    const { c } = this;
    c.get(this.BUDGET).i32(1).op(Op.i32_sub).tee(this.BUDGET).i32(0).op(Op.i32_lt_s)
      .if().i32(FAULT.budget).i32(this.p.pcOf[i]!).call(F_FAULT).op(Op.unreachable).end();
  }

  /** Jump to instruction `tgt` from instruction `i` (unconditionally, at the current nesting). */
  private jumpTo(i: number, tgt: number): void {
    const { c } = this;
    const t = this.segOf[tgt]!;
    if (tgt > i) { c.br(this.depth(this.blockPos[t]!)); return; }
    this.budgetCheck(i);
    c.i32(t).set(this.PC).br(this.depth(this.loopPos));
  }

  /** Leaves the program with r0 as it is (exit at depth 0, a helper's unwind). */
  private leave(): void {
    const { c } = this;
    if (this.batch) { c.br(this.depth(this.donePos)); return; }
    c.get(this.R[0]!).i64(32n).op(Op.i64_shr_u, Op.i32_wrap_i64).gset(0);
    c.get(this.R[0]!).op(Op.i32_wrap_i64).op(Op.return);
  }

  private exit(): void {
    const { c, R } = this;
    if (!this.hasCalls) { this.leave(); return; }
    c.get(this.SP).op(Op.i32_eqz).if(); this.push(); this.leave(); c.end(); this.pop();
    // pop a frame: sp--, restore r6..r10, continue at the return segment
    c.get(this.SP).i32(1).op(Op.i32_sub).tee(this.SP).i32(FRAME_BYTES).op(Op.i32_mul).set(this.U32);
    for (let k = 0; k < 5; k++) c.get(this.U32).mem(Op.i64_load, FRAMES_AT + 8 + 8 * k).set(R[6 + k]!);
    c.get(this.U32).mem(Op.i32_load, FRAMES_AT).set(this.PC);
    c.br(this.depth(this.loopPos));
  }

  private callLocal(i: number): void {
    const { c, R, p } = this;
    this.budgetCheck(i);
    c.get(this.SP).i32(MAX_CALL_DEPTH - 1).op(Op.i32_ge_s)
      .if().i32(FAULT.callDepth).i32(p.pcOf[i]!).call(F_FAULT).op(Op.unreachable).end();
    c.get(this.SP).i32(FRAME_BYTES).op(Op.i32_mul).set(this.U32);
    c.get(this.U32).i32(this.segOf[i + 1]!).mem(Op.i32_store, FRAMES_AT);
    for (let k = 0; k < 5; k++) c.get(this.U32).get(R[6 + k]!).mem(Op.i64_store, FRAMES_AT + 8 + 8 * k);
    c.get(this.SP).i32(1).op(Op.i32_add).set(this.SP);
    // r10 = the new frame's top: STACK_BYTES - 512·sp in the stack region
    c.i64(BigInt(STACK_BYTES)).get(this.SP).i32(STACK_SIZE).op(Op.i32_mul, Op.i64_extend_i32_u, Op.i64_sub)
      .i64(big(0, TAG_BASE + REGION.stack)).op(Op.i64_or).set(R[10]!);
    c.i32(this.segOf[p.target[i]!]!).set(this.PC).br(this.depth(this.loopPos));
  }

  private callHelper(i: number, id: () => void): void {
    const { c, R, p } = this;
    for (let r = 1; r <= 5; r++) c.i32(0).get(R[r]!).mem(Op.i64_store, ARGS_AT + 8 * (r - 1));
    id();
    c.i32(p.pcOf[i]!).call(F_HELPER);
    c.i32(0).mem(Op.i64_load, RES_AT).set(R[0]!);
    c.if(); this.push(); this.leave(); c.end(); this.pop();
    this.reloadRegions();
  }

  /** bpf_skb_load_bytes(ctx, from, to, len) on the batch's current packet, inside wasm. */
  private skbLoadBytes(i: number): void {
    const { c, R, p } = this;
    const ADDR = this.U32, LEN = this.T32;
    c.get(R[4]!).op(Op.i32_wrap_i64).set(LEN);
    c.get(R[3]!).i32(0).get(LEN).i32(0).call(F_CHK).tee(ADDR).i32(-1).op(Op.i32_eq);
    c.if(); this.push();
    // not a fixed region, or out of bounds: JavaScript does it (or faults) through the Machine
    for (let r = 1; r <= 5; r++) c.i32(0).get(R[r]!).mem(Op.i64_store, ARGS_AT + 8 * (r - 1));
    c.i32(p.pcOf[i]!).call(F_SKB);
    c.i32(0).mem(Op.i64_load, RES_AT).set(R[0]!);
    c.else();
    // from's high half set, from > 0x7fffffff, or from + len past the captured bytes: -EFAULT
    c.get(R[2]!).i64(0x7fffffffn).op(Op.i64_gt_u)
      .get(R[2]!).op(Op.i32_wrap_i64).op(Op.i64_extend_i32_u).get(LEN).op(Op.i64_extend_i32_u).op(Op.i64_add)
      .get(this.SKB_LEN).op(Op.i64_extend_i32_u).op(Op.i64_gt_u).op(Op.i32_or);
    c.if(); this.push();
    this.smallCopy(ADDR, -1, LEN);
    c.i64(-14n).set(R[0]!);
    c.else();
    c.get(this.SKB_BASE).get(R[2]!).op(Op.i32_wrap_i64).op(Op.i32_add).set(this.CS);
    this.smallCopy(ADDR, this.CS, LEN);
    c.i64(0n).set(R[0]!);
    c.end(); this.pop();
    c.end(); this.pop();
  }

  /**
   * Copies LEN bytes from address SRC to address DST (or zero-fills when `src` is -1). A byte
   * loop up to 16 bytes — what filters load — because memory.copy/fill are calls out of the
   * generated code in V8, which cost more than copying a few bytes; memory.copy/fill beyond.
   */
  private smallCopy(dst: number, src: number, len: number): void {
    const { c } = this;
    c.get(len).i32(16).op(Op.i32_le_u).if();
    c.i32(0).set(this.CI);
    c.block().loop();
    c.get(this.CI).get(len).op(Op.i32_ge_u).brIf(1);
    c.get(dst).get(this.CI).op(Op.i32_add);
    if (src < 0) c.i32(0); else c.get(src).get(this.CI).op(Op.i32_add).mem(Op.i32_load8_u, 0);
    c.mem(Op.i32_store8, 0);
    c.get(this.CI).i32(1).op(Op.i32_add).set(this.CI).br(0);
    c.end().end();
    c.else();
    if (src < 0) c.get(dst).i32(0).get(len).memoryFill(); else c.get(dst).get(src).get(len).memoryCopy();
    c.end();
  }

  // ---- one instruction ----------------------------------------------------------------------

  private src64(insn: { src: number } | { imm: number }, i: number): void {
    if ('src' in insn && typeof insn.src === 'number') this.c.get(this.R[insn.src]!);
    else this.c.i64(big(this.p.immLo[i]!, this.p.immHi[i]!));
  }
  private src32(insn: { src: number } | { imm: number }, i: number): void {
    if ('src' in insn) this.c.get(this.R[insn.src]!).op(Op.i32_wrap_i64);
    else this.c.i32(this.p.immLo[i]!);
  }

  private insn(insn: EbpfInsn, i: number, _seg: number): void {
    const { c, R, p } = this;
    const pc = p.pcOf[i]!;
    switch (insn.kind) {
      case 'alu': {
        const d = R[insn.dst]!;
        const immK = 'imm' in insn ? p.immLo[i]! : undefined;
        if (insn.wide) {
          const bin = BIN64[insn.op];
          if (bin !== undefined) { c.get(d); this.src64(insn, i); c.op(bin).set(d); return; }
          switch (insn.op) {
            case 'mov': this.src64(insn, i); c.set(d); return;
            case 'neg': c.i64(0n).get(d).op(Op.i64_sub).set(d); return;
            case 'movsx8': case 'movsx16': case 'movsx32':
              this.src64(insn, i);
              c.op(insn.op === 'movsx8' ? Op.i64_extend8_s : insn.op === 'movsx16' ? Op.i64_extend16_s : Op.i64_extend32_s).set(d);
              return;
            case 'div': case 'mod': case 'sdiv': case 'smod': {
              const isDiv = insn.op === 'div' || insn.op === 'sdiv';
              const signed = insn.op === 'sdiv' || insn.op === 'smod';
              const opc = insn.op === 'div' ? Op.i64_div_u : insn.op === 'sdiv' ? Op.i64_div_s : insn.op === 'mod' ? Op.i64_rem_u : Op.i64_rem_s;
              if (immK !== undefined) {
                const k = big(p.immLo[i]!, p.immHi[i]!);
                if (k === 0n) { if (isDiv) c.i64(0n).set(d); return; } // /0 → 0, %0 → dst
                if (k === -1n && insn.op === 'sdiv') { c.i64(0n).get(d).op(Op.i64_sub).set(d); return; }
                c.get(d).i64(k).op(opc).set(d);
                return;
              }
              const s = R[(insn as { src: number }).src]!;
              c.get(s).op(Op.i64_eqz).if(I64);
              if (isDiv) c.i64(0n); else c.get(d);
              c.else();
              if (signed && isDiv) {
                // INT64_MIN / -1 traps in wasm; eBPF wraps: x / -1 = -x
                c.get(s).i64(-1n).op(Op.i64_eq).if(I64).i64(0n).get(d).op(Op.i64_sub).else().get(d).get(s).op(opc).end();
              } else c.get(d).get(s).op(opc); // rem_s never traps (INT64_MIN % -1 = 0)
              c.end().set(d);
              return;
            }
          }
          throw new Error(`wasm: no 64-bit ALU row for ${insn.op}`);
        }
        // 32-bit: on the low halves, zero-extended
        const bin = BIN32[insn.op];
        if (bin !== undefined) { c.get(d).op(Op.i32_wrap_i64); this.src32(insn, i); c.op(bin, Op.i64_extend_i32_u).set(d); return; }
        switch (insn.op) {
          case 'mov': case 'movsx32': this.src32(insn, i); c.op(Op.i64_extend_i32_u).set(d); return;
          case 'neg': c.i32(0).get(d).op(Op.i32_wrap_i64, Op.i32_sub, Op.i64_extend_i32_u).set(d); return;
          case 'movsx8': case 'movsx16':
            this.src32(insn, i);
            c.op(insn.op === 'movsx8' ? Op.i32_extend8_s : Op.i32_extend16_s, Op.i64_extend_i32_u).set(d);
            return;
          case 'div': case 'mod': case 'sdiv': case 'smod': {
            const isDiv = insn.op === 'div' || insn.op === 'sdiv';
            const signed = insn.op === 'sdiv' || insn.op === 'smod';
            const opc = insn.op === 'div' ? Op.i32_div_u : insn.op === 'sdiv' ? Op.i32_div_s : insn.op === 'mod' ? Op.i32_rem_u : Op.i32_rem_s;
            if (immK !== undefined) {
              // /0 → 0; %0 → the dividend's low half, zero-extended like every 32-bit result
              if (immK === 0) { if (isDiv) c.i64(0n).set(d); else c.get(d).i64(0xffffffffn).op(Op.i64_and).set(d); return; }
              if (immK === -1 && insn.op === 'sdiv') { c.i32(0).get(d).op(Op.i32_wrap_i64, Op.i32_sub, Op.i64_extend_i32_u).set(d); return; }
              c.get(d).op(Op.i32_wrap_i64).i32(immK).op(opc, Op.i64_extend_i32_u).set(d);
              return;
            }
            const s = R[(insn as { src: number }).src]!;
            c.get(s).op(Op.i32_wrap_i64).tee(this.T32).op(Op.i32_eqz).if(I32);
            if (isDiv) c.i32(0); else c.get(d).op(Op.i32_wrap_i64);
            c.else();
            if (signed && isDiv) {
              c.get(this.T32).i32(-1).op(Op.i32_eq).if(I32).i32(0).get(d).op(Op.i32_wrap_i64, Op.i32_sub)
                .else().get(d).op(Op.i32_wrap_i64).get(this.T32).op(opc).end();
            } else c.get(d).op(Op.i32_wrap_i64).get(this.T32).op(opc);
            c.end().op(Op.i64_extend_i32_u).set(d);
            return;
          }
        }
        throw new Error(`wasm: no 32-bit ALU row for ${insn.op}`);
      }
      case 'end': {
        const d = R[insn.dst]!;
        if (insn.order === 'le') {
          if (insn.width === 16) c.get(d).i64(0xffffn).op(Op.i64_and).set(d);
          else if (insn.width === 32) c.get(d).i64(0xffffffffn).op(Op.i64_and).set(d);
          return;
        }
        if (insn.width === 16) {
          c.get(d).op(Op.i32_wrap_i64).tee(this.T32).i32(0xff).op(Op.i32_and).i32(8).op(Op.i32_shl)
            .get(this.T32).i32(8).op(Op.i32_shr_u).i32(0xff).op(Op.i32_and).op(Op.i32_or, Op.i64_extend_i32_u).set(d);
        } else if (insn.width === 32) {
          c.get(d).op(Op.i32_wrap_i64).tee(this.T32).i32(8).op(Op.i32_rotl).i32(0x00ff00ff).op(Op.i32_and).get(this.T32).i32(8).op(Op.i32_rotr).i32(0xff00ff00 | 0).op(Op.i32_and).op(Op.i32_or).op(Op.i64_extend_i32_u).set(d);
        } else {
          c.get(d).op(Op.i32_wrap_i64).tee(this.T32).i32(8).op(Op.i32_rotl).i32(0x00ff00ff).op(Op.i32_and).get(this.T32).i32(8).op(Op.i32_rotr).i32(0xff00ff00 | 0).op(Op.i32_and).op(Op.i32_or).op(Op.i64_extend_i32_u).i64(32n).op(Op.i64_shl)
            .get(d).i64(32n).op(Op.i64_shr_u, Op.i32_wrap_i64).tee(this.T32).i32(8).op(Op.i32_rotl).i32(0x00ff00ff).op(Op.i32_and).get(this.T32).i32(8).op(Op.i32_rotr).i32(0xff00ff00 | 0).op(Op.i32_and).op(Op.i32_or).op(Op.i64_extend_i32_u, Op.i64_or).set(d);
        }
        return;
      }
      case 'jmp': {
        const tgt = p.target[i]!;
        if (tgt === i + 1) return; // a branch to the next instruction does nothing
        const d = R[insn.dst]!;
        if (insn.wide) {
          c.get(d); this.src64(insn, i);
          if (insn.op === 'jset') c.op(Op.i64_and).i64(0n).op(Op.i64_ne); else c.op(CMP64[insn.op]);
        } else {
          c.get(d).op(Op.i32_wrap_i64); this.src32(insn, i);
          if (insn.op === 'jset') c.op(Op.i32_and); else c.op(CMP32[insn.op]);
        }
        if (tgt > i) { c.brIf(this.depth(this.blockPos[this.segOf[tgt]!]!)); return; }
        c.if(); this.push(); this.jumpTo(i, tgt); c.end(); this.pop();
        return;
      }
      case 'ja':
      case 'gotol': {
        const tgt = p.target[i]!;
        if (tgt !== i + 1) this.jumpTo(i, tgt);
        return;
      }
      case 'exit': this.exit(); return;
      case 'call':
        if (insn.call === 'local') { this.callLocal(i); return; }
        if (insn.call === 'kfunc') { c.i32(FAULT.kfunc).i32(pc).call(F_FAULT).op(Op.unreachable); return; }
        if (this.batch?.hook.skbLoadBytes === insn.imm) { this.skbLoadBytes(i); return; }
        this.callHelper(i, () => c.i32(insn.imm));
        return;
      case 'callx': this.callHelper(i, () => c.get(R[insn.dst]!).op(Op.i32_wrap_i64)); return;
      case 'lddw': c.i64(big(p.immLo[i]!, p.immHi[i]!)).set(R[insn.dst]!); return;
      case 'ldabs':
      case 'ldind': {
        const n = Sizes[insn.size].bytes;
        if (insn.kind === 'ldabs') c.i32(p.immLo[i]!); else c.get(R[insn.src]!).op(Op.i32_wrap_i64).i32(p.immLo[i]!).op(Op.i32_add);
        c.tee(this.T32).op(Op.i64_extend_i32_u).i64(BigInt(n)).op(Op.i64_add).get(this.PKT_SIZE).op(Op.i64_extend_i32_u).op(Op.i64_gt_u);
        c.if(); this.push(); c.i64(0n).set(R[0]!); this.leave(); c.end(); this.pop();
        c.get(this.PKT_BASE).get(this.T32).op(Op.i32_add);
        if (n === 1) c.mem(Op.i64_load8_u, 0);
        else if (n === 2) {
          c.mem(Op.i32_load16_u, 0).tee(this.T32).i32(8).op(Op.i32_shl).get(this.T32).i32(8).op(Op.i32_shr_u).op(Op.i32_or)
            .i32(0xffff).op(Op.i32_and, Op.i64_extend_i32_u);
        } else c.mem(Op.i32_load, 0).tee(this.T32).i32(8).op(Op.i32_rotl).i32(0x00ff00ff).op(Op.i32_and).get(this.T32).i32(8).op(Op.i32_rotr).i32(0xff00ff00 | 0).op(Op.i32_and).op(Op.i32_or).op(Op.i64_extend_i32_u);
        c.set(R[0]!);
        return;
      }
      case 'ldx': {
        const d = R[insn.dst]!, s = R[insn.src]!;
        const load = insn.signed ? LOAD_S[insn.size]! : LOAD_U[insn.size]!;
        const direct = this.proven(i);
        if (direct === 'ctx' && this.folded(insn, pc, d)) return;
        if (direct !== undefined) { this.directAddr(direct, s, insn.off); c.mem(load, this.directOffset(direct, insn.off)).set(d); return; }
        const n = Sizes[insn.size].bytes;
        c.get(s).i32(insn.off).i32(n).i32(0).call(F_CHK).tee(this.U32).i32(-1).op(Op.i32_eq).if(I64);
        c.i32(n).get(s).i64(32n).op(Op.i64_shr_u, Op.i32_wrap_i64).get(s).op(Op.i32_wrap_i64).i32(insn.off).i32(pc).call(F_LD);
        c.i32(0).mem(Op.i64_load, RES_AT);
        const ext = insn.signed ? EXTEND_S[insn.size] : undefined;
        if (ext !== undefined) c.op(ext);
        c.else().get(this.U32).mem(load, 0).end().set(d);
        return;
      }
      case 'st':
      case 'stx': {
        const d = R[insn.dst]!;
        const value = () => { if (insn.kind === 'stx') c.get(R[insn.src]!); else c.i64(big(p.immLo[i]!, p.immHi[i]!)); };
        const direct = this.proven(i);
        if (direct === 'stack') { this.directAddr(direct, d, insn.off); value(); c.mem(STORE[insn.size]!, this.directOffset(direct, insn.off)); return; }
        const n = Sizes[insn.size].bytes;
        c.get(d).i32(insn.off).i32(n).i32(1).call(F_CHK).tee(this.U32).i32(-1).op(Op.i32_eq).if();
        value(); c.set(this.T64);
        c.i32(n).get(d).i64(32n).op(Op.i64_shr_u, Op.i32_wrap_i64).get(d).op(Op.i32_wrap_i64).i32(insn.off).i32(pc)
          .get(this.T64).op(Op.i32_wrap_i64).get(this.T64).i64(32n).op(Op.i64_shr_u, Op.i32_wrap_i64).call(F_ST);
        c.else().get(this.U32); value(); c.mem(STORE[insn.size]!, 0).end();
        return;
      }
      case 'atomic': {
        const d = R[insn.dst]!, s = R[insn.src]!;
        const n = insn.size === 'w' ? 4 : 8;
        const code = AtomicOps[insn.op].imm & ~1;
        const OLD = this.T64;
        c.get(d).i32(insn.off).i32(n).i32(1).call(F_CHK).tee(this.U32).i32(-1).op(Op.i32_eq).if();
        this.push();
        c.i32(code).i32(n).get(d).i64(32n).op(Op.i64_shr_u, Op.i32_wrap_i64).get(d).op(Op.i32_wrap_i64).i32(insn.off).i32(pc)
          .get(s).op(Op.i32_wrap_i64).get(s).i64(32n).op(Op.i64_shr_u, Op.i32_wrap_i64)
          .get(R[0]!).op(Op.i32_wrap_i64).get(R[0]!).i64(32n).op(Op.i64_shr_u, Op.i32_wrap_i64).call(F_ATOMIC);
        c.i32(0).mem(Op.i64_load, RES_AT).set(OLD);
        c.else();
        if (n === 4) {
          c.get(this.U32).mem(Op.i64_load32_u, 0).set(OLD);
          c.get(this.U32);
          this.atomicNew(code, OLD, s, false);
          c.mem(Op.i64_store32, 0);
        } else {
          c.get(this.U32).mem(Op.i64_load, 0).set(OLD);
          c.get(this.U32);
          this.atomicNew(code, OLD, s, true);
          c.mem(Op.i64_store, 0);
        }
        c.end(); this.pop();
        if (insn.op === 'cmpxchg') c.get(OLD).set(R[0]!);
        else if (insn.fetch) c.get(OLD).set(s);
        return;
      }
      case 'raw': c.i32(FAULT.invalid).i32(pc).call(F_FAULT).op(Op.unreachable); return;
    }
  }

  /** Pushes the value an atomic op stores (i64; only the low 32 bits count for 32-bit ops). */
  private atomicNew(code: number, OLD: number, s: number, wide: boolean): void {
    const { c, R } = this;
    switch (code) {
      case 0x00: c.get(OLD).get(s).op(Op.i64_add); return;
      case 0x40: c.get(OLD).get(s).op(Op.i64_or); return;
      case 0x50: c.get(OLD).get(s).op(Op.i64_and); return;
      case 0xa0: c.get(OLD).get(s).op(Op.i64_xor); return;
      case 0xe0: c.get(s); return;
      case 0xf0:
        // cmpxchg: store src if the old value equals r0 (the low halves for 32-bit)
        c.get(s).get(OLD);
        if (wide) c.get(OLD).get(R[0]!).op(Op.i64_eq);
        else c.get(OLD).op(Op.i32_wrap_i64).get(R[0]!).op(Op.i32_wrap_i64).op(Op.i32_eq);
        c.op(Op.select);
        return;
    }
    throw new Error(`wasm: atomic op 0x${code.toString(16)}`);
  }

  /**
   * A proven context load of a field the batch folds: the packet's value instead of a read (a
   * scalar only when read whole; pointer fields were rewritten to 8-byte shadow loads).
   */
  private foldable(insn: { size: string; off: number }, pc: number): 'data' | 'data_end' | 'wirelen' | 'caplen' | undefined {
    const hook = this.batch?.hook;
    const field = hook?.ctxField?.get(pc);
    const v = field === undefined ? undefined : hook!.fold?.get(field.name);
    if (field === undefined || v === undefined) return undefined;
    if (field.kind === 'scalar' ? !(insn.size === 'w' && insn.off === field.off) : insn.size !== 'dw') return undefined;
    return v;
  }

  private folded(insn: { size: string; off: number }, pc: number, d: number): boolean {
    const v = this.foldable(insn, pc);
    if (v === undefined) return false;
    const { c } = this;
    switch (v) {
      case 'data': c.i64(big(0, TAG_BASE + REGION.packet)); break;
      case 'data_end': c.get(this.SKB_LEN).op(Op.i64_extend_i32_u).i64(big(0, TAG_BASE + REGION.packet)).op(Op.i64_or); break;
      case 'wirelen': c.get(this.WIRE).op(Op.i64_extend_i32_u); break;
      case 'caplen': c.get(this.SKB_LEN).op(Op.i64_extend_i32_u); break;
    }
    c.set(d);
    return true;
  }

  private proven(i: number): 'stack' | 'pkt' | 'ctx' | undefined {
    const insn = this.p.prog[i]!;
    const r = this.p.proven?.get(this.p.pcOf[i]!);
    if (r === undefined || (insn.kind !== 'ldx' && insn.kind !== 'st' && insn.kind !== 'stx')) return undefined;
    if (insn.kind !== 'ldx' && r !== 'stack') return undefined;
    return r;
  }

  /** The address operand of a proven access (the rest of the offset is the memarg). */
  private directAddr(region: 'stack' | 'pkt' | 'ctx', reg: number, off: number): void {
    const { c } = this;
    c.get(reg).op(Op.i32_wrap_i64);
    if (region === 'pkt') c.get(this.PKT_BASE).op(Op.i32_add);
    else if (region === 'ctx' && !this.batch) c.get(this.CTX_BASE).op(Op.i32_add);
    const constBase = region === 'stack' || (region === 'ctx' && this.batch !== undefined);
    if (!constBase && off < 0) c.i32(off).op(Op.i32_add);
  }

  private directOffset(region: 'stack' | 'pkt' | 'ctx', off: number): number {
    if (region === 'stack') return STACK_AT + off;
    if (region === 'ctx' && this.batch) return this.batch.ctxAt + off;
    return off >= 0 ? off : 0;
  }
}

