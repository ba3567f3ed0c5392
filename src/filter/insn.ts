/**
 * The filter compiler's names for classic BPF encodings and its statement constructors. The
 * values are not defined here: they are the fields of the one cBPF opcode table
 * (src/isa/cbpf/opcodes.ts), under the short names the compiler's passes use (LD, JEQ, K…);
 * the helpers build `Stmt`s so that lowering code reads like an assembly listing:
 * `ldh(12)` is `ldh [12]`, `ldxMsh(14)` is `ldxb 4*([14]&0xf)`.
 */
import {
  BPF_ABS, BPF_ADD, BPF_ALU, BPF_AND, BPF_B, BPF_DIV, BPF_H, BPF_IMM, BPF_IND, BPF_JA, BPF_JEQ, BPF_JGE, BPF_JGT,
  BPF_JMP, BPF_JSET, BPF_K, BPF_LD, BPF_LDX, BPF_LEN, BPF_LSH, BPF_MEM, BPF_MISC, BPF_MOD, BPF_MSH, BPF_MUL, BPF_NEG, BPF_OR,
  BPF_RET, BPF_RSH, BPF_ST, BPF_STX, BPF_SUB, BPF_TAX, BPF_TXA, BPF_W, BPF_X, BPF_XOR,
} from '../isa/cbpf/opcodes.ts';

/** An opcode's fields, from the same table: class, size, mode, operation, source (K or X). */
export { bpfClass, bpfMode, bpfOp, bpfSize, bpfSrc } from '../isa/cbpf/opcodes.ts';
import type { Stmt } from './cfg.ts';

export const LD = BPF_LD, LDX = BPF_LDX, ST = BPF_ST, STX = BPF_STX, ALU = BPF_ALU, JMP = BPF_JMP, RET = BPF_RET, MISC = BPF_MISC;
export const W = BPF_W, H = BPF_H, B = BPF_B;
export const IMM = BPF_IMM, ABS = BPF_ABS, IND = BPF_IND, MEM = BPF_MEM, LEN = BPF_LEN, MSH = BPF_MSH;
export const ADD = BPF_ADD, SUB = BPF_SUB, MUL = BPF_MUL, DIV = BPF_DIV, OR = BPF_OR, AND = BPF_AND, LSH = BPF_LSH, RSH = BPF_RSH,
  NEG = BPF_NEG, MOD = BPF_MOD, XOR = BPF_XOR;
export const JA = BPF_JA, JEQ = BPF_JEQ, JGT = BPF_JGT, JGE = BPF_JGE, JSET = BPF_JSET;
export const K = BPF_K, X = BPF_X;
export const TAX = BPF_TAX, TXA = BPF_TXA;

export const JEQ_K = JMP | JEQ | K, JGT_K = JMP | JGT | K, JGE_K = JMP | JGE | K, JSET_K = JMP | JSET | K;
export const JEQ_X = JMP | JEQ | X, JGT_X = JMP | JGT | X, JGE_X = JMP | JGE | X, JSET_X = JMP | JSET | X;

const sizeBits = (size: 1 | 2 | 4): number => (size === 1 ? B : size === 2 ? H : W);

/** A = pkt[k:size] */
export const ldAbs = (k: number, size: 1 | 2 | 4): Stmt => ({ code: LD | sizeBits(size) | ABS, k: k >>> 0 });
/** A = pkt[X + k:size] (offsets are unsigned 32-bit: a negative k wraps, as in libpcap's sums) */
export const ldInd = (k: number, size: 1 | 2 | 4): Stmt => ({ code: LD | sizeBits(size) | IND, k: k >>> 0 });
export const ld = (k: number): Stmt => ldAbs(k, 4);
export const ldh = (k: number): Stmt => ldAbs(k, 2);
export const ldb = (k: number): Stmt => ldAbs(k, 1);
/** A = #k */
export const ldImm = (k: number): Stmt => ({ code: LD | W | IMM, k: k >>> 0 });
/** A = wirelen */
export const ldLen = (): Stmt => ({ code: LD | W | LEN, k: 0 });
/** A = M[k] */
export const ldMem = (k: number): Stmt => ({ code: LD | W | MEM, k });
/** X = 4 * (pkt[k] & 0xf) */
export const ldxMsh = (k: number): Stmt => ({ code: LDX | B | MSH, k: k >>> 0 });
/** X = #k */
export const ldxImm = (k: number): Stmt => ({ code: LDX | W | IMM, k: k >>> 0 });
/** X = M[k] */
export const ldxMem = (k: number): Stmt => ({ code: LDX | W | MEM, k });
/** M[k] = A */
export const st = (k: number): Stmt => ({ code: ST, k });
/** M[k] = X */
export const stx = (k: number): Stmt => ({ code: STX, k });
/** A = A <op> #k */
export const aluK = (op: number, k: number): Stmt => ({ code: ALU | op | K, k: k >>> 0 });
/** A = A <op> X */
export const aluX = (op: number): Stmt => ({ code: ALU | op | X, k: 0 });
export const neg = (): Stmt => ({ code: ALU | NEG, k: 0 });
export const tax = (): Stmt => ({ code: MISC | TAX, k: 0 });
export const txa = (): Stmt => ({ code: MISC | TXA, k: 0 });
