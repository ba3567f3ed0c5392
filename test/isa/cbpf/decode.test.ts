/**
 * The opcode table and the decoded form: table invariants (unique codes and shapes, every
 * interpreter op used exactly once) and the lossless round trips as properties —
 * encode(decode(i)) = i for any 16-bit code and fields, decode(encode(d)) = d for every decoded form.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, encode, type Decoded } from '../../../src/isa/cbpf/decode.ts';
import { Exec, OPCODES, opcodeRow, rowForShape, shapeKey, usesOf } from '../../../src/isa/cbpf/opcodes.ts';

const anyInsn = fc.record({
  code: fc.oneof(fc.constantFrom(...OPCODES.map((r) => r.code)), fc.integer({ min: 0, max: 0xffff })),
  jt: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 255 })),
  jf: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 255 })),
  k: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffffffff })),
});

describe('opcode table', () => {
  it('has one row per code and per shape, and the shape maps back to the row', () => {
    expect(new Set(OPCODES.map((r) => r.code)).size).toBe(OPCODES.length);
    expect(new Set(OPCODES.map((r) => shapeKey(r.shape))).size).toBe(OPCODES.length);
    for (const r of OPCODES) {
      expect(opcodeRow(r.code)).toBe(r);
      expect(rowForShape(r.shape)).toBe(r);
    }
  });
  it('uses every interpreter op exactly once', () => {
    const used = OPCODES.map((r) => r.exec).sort((a, b) => a - b);
    const all = Object.values(Exec).filter((e) => e !== Exec.INVALID).sort((a, b) => a - b);
    expect(used).toEqual(all);
  });
  it('has the 49 classic instructions', () => {
    expect(OPCODES.length).toBe(49);
  });
});

describe('decode / encode', () => {
  it('encode(decode(i)) = i for every instruction', () => {
    fc.assert(fc.property(anyInsn, (i) => {
      expect(encode(decode(i))).toEqual(i);
    }), { numRuns: 20000 });
  });

  it('decode(encode(d)) = d for every decoded form', () => {
    fc.assert(fc.property(anyInsn, (i) => {
      const d: Decoded = decode(i);
      expect(decode(encode(d))).toEqual(d);
    }), { numRuns: 20000 });
  });

  it('decodes known opcodes with zero unused fields canonically, others as raw', () => {
    expect(decode({ code: 0x28, jt: 0, jf: 0, k: 12 })).toEqual({ kind: 'load', dst: 'a', mode: 'abs', size: 2, k: 12 });
    expect(decode({ code: 0x15, jt: 1, jf: 2, k: 0x800 })).toEqual({ kind: 'jcond', op: 'jeq', src: 'k', k: 0x800, jt: 1, jf: 2 });
    expect(decode({ code: 0x07, jt: 0, jf: 0, k: 0 })).toEqual({ kind: 'tax' });
    expect(decode({ code: 0x07, jt: 0, jf: 0, k: 7 })).toEqual({ kind: 'raw', code: 7, jt: 0, jf: 0, k: 7 });
    expect(decode({ code: 0x06, jt: 1, jf: 0, k: 1 }).kind).toBe('raw');
    expect(decode({ code: 0x0e, jt: 0, jf: 0, k: 0 }).kind).toBe('raw');
    expect(decode({ code: 0x1234, jt: 0, jf: 0, k: 0 }).kind).toBe('raw');
    for (const r of OPCODES) {
      const u = usesOf(r.shape);
      const d = decode({ code: r.code, jt: u.jumps ? 3 : 0, jf: u.jumps ? 4 : 0, k: u.k ? 5 : 0 });
      expect(d.kind).toBe(r.shape.kind);
    }
  });
});
