/**
 * Classic BPF arithmetic, written once: A <op> operand on 32-bit values, as libpcap's
 * bpf_filter and the kernel compute it. The reference interpreter (./interpret.ts), the
 * optimizer's constant folding (src/filter/optimize/fold-constants.ts) and the lowering's
 * folding of constant arithmetic (src/filter/lower/arith.ts) all call these functions, so the
 * three can never disagree about what `A / 0`, `A << 33` or `-A` mean.
 *
 * Values in and out are unsigned 32-bit numbers (callers that keep A as an int32 add `| 0`;
 * V8 inlines these one-liners). Division and modulo by zero have no value here: the
 * interpreter ends the program with 0 (what bpf_filter returns), the compiler does not fold it
 * (libpcap reports "division by zero"). A shift by 32 or more gives 0 — bpf_filter's shift by
 * X, and what libpcap's optimizer folds; the validator refuses constant shifts that large.
 */
import type { AluOp } from '../isa/cbpf/opcodes.ts';

export const aluAdd = (a: number, b: number): number => (a + b) >>> 0;
export const aluSub = (a: number, b: number): number => (a - b) >>> 0;
export const aluMul = (a: number, b: number): number => Math.imul(a, b) >>> 0;
/** b must not be 0 (see the header). */
export const aluDiv = (a: number, b: number): number => Math.floor((a >>> 0) / (b >>> 0)) >>> 0;
/** b must not be 0 (see the header). */
export const aluMod = (a: number, b: number): number => ((a >>> 0) % (b >>> 0)) >>> 0;
export const aluAnd = (a: number, b: number): number => (a & b) >>> 0;
export const aluOr = (a: number, b: number): number => (a | b) >>> 0;
export const aluXor = (a: number, b: number): number => (a ^ b) >>> 0;
export const aluLsh = (a: number, b: number): number => ((b >>> 0) >= 32 ? 0 : (a << b) >>> 0);
export const aluRsh = (a: number, b: number): number => ((b >>> 0) >= 32 ? 0 : (a >>> 0) >>> b);
export const aluNeg = (a: number): number => (-a) >>> 0;

const FNS: Readonly<Record<AluOp, (a: number, b: number) => number>> = {
  add: aluAdd, sub: aluSub, mul: aluMul, div: aluDiv, mod: aluMod, and: aluAnd, or: aluOr, xor: aluXor, lsh: aluLsh, rsh: aluRsh,
};

/** a <op> b, or undefined for a division or modulo by zero (no value: see the header). */
export function cbpfAlu(op: AluOp, a: number, b: number): number | undefined {
  return (op === 'div' || op === 'mod') && b >>> 0 === 0 ? undefined : FNS[op](a, b);
}
