/**
 * cBPF opcode constants and statement constructors used by the filter compiler. The values
 * are the classic BPF encoding (class | size | mode, class | op | src) that the kernel and
 * libpcap use; the helpers build `Stmt`s so that lowering code reads like an assembly listing:
 * `ldh(12)` is `ldh [12]`, `ldxMsh(14)` is `ldxb 4*([14]&0xf)`.
 */
import type { Stmt } from './cfg.ts';

export const LD = 0x00, LDX = 0x01, ST = 0x02, STX = 0x03, ALU = 0x04, JMP = 0x05, RET = 0x06, MISC = 0x07;
export const W = 0x00, H = 0x08, B = 0x10;
export const IMM = 0x00, ABS = 0x20, IND = 0x40, MEM = 0x60, LEN = 0x80, MSH = 0xa0;
export const ADD = 0x00, SUB = 0x10, MUL = 0x20, DIV = 0x30, OR = 0x40, AND = 0x50, LSH = 0x60, RSH = 0x70,
  NEG = 0x80, MOD = 0x90, XOR = 0xa0;
export const JA = 0x00, JEQ = 0x10, JGT = 0x20, JGE = 0x30, JSET = 0x40;
export const K = 0x00, X = 0x08;
export const TAX = 0x00, TXA = 0x80;

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
