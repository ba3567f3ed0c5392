/**
 * Unsigned range arithmetic for scalars, the verifier's answer to "what values can this
 * register hold?" when it does not know the exact value: every scalar carries an interval [lo, hi]
 * of unsigned 64-bit numbers and one, [lo32, hi32], of its low 32 bits (./state.ts keeps the two
 * consistent). ALU results are over-approximated (any doubt gives the full range of the result
 * width): 64-bit operations work on [lo, hi], 32-bit ones on [lo32, hi32] and zero-extend.
 * Conditional jumps narrow the operands on each side of the branch — JMP on the 64-bit ranges,
 * JMP32 on the 32-bit ones — or prove a side impossible, which is how the verifier skips dead
 * paths (`if w4 >= 0` is always true) and follows loops on bounded but unknown counters
 * (`i = x & 15; while (i--)`). Signed comparisons are decided on the same intervals read as
 * signed numbers, when neither operand's interval straddles the sign boundary (2^63, or 2^31 for
 * JMP32): there the unsigned order and the signed order agree piecewise.
 */
import type { AluOp, JmpOp } from '../../isa/ebpf/opcodes.ts';
import { foldAlu } from './fold.ts';
import { bounds, MAX32, MAX64, range, scalar } from './state.ts';
import type { Reg, Scalar } from './state.ts';

function bitCeil(x: bigint): bigint {
  // Smallest 2^k - 1 >= x.
  let m = 0n;
  while (m < x) m = (m << 1n) | 1n;
  return m;
}

/** dst op= src on scalars, exact when both are known, else an interval. */
export function aluRange(op: AluOp, wide: boolean, a: Scalar, b: Scalar): Reg {
  // The operands as the operation sees them: all 64 bits, or the low 32 bits.
  const av = wide ? a.v : a.lo32 === a.hi32 ? a.lo32 : null;
  const bv = wide ? b.v : b.lo32 === b.hi32 ? b.lo32 : null;
  if ((av !== null || op === 'mov' || op.startsWith('movsx')) && bv !== null) return scalar(foldAlu(op, wide, av ?? 0n, bv));
  if (op === 'neg' && av !== null) return scalar(foldAlu(op, wide, av, 0n));
  const max = wide ? MAX64 : MAX32;
  const [alo, ahi] = wide ? [a.lo, a.hi] : [a.lo32, a.hi32];
  const [blo, bhi] = wide ? [b.lo, b.hi] : [b.lo32, b.hi32];
  const full = range(0n, max);
  const within = (lo: bigint, hi: bigint) => (lo >= 0n && hi <= max ? range(lo, hi) : full);
  switch (op) {
    case 'mov': return within(blo, bhi);
    case 'add': return within(alo + blo, ahi + bhi);
    case 'sub': return alo >= bhi ? range(alo - bhi, ahi - blo) : full;
    case 'mul': return within(alo * blo, ahi * bhi);
    case 'div': return blo > 0n ? range(alo / bhi, ahi / blo) : full;
    case 'mod': return blo > 0n ? range(0n, ahi < bhi - 1n ? ahi : bhi - 1n) : full;
    case 'and': return range(0n, ahi < bhi ? ahi : bhi);
    case 'or':
    case 'xor': {
      const m = bitCeil(ahi > bhi ? ahi : bhi);
      return op === 'or' ? range(alo > blo ? alo : blo, m) : range(0n, m);
    }
    case 'rsh': return bv !== null ? range(alo >> (bv & BigInt(wide ? 63 : 31)), ahi >> (bv & BigInt(wide ? 63 : 31))) : range(0n, ahi);
    case 'lsh': {
      if (bv === null) return full;
      const k = bv & BigInt(wide ? 63 : 31);
      return within(alo << k, ahi << k);
    }
    default: return full; // neg, arsh, sdiv, smod, movsx: no unsigned interval worth keeping
  }
}

/** A scalar's interval after an unsigned load or byte swap of `bytes` bytes. */
export function widthRange(bytes: number): Reg {
  return bytes >= 8 ? range(0n, MAX64) : range(0n, (1n << BigInt(bytes * 8)) - 1n);
}

const SIGNED_AS_UNSIGNED: Partial<Record<JmpOp, JmpOp>> = { jsgt: 'jgt', jsge: 'jge', jslt: 'jlt', jsle: 'jle' };

/**
 * Narrows the intervals [alo, ahi] and [blo, bhi] of two `bits`-wide operands under `a op b`:
 * the narrowed four bounds, or undefined when no pair of values satisfies the comparison.
 */
function refineInterval(op: JmpOp, bits: 32 | 64, alo: bigint, ahi: bigint, blo: bigint, bhi: bigint): [bigint, bigint, bigint, bigint] | undefined {
  let o = op;
  const unsigned = SIGNED_AS_UNSIGNED[op];
  const half = 1n << BigInt(bits - 1);
  const mod = 1n << BigInt(bits);
  let signed = false;
  if (unsigned !== undefined) {
    // Signed: read each interval as signed numbers, possible when it lies on one side of the sign
    // boundary (then the mapping is monotone); compare; map back.
    const straddles = (lo: bigint, hi: bigint) => lo < half && hi >= half;
    if (straddles(alo, ahi) || straddles(blo, bhi)) return [alo, ahi, blo, bhi];
    const toS = (x: bigint) => (x >= half ? x - mod : x);
    [alo, ahi, blo, bhi] = [toS(alo), toS(ahi), toS(blo), toS(bhi)];
    o = unsigned;
    signed = true;
  }
  const max = (x: bigint, y: bigint) => (x > y ? x : y);
  const min = (x: bigint, y: bigint) => (x < y ? x : y);
  const av = alo === ahi ? alo : null;
  const bv = blo === bhi ? blo : null;
  switch (o) {
    case 'jgt': // a > b
      if (ahi <= blo) return undefined;
      alo = max(alo, blo + 1n);
      bhi = min(bhi, ahi - 1n);
      break;
    case 'jge':
      if (ahi < blo) return undefined;
      alo = max(alo, blo);
      bhi = min(bhi, ahi);
      break;
    case 'jlt': // a < b
      if (alo >= bhi) return undefined;
      ahi = min(ahi, bhi - 1n);
      blo = max(blo, alo + 1n);
      break;
    case 'jle':
      if (alo > bhi) return undefined;
      ahi = min(ahi, bhi);
      blo = max(blo, alo);
      break;
    case 'jeq': {
      const lo = max(alo, blo);
      const hi = min(ahi, bhi);
      if (lo > hi) return undefined;
      alo = blo = lo;
      ahi = bhi = hi;
      break;
    }
    case 'jne':
      if (av !== null && bv !== null && av === bv) return undefined;
      if (bv !== null) {
        if (alo === bv) alo++;
        if (ahi === bv) ahi--;
      }
      if (av !== null) {
        if (blo === av) blo++;
        if (bhi === av) bhi--;
      }
      break;
    case 'jset':
      if (av !== null && bv !== null) return (av & bv) !== 0n ? [alo, ahi, blo, bhi] : undefined;
      if (ahi === 0n || bhi === 0n) return undefined;
      return [alo, ahi, blo, bhi];
    default:
      return [alo, ahi, blo, bhi];
  }
  if (signed) {
    const toU = (x: bigint) => (x < 0n ? x + mod : x);
    return [toU(alo), toU(ahi), toU(blo), toU(bhi)];
  }
  return [alo, ahi, blo, bhi];
}

/**
 * Narrows a and b under the assumption `a op b` holds (JMP when `wide`, else JMP32). Returns the
 * narrowed pair, or undefined when that is impossible. A JMP32 narrows the 32-bit ranges, which
 * narrow the 64-bit ones through `bounds` where the high half allows it (and vice versa).
 */
export function refineRanges(op: JmpOp, wide: boolean, a: Scalar, b: Scalar): [Reg, Reg] | undefined {
  const r = wide ? refineInterval(op, 64, a.lo, a.hi, b.lo, b.hi) : refineInterval(op, 32, a.lo32, a.hi32, b.lo32, b.hi32);
  if (r === undefined) return undefined;
  const [alo, ahi, blo, bhi] = r;
  const na = wide ? bounds(alo, ahi, a.lo32, a.hi32) : bounds(a.lo, a.hi, alo, ahi);
  const nb = wide ? bounds(blo, bhi, b.lo32, b.hi32) : bounds(b.lo, b.hi, blo, bhi);
  if (na === undefined || nb === undefined) return undefined;
  return [na, nb];
}

/** Narrows under the assumption that `a op b` is false (jset: a & b == 0, which we do not narrow). */
export function refineRangesFalse(op: JmpOp, wide: boolean, a: Scalar, b: Scalar): [Reg, Reg] | undefined {
  const inverse: Record<JmpOp, JmpOp | undefined> = {
    jeq: 'jne', jne: 'jeq', jgt: 'jle', jle: 'jgt', jge: 'jlt', jlt: 'jge', jsgt: 'jsle', jsle: 'jsgt', jsge: 'jslt', jslt: 'jsge', jset: undefined,
  };
  const inv = inverse[op];
  if (inv === undefined) {
    // !(a & b): impossible only when both are known and share a bit.
    const [av, bv] = wide ? [a.v, b.v] : [a.lo32 === a.hi32 ? a.lo32 : null, b.lo32 === b.hi32 ? b.lo32 : null];
    if (av !== null && bv !== null && (av & bv) !== 0n) return undefined;
    return [a, b];
  }
  return refineRanges(inv, wide, a, b);
}
