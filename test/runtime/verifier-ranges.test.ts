/**
 * Soundness of the verifier's interval arithmetic (src/runtime/verifier/ranges.ts), by property:
 * for any intervals and any concrete values inside them, the concrete ALU result lies in the
 * computed interval, and a comparison that holds (or fails) for the values keeps them inside
 * the narrowed intervals — a branch is never declared impossible when it can happen.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AluOps, JmpOps } from '../../src/isa/ebpf/opcodes.ts';
import type { AluOp, JmpOp } from '../../src/isa/ebpf/opcodes.ts';
import { foldAlu } from '../../src/runtime/verifier/fold.ts';
import { aluRange, refineRanges, refineRangesFalse } from '../../src/runtime/verifier/ranges.ts';
import { range } from '../../src/runtime/verifier/state.ts';
import type { Reg } from '../../src/runtime/verifier/state.ts';

type Scalar = Extract<Reg, { t: 'scalar' }>;
const M64 = (1n << 64n) - 1n;

/** A value biased to small numbers and edges, so intervals are often narrow and meaningful. */
const u64 = fc.oneof(
  fc.bigInt({ min: 0n, max: 64n }),
  fc.bigInt({ min: 0n, max: 0xffffffffn }),
  fc.constantFrom(0n, 1n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, (1n << 63n) - 1n, 1n << 63n, M64),
  fc.bigInt({ min: 0n, max: M64 }),
);
/** An interval and a point inside it. */
const member = fc.tuple(u64, u64, fc.double({ min: 0, max: 1, noNaN: true })).map(([x, y, t]) => {
  const lo = x < y ? x : y;
  const hi = x < y ? y : x;
  const v = lo + BigInt(Math.floor(Number(hi - lo) * t)) > hi ? hi : lo + BigInt(Math.floor(Number(hi - lo) * t));
  return { r: range(lo, hi) as Scalar, v };
});
const inside = (r: Reg, v: bigint) => r.t === 'scalar' && v >= r.lo && v <= r.hi;

function evalJmp(op: JmpOp, wide: boolean, a: bigint, b: bigint): boolean {
  const bits = wide ? 64 : 32;
  const [x, y, sx, sy] = [BigInt.asUintN(bits, a), BigInt.asUintN(bits, b), BigInt.asIntN(bits, a), BigInt.asIntN(bits, b)];
  switch (op) {
    case 'jeq': return x === y;
    case 'jne': return x !== y;
    case 'jgt': return x > y;
    case 'jge': return x >= y;
    case 'jlt': return x < y;
    case 'jle': return x <= y;
    case 'jsgt': return sx > sy;
    case 'jsge': return sx >= sy;
    case 'jslt': return sx < sy;
    case 'jsle': return sx <= sy;
    case 'jset': return (x & y) !== 0n;
  }
}

describe('verifier interval arithmetic', () => {
  it('ALU results stay inside the computed interval', () => {
    const ops = Object.keys(AluOps).filter((o) => o !== 'movsx32') as AluOp[];
    fc.assert(
      fc.property(fc.constantFrom(...ops), fc.boolean(), member, member, (op, wide, a, b) => {
        const r = aluRange(op, wide, a.r, b.r);
        const v = foldAlu(op, wide, a.v, b.v);
        if (!inside(r, v)) throw new Error(`${op}${wide ? '' : '32'} [${a.r.lo},${a.r.hi}]∋${a.v} , [${b.r.lo},${b.r.hi}]∋${b.v} = ${v} not in ${JSON.stringify(r, (_k, x) => (typeof x === 'bigint' ? x.toString() : x))}`);
      }),
      { numRuns: 20000, seed: 0x72616e67 },
    );
  });
  it('branch narrowing keeps every pair of values that takes that branch', () => {
    const ops = Object.keys(JmpOps) as JmpOp[];
    fc.assert(
      fc.property(fc.constantFrom(...ops), fc.boolean(), member, member, (op, wide, a, b) => {
        const holds = evalJmp(op, wide, a.v, b.v);
        const r = holds ? refineRanges(op, wide, a.r, b.r) : refineRangesFalse(op, wide, a.r, b.r);
        if (r === undefined) throw new Error(`${op} ${wide} declared impossible for ${a.v}, ${b.v} (holds=${holds})`);
        expect(inside(r[0], a.v) && inside(r[1], b.v)).toBe(true);
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
});
