/**
 * The reference classic-BPF interpreter, with libpcap 1.10.3 `bpf_filter` semantics. It is the
 * oracle the eBPF converter and the JITs are checked against.
 *
 * Technique: `createInterpreter` pre-decodes the program once into one flat Int32Array — per
 * instruction the opcode table's dense `exec` number, k, and the absolute jump targets — plus
 * one sentinel instruction "return 0" after the end. Every jump whose
 * target is outside the program, and falling off the end, lands on the sentinel, so the loop
 * needs no pc bounds check. The loop is one `switch` on small integers over A and X kept as
 * int32 bit patterns (unsigned where it matters via `>>> 0`); a call allocates nothing.
 *
 * Semantics (each decided to match what tcpdump 4.99.3 / libpcap 1.10.3 does on this machine):
 * - A packet load past `caplen` ends the program with 0 (reject); `len` is the wire length.
 * - Division or modulo by X == 0 returns 0. (Division by a constant 0 traps in 1.10.3 and the
 *   validator rejects it; here it also returns 0.)
 * - Arithmetic is 32-bit unsigned (wraps). Shifts by X >= 32 give 0 (as bpf_filter tests it);
 *   shifts by a constant k use k mod 32 — 1.10.3 executes the C shift directly, which is what
 *   x86-64 does with it (the validator rejects k >= 32, as the kernel does).
 * - Scratch memory starts at 0 for every packet (1.10.3 leaves it uninitialised; the validator
 *   rejects programs that read M[i] before writing it, so valid programs cannot tell).
 * - `ja` takes k as signed: libpcap emits backward jumps for `protochain` and 1.10.3 follows
 *   them without any limit (it loops forever on `ja -1`). We must terminate, yet never cut
 *   short a libpcap program that terminates in 1.10.3. The budget is BACKWARD_JUMP_BUDGET ×
 *   (caplen + 1) backward jumps per backward `ja` in the program, set per packet. Why that
 *   suffices: only `ja` can go backwards (jt/jf are unsigned), and libpcap's only backward
 *   jumps close protochain's walk loop, which the rest of the program enters at most once per
 *   packet (all other jumps go forward). When a walk jumps back, its whole state is (A, X): A
 *   is the next-header byte just read, necessarily one of the 5 values that continue the walk
 *   (hop-by-hop 0, routing 43, fragment 44, AH 51, destination options 60), and X is the
 *   offset of the next header; the next pass loads pkt[X] first, so if X ≥ caplen it ends the
 *   program. So a walk that repeats no state takes at most 5 × caplen + 1 backward jumps, and
 *   one that repeats a state loops forever in 1.10.3 too (possible: 1.10.3 resets X to the AH
 *   length, so a crafted AH can point back at itself). Extension headers advance X by at
 *   least 8 bytes, so a real chain needs far fewer (~caplen / 8). A malicious loop is stopped
 *   after at most budget × program-length instructions; one more backward jump returns 0.
 *   A jump outside the program returns 0. Unknown opcodes return 0 (1.10.3 calls abort()).
 * - Linux ancillary loads (`ld [SKF_AD_OFF + n]`, bpf_asm `ld #proto` …) are NOT interpreted,
 *   exactly like libpcap's bpf_filter: they are ordinary absolute loads far past any packet, so
 *   they return 0. Only the kernel gives them meaning; our eBPF socket-filter hook may later.
 * - An empty program returns 0.
 */
import type { CbpfProgram } from '../isa/cbpf/types.ts';
import { BPF_MEMWORDS, Exec, execOf, type ExecOp } from '../isa/cbpf/opcodes.ts';
import { aluAdd, aluAnd, aluDiv, aluLsh, aluMod, aluMul, aluNeg, aluOr, aluRsh, aluSub, aluXor } from './alu.ts';

/**
 * A pre-decoded filter: returns the filter's verdict (0 = reject, else bytes to keep). The
 * packet is `pkt[offset, offset + caplen)` (offset 0 by default), so a capture reader's block
 * buffer can be passed as is, without a view per packet.
 */
export type CbpfFilter = (pkt: Uint8Array, caplen: number, wirelen: number, offset?: number) => number;

/** Slots per instruction in `ops`: exec op, k, jump-true target (also ja's), jump-false target. */
const W = 4;
/**
 * Backward jumps allowed per packet, per backward `ja` of the program and per byte of caplen
 * (+1): at least the 5 states a protochain walk can be in at each offset (see the header).
 */
export const BACKWARD_JUMP_BUDGET = 8;

/** The per-packet backward-jump budget of a program with `backwardJas` backward `ja`s. */
function backwardJumpBudget(backwardJas: number, caplen: number): number {
  return backwardJas * BACKWARD_JUMP_BUDGET * (caplen + 1);
}

export function createInterpreter(prog: CbpfProgram): CbpfFilter {
  const n = prog.length;
  // One flat Int32Array: A, X and k are kept as int32 bit patterns (V8's fastest integer
  // representation); unsigned meaning is restored with `>>> 0` only where it matters
  // (comparisons, division, bounds checks, the returned value).
  const ops = new Int32Array((n + 1) * W);
  let readsMem = false;
  let backwardJas = 0;
  const clampTarget = (t: number): number => (t >= 0 && t < n ? t : n);
  for (let pc = 0; pc < n; pc++) {
    const insn = prog[pc]!;
    let op: ExecOp = execOf(insn.code);
    const k = insn.k >>> 0;
    // An absolute load at k >= 2^31 can never be inside a packet: same as "return 0", decided
    // here so that the loop can treat k as a non-negative int32.
    if ((op === Exec.LD_W_ABS || op === Exec.LD_H_ABS || op === Exec.LD_B_ABS || op === Exec.LDX_MSH) && k > 0x7fffffff) op = Exec.INVALID;
    const i = pc * W;
    ops[i] = op;
    ops[i + 1] = k | 0;
    if (op === Exec.JA) {
      // pc + 1 + k with k signed (backward jumps are counted at run time).
      ops[i + 2] = clampTarget(pc + 1 + (k | 0));
      if (ops[i + 2]! <= pc) backwardJas++;
    } else {
      ops[i + 2] = clampTarget(pc + 1 + (insn.jt & 0xff));
      ops[i + 3] = clampTarget(pc + 1 + (insn.jf & 0xff));
    }
    if (op === Exec.LD_MEM || op === Exec.LDX_MEM) readsMem = true;
  }
  ops[n * W] = Exec.RET_K; // sentinel: return 0
  const mem = new Int32Array(BPF_MEMWORDS);

  return function cbpfFilter(p: Uint8Array, caplen: number, wirelen: number, offset = 0): number {
    const code = ops;
    const avail = p.length - offset;
    const buflen = caplen < avail ? caplen : avail;
    // Packet byte j is p[b + j].
    const b = offset;
    if (readsMem) mem.fill(0);
    let A = 0;
    let X = 0;
    let pc = 0;
    let o = 0;
    // Backward jumps this packet may still take (a small-integer multiply, no allocation).
    let budget = backwardJumpBudget(backwardJas, buflen);
    for (;;) {
      const i = pc << 2;
      const k = code[i + 1]!;
      const op = code[i] as ExecOp;
      pc++;
      // Case labels are number literals (checked against the table by `satisfies`): V8 turns a
      // dense literal switch into a jump table, while `case Exec.X` would be property loads.
      switch (op) {
        case 1 satisfies typeof Exec.RET_K: return k >>> 0; // return k
        case 2 satisfies typeof Exec.RET_A: return A >>> 0; // return A
        case 3 satisfies typeof Exec.LD_W_ABS: // A = pkt[k:4]   (k is a non-negative int32 here)
          if (k + 4 > buflen) return 0;
          A = (p[b + k]! << 24) | (p[b + k + 1]! << 16) | (p[b + k + 2]! << 8) | p[b + k + 3]!;
          continue;
        case 4 satisfies typeof Exec.LD_H_ABS: // A = pkt[k:2]
          if (k + 2 > buflen) return 0;
          A = (p[b + k]! << 8) | p[b + k + 1]!;
          continue;
        case 5 satisfies typeof Exec.LD_B_ABS: // A = pkt[k]
          if (k >= buflen) return 0;
          A = p[b + k]!;
          continue;
        case 6 satisfies typeof Exec.LD_W_IND: // A = pkt[X+k:4]   (unsigned sum, no 32-bit wrap)
          o = (X >>> 0) + (k >>> 0);
          if (o + 4 > buflen) return 0;
          A = (p[b + o]! << 24) | (p[b + o + 1]! << 16) | (p[b + o + 2]! << 8) | p[b + o + 3]!;
          continue;
        case 7 satisfies typeof Exec.LD_H_IND: // A = pkt[X+k:2]
          o = (X >>> 0) + (k >>> 0);
          if (o + 2 > buflen) return 0;
          A = (p[b + o]! << 8) | p[b + o + 1]!;
          continue;
        case 8 satisfies typeof Exec.LD_B_IND: // A = pkt[X+k]
          o = (X >>> 0) + (k >>> 0);
          if (o >= buflen) return 0;
          A = p[b + o]!;
          continue;
        case 9 satisfies typeof Exec.LD_IMM: A = k; continue; // A = k
        case 10 satisfies typeof Exec.LDX_IMM: X = k; continue; // X = k
        case 11 satisfies typeof Exec.LD_LEN: A = wirelen | 0; continue; // A = wirelen
        case 12 satisfies typeof Exec.LDX_LEN: X = wirelen | 0; continue; // X = wirelen
        case 13 satisfies typeof Exec.LD_MEM: if (k >>> 0 >= BPF_MEMWORDS) return 0; A = mem[k]!; continue; // A = M[k]
        case 14 satisfies typeof Exec.LDX_MEM: if (k >>> 0 >= BPF_MEMWORDS) return 0; X = mem[k]!; continue; // X = M[k]
        case 15 satisfies typeof Exec.LDX_MSH: // X = 4 * (pkt[k] & 0xf)
          if (k >= buflen) return 0;
          X = (p[b + k]! & 0xf) << 2;
          continue;
        case 16 satisfies typeof Exec.ST: if (k >>> 0 >= BPF_MEMWORDS) return 0; mem[k] = A; continue; // M[k] = A
        case 17 satisfies typeof Exec.STX: if (k >>> 0 >= BPF_MEMWORDS) return 0; mem[k] = X; continue; // M[k] = X
        case 18 satisfies typeof Exec.ADD_K: A = aluAdd(A, k) | 0; continue;
        case 19 satisfies typeof Exec.SUB_K: A = aluSub(A, k) | 0; continue;
        case 20 satisfies typeof Exec.MUL_K: A = aluMul(A, k) | 0; continue;
        case 21 satisfies typeof Exec.DIV_K: if (k === 0) return 0; A = aluDiv(A, k) | 0; continue;
        case 22 satisfies typeof Exec.MOD_K: if (k === 0) return 0; A = aluMod(A, k) | 0; continue;
        case 23 satisfies typeof Exec.AND_K: A = aluAnd(A, k) | 0; continue;
        case 24 satisfies typeof Exec.OR_K: A = aluOr(A, k) | 0; continue;
        case 25 satisfies typeof Exec.XOR_K: A = aluXor(A, k) | 0; continue;
        case 26 satisfies typeof Exec.LSH_K: A = aluLsh(A, k & 31) | 0; continue; // an unvalidated count ≥ 32 is masked, as bpf_filter on x86 (and the translation)
        case 27 satisfies typeof Exec.RSH_K: A = aluRsh(A, k & 31) | 0; continue;
        case 28 satisfies typeof Exec.ADD_X: A = aluAdd(A, X) | 0; continue;
        case 29 satisfies typeof Exec.SUB_X: A = aluSub(A, X) | 0; continue;
        case 30 satisfies typeof Exec.MUL_X: A = aluMul(A, X) | 0; continue;
        case 31 satisfies typeof Exec.DIV_X: if (X === 0) return 0; A = aluDiv(A, X) | 0; continue;
        case 32 satisfies typeof Exec.MOD_X: if (X === 0) return 0; A = aluMod(A, X) | 0; continue;
        case 33 satisfies typeof Exec.AND_X: A = aluAnd(A, X) | 0; continue;
        case 34 satisfies typeof Exec.OR_X: A = aluOr(A, X) | 0; continue;
        case 35 satisfies typeof Exec.XOR_X: A = aluXor(A, X) | 0; continue;
        case 36 satisfies typeof Exec.LSH_X: A = aluLsh(A, X) | 0; continue;
        case 37 satisfies typeof Exec.RSH_X: A = aluRsh(A, X) | 0; continue;
        case 38 satisfies typeof Exec.NEG: A = aluNeg(A) | 0; continue;
        case 39 satisfies typeof Exec.JA: // pc += k (signed)
          o = code[i + 2]!;
          if (o < pc && --budget < 0) return 0;
          pc = o;
          continue;
        case 40 satisfies typeof Exec.JEQ_K: pc = code[i + (A === k ? 2 : 3)]!; continue;
        case 41 satisfies typeof Exec.JGT_K: pc = code[i + (A >>> 0 > k >>> 0 ? 2 : 3)]!; continue;
        case 42 satisfies typeof Exec.JGE_K: pc = code[i + (A >>> 0 >= k >>> 0 ? 2 : 3)]!; continue;
        case 43 satisfies typeof Exec.JSET_K: pc = code[i + ((A & k) !== 0 ? 2 : 3)]!; continue;
        case 44 satisfies typeof Exec.JEQ_X: pc = code[i + (A === X ? 2 : 3)]!; continue;
        case 45 satisfies typeof Exec.JGT_X: pc = code[i + (A >>> 0 > X >>> 0 ? 2 : 3)]!; continue;
        case 46 satisfies typeof Exec.JGE_X: pc = code[i + (A >>> 0 >= X >>> 0 ? 2 : 3)]!; continue;
        case 47 satisfies typeof Exec.JSET_X: pc = code[i + ((A & X) !== 0 ? 2 : 3)]!; continue;
        case 48 satisfies typeof Exec.TAX: X = A; continue;
        case 49 satisfies typeof Exec.TXA: A = X; continue;
        case 0 satisfies typeof Exec.INVALID: return 0;
        default: {
          // Exhaustiveness: adding an Exec op without a case here is a type error.
          const missing: never = op;
          return missing;
        }
      }
    }
  };
}

const cache = new WeakMap<CbpfProgram, CbpfFilter>();
let lastProg: CbpfProgram | null = null;
let lastFilter: CbpfFilter | null = null;

/**
 * Runs `prog` on a packet whose captured bytes are `pkt` (caplen = pkt.length) and whose wire
 * length is `wirelen`. Pre-decodes on first use per program array (cached, with a one-entry
 * fast path for the program used last; do not mutate a program after running it). Loops over
 * many packets should call createInterpreter once instead.
 */
export function interpret(prog: CbpfProgram, pkt: Uint8Array, wirelen: number = pkt.length): number {
  let f = prog === lastProg ? lastFilter! : cache.get(prog);
  if (!f) { f = createInterpreter(prog); cache.set(prog, f); }
  lastProg = prog;
  lastFilter = f;
  return f(pkt, pkt.length, wirelen);
}
