/**
 * Control-flow facts about a classic BPF program that the cBPF → eBPF converter needs before it
 * emits a single instruction: the basic blocks, which blocks are reachable, which of the values
 * A, X and M[0..15] may be read before anything wrote them, and where the packet loads of each
 * block are (so one bounds check can cover a whole straight-line group).
 *
 * Technique: every instruction is classified once through the cBPF opcode table into an `Op`
 * (the shape plus k, with `fail` for everything that can only "return 0": unknown encodings,
 * M[k] with k >= 16, division by the constant 0, absolute loads at k >= 2^31). Leaders are pc 0,
 * every in-range jump target and every instruction after a jump, return or fail; a target outside
 * the program goes to the shared "return 0" exit, exactly like the reference interpreter's
 * sentinel. "May be uninitialised" is a forward must-analysis over an 18-bit mask (bit i < 16 is
 * M[i], bit 16 is A, bit 17 is X): a block's entry mask is the AND of its predecessors' exit
 * masks, iterated to a fixed point (backward `ja` makes the graph cyclic), and any read whose bit
 * is not set at that point needs the value zeroed in the prologue (bpf_filter starts A = X = 0;
 * our reference interpreter also zeroes M[]).
 */
import type { CbpfProgram } from '../isa/cbpf/types.ts';
import { BPF_MEMWORDS, opcodeRow, type AluOp, type JmpOp, type Size } from '../isa/cbpf/opcodes.ts';

/** One classic instruction as the converter sees it (k is unsigned). */
export type Op =
  | { kind: 'ld-abs'; dst: 'a' | 'x'; size: Size; k: number; msh: boolean } // A = pkt[k:size] / X = 4*(pkt[k]&0xf)
  | { kind: 'ld-ind'; size: Size; k: number } // A = pkt[X+k:size]
  | { kind: 'ld-imm'; dst: 'a' | 'x'; k: number } // A/X = k
  | { kind: 'ld-len'; dst: 'a' | 'x' } // A/X = wirelen
  | { kind: 'ld-mem'; dst: 'a' | 'x'; k: number } // A/X = M[k]
  | { kind: 'st'; src: 'a' | 'x'; k: number } // M[k] = A/X
  | { kind: 'alu'; op: AluOp; src: 'k' | 'x'; k: number } // A = A op k/X
  | { kind: 'neg' } // A = -A
  | { kind: 'tax' } // X = A
  | { kind: 'txa' } // A = X
  | { kind: 'ja'; target: number } // pc = target (absolute; n = the "return 0" exit)
  | { kind: 'jcond'; op: JmpOp; src: 'k' | 'x'; k: number; jt: number; jf: number } // absolute targets
  | { kind: 'ret'; src: 'k' | 'a'; k: number } // return k / return A
  | { kind: 'fail' }; // return 0 (the instruction can never succeed)

export const BIT_A = 1 << 16;
export const BIT_X = 1 << 17;
const ALL = (1 << 18) - 1;

/**
 * Decodes one instruction; targets outside [0, n) become n. `maxAbsEnd` is the largest packet
 * offset a load may end at on the target (XDP frames end before 0xffff): a constant load past
 * it can never succeed, so it is a `fail`.
 */
export function classify(prog: CbpfProgram, pc: number, maxAbsEnd = 0x7fffffff): Op {
  const n = prog.length;
  const insn = prog[pc]!;
  const row = opcodeRow(insn.code);
  if (!row) return { kind: 'fail' };
  const s = row.shape;
  const k = insn.k >>> 0;
  const clamp = (t: number): number => (t >= 0 && t < n ? t : n);
  switch (s.kind) {
    case 'load':
      switch (s.mode) {
        case 'abs': case 'msh':
          // No packet is 2 GiB long: the interpreter decides this statically too.
          return k > 0x7fffffff || k + s.size > maxAbsEnd ? { kind: 'fail' } : { kind: 'ld-abs', dst: s.dst, size: s.size, k, msh: s.mode === 'msh' };
        case 'ind': return { kind: 'ld-ind', size: s.size, k };
        case 'imm': return { kind: 'ld-imm', dst: s.dst, k };
        case 'len': return { kind: 'ld-len', dst: s.dst };
        case 'mem': return k >= BPF_MEMWORDS ? { kind: 'fail' } : { kind: 'ld-mem', dst: s.dst, k };
      }
      break;
    case 'store': return k >= BPF_MEMWORDS ? { kind: 'fail' } : { kind: 'st', src: s.src, k };
    case 'alu':
      if (s.src === 'k' && (s.op === 'div' || s.op === 'mod') && k === 0) return { kind: 'fail' };
      return { kind: 'alu', op: s.op, src: s.src, k };
    case 'neg': return { kind: 'neg' };
    case 'tax': return { kind: 'tax' };
    case 'txa': return { kind: 'txa' };
    case 'ja': return { kind: 'ja', target: clamp(pc + 1 + (k | 0)) };
    case 'jcond':
      return { kind: 'jcond', op: s.op, src: s.src, k, jt: clamp(pc + 1 + (insn.jt & 0xff)), jf: clamp(pc + 1 + (insn.jf & 0xff)) };
    case 'ret': return { kind: 'ret', src: s.src, k };
  }
  return { kind: 'fail' };
}

export interface Block {
  start: number;
  /** One past the last instruction. */
  end: number;
  /** Successor block starts; `n` stands for the "return 0" exit. */
  succ: number[];
  reachable: boolean;
}

export interface Analysis {
  ops: Op[];
  /** Blocks in pc order, keyed by their start pc. */
  blocks: Map<number, Block>;
  order: Block[];
  /** Bits (M[i], A, X) that some path may read before writing: zero them in the prologue. */
  needsInit: number;
  /** True when some reachable `ja` jumps backward (the converter then emits a loop counter). */
  hasBackwardJump: boolean;
  /** Any reachable packet load / `len` read (decides what the prologue must fetch). */
  usesPacket: boolean;
  usesLen: boolean;
}

/** Bits an instruction reads / writes (M[k], A, X). */
function effects(op: Op): { reads: number; writes: number } {
  switch (op.kind) {
    case 'ld-abs': return { reads: 0, writes: op.dst === 'a' ? BIT_A : BIT_X };
    case 'ld-ind': return { reads: BIT_X, writes: BIT_A };
    case 'ld-imm': case 'ld-len': return { reads: 0, writes: op.dst === 'a' ? BIT_A : BIT_X };
    case 'ld-mem': return { reads: 1 << op.k, writes: op.dst === 'a' ? BIT_A : BIT_X };
    case 'st': return { reads: op.src === 'a' ? BIT_A : BIT_X, writes: 1 << op.k };
    case 'alu': return { reads: BIT_A | (op.src === 'x' ? BIT_X : 0), writes: BIT_A };
    case 'neg': return { reads: BIT_A, writes: BIT_A };
    case 'tax': return { reads: BIT_A, writes: BIT_X };
    case 'txa': return { reads: BIT_X, writes: BIT_A };
    case 'jcond': return { reads: BIT_A | (op.src === 'x' ? BIT_X : 0), writes: 0 };
    case 'ret': return { reads: op.src === 'a' ? BIT_A : 0, writes: 0 };
    case 'ja': case 'fail': return { reads: 0, writes: 0 };
  }
}

const isTerminator = (op: Op): boolean => op.kind === 'ja' || op.kind === 'jcond' || op.kind === 'ret' || op.kind === 'fail';

export function analyze(prog: CbpfProgram, maxAbsEnd?: number): Analysis {
  const n = prog.length;
  const ops = prog.map((_, pc) => classify(prog, pc, maxAbsEnd));
  // Leaders: pc 0, jump targets, and whatever follows a terminator.
  const leader = new Uint8Array(n + 1);
  leader[0] = 1;
  ops.forEach((op, pc) => {
    if (op.kind === 'ja') leader[op.target] = 1;
    if (op.kind === 'jcond') { leader[op.jt] = 1; leader[op.jf] = 1; }
    if (isTerminator(op)) leader[pc + 1] = 1;
  });
  const blocks = new Map<number, Block>();
  const order: Block[] = [];
  for (let pc = 0; pc < n;) {
    let end = pc + 1;
    while (end < n && !leader[end] && !isTerminator(ops[end - 1]!)) end++;
    const last = ops[end - 1]!;
    const succ = last.kind === 'ja' ? [last.target] : last.kind === 'jcond' ? [last.jt, last.jf]
      : last.kind === 'ret' || last.kind === 'fail' ? [] : [end < n ? end : n];
    const b: Block = { start: pc, end, succ, reachable: false };
    blocks.set(pc, b);
    order.push(b);
    pc = end;
  }
  // Reachability from pc 0 (n, the exit, is not a block).
  const work = n > 0 ? [0] : [];
  while (work.length > 0) {
    const b = blocks.get(work.pop()!)!;
    if (b.reachable) continue;
    b.reachable = true;
    for (const s of b.succ) if (s < n && !blocks.get(s)!.reachable) work.push(s);
  }
  // Definite-assignment fixed point over reachable blocks.
  const inMask = new Map<number, number>();
  for (const b of order) if (b.reachable) inMask.set(b.start, b.start === 0 ? 0 : ALL);
  let needsInit = 0;
  for (let changed = true; changed;) {
    changed = false;
    for (const b of order) {
      if (!b.reachable) continue;
      let m = inMask.get(b.start)!;
      for (let pc = b.start; pc < b.end; pc++) {
        const e = effects(ops[pc]!);
        needsInit |= e.reads & ~m;
        m |= e.writes;
      }
      for (const s of b.succ) {
        if (s >= n) continue;
        const old = inMask.get(s)!;
        const nw = s === 0 ? 0 : old & m;
        if (nw !== old) { inMask.set(s, nw); changed = true; }
      }
    }
  }
  let hasBackwardJump = false, usesPacket = false, usesLen = false;
  for (const b of order) {
    if (!b.reachable) continue;
    for (let pc = b.start; pc < b.end; pc++) {
      const op = ops[pc]!;
      if (op.kind === 'ja' && op.target <= pc) hasBackwardJump = true;
      if (op.kind === 'ld-abs' || op.kind === 'ld-ind') usesPacket = true;
      if (op.kind === 'ld-len') usesLen = true;
    }
  }
  return { ops, blocks, order, needsInit, hasBackwardJump, usesPacket, usesLen };
}
