/**
 * Pass "fold-constants": a jump block whose accumulator is a compile-time constant (e.g.
 * `ld #0; jeq #0`, or `ldb [0]; and #0; jeq #0`: the `and #0` makes the load irrelevant) is
 * decided statically; every edge into it is redirected to the successor it would take, and a
 * block with jt == jf is skipped the same way when it loads nothing or leads to a return. libpcap folds such loads away too (so a packet
 * too short for the folded load is still accepted), which this keeps. Linear: one walk over the
 * blocks plus one over the edges.
 */
import { filled, isRet, topoOrder } from '../cfg.ts';
import type { Block, Program } from '../cfg.ts';
import type { Work } from './work.ts';
import { ABS, ADD, ALU, AND, DIV, IMM, IND, JEQ, JGE, JGT, JSET, LD, LDX, LSH, MISC, MOD, MSH, MUL, NEG, OR, RSH, SUB, XOR, bpfClass, bpfMode, bpfOp, bpfSrc } from '../insn.ts';
import { aluAdd, aluAnd, aluDiv, aluLsh, aluMod, aluMul, aluNeg, aluOr, aluRsh, aluSub, aluXor } from '../../cbpf/alu.ts';

/** The constant value of A at the end of `b`'s statements, if it is one. */
export function constantA(b: Block): number | undefined {
  let a: number | undefined;
  for (const s of b.stmts) {
    const cls = bpfClass(s.code);
    if (cls === LD) { a = bpfMode(s.code) === IMM ? s.k >>> 0 : undefined; continue; }
    if (cls === ALU) {
      const op = bpfOp(s.code);
      const k = s.k >>> 0;
      if (bpfSrc(s.code)) { a = undefined; continue; }
      if (op === AND && k === 0) { a = 0; continue; }
      if (op === MUL && k === 0) { a = 0; continue; }
      if (a === undefined) continue;
      switch (op) {
        // Classic BPF arithmetic, as the interpreter computes it (src/cbpf/alu.ts).
        case ADD: a = aluAdd(a, k); break;
        case SUB: a = aluSub(a, k); break;
        case MUL: a = aluMul(a, k); break;
        case DIV: a = k === 0 ? undefined : aluDiv(a, k); break;
        case MOD: a = k === 0 ? undefined : aluMod(a, k); break;
        case AND: a = aluAnd(a, k); break;
        case OR: a = aluOr(a, k); break;
        case XOR: a = aluXor(a, k); break;
        case LSH: a = aluLsh(a, k); break;
        case RSH: a = aluRsh(a, k); break;
        case NEG: a = aluNeg(a); break;
        default: a = undefined;
      }
      continue;
    }
    if (cls === MISC && (s.code & 0x80)) a = undefined; // txa
  }
  return a;
}

/** Does the block read the packet (a load that fails on a short packet)? */
function loadsPacket(b: Block): boolean {
  return b.stmts.some((s) => {
    const cls = bpfClass(s.code);
    const mode = bpfMode(s.code);
    return (cls === LD && (mode === ABS || mode === IND)) || (cls === LDX && mode === MSH);
  });
}

/** Where control goes from `b` if its outcome is known statically, else undefined. */
function staticSuccessor(b: Block): Block | undefined {
  if (isRet(b) || b.pinned) return undefined;
  // Both edges go to the same place: the test is useless, but its loads can still reject a
  // truncated packet. libpcap 1.10.3 drops such a block when it leads straight to a return
  // and keeps it otherwise; we do the same (load-free blocks always go).
  if (b.jt === b.jf) return loadsPacket(b) && !isRet(b.jt!) ? undefined : b.jt!;
  // libpcap decides those only in its second phase, without moving the edges into them (late.ts).
  if (b.late) return undefined;
  if (b.decided !== undefined) return b.decided ? b.jt! : b.jf!;
  if (bpfSrc(b.code)) return undefined;
  const a = constantA(b);
  if (a === undefined) return undefined;
  const k = b.k >>> 0;
  let r: boolean;
  switch (bpfOp(b.code)) {
    case JEQ: r = a === k; break;
    case JGT: r = a > k; break;
    case JGE: r = a >= k; break;
    case JSET: r = (a & k) !== 0; break;
    default: return undefined;
  }
  return r ? b.jt! : b.jf!;
}

export function foldConstants(p: Program, work?: Work): Program {
  const order = topoOrder(p.root);
  if (work) work.steps += order.length;
  // Reverse topological order: successors are final before their predecessors are looked at,
  // so a chain of blocks that all became useless collapses in one pass. dest[i]: where an
  // edge into order[i] goes now (indexed by Block.index).
  const dest = filled<Block>(order.length, p.root);
  for (let i = order.length - 1; i >= 0; i--) {
    const b = order[i]!;
    if (!isRet(b)) {
      b.jt = dest[b.jt!.index]!;
      b.jf = dest[b.jf!.index]!;
    }
    const s = staticSuccessor(b);
    dest[i] = s ?? b;
  }
  return { prologue: p.prologue, root: dest[0]! };
}
