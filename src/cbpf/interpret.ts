/**
 * The reference classic-BPF interpreter, with libpcap 1.10.3 `bpf_filter` semantics. It is the
 * oracle the eBPF converter and the JITs are checked against.
 *
 * Technique: `createInterpreter` pre-decodes the program once into two flat typed arrays — per
 * instruction the opcode table's dense `exec` number and the absolute jump targets (Int32Array),
 * and k (Uint32Array) — plus one sentinel instruction "return 0" after the end. Every jump whose
 * target is outside the program, and falling off the end, lands on the sentinel, so the loop
 * needs no pc bounds check. The loop is one `switch` on small integers over A and X kept as
 * unsigned 32-bit numbers; a call allocates nothing.
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
 *   them. To guarantee termination (1.10.3 would loop forever on `ja -1`) a packet may take at
 *   most MAX_BACKWARD_JUMPS backward jumps; one more returns 0 (libpcap HEAD does the same).
 *   A jump outside the program returns 0. Unknown opcodes return 0 (1.10.3 calls abort()).
 * - Linux ancillary loads (`ld [SKF_AD_OFF + n]`, bpf_asm `ld #proto` …) are NOT interpreted,
 *   exactly like libpcap's bpf_filter: they are ordinary absolute loads far past any packet, so
 *   they return 0. Only the kernel gives them meaning; our eBPF socket-filter hook may later.
 * - An empty program returns 0.
 */
import type { CbpfProgram } from '../isa/cbpf/types.ts';
import { BPF_MEMWORDS, Exec, execOf, type ExecOp } from '../isa/cbpf/opcodes.ts';

/** A pre-decoded filter: returns the filter's verdict (0 = reject, else bytes to keep). */
export type CbpfFilter = (pkt: Uint8Array, caplen: number, wirelen: number) => number;

/** Slots per instruction in the `ops` array: exec op, jump-true target, jump-false target. */
const W = 3;
/** Backward `ja`s allowed per packet (protochain needs one per IPv6 extension header). */
export const MAX_BACKWARD_JUMPS = 64;

export function createInterpreter(prog: CbpfProgram): CbpfFilter {
  const n = prog.length;
  const ops = new Int32Array((n + 1) * W);
  const ks = new Uint32Array(n + 1);
  let readsMem = false;
  const clampTarget = (t: number): number => (t >= 0 && t < n ? t : n);
  for (let pc = 0; pc < n; pc++) {
    const insn = prog[pc]!;
    const op = execOf(insn.code);
    ops[pc * W] = op;
    ks[pc] = insn.k >>> 0;
    if (op === Exec.JA) {
      // pc + 1 + k with k signed (backward jumps are counted at run time).
      ops[pc * W + 1] = clampTarget(pc + 1 + (insn.k | 0));
    } else {
      ops[pc * W + 1] = clampTarget(pc + 1 + (insn.jt & 0xff));
      ops[pc * W + 2] = clampTarget(pc + 1 + (insn.jf & 0xff));
    }
    if (op === Exec.LD_MEM || op === Exec.LDX_MEM) readsMem = true;
  }
  ops[n * W] = Exec.RET_K; // sentinel: return 0
  ks[n] = 0;
  const mem = new Uint32Array(BPF_MEMWORDS);

  return function cbpfFilter(p: Uint8Array, caplen: number, wirelen: number): number {
    const buflen = caplen < p.length ? caplen : p.length;
    if (readsMem) mem.fill(0);
    let A = 0;
    let X = 0;
    let pc = 0;
    let o = 0;
    let backward = 0;
    for (;;) {
      const i = pc * W;
      const k = ks[pc]!;
      const op = ops[i] as ExecOp;
      pc++;
      switch (op) {
        case Exec.RET_K: return k; // return k
        case Exec.RET_A: return A; // return A
        case Exec.LD_W_ABS: // A = pkt[k:4]
          if (k + 4 > buflen) return 0;
          A = ((p[k]! << 24) | (p[k + 1]! << 16) | (p[k + 2]! << 8) | p[k + 3]!) >>> 0;
          continue;
        case Exec.LD_H_ABS: // A = pkt[k:2]
          if (k + 2 > buflen) return 0;
          A = (p[k]! << 8) | p[k + 1]!;
          continue;
        case Exec.LD_B_ABS: // A = pkt[k]
          if (k >= buflen) return 0;
          A = p[k]!;
          continue;
        case Exec.LD_W_IND: // A = pkt[X+k:4]
          o = X + k;
          if (o + 4 > buflen) return 0;
          A = ((p[o]! << 24) | (p[o + 1]! << 16) | (p[o + 2]! << 8) | p[o + 3]!) >>> 0;
          continue;
        case Exec.LD_H_IND: // A = pkt[X+k:2]
          o = X + k;
          if (o + 2 > buflen) return 0;
          A = (p[o]! << 8) | p[o + 1]!;
          continue;
        case Exec.LD_B_IND: // A = pkt[X+k]
          o = X + k;
          if (o >= buflen) return 0;
          A = p[o]!;
          continue;
        case Exec.LD_IMM: A = k; continue; // A = k
        case Exec.LDX_IMM: X = k; continue; // X = k
        case Exec.LD_LEN: A = wirelen >>> 0; continue; // A = wirelen
        case Exec.LDX_LEN: X = wirelen >>> 0; continue; // X = wirelen
        case Exec.LD_MEM: if (k >= BPF_MEMWORDS) return 0; A = mem[k]!; continue; // A = M[k]
        case Exec.LDX_MEM: if (k >= BPF_MEMWORDS) return 0; X = mem[k]!; continue; // X = M[k]
        case Exec.LDX_MSH: // X = 4 * (pkt[k] & 0xf)
          if (k >= buflen) return 0;
          X = (p[k]! & 0xf) << 2;
          continue;
        case Exec.ST: if (k >= BPF_MEMWORDS) return 0; mem[k] = A; continue; // M[k] = A
        case Exec.STX: if (k >= BPF_MEMWORDS) return 0; mem[k] = X; continue; // M[k] = X
        case Exec.ADD_K: A = (A + k) >>> 0; continue;
        case Exec.SUB_K: A = (A - k) >>> 0; continue;
        case Exec.MUL_K: A = Math.imul(A, k) >>> 0; continue;
        case Exec.DIV_K: if (k === 0) return 0; A = (A / k) >>> 0; continue;
        case Exec.MOD_K: if (k === 0) return 0; A = A % k; continue;
        case Exec.AND_K: A = (A & k) >>> 0; continue;
        case Exec.OR_K: A = (A | k) >>> 0; continue;
        case Exec.XOR_K: A = (A ^ k) >>> 0; continue;
        case Exec.LSH_K: A = (A << k) >>> 0; continue; // JS masks the count to 5 bits, like x86
        case Exec.RSH_K: A = A >>> k; continue;
        case Exec.ADD_X: A = (A + X) >>> 0; continue;
        case Exec.SUB_X: A = (A - X) >>> 0; continue;
        case Exec.MUL_X: A = Math.imul(A, X) >>> 0; continue;
        case Exec.DIV_X: if (X === 0) return 0; A = (A / X) >>> 0; continue;
        case Exec.MOD_X: if (X === 0) return 0; A = A % X; continue;
        case Exec.AND_X: A = (A & X) >>> 0; continue;
        case Exec.OR_X: A = (A | X) >>> 0; continue;
        case Exec.XOR_X: A = (A ^ X) >>> 0; continue;
        case Exec.LSH_X: A = X < 32 ? (A << X) >>> 0 : 0; continue;
        case Exec.RSH_X: A = X < 32 ? A >>> X : 0; continue;
        case Exec.NEG: A = -A >>> 0; continue;
        case Exec.JA: // pc += k (signed)
          o = ops[i + 1]!;
          if (o < pc && ++backward > MAX_BACKWARD_JUMPS) return 0;
          pc = o;
          continue;
        case Exec.JEQ_K: pc = ops[i + (A === k ? 1 : 2)]!; continue;
        case Exec.JGT_K: pc = ops[i + (A > k ? 1 : 2)]!; continue;
        case Exec.JGE_K: pc = ops[i + (A >= k ? 1 : 2)]!; continue;
        case Exec.JSET_K: pc = ops[i + ((A & k) !== 0 ? 1 : 2)]!; continue;
        case Exec.JEQ_X: pc = ops[i + (A === X ? 1 : 2)]!; continue;
        case Exec.JGT_X: pc = ops[i + (A > X ? 1 : 2)]!; continue;
        case Exec.JGE_X: pc = ops[i + (A >= X ? 1 : 2)]!; continue;
        case Exec.JSET_X: pc = ops[i + ((A & X) !== 0 ? 1 : 2)]!; continue;
        case Exec.TAX: X = A; continue;
        case Exec.TXA: A = X; continue;
        case Exec.INVALID: return 0;
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

/**
 * Runs `prog` on a packet whose captured bytes are `pkt` (caplen = pkt.length) and whose wire
 * length is `wirelen`. Pre-decodes on first use per program array (cached; do not mutate a
 * program after running it).
 */
export function interpret(prog: CbpfProgram, pkt: Uint8Array, wirelen: number = pkt.length): number {
  let f = cache.get(prog);
  if (!f) { f = createInterpreter(prog); cache.set(prog, f); }
  return f(pkt, pkt.length, wirelen);
}
