/**
 * Unsigned range arithmetic for scalars, the verifier's answer to "what values can this
 * register hold?" when it does not know the exact value: every scalar is an interval [lo, hi]
 * of unsigned 64-bit numbers (a single point when known). ALU results are over-approximated
 * (any doubt gives the full range of the result width), and conditional jumps narrow the
 * operands on each side of the branch — or prove a side impossible, which is how the verifier
 * skips dead paths and follows loops on bounded but unknown counters (`i = x & 15; while (i--)`).
 * Signed and 32-bit comparisons are narrowed only when both ranges lie where they coincide
 * with unsigned 64-bit ones (below 2^63, or below 2^32 for JMP32).
 */
import type { AluOp, JmpOp } from '../../isa/ebpf/opcodes.ts';
import { foldAlu } from './fold.ts';
import { MAX64, range, scalar } from './state.ts';
import type { Reg } from './state.ts';

type Scalar = Extract<Reg, { t: 'scalar' }>;
const MAX32 = 0xffffffffn;
const S63 = (1n << 63n) - 1n;

function bitCeil(x: bigint): bigint {
  // Smallest 2^k - 1 >= x.
  let m = 0n;
  while (m < x) m = (m << 1n) | 1n;
  return m;
}

/** dst op= src on scalars, exact when both are known, else an interval. */
export function aluRange(op: AluOp, wide: boolean, a: Scalar, b: Scalar): Reg {
  if ((a.v !== null || op === 'mov' || op.startsWith('movsx')) && b.v !== null) return scalar(foldAlu(op, wide, a.v ?? 0n, b.v));
  if (op === 'neg' && a.v !== null) return scalar(foldAlu(op, wide, a.v, 0n));
  const max = wide ? MAX64 : MAX32;
  // 32-bit operations see the low halves: a range is kept only if it already fits.
  const fit = (r: Scalar): [bigint, bigint] => (r.hi <= max ? [r.lo, r.hi] : [0n, max]);
  const [alo, ahi] = fit(a);
  const [blo, bhi] = fit(b);
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
    case 'rsh': return b.v !== null ? range(alo >> (b.v & BigInt(wide ? 63 : 31)), ahi >> (b.v & BigInt(wide ? 63 : 31))) : range(0n, ahi);
    case 'lsh': {
      if (b.v === null) return full;
      const k = b.v & BigInt(wide ? 63 : 31);
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
 * Narrows a and b under the assumption `a op b` holds. Returns the narrowed pair, or undefined
 * when that is impossible. Operands that cannot be reasoned about come back unchanged.
 */
export function refineRanges(op: JmpOp, wide: boolean, a: Scalar, b: Scalar): [Reg, Reg] | undefined {
  const lim = wide ? MAX64 : MAX32;
  if (a.hi > lim || b.hi > lim) return [a, b]; // JMP32 on values wider than 32 bits: no narrowing
  let o = op;
  const signed = SIGNED_AS_UNSIGNED[op];
  if (signed !== undefined) {
    const slim = wide ? S63 : 0x7fffffffn;
    if (a.hi > slim || b.hi > slim) return [a, b];
    o = signed;
  }
  let [alo, ahi, blo, bhi] = [a.lo, a.hi, b.lo, b.hi];
  const max = (x: bigint, y: bigint) => (x > y ? x : y);
  const min = (x: bigint, y: bigint) => (x < y ? x : y);
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
      if (alo === ahi && blo === bhi && alo === blo) return undefined;
      if (b.v !== null) {
        if (alo === b.v) alo++;
        if (ahi === b.v) ahi--;
      }
      if (a.v !== null) {
        if (blo === a.v) blo++;
        if (bhi === a.v) bhi--;
      }
      break;
    case 'jset':
      if (a.v !== null && b.v !== null) return (a.v & b.v) !== 0n ? [a, b] : undefined;
      if (ahi === 0n || bhi === 0n) return undefined;
      return [a, b];
    default:
      return [a, b];
  }
  return [range(alo, ahi), range(blo, bhi)];
}

/** Narrows under the assumption that `a op b` is false (jset: a & b == 0, which we do not narrow). */
export function refineRangesFalse(op: JmpOp, wide: boolean, a: Scalar, b: Scalar): [Reg, Reg] | undefined {
  const inverse: Record<JmpOp, JmpOp | undefined> = {
    jeq: 'jne', jne: 'jeq', jgt: 'jle', jle: 'jgt', jge: 'jlt', jlt: 'jge', jsgt: 'jsle', jsle: 'jsgt', jsge: 'jslt', jslt: 'jsge', jset: undefined,
  };
  const inv = inverse[op];
  if (inv === undefined) {
    // !(a & b): impossible only when both are known and share a bit.
    if (a.v !== null && b.v !== null && (a.v & b.v) !== 0n) return undefined;
    return [a, b];
  }
  return refineRanges(inv, wide, a, b);
}
