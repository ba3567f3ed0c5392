/**
 * cBPF → eBPF: `toEbpf(cbpf, { hook })` translates a classic filter into an eBPF program a real
 * kernel verifier accepts, with the semantics of libpcap's `bpf_filter` (src/cbpf/interpret.ts is
 * the reference). It plays the role of the kernel's bpf_convert_filter and Cloudflare's cbpfc,
 * but emits neither LD_ABS nor LD_IND: packet bytes are read with explicit, hoisted bounds checks.
 *
 * Register map (every classic value lives in a callee-saved register or on the stack, so helper
 * calls never clobber it):
 *   r6 = A, r7 = X              32-bit values, kept zero-extended; all arithmetic is ALU32, all
 *                               comparisons JMP32 (so k >= 2^31 compares unsigned, as in cBPF)
 *   r8 = ctx (socket) | data (xdp), r9 = data_end (xdp)
 *   r10-64 .. r10-4 = M[0..15]  one u32 per slot: M[i] at r10 - 64 + 4i
 *   r10-72                      backward-`ja` budget, a u64 (only with a backward ja): stored as
 *                               a whole register so the verifier tracks its exact value
 *   r10-76                      xdp: u32 scratch that hides X's value from the verifier (guard)
 *   r10-476 .. r10-80           socket: load windows (packet bytes copied by bpf_skb_load_bytes)
 *   r0..r5                      scratch; r0 = the result at exit
 *
 * Targets (`hook`):
 *   'socket'  BPF_PROG_TYPE_SOCKET_FILTER, ctx = __sk_buff. The kernel gives socket filters no
 *             direct packet access, so a straight-line group of loads becomes ONE helper call
 *             `bpf_skb_load_bytes(ctx, lo, fp - window, hi - lo)` copying the bytes [lo, hi) to a
 *             stack window (failure = the packet is too short = return 0, as bpf_filter), and
 *             each load then reads the window and byte-swaps. `len` = __sk_buff.len (the wire
 *             length). Returns the cBPF value: the number of bytes to keep.
 *   'xdp'     BPF_PROG_TYPE_XDP, ctx = xdp_md. Loads use direct packet access: per block one
 *             check `data + max(k + size) <= data_end` covers every absolute load of the block,
 *             and each group of `[x + k]` loads sharing the same X gets one computed-pointer
 *             check. `len` = data_end - data (an XDP frame is the whole packet, so the wire
 *             length is the frame length; pointer subtraction needs a privileged loader).
 *             Result (`xdpResult`): 'action' (default) maps the cBPF verdict to an XDP action,
 *             0 → XDP_DROP and anything else → XDP_PASS, what a packet filter attached at XDP
 *             means; 'value' returns the cBPF value unchanged, as cbpfc does, for a caller that
 *             maps it itself. XDP frames are shorter than 64 KiB (a page, or a jumbo frame's
 *             linear part) and the verifier refuses packet offsets beyond 0xffff, so a load
 *             at or past that offset is "return 0".
 *
 *   'tc'      BPF_PROG_TYPE_SCHED_CLS, ctx = __sk_buff with direct packet access (data at 76,
 *             data_end at 80): the packet loads of 'xdp', but `len` = __sk_buff.len, the WIRE
 *             length (spilled to r10-80 by the prologue), so `len`, `less` and `greater` see a
 *             truncated packet as tcpdump does. 'action' results are TC_ACT_OK (accept) and
 *             TC_ACT_SHOT (reject).
 *
 * Semantics kept from bpf_filter: a load past the captured length returns 0, the whole group's
 * check is hoisted to where the group starts (exact: a straight-line block has no other exit,
 * and an early "return 0" is what the failing load would have produced); division or modulo by
 * X = 0 returns 0 (by constant 0: always 0); shifts by X >= 32 give 0, by constant k use k & 31;
 * [x + k] adds in 64 bits (no 32-bit wrap, like bpf_filter's overflow checks); A = X = 0 and M[]
 * zeroed at entry, but only the values some path may read before writing them (see analysis.ts).
 *
 * Backward `ja` (libpcap emits one for `protochain`): a bounded loop. Each backward jump takes
 * one unit of a budget of MAX_BACKWARD_JUMPS (64) per packet kept on the stack; with the budget
 * spent it returns 0. The kernel verifier accepts such loops (5.3+) because it can simulate
 * every pass, which is also why the budget must stay small: it cannot scale with the packet
 * length like the reference interpreter's (src/cbpf/interpret.ts). The two agree on every
 * packet whose run takes at most 64 backward jumps and at most the interpreter's budget; a
 * protochain walk takes one per IPv6 extension header, so only chains of more than 64 headers
 * (and runaway loops, which both end with 0) can tell them apart.
 *
 * Errors: an empty program, an unknown hook, or a program whose translation needs a jump
 * farther than eBPF's 16-bit offsets is a `UserError` (codes CONVERT_*).
 */
import { UserError } from '../errors.ts';
import type { CbpfProgram } from '../isa/cbpf/types.ts';
import type { Size as CbpfSize } from '../isa/cbpf/opcodes.ts';
import type { EbpfInsn, EbpfProgram } from '../isa/ebpf/types.ts';
import type { JmpOp, Size } from '../isa/ebpf/opcodes.ts';
import { analyze, BIT_A, BIT_X, type Analysis, type Op } from './analysis.ts';
import { emitCompareTree, emitGuardedTrees, planCompareTrees, type TreePlan } from './sets.ts';
import { BPF_FUNC, fieldOffset, SK_BUFF, TC_ACT, XDP_ACTION, XDP_MD } from '../isa/ebpf/uapi.ts';

const HELPER_SKB_LOAD_BYTES = BPF_FUNC.skb_load_bytes;
const XDP_PASS = XDP_ACTION.PASS, XDP_DROP = XDP_ACTION.DROP;

export type ConvertHook = 'socket' | 'xdp' | 'tc';

export interface ConvertOptions {
  hook: ConvertHook;
  /**
   * XDP and tc: 'action' (default: 0 → XDP_DROP / TC_ACT_SHOT, else XDP_PASS / TC_ACT_OK) or
   * 'value' (the cBPF result).
   */
  xdpResult?: 'action' | 'value';
  /**
   * Chains of at least this many `jeq #k` (host and port lists) become binary search trees
   * (./sets.ts); default MIN_TREE_COMPARES (8), `false` keeps every chain linear.
   */
  compareTrees?: number | false;
}

/** Where the converted program reads context fields the hook runner must provide. */
export interface CtxLoad { pc: number; field: 'data' | 'data_end' | 'len' }

export interface ConvertResult {
  prog: EbpfProgram;
  /** The context loads of the prologue (XDP: data, data_end; socket: len), by pc. */
  ctxLoads: CtxLoad[];
}

/** Backward jumps a converted program may take per packet (see the header). */
export const MAX_BACKWARD_JUMPS = 64;
export { HELPER_SKB_LOAD_BYTES, XDP_DROP, XDP_PASS };

// Register map.
const R0 = 0, R1 = 1, R2 = 2, R3 = 3, R4 = 4, R5 = 5, RA = 6, RX = 7, RCTX = 8, RDATA = 8, REND = 9, FP = 10;
// Stack map (offsets from r10).
const MEM_OFF = -64;
const BUDGET_OFF = -72;
/** A 4-byte slot at an offset that is not 8-aligned (see `guard`). */
const SCRATCH_OFF = -76;
const WINDOW_AREA_END = -80;
const WINDOW_AREA = 396;
/** Largest window one helper call fills (bytes). */
const WINDOW_MAX = 128;
/** XDP: the highest packet offset the verifier lets a pointer reach (MAX_PACKET_OFF). */
const XDP_MAX_OFF = 0xffff;
/** XDP: the widest [x + k] group (its loads use 16-bit offsets from one pointer). */
const XDP_IND_SPAN = 0x7000;
/** socket: bpf_skb_load_bytes takes a u32 offset and refuses offsets above INT_MAX. */
const SKB_MAX_OFF = 0x7fffffff;
/** Offsets of the kernel's `struct xdp_md` and `struct __sk_buff` fields we read (linux/bpf.h). */
const XDP_MD_DATA = fieldOffset(XDP_MD, 'data'), XDP_MD_DATA_END = fieldOffset(XDP_MD, 'data_end');
const SK_BUFF_LEN = fieldOffset(SK_BUFF, 'len'), SK_BUFF_DATA = fieldOffset(SK_BUFF, 'data'), SK_BUFF_DATA_END = fieldOffset(SK_BUFF, 'data_end');
/** tc: the u32 slot the prologue spills __sk_buff.len to (above the socket windows' area). */
const LEN_OFF = -80;

/** "return 0": jump/jcc resolve it to a nearby exit island (labels -2, -3, …). */
const EXIT_LABEL = -1;
/** A pending island is placed once its first user is this far back (eBPF jumps reach 32767). */
const ISLAND_GAP = 16000;
/** An emitted island serves later users up to this far behind it. */
const ISLAND_REACH = 30000;

const SIZE_OF: Record<CbpfSize, Size> = { 1: 'b', 2: 'h', 4: 'w' };

/** A packet load inside a block, with the group (window / guard) it belongs to. */
interface Load { pc: number; k: number; size: CbpfSize; group: Group }
/** Loads covered by one bounds check: absolute (`xver` -1) or [x + k] with one value of X. */
interface Group { xver: number; lo: number; hi: number; first: number; window: number }

export function toEbpf(cbpf: CbpfProgram, opts: ConvertOptions): EbpfProgram {
  return convert(cbpf, opts).prog;
}

export function convert(cbpf: CbpfProgram, opts: ConvertOptions): ConvertResult {
  if (opts.hook !== 'socket' && opts.hook !== 'xdp' && opts.hook !== 'tc') {
    throw new UserError('CONVERT_BAD_HOOK', `unknown hook '${String(opts.hook)}' (expected 'socket', 'tc' or 'xdp')`);
  }
  if (cbpf.length === 0) throw new UserError('CONVERT_EMPTY', 'cannot convert an empty classic BPF program');
  const a = analyze(cbpf, opts.hook !== 'socket' ? XDP_MAX_OFF : undefined);
  // Long compare chains become search trees: a rewritten view of the analysis (./sets.ts).
  const plan: TreePlan = opts.compareTrees === false ? { analysis: a, trees: new Map(), guarded: new Map() }
    : planCompareTrees(a, cbpf.length, { minCompares: opts.compareTrees, directPacket: opts.hook !== 'socket' });
  return new Emitter(cbpf, plan.analysis, opts, plan).run();
}

class Emitter {
  private readonly code: EbpfInsn[] = [];
  /** Jumps waiting for a label: index into `code` → label (block start pc or EXIT_LABEL). */
  private readonly fixups: { at: number; label: number }[] = [];
  private readonly labels = new Map<number, number>();
  private readonly ctxLoads: CtxLoad[] = [];
  /** Direct packet access (xdp and tc); `tc`: the context is __sk_buff (len at offset 0). */
  private readonly xdp: boolean;
  private readonly tc: boolean;
  private readonly action: boolean;
  /** The verdicts 'action' mode returns: XDP_PASS/XDP_DROP, or TC_ACT_OK/TC_ACT_SHOT. */
  private readonly passValue: number;
  private readonly dropValue: number;
  // Exit islands: "r0 = 0; exit" pairs. Forward users share the pending island, placed at the
  // next instruction boundary once its first user is ISLAND_GAP behind; later users jump back to
  // the last island while it is within reach. Short programs get exactly one island, at the end.
  private pendingIsland = 0;
  private pendingSince = -1;
  private lastIsland = 0;
  private lastIslandAt = -1;
  private nextIslandLabel = -2;

  constructor(private readonly prog: CbpfProgram, private readonly a: Analysis, private readonly opts: ConvertOptions,
    private readonly sets: Omit<TreePlan, 'analysis'> = { trees: new Map(), guarded: new Map() }) {
    this.tc = opts.hook === 'tc';
    this.xdp = opts.hook === 'xdp' || this.tc;
    this.action = this.xdp && (opts.xdpResult ?? 'action') === 'action';
    this.passValue = this.tc ? TC_ACT.OK : XDP_PASS;
    this.dropValue = this.tc ? TC_ACT.SHOT : XDP_DROP;
  }

  run(): ConvertResult {
    this.prologue();
    const n = this.prog.length;
    const live = this.a.order.filter((b) => b.reachable);
    live.forEach((b, i) => {
      this.labels.set(b.start, this.code.length);
      this.block(b.start, b.end);
      // Fall through to the next pc: a jump unless that block is emitted right after.
      const last = this.a.ops[b.end - 1]!;
      const falls = last.kind !== 'ja' && last.kind !== 'jcond' && last.kind !== 'ret' && last.kind !== 'fail';
      if (falls) {
        const next = b.end < n ? b.end : EXIT_LABEL;
        if (next === EXIT_LABEL || live[i + 1]?.start !== next) this.jump(next);
      }
      this.maybeIsland();
    });
    // The last island, only if something jumps to it (the verifier refuses dead code).
    if (this.pendingSince >= 0) this.placeIsland();
    for (const { at, label } of this.fixups) {
      const target = this.labels.get(label);
      if (target === undefined) throw new Error(`convert: unresolved label ${label}`);
      const off = target - (at + 1);
      const insn = this.code[at]!;
      if (off >= -0x8000 && off <= 0x7fff) {
        (insn as { off: number }).off = off;
      } else if (insn.kind === 'ja') {
        this.code[at] = { kind: 'gotol', imm: off }; // 32-bit goto (cpu v4) for a far `ja`
      } else {
        throw new UserError('CONVERT_TOO_LARGE', `the translation needs a conditional jump of ${off} instructions at eBPF pc ${at} (they reach ±32767)`);
      }
    }
    return { prog: this.code, ctxLoads: this.ctxLoads };
  }

  // ---- emission helpers ------------------------------------------------------------------

  private emit(i: EbpfInsn): void {
    this.code.push(i);
  }
  /** dst = imm (32-bit move: zero-extends, so k >= 2^31 stays unsigned). */
  private mov(dst: number, imm: number): void {
    this.emit({ kind: 'alu', op: 'mov', wide: false, dst, imm: imm | 0 });
  }
  /** The island label a "return 0" jump emitted now should use. */
  private exitLabel(): number {
    if (this.lastIslandAt >= 0 && this.code.length - this.lastIslandAt < ISLAND_REACH) return this.lastIsland;
    if (this.pendingSince < 0) {
      this.pendingIsland = this.nextIslandLabel--;
      this.pendingSince = this.code.length;
    }
    return this.pendingIsland;
  }
  /** Places the pending island here (between two translated instructions) if its first user is getting far. */
  private maybeIsland(): void {
    if (this.pendingSince >= 0 && this.code.length - this.pendingSince > ISLAND_GAP) this.placeIsland();
  }
  private placeIsland(): void {
    // Code that may run on into this spot (anything but goto/exit last) jumps over the island.
    const last = this.code[this.code.length - 1];
    if (last !== undefined && last.kind !== 'ja' && last.kind !== 'exit') this.emit({ kind: 'ja', off: 2 });
    this.labels.set(this.pendingIsland, this.code.length);
    this.mov(R0, this.action ? this.dropValue : 0); // return 0
    this.emit({ kind: 'exit' });
    this.lastIsland = this.pendingIsland;
    this.lastIslandAt = this.code.length - 2;
    this.pendingSince = -1;
  }

  private jump(label: number): void {
    if (label === EXIT_LABEL) label = this.exitLabel();
    this.fixups.push({ at: this.code.length, label });
    this.emit({ kind: 'ja', off: 0 });
  }
  /** if dst op imm|src (JMP32 unless `wide`) goto label */
  private jcc(op: JmpOp, dst: number, src: { imm: number } | { src: number }, label: number, wide = false): void {
    if (label === EXIT_LABEL) label = this.exitLabel();
    this.fixups.push({ at: this.code.length, label });
    this.emit({ kind: 'jmp', op, wide, dst, off: 0, ...('imm' in src ? { imm: src.imm | 0 } : { src: src.src }) });
  }

  private prologue(): void {
    const a = this.a;
    if (this.tc) {
      if (a.usesPacket) {
        this.ctxLoads.push({ pc: this.code.length, field: 'data' });
        this.emit({ kind: 'ldx', size: 'w', signed: false, dst: RDATA, src: R1, off: SK_BUFF_DATA }); // r8 = skb->data
        this.ctxLoads.push({ pc: this.code.length, field: 'data_end' });
        this.emit({ kind: 'ldx', size: 'w', signed: false, dst: REND, src: R1, off: SK_BUFF_DATA_END }); // r9 = skb->data_end
      }
      if (a.usesLen) {
        this.ctxLoads.push({ pc: this.code.length, field: 'len' });
        this.emit({ kind: 'ldx', size: 'w', signed: false, dst: R2, src: R1, off: SK_BUFF_LEN }); // r2 = skb->len
        this.emit({ kind: 'stx', size: 'w', dst: FP, src: R2, off: LEN_OFF }); // spilled: no register is free
      }
    } else if (this.xdp) {
      if (a.usesPacket || a.usesLen) {
        this.ctxLoads.push({ pc: this.code.length, field: 'data' });
        this.emit({ kind: 'ldx', size: 'w', signed: false, dst: RDATA, src: R1, off: XDP_MD_DATA }); // r8 = ctx->data
        this.ctxLoads.push({ pc: this.code.length, field: 'data_end' });
        this.emit({ kind: 'ldx', size: 'w', signed: false, dst: REND, src: R1, off: XDP_MD_DATA_END }); // r9 = ctx->data_end
      }
    } else if (a.usesPacket || a.usesLen) {
      this.emit({ kind: 'alu', op: 'mov', wide: true, dst: RCTX, src: R1 }); // r8 = ctx
    }
    if (a.needsInit & BIT_A) this.mov(RA, 0); // A = 0
    if (a.needsInit & BIT_X) this.mov(RX, 0); // X = 0
    for (let i = 0; i < 16; i++) {
      if (a.needsInit & (1 << i)) this.emit({ kind: 'st', size: 'w', dst: FP, off: MEM_OFF + 4 * i, imm: 0 }); // M[i] = 0
    }
    if (a.hasBackwardJump) {
      // budget = 64, spilled as a full register (a 32-bit or immediate store would leave the
      // verifier an unknown value, and it could not prove the loop ends)
      this.emit({ kind: 'alu', op: 'mov', wide: true, dst: R1, imm: MAX_BACKWARD_JUMPS });
      this.emit({ kind: 'stx', size: 'dw', dst: FP, src: R1, off: BUDGET_OFF });
    }
  }

  // ---- packet load groups ----------------------------------------------------------------

  /**
   * Groups the packet loads of [start, end): absolute loads form one group per block (XDP) or
   * windows of at most WINDOW_MAX bytes (socket); [x + k] loads group by the value of X (a
   * version number bumped by every write to X). Socket windows get stack slots; when the area
   * is full the block is cut (`cut` pcs) so that no window outlives its slot.
   */
  private groups(start: number, end: number): { loads: Map<number, Load>; cuts: Set<number> } {
    const loads = new Map<number, Load>();
    const cuts = new Set<number>();
    let groups: Group[] = [];
    let used = 0;
    let xver = 0;
    for (let pc = start; pc < end; pc++) {
      const op = this.a.ops[pc]!;
      if (op.kind === 'ld-abs' || op.kind === 'ld-ind') {
        const gx = op.kind === 'ld-abs' ? -1 : xver;
        const lo = op.k, hi = op.k + op.size;
        // XDP: all absolute loads share the block check; an [x + k] group spans at most what a
        // 16-bit load offset reaches. socket: a window holds at most WINDOW_MAX bytes.
        const limit = this.xdp ? (gx === -1 ? Infinity : XDP_IND_SPAN) : WINDOW_MAX;
        let g = groups.find((c) => c.xver === gx && Math.max(c.hi, hi) - Math.min(c.lo, lo) <= limit);
        if (!this.xdp && g === undefined && used + Math.min(WINDOW_MAX, hi - lo) > WINDOW_AREA) {
          // Window area full: start a new segment; earlier windows are never read again.
          cuts.add(pc);
          groups = [];
          used = 0;
        }
        if (g === undefined) {
          g = { xver: gx, lo, hi, first: pc, window: 0 };
          groups.push(g);
          used += WINDOW_MAX + 4; // the span, plus up to 3 bytes of alignment
        } else {
          g.lo = Math.min(g.lo, lo);
          g.hi = Math.max(g.hi, hi);
        }
        loads.set(pc, { pc, k: op.k, size: op.size, group: g });
      }
      if (op.kind === 'tax' || ((op.kind === 'ld-imm' || op.kind === 'ld-len' || op.kind === 'ld-mem') && op.dst === 'x') || (op.kind === 'ld-abs' && op.dst === 'x')) xver++;
    }
    // Socket windows: consecutive 4-aligned slots, each as large as its group, per segment. A
    // window starts at lo rounded down to 4, so a load's stack address has the alignment its
    // packet offset k has: the verifier insists on aligned stack accesses, and loads at a
    // misaligned k are assembled from bytes (see `load`). Starting the copy up to 3 bytes
    // earlier changes nothing about failure: the copy still ends at hi.
    if (!this.xdp) {
      for (const l of loads.values()) l.group.lo -= l.group.lo % 4; // (lo may be >= 2^31: no bit ops)
      let at = WINDOW_AREA_END;
      let seen = new Set<Group>();
      for (let pc = start; pc < end; pc++) {
        if (cuts.has(pc)) { at = WINDOW_AREA_END; seen = new Set(); }
        const l = loads.get(pc);
        if (l && !seen.has(l.group)) {
          seen.add(l.group);
          at -= (l.group.hi - l.group.lo + 3) & ~3;
          l.group.window = at;
        }
      }
    }
    return { loads, cuts };
  }

  /**
   * XDP: for each reachable block, the packet length every path into it has already proven
   * (`data + n <= data_end` checked on the way). A must-analysis: entry 0, meet = minimum over
   * predecessors, a block's exit = max(entry, its own check), iterated to a fixed point (loops).
   * A block whose absolute loads end within that length needs no check of its own; the kernel
   * verifier tracks the same fact (the range on the data pointer), so it agrees.
   */
  private provenLengths(): Map<number, number> {
    const n = this.prog.length;
    const need = new Map<number, number>();
    for (const b of this.a.order) {
      if (!b.reachable) continue;
      let hi = 0;
      for (let pc = b.start; pc < b.end; pc++) {
        const op = this.a.ops[pc]!;
        if (op.kind === 'ld-abs') hi = Math.max(hi, op.k + op.size);
      }
      need.set(b.start, hi);
    }
    const proven = new Map<number, number>();
    for (const start of need.keys()) proven.set(start, start === 0 ? 0 : Infinity);
    for (let changed = true; changed;) {
      changed = false;
      for (const b of this.a.order) {
        if (!b.reachable) continue;
        const out = Math.max(proven.get(b.start)!, need.get(b.start)!);
        for (const s of b.succ) {
          if (s >= n || s === 0) continue;
          if (out < proven.get(s)!) { proven.set(s, out); changed = true; }
        }
      }
    }
    return proven;
  }
  private proven: Map<number, number> | undefined;

  private block(start: number, end: number): void {
    const { loads } = this.groups(start, end);
    const fields = this.sets.guarded.get(start);
    if (fields) {
      // A compare chain over several packet fields: one guard, a tree per field; a packet too
      // short for the guard runs on into the block's own code, the linear chain (./sets.ts).
      const n = this.prog.length;
      emitGuardedTrees(fields, { a: RA, data: RDATA, dataEnd: REND, scratch: R1 }, {
        raw: (insn) => this.emit(insn),
        jcc: (o, imm, t) => this.jcc(o, RA, { imm }, t >= n ? EXIT_LABEL : t),
        jump: (t) => this.jump(t >= n ? EXIT_LABEL : t),
      });
    }
    // XDP: one check for every absolute load of the block, at its start, unless every path
    // here has already checked at least that much.
    if (this.xdp) {
      this.proven ??= this.provenLengths();
      let hi = 0;
      for (const l of loads.values()) if (l.group.xver === -1) hi = Math.max(hi, l.group.hi);
      // (a load ending past XDP_MAX_OFF is already a 'fail' in the analysis)
      if (hi > this.proven.get(start)!) {
        this.emit({ kind: 'alu', op: 'mov', wide: true, dst: R1, src: RDATA }); // r1 = data + hi
        this.emit({ kind: 'alu', op: 'add', wide: true, dst: R1, imm: hi });
        this.jcc('jgt', R1, { src: REND }, EXIT_LABEL, true); // if r1 > data_end return 0
      }
    }
    for (let pc = start; pc < end; pc++) {
      const op = this.a.ops[pc]!;
      const l = loads.get(pc);
      if (l && l.group.first === pc && (l.group.xver >= 0 || !this.xdp)) this.guard(l.group);
      this.insn(pc, op, l);
      if (pc + 1 < end) this.maybeIsland();
    }
  }

  /** Emits the one bounds check (XDP) or window fill (socket) of a group, at its first load. */
  private guard(g: Group): void {
    const span = g.hi - g.lo;
    if (g.xver >= 0) {
      // r2 = X + lo, computed in 64 bits (no wrap), then bounded.
      if (this.xdp && this.a.hasBackwardJump) {
        // r2 = (u32)X through a misaligned 4-byte stack slot, which the verifier keeps as plain
        // bytes: r2 is then an unknown u32 to it, not a copy of X. Otherwise it would track X's
        // exact range into the pointer check, and, with X growing on every pass of a protochain
        // loop, verify each of the 64 passes (and every exit from it) separately: >1M steps.
        this.emit({ kind: 'stx', size: 'w', dst: FP, src: RX, off: SCRATCH_OFF });
        this.emit({ kind: 'ldx', size: 'w', signed: false, dst: R2, src: FP, off: SCRATCH_OFF });
      } else {
        this.emit({ kind: 'alu', op: 'mov', wide: false, dst: R2, src: RX }); // r2 = (u32)X
      }
      if (g.lo > 0x7fffffff) {
        this.mov(R3, g.lo);
        this.emit({ kind: 'alu', op: 'add', wide: true, dst: R2, src: R3 }); // r2 += lo (unsigned)
      } else if (g.lo !== 0) {
        this.emit({ kind: 'alu', op: 'add', wide: true, dst: R2, imm: g.lo }); // r2 += lo
      }
      const max = this.xdp ? XDP_MAX_OFF - span : SKB_MAX_OFF;
      this.jcc('jgt', R2, { imm: max }, EXIT_LABEL, true); // past any packet: return 0
      if (this.xdp) {
        this.emit({ kind: 'alu', op: 'add', wide: true, dst: R2, src: RDATA }); // r2 = data + X + lo
        this.emit({ kind: 'alu', op: 'mov', wide: true, dst: R3, src: R2 });
        this.emit({ kind: 'alu', op: 'add', wide: true, dst: R3, imm: span });
        this.jcc('jgt', R3, { src: REND }, EXIT_LABEL, true); // if r2 + span > data_end return 0
        return;
      }
    } else {
      this.mov(R2, g.lo); // r2 = lo
    }
    // socket: bpf_skb_load_bytes(ctx, r2, fp + window, span); nonzero = too short → return 0
    this.emit({ kind: 'alu', op: 'mov', wide: true, dst: R1, src: RCTX });
    this.emit({ kind: 'alu', op: 'mov', wide: true, dst: R3, src: FP });
    this.emit({ kind: 'alu', op: 'add', wide: true, dst: R3, imm: g.window });
    this.mov(R4, span);
    this.emit({ kind: 'call', call: 'helper', imm: HELPER_SKB_LOAD_BYTES });
    this.jcc('jne', R0, { imm: 0 }, EXIT_LABEL, true);
  }

  /** Reads `size` bytes of a group into dst (network order → host value). */
  private load(dst: number, l: Load): void {
    const g = l.group;
    const size = SIZE_OF[l.size];
    if (!this.xdp) {
      const at = g.window + (l.k - g.lo);
      if (at % l.size === 0) {
        this.emit({ kind: 'ldx', size, signed: false, dst, src: FP, off: at }); // dst = window[k - lo]
      } else {
        // Misaligned on the stack (the verifier refuses that): big-endian from single bytes,
        // dst = b0 << 8 | b1 (<< 8 | b2 << 8 | b3), needing no byte swap.
        this.emit({ kind: 'ldx', size: 'b', signed: false, dst, src: FP, off: at });
        for (let i = 1; i < l.size; i++) {
          this.emit({ kind: 'alu', op: 'lsh', wide: false, dst, imm: 8 });
          this.emit({ kind: 'ldx', size: 'b', signed: false, dst: R5, src: FP, off: at + i });
          this.emit({ kind: 'alu', op: 'or', wide: false, dst, src: R5 });
        }
        return;
      }
    } else if (g.xver >= 0) {
      this.emit({ kind: 'ldx', size, signed: false, dst, src: R2, off: l.k - g.lo }); // dst = *(data + X + k)
    } else if (l.k <= 0x7fff - 4) {
      this.emit({ kind: 'ldx', size, signed: false, dst, src: RDATA, off: l.k }); // dst = *(data + k)
    } else {
      // Beyond the 16-bit load offset: a computed pointer (already covered by the block check).
      this.emit({ kind: 'alu', op: 'mov', wide: true, dst: R3, src: RDATA });
      this.emit({ kind: 'alu', op: 'add', wide: true, dst: R3, imm: l.k });
      this.emit({ kind: 'ldx', size, signed: false, dst, src: R3, off: 0 });
    }
    if (l.size > 1) this.emit({ kind: 'end', order: 'be', width: l.size === 2 ? 16 : 32, dst }); // ntoh
  }

  private insn(pc: number, op: Op, l: Load | undefined): void {
    const reg = (r: 'a' | 'x'): number => (r === 'a' ? RA : RX);
    switch (op.kind) {
      case 'ld-abs':
        if (op.msh) {
          // X = 4 * (pkt[k] & 0xf)
          this.load(RX, l!);
          this.emit({ kind: 'alu', op: 'and', wide: false, dst: RX, imm: 0xf });
          this.emit({ kind: 'alu', op: 'lsh', wide: false, dst: RX, imm: 2 });
        } else {
          this.load(reg(op.dst), l!); // A = pkt[k:size]
        }
        return;
      case 'ld-ind': this.load(RA, l!); return; // A = pkt[X + k:size]
      case 'ld-imm': this.mov(reg(op.dst), op.k); return; // A/X = k
      case 'ld-len':
        if (this.tc) {
          // A/X = skb->len (the wire length), spilled by the prologue
          this.emit({ kind: 'ldx', size: 'w', signed: false, dst: reg(op.dst), src: FP, off: LEN_OFF });
        } else if (this.xdp) {
          // A/X = data_end - data
          this.emit({ kind: 'alu', op: 'mov', wide: true, dst: reg(op.dst), src: REND });
          this.emit({ kind: 'alu', op: 'sub', wide: true, dst: reg(op.dst), src: RDATA });
        } else {
          this.ctxLoads.push({ pc: this.code.length, field: 'len' });
          this.emit({ kind: 'ldx', size: 'w', signed: false, dst: reg(op.dst), src: RCTX, off: SK_BUFF_LEN }); // A/X = skb->len
        }
        return;
      case 'ld-mem': this.emit({ kind: 'ldx', size: 'w', signed: false, dst: reg(op.dst), src: FP, off: MEM_OFF + 4 * op.k }); return; // A/X = M[k]
      case 'st': this.emit({ kind: 'stx', size: 'w', dst: FP, src: reg(op.src), off: MEM_OFF + 4 * op.k }); return; // M[k] = A/X
      case 'tax': this.emit({ kind: 'alu', op: 'mov', wide: false, dst: RX, src: RA }); return; // X = A
      case 'txa': this.emit({ kind: 'alu', op: 'mov', wide: false, dst: RA, src: RX }); return; // A = X
      case 'neg': this.emit({ kind: 'alu', op: 'neg', wide: false, dst: RA, imm: 0 }); return; // A = -A
      case 'alu': this.alu(op); return;
      case 'ja':
        if (op.target <= pc) {
          // Backward: take one unit of the budget, or return 0 when it is spent.
          this.emit({ kind: 'ldx', size: 'dw', signed: false, dst: R1, src: FP, off: BUDGET_OFF });
          this.jcc('jeq', R1, { imm: 0 }, EXIT_LABEL, true);
          this.emit({ kind: 'alu', op: 'sub', wide: true, dst: R1, imm: 1 });
          this.emit({ kind: 'stx', size: 'dw', dst: FP, src: R1, off: BUDGET_OFF });
        }
        this.jumpTo(op.target, pc); // pc = target
        return;
      case 'jcond': this.cond(op, pc); return;
      case 'ret':
        if (op.src === 'k') {
          this.mov(R0, this.action ? (op.k !== 0 ? this.passValue : this.dropValue) : op.k); // return k
        } else if (this.action) {
          // return A ? pass : drop
          this.mov(R0, this.passValue);
          this.emit({ kind: 'jmp', op: 'jne', wide: false, dst: RA, imm: 0, off: 1 });
          this.mov(R0, this.dropValue);
        } else {
          this.emit({ kind: 'alu', op: 'mov', wide: false, dst: R0, src: RA }); // return A
        }
        this.emit({ kind: 'exit' });
        return;
      case 'fail': this.jump(EXIT_LABEL); return; // return 0
    }
  }

  /** Jump to a cBPF pc (n = the exit), omitted when it is the next block emitted anyway. */
  private jumpTo(target: number, pc: number): void {
    const label = target >= this.prog.length ? EXIT_LABEL : target;
    if (label !== EXIT_LABEL && this.nextEmitted(pc) === target) return;
    this.jump(label);
  }

  /** The start of the reachable block emitted after the one holding pc (blocks go in pc order). */
  private nextEmitted(pc: number): number {
    if (this.nextAfter === undefined) {
      // nextAfter[pc] = the first reachable block start > pc (-1 if none), computed once.
      const n = this.prog.length;
      const next = new Int32Array(n + 1).fill(-1);
      let cur = -1;
      for (let i = n - 1; i >= 0; i--) {
        next[i] = cur;
        if (this.a.blocks.get(i)?.reachable) cur = i;
      }
      this.nextAfter = next;
    }
    return this.nextAfter[pc]!;
  }
  private nextAfter: Int32Array | undefined;

  private cond(op: Extract<Op, { kind: 'jcond' }>, pc: number): void {
    const n = this.prog.length;
    const label = (t: number): number => (t >= n ? EXIT_LABEL : t);
    const src = op.src === 'k' ? { imm: op.k } : { src: RX };
    const next = this.nextEmitted(pc);
    const tree = this.sets.trees.get(pc);
    if (tree) {
      // The compare chain that starts here, as a binary search on A (./sets.ts).
      emitCompareTree(tree, RA, R1, {
        raw: (insn) => this.emit(insn),
        jcc: (o, imm, t) => this.jcc(o, RA, { imm }, label(t)),
        jump: (t, last) => (last ? this.jumpTo(t, pc) : this.jump(label(t))),
      });
      return;
    }
    if (op.jt === op.jf) { this.jumpTo(op.jt, pc); return; } // both ways go to one place
    // if A op k/X goto jt else goto jf — inverted when jt is the next block (jset has no inverse).
    const inverse: Partial<Record<JmpOp, JmpOp>> = { jeq: 'jne', jgt: 'jle', jge: 'jlt' };
    const inv = inverse[op.op];
    if (op.jt === next && op.jt < n && inv) {
      this.jcc(inv, RA, src, label(op.jf));
      return;
    }
    this.jcc(op.op, RA, src, label(op.jt));
    if (!(op.jf === next && op.jf < n)) this.jump(label(op.jf));
  }

  private alu(op: Extract<Op, { kind: 'alu' }>): void {
    if (op.src === 'k') {
      // A = A op k (32-bit); shifts use k & 31 like the reference; div/mod by 0 are 'fail'.
      const imm = op.op === 'lsh' || op.op === 'rsh' ? op.k & 31 : op.k;
      this.emit({ kind: 'alu', op: op.op, wide: false, dst: RA, imm: imm | 0 });
      return;
    }
    switch (op.op) {
      case 'div': case 'mod':
        this.jcc('jeq', RX, { imm: 0 }, EXIT_LABEL); // X == 0: return 0
        this.emit({ kind: 'alu', op: op.op, wide: false, dst: RA, src: RX }); // A = A / X, A % X
        return;
      case 'lsh': case 'rsh':
        // A = X < 32 ? A shift X : 0
        this.emit({ kind: 'jmp', op: 'jlt', wide: false, dst: RX, imm: 32, off: 2 });
        this.mov(RA, 0);
        this.emit({ kind: 'ja', off: 1 });
        this.emit({ kind: 'alu', op: op.op, wide: false, dst: RA, src: RX });
        return;
      default:
        this.emit({ kind: 'alu', op: op.op, wide: false, dst: RA, src: RX }); // A = A op X
    }
  }
}
