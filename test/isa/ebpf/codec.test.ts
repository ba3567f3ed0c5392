/**
 * Tests for src/isa/ebpf/codec.ts: lossless round trips in both directions (fast-check with a
 * fixed seed), known encodings checked byte for byte against the bpf_conformance assembler's
 * output, and the strict-decoding rule (reserved fields set → raw).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, decodeProgram, encode, encodeProgram, layout, lddwValue } from '../../../src/isa/ebpf/codec.ts';
import type { EbpfInsn } from '../../../src/isa/ebpf/types.ts';
import { arbInsn, arbSlotBytes } from './arbitrary.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

describe('ebpf codec', () => {
  it('decode(encode(x)) == x for every well-formed instruction', () => {
    fc.assert(fc.property(arbInsn, (i) => { expect(decodeProgram(encode(i))).toEqual([i]); }), { seed: 9669, numRuns: 20000 });
  });

  it('encode(decode(bytes)) == bytes for any single slot (raw keeps everything)', () => {
    fc.assert(fc.property(arbSlotBytes, (b) => { expect(hex(encode(decode(b)))).toBe(hex(b)); }), { seed: 9669, numRuns: 20000 });
  });

  it('decodes known encodings', () => {
    const cases: [string, EbpfInsn][] = [
      ['b400000000000000', { kind: 'alu', op: 'mov', wide: false, dst: 0, imm: 0 }],
      ['0f10000000000000', { kind: 'alu', op: 'add', wide: true, dst: 0, src: 1 }],
      ['3f10010000000000', { kind: 'alu', op: 'sdiv', wide: true, dst: 0, src: 1 }],
      ['bf12200000000000', { kind: 'alu', op: 'movsx32', wide: true, dst: 2, src: 1 }],
      ['d700000010000000', { kind: 'end', order: 'bswap', width: 16, dst: 0 }],
      ['dc01000020000000', { kind: 'end', order: 'be', width: 32, dst: 1 }],
      ['8d02000000000000', { kind: 'callx', dst: 2 }],
      ['8510000009000000', { kind: 'call', call: 'local', imm: 9 }],
      ['0600000002000000', { kind: 'gotol', imm: 2 }],
      ['5e01050000000000', { kind: 'jmp', op: 'jne', wide: false, dst: 1, src: 0, off: 5 }],
      ['c31af8ff01000000', { kind: 'atomic', op: 'add', fetch: true, size: 'w', dst: 10, src: 1, off: -8 }],
      ['db1af8fff1000000', { kind: 'atomic', op: 'cmpxchg', fetch: true, size: 'dw', dst: 10, src: 1, off: -8 }],
      ['91a0ffff00000000', { kind: 'ldx', size: 'b', signed: true, dst: 0, src: 10, off: -1 }],
      ['280000000c000000', { kind: 'ldabs', size: 'h', imm: 12 }],
    ];
    for (const [h, insn] of cases) {
      expect(decodeProgram(unhex(h))).toEqual([insn]);
      expect(hex(encode(insn))).toBe(h);
    }
  });

  it('lddw spans two slots and exposes the pseudo source', () => {
    const prog = decodeProgram(unhex('1800000088776655 0000000044332211 1811000003000000 0000000000000000 9500000000000000'));
    expect(prog).toHaveLength(3);
    expect(prog[0]).toEqual({ kind: 'lddw', lddw: 'imm64', dst: 0, imm: 0x55667788, imm2: 0x11223344 });
    expect(lddwValue(prog[0] as { imm: number; imm2: number })).toBe(0x1122334455667788n);
    expect(prog[1]).toMatchObject({ kind: 'lddw', lddw: 'map_fd', dst: 1, imm: 3 });
    const l = layout(prog);
    expect(Array.from(l.pcOf)).toEqual([0, 2, 4]);
    expect(Array.from(l.indexOfPc)).toEqual([0, -1, 1, -1, 2]);
    expect(hex(encodeProgram(prog))).toBe(hex(unhex('1800000088776655 0000000044332211 1811000003000000 0000000000000000 9500000000000000')));
  });

  it('reserved fields make an instruction raw', () => {
    for (const h of ['0700010001000000', '0710000001000000', '0f00000001000000', '9501000000000000', '0500000001000000',
      '8400000001000000', '8c10000000000000', 'bc10200000000000', '3c00020000000000', 'df00000010000000', 'd400000008000000',
      '7a1af8ff00000000', '6300000001000000', 'c30a0000e0000000', '9600000000000000', '1800000001000000']) {
      expect(decodeProgram(unhex(h))[0]!.kind, h).toBe('raw');
    }
  });
});
