/**
 * An independent model of RFC 9669 ALU and jump semantics on BigInts, written from the RFC and
 * not from src/runtime: the oracle of the engines' differential test and of the verifier's range
 * tests (test/runtime/verifier-ranges.test.ts).
 */
import type { AluOp, JmpOp } from '../../../src/isa/ebpf/opcodes.ts';

/** RFC 9669 ALU semantics on unsigned BigInts of `bits` width. */
export function modelAlu(op: AluOp, bits: 32 | 64, a: bigint, b: bigint): bigint {
  const m = (1n << BigInt(bits)) - 1n;
  const sx = (v: bigint) => BigInt.asIntN(bits, v);
  a &= m;
  b &= m;
  const sh = b & BigInt(bits - 1);
  const r = ((): bigint => {
    switch (op) {
      case 'add': return a + b;
      case 'sub': return a - b;
      case 'mul': return a * b;
      case 'div': return b === 0n ? 0n : a / b;
      case 'sdiv': return b === 0n ? 0n : sx(a) / sx(b);
      case 'mod': return b === 0n ? a : a % b;
      case 'smod': return b === 0n ? a : sx(a) % sx(b);
      case 'or': return a | b;
      case 'and': return a & b;
      case 'xor': return a ^ b;
      case 'lsh': return a << sh;
      case 'rsh': return a >> sh;
      case 'arsh': return sx(a) >> sh;
      case 'neg': return -a;
      case 'mov': return b;
      case 'movsx8': return BigInt.asIntN(8, b);
      case 'movsx16': return BigInt.asIntN(16, b);
      case 'movsx32': return BigInt.asIntN(32, b);
    }
  })();
  return r & m;
}

export function modelCond(op: JmpOp, bits: 32 | 64, a: bigint, b: bigint): boolean {
  const m = (1n << BigInt(bits)) - 1n;
  a &= m;
  b &= m;
  const sa = BigInt.asIntN(bits, a), sb = BigInt.asIntN(bits, b);
  switch (op) {
    case 'jeq': return a === b;
    case 'jne': return a !== b;
    case 'jgt': return a > b;
    case 'jge': return a >= b;
    case 'jlt': return a < b;
    case 'jle': return a <= b;
    case 'jset': return (a & b) !== 0n;
    case 'jsgt': return sa > sb;
    case 'jsge': return sa >= sb;
    case 'jslt': return sa < sb;
    case 'jsle': return sa <= sb;
  }
}
