/**
 * Soundness of the verifier's interval arithmetic (src/runtime/verifier/ranges.ts, `bounds` in
 * state.ts), by property: for any scalar (a 64-bit interval and a 32-bit interval of the low
 * half) and any concrete value inside it, the concrete ALU result lies in the computed scalar,
 * and a comparison (JMP or JMP32, unsigned or signed) that holds (or fails) for the values keeps
 * them inside the narrowed scalars — a branch is never declared impossible when it can happen.
 * Plus examples showing the narrowing is not vacuous.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AluOps, JmpOps } from '../../src/isa/ebpf/opcodes.ts';
import type { AluOp, JmpOp } from '../../src/isa/ebpf/opcodes.ts';
import { foldAlu } from '../../src/runtime/verifier/fold.ts';
import { aluRange, refineRanges, refineRangesFalse } from '../../src/runtime/verifier/ranges.ts';
import { bounds, range, UNKNOWN } from '../../src/runtime/verifier/state.ts';
import type { Reg, Scalar } from '../../src/runtime/verifier/state.ts';
import { modelCond } from './engines/model.ts';

const M64 = (1n << 64n) - 1n;

/** A value biased to small numbers and edges, so intervals are often narrow and meaningful. */
const u64 = fc.oneof(
  fc.bigInt({ min: 0n, max: 64n }),
  fc.bigInt({ min: 0n, max: 0xffffffffn }),
  fc.constantFrom(0n, 1n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, (1n << 63n) - 1n, 1n << 63n, M64),
  fc.bigInt({ min: 0n, max: M64 }),
);
/** An interval and a point inside it. */
const member64 = fc.tuple(u64, u64, fc.double({ min: 0, max: 1, noNaN: true })).map(([x, y, t]) => {
  const lo = x < y ? x : y;
  const hi = x < y ? y : x;
  const v = lo + BigInt(Math.floor(Number(hi - lo) * t)) > hi ? hi : lo + BigInt(Math.floor(Number(hi - lo) * t));
  return { r: range(lo, hi), v };
});
/**
 * A point and a scalar around it whose 32-bit range was narrowed on its own (as a JMP32 does):
 * the 64-bit interval [v - d1, v + d2] and the low-half interval [v32 - e1, v32 + e2], clamped.
 */
const member32 = fc.tuple(u64, u64, u64, fc.bigInt({ min: 0n, max: 0xffffffffn }), fc.bigInt({ min: 0n, max: 0xffffffffn })).map(([v, d1, d2, e1, e2]) => {
  const lo = v > d1 ? v - d1 : 0n;
  const hi = M64 - v > d2 ? v + d2 : M64;
  const v32 = v & 0xffffffffn;
  const lo32 = v32 > e1 ? v32 - e1 : 0n;
  const hi32 = 0xffffffffn - v32 > e2 ? v32 + e2 : 0xffffffffn;
  const r = bounds(lo, hi, lo32, hi32);
  if (r === undefined) throw new Error(`bounds(${lo}, ${hi}, ${lo32}, ${hi32}) is empty but holds ${v}`);
  return { r, v };
});
const member = fc.oneof(member64, member32);
const inside = (r: Reg, v: bigint) => r.t === 'scalar' && v >= r.lo && v <= r.hi && (v & 0xffffffffn) >= r.lo32 && (v & 0xffffffffn) <= r.hi32;

const show = (r: Reg) => JSON.stringify(r, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));


describe('verifier interval arithmetic', () => {
  it('ALU results stay inside the computed interval', () => {
    const ops = Object.keys(AluOps).filter((o) => o !== 'movsx32') as AluOp[];
    fc.assert(
      fc.property(fc.constantFrom(...ops), fc.boolean(), member, member, (op, wide, a, b) => {
        const r = aluRange(op, wide, a.r, b.r);
        const v = foldAlu(op, wide, a.v, b.v);
        if (!inside(r, v)) throw new Error(`${op}${wide ? '' : '32'} ${show(a.r)}∋${a.v} , ${show(b.r)}∋${b.v} = ${v} not in ${show(r)}`);
      }),
      { numRuns: 20000, seed: 0x72616e67 },
    );
  });
  it('branch narrowing keeps every pair of values that takes that branch', () => {
    const ops = Object.keys(JmpOps) as JmpOp[];
    fc.assert(
      fc.property(fc.constantFrom(...ops), fc.boolean(), member, member, (op, wide, a, b) => {
        const holds = modelCond(op, wide ? 64 : 32, a.v, b.v);
        const r = holds ? refineRanges(op, wide, a.r, b.r) : refineRangesFalse(op, wide, a.r, b.r);
        if (r === undefined) throw new Error(`${op} ${wide} declared impossible for ${a.v}, ${b.v} (holds=${holds})`);
        if (!inside(r[0], a.v) || !inside(r[1], b.v)) throw new Error(`${op}${wide ? '' : '32'} ${show(a.r)}∋${a.v}, ${show(b.r)}∋${b.v} narrowed to ${show(r[0])}, ${show(r[1])}`);
      }),
      { numRuns: 20000, seed: 0x6a6d70 },
    );
  });
  it('does narrow: a masked value proves a comparison dead', () => {
    const masked = aluRange('and', true, range(0n, M64) as Scalar, range(7n, 7n) as Scalar) as Scalar;
    expect([masked.lo, masked.hi]).toEqual([0n, 7n]);
    expect(refineRanges('jgt', true, masked, range(10n, 10n) as Scalar)).toBeUndefined();
    const [a] = refineRangesFalse('jeq', true, masked, range(0n, 0n) as Scalar)!;
    expect(a).toMatchObject({ lo: 1n, hi: 7n });
  });
  it('keeps a value inside bounds() whatever the two ranges', () => {
    fc.assert(fc.property(member32, ({ r, v }) => inside(r, v)), { numRuns: 5000, seed: 0x626e64 });
    // The 32-bit range narrows the 64-bit one where the high half is fixed, and vice versa.
    expect(bounds(0x500000000n, 0x5ffffffffn, 10n, 20n)).toMatchObject({ lo: 0x50000000an, hi: 0x500000014n });
    expect(bounds(0x100000005n, 0x100000009n)).toMatchObject({ lo32: 5n, hi32: 9n });
    expect(bounds(0x100000005n, 0x100000009n, 10n, 20n)).toBeUndefined();
  });
  it('decides JMP32 branches from the 32-bit range, and signed ones on either half', () => {
    // w4 >= 0 and w4 <= 0xffffffff hold for any value: the false side is impossible.
    expect(refineRangesFalse('jge', false, UNKNOWN, range(0n, 0n))).toBeUndefined();
    expect(refineRangesFalse('jle', false, UNKNOWN, range(0xffffffffn, 0xffffffffn))).toBeUndefined();
    // After w4 <= 10, w4 > 20 is impossible, but r4 > 20 is not (the high half is unknown).
    const [w] = refineRangesFalse('jgt', false, UNKNOWN, range(10n, 10n))! as [Scalar, Scalar];
    expect([w.lo32, w.hi32, w.lo, w.hi]).toEqual([0n, 10n, 0n, 0xffffffff0000000an]); // hi: the last value whose low half is <= 10
    expect(refineRanges('jgt', false, w, range(20n, 20n))).toBeUndefined();
    expect(refineRanges('jgt', true, w, range(20n, 20n))).toBeDefined();
    // A value in the negative half is never signed-greater than 0; JMP32 likewise at bit 31.
    expect(refineRanges('jsgt', true, range(1n << 63n, M64), range(0n, 0n))).toBeUndefined();
    expect(refineRanges('jsgt', true, range(1n << 63n, M64), range(M64 - 4n, M64 - 4n))).toBeDefined();
    expect(refineRanges('jsge', false, range(0x80000000n, 0xffffffffn), range(0n, 0n))).toBeUndefined();
  });
});
