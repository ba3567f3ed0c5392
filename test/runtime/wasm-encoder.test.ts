/**
 * The wasm binary encoder (src/runtime/wasm/encoder.ts): LEB128 against known encodings and a
 * round trip, and small modules that must validate and compute what they should (constants at
 * the LEB128 edges, locals, control flow with br_table, memory with offsets, imports, globals).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Code, encodeModule, I32, I64, Op, sleb32, sleb64, uleb } from '../../src/runtime/wasm/encoder.ts';
import type { Func, ModuleSpec } from '../../src/runtime/wasm/encoder.ts';
import { Wasm } from '../../src/runtime/wasm/webassembly.ts';

const enc = (f: (o: number[]) => void): number[] => { const o: number[] = []; f(o); return o; };

/** Decodes signed LEB128 (the test's own reading, independent of the encoder). */
function readSleb(b: number[]): bigint {
  let v = 0n, shift = 0n, i = 0, byte: number;
  do { byte = b[i++]!; v |= BigInt(byte & 0x7f) << shift; shift += 7n; } while (byte & 0x80);
  if (byte & 0x40) v -= 1n << shift;
  expect(i).toBe(b.length);
  return v;
}

function instantiate(spec: Omit<ModuleSpec, 'memory'>, imports: Record<string, unknown> = {}) {
  const memory = new Wasm.Memory({ initial: 1 });
  const bytes = encodeModule({ ...spec, memory: { module: 'e', name: 'memory', minPages: 1 } });
  expect(Wasm.validate(bytes)).toBe(true);
  const inst = new Wasm.Instance(new Wasm.Module(bytes), { e: { memory, ...imports } });
  return { exports: inst.exports as Record<string, (...a: unknown[]) => unknown>, memory };
}

describe('LEB128', () => {
  it('encodes the spec examples', () => {
    expect(enc((o) => uleb(o, 624485))).toEqual([0xe5, 0x8e, 0x26]);
    expect(enc((o) => uleb(o, 0))).toEqual([0]);
    expect(enc((o) => uleb(o, 0xffffffff))).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(enc((o) => sleb32(o, -123456))).toEqual([0xc0, 0xbb, 0x78]);
    expect(enc((o) => sleb32(o, 63))).toEqual([0x3f]);
    expect(enc((o) => sleb32(o, 64))).toEqual([0xc0, 0x00]);
    expect(enc((o) => sleb32(o, -64))).toEqual([0x40]);
    expect(enc((o) => sleb32(o, -65))).toEqual([0xbf, 0x7f]);
  });
  it('signed encodings decode to the value (32 and 64 bits)', () => {
    fc.assert(fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (v) => readSleb(enc((o) => sleb32(o, v))) === BigInt(v)), { seed: 7 });
    fc.assert(fc.property(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), (v) => readSleb(enc((o) => sleb64(o, v))) === v), { seed: 7 });
  });
});

describe('modules', () => {
  it('i64 constants at the LEB128 edges come back exactly (through a BigInt result)', () => {
    const values = [0n, 1n, -1n, 63n, 64n, -64n, -65n, (1n << 63n) - 1n, -(1n << 63n), 0x0123456789abcdefn, -0x7edcba9876543211n];
    const funcs: Func[] = values.map((v, k) => ({ type: { params: [], results: [I64] }, locals: [], code: new Code().i64(v), export: `c${k}` }));
    const { exports } = instantiate({ imports: [], funcs });
    values.forEach((v, k) => expect(exports[`c${k}`]!()).toBe(v));
  });

  it('locals, loops and br_table compute a sum and a switch', () => {
    // sum(n) = 0 + 1 + … + (n - 1) with a loop; sw(k) = [10, 20, 30][k] or 99 via br_table
    const sum = new Code();
    sum.block().loop()
      .get(1).get(0).op(Op.i32_ge_u).brIf(1)
      .get(2).get(1).op(Op.i32_add).set(2)
      .get(1).i32(1).op(Op.i32_add).set(1)
      .br(0).end().end().get(2);
    const sw = new Code();
    sw.block().block().block().block()
      .get(0).brTable([0, 1, 2], 3)
      .end().i32(10).op(Op.return)
      .end().i32(20).op(Op.return)
      .end().i32(30).op(Op.return)
      .end().i32(99);
    const { exports } = instantiate({
      imports: [],
      funcs: [
        { type: { params: [I32], results: [I32] }, locals: [I32, I32], code: sum, export: 'sum' },
        { type: { params: [I32], results: [I32] }, locals: [], code: sw, export: 'sw' },
      ],
    });
    expect(exports.sum!(100)).toBe(4950);
    expect([0, 1, 2, 3, 7].map((k) => exports.sw!(k))).toEqual([10, 20, 30, 99, 99]);
  });

  it('memory loads and stores use their offset immediates; imports and globals work', () => {
    const calls: number[][] = [];
    const c = new Code();
    // mem[at + 8] = x (i64); g = mem[at + 8] as u32 load + 1; report(g, at); return i64 load
    c.get(0).get(1).mem(Op.i64_store, 8)
      .get(0).mem(Op.i32_load, 8).i32(1).op(Op.i32_add).gset(0)
      .gget(0).get(0).call(0)
      .get(0).mem(Op.i64_load8_s, 8).get(0).mem(Op.i64_load, 8).op(Op.i64_add);
    const { exports, memory } = instantiate({
      imports: [{ module: 'e', name: 'report', type: { params: [I32, I32], results: [] } }],
      funcs: [{ type: { params: [I32, I64], results: [I64] }, locals: [], code: c, export: 'f' }],
      globals: [{ type: I32, mutable: true, init: 5, export: 'g' }],
    }, { report: (a: number, b: number) => calls.push([a, b]) });
    const r = exports.f!(100, 0x11223344556677f0n);
    expect(new DataView(memory.buffer).getBigUint64(108, true)).toBe(0x11223344556677f0n);
    expect(calls).toEqual([[0x556677f1, 100]]);
    expect(r).toBe(0x11223344556677f0n - 16n); // + sign-extended 0xf0 = -16
    expect((exports.g as unknown as { value: number }).value).toBe(0x556677f1);
  });

  it('rejects a memory offset that does not fit', () => {
    expect(() => new Code().mem(Op.i32_load, -1)).toThrow(RangeError);
  });
});
