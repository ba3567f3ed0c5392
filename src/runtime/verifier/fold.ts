/**
 * Constant folding for the verifier: the exact result of an ALU or byte-swap instruction on
 * known operands (unsigned 64-bit bigints in, unsigned 64-bit out), with RFC 9669 semantics —
 * 32-bit forms work on the low halves and zero-extend, division by zero gives 0 and modulo by
 * zero leaves the dividend, shift amounts are masked, signed division truncates toward zero.
 * Knowing constants exactly is what lets the verifier follow bounded loops iteration by
 * iteration and decide branches on loop counters. (Not a hot path: the engines have their own.)
 */
import type { AluOp, EndOrder, EndWidth } from '../../isa/ebpf/opcodes.ts';

const M64 = (1n << 64n) - 1n;
const M32 = 0xffffffffn;

export function foldAlu(op: AluOp, wide: boolean, a: bigint, b: bigint): bigint {
  const bits = wide ? 64 : 32;
  const mask = wide ? M64 : M32;
  const x = a & mask;
  const y = b & mask;
  const sx = BigInt.asIntN(bits, x);
  const sy = BigInt.asIntN(bits, y);
  let r: bigint;
  switch (op) {
    case 'add': r = x + y; break;
    case 'sub': r = x - y; break;
    case 'mul': r = x * y; break;
    case 'div': r = y === 0n ? 0n : x / y; break;
    case 'sdiv': r = sy === 0n ? 0n : sx / sy; break;
    case 'mod': r = y === 0n ? x : x % y; break;
    case 'smod': r = sy === 0n ? sx : sx % sy; break;
    case 'or': r = x | y; break;
    case 'and': r = x & y; break;
    case 'xor': r = x ^ y; break;
    case 'lsh': r = x << (y & BigInt(bits - 1)); break;
    case 'rsh': r = x >> (y & BigInt(bits - 1)); break;
    case 'arsh': r = sx >> (y & BigInt(bits - 1)); break;
    case 'neg': r = -x; break;
    case 'mov': r = y; break;
    case 'movsx8': r = BigInt.asIntN(8, b); break;
    case 'movsx16': r = BigInt.asIntN(16, b); break;
    case 'movsx32': r = BigInt.asIntN(32, b); break;
  }
  return r & mask;
}

function swap(v: bigint, width: number): bigint {
  let out = 0n;
  for (let i = 0; i < width / 8; i++) out = (out << 8n) | ((v >> BigInt(i * 8)) & 0xffn);
  return out;
}

/** le/be/bswap of the low `width` bits; the result is zero-extended (little-endian host). */
export function foldEnd(order: EndOrder, width: EndWidth, v: bigint): bigint {
  const low = v & ((1n << BigInt(width)) - 1n);
  return order === 'le' ? low : swap(low, width);
}
