/**
 * Tests for src/isa/ebpf/asm.ts: our assembler reproduces the bpf_conformance assembler's bytes
 * for every test in the corpus, the disassembler round-trips through the assembler for every
 * well-formed instruction, the corpus's assembler negatives are rejected with UserErrors, and the
 * kernel-style printer prints the forms the kernel uses.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.ts';
import { assemble, disassemble, disassembleInsn, pretty, prettyInsn } from '../../../src/isa/ebpf/asm.ts';
import { decodeProgram, encodeProgram } from '../../../src/isa/ebpf/codec.ts';
import { arbInsn } from './arbitrary.ts';
import { corpusSkipReason, readAssembled, readDataDir } from './corpus.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('ebpf assembler', () => {
  it.skipIf(corpusSkipReason !== undefined)('assembles every conformance test to the reference bytes', () => {
    const assembled = readAssembled();
    const tests = readDataDir('tests');
    expect(tests.length).toBe(313);
    let same = 0;
    for (const t of tests) {
      const row = assembled.get(t.file);
      expect(row, t.file).toBeDefined();
      expect(hex(encodeProgram(assemble(t.asm!))), t.file).toBe(row!.program_hex);
      same++;
    }
    expect(same).toBe(313);
  });

  it('disassemble → assemble is the identity on every well-formed instruction', () => {
    fc.assert(
      fc.property(fc.array(arbInsn, { minLength: 1, maxLength: 8 }), (prog) => {
        expect(assemble(disassemble(prog))).toEqual(prog);
      }),
      { seed: 9669, numRuns: 5000 },
    );
  });

  it('any byte string survives decode → disassemble → assemble → encode (raw slots included)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 8, maxLength: 8 }), { minLength: 1, maxLength: 6 }), (slots) => {
        const bytes = new Uint8Array(slots.flatMap((s) => Array.from(s)));
        expect(hex(encodeProgram(assemble(disassemble(decodeProgram(bytes)))))).toBe(hex(bytes));
      }),
      { seed: 9669, numRuns: 5000 },
    );
  });

  it('resolves labels, the implicit exit label and local calls', () => {
    const p = assemble('mov %r0, 0\njne %r1, 0, exit # to the first exit\nlddw %r2, 0x100000000\ncall local f\nexit\nf:\nmov %r0, 1\nexit\n');
    expect(disassemble(p)).toBe('mov %r0, 0\njne %r1, 0, +3\nlddw %r2, 0x100000000\ncall local +1\nexit\nmov %r0, 1\nexit\n');
  });

  it.skipIf(corpusSkipReason !== undefined)('rejects the corpus assembler negatives with a UserError', () => {
    const negatives = readDataDir('negative').filter((t) => t.asm !== undefined && t.sections.get('asm')!.trim() !== '' && !t.file.startsWith('unused-'));
    // These negatives assemble fine by design: they fail at run time (wrong result / expected error).
    const runtimeNegatives = new Set(['error.data', 'incorrect_return_value_high_bits.data']);
    let rejected = 0;
    for (const t of negatives) {
      if (runtimeNegatives.has(t.file)) { expect(() => assemble(t.asm!)).not.toThrow(); continue; }
      expect(() => assemble(t.asm!), t.file).toThrow(UserError);
      rejected++;
    }
    expect(rejected).toBeGreaterThanOrEqual(9);
  });

  it('reports errors with codes and spans', () => {
    const src = 'mov %r0, 1\nor %r0, %r50\n';
    try {
      assemble(src);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(UserError);
      expect((e as UserError).code).toBe('EBPF_ASM_REGISTER');
      expect(src.slice((e as UserError).span!.start, (e as UserError).span!.end)).toBe('%r50');
    }
    expect(() => assemble('mov32 %r0, 2147483648')).toThrow(/out of 32-bit range/);
    expect(() => assemble('lock or [%r10-8]')).toThrow(/Invalid number of operands for lock/);
    expect(() => assemble('ja nowhere\nexit')).toThrow(/undefined label/);
    expect(() => assemble('exit\n\n  mov %r0\n')).toThrow(/^line 3: Invalid number of operands for mov/);
    expect(() => assemble('.raw 0x1ff dst=0 src=0 off=0 imm=0x0')).toThrow(/Invalid \.raw directive/);
  });

  it('pretty-prints in the kernel style', () => {
    const p = assemble('ldxh %r0, [%r6+12]\nadd32 %r1, 2\njeq %r0, 0x800, +1\nlock fetch add [%r10-8], %r1\nldxsb %r2, [%r10-1]\nmovsx864 %r3, %r2\nexit');
    expect(prettyInsn(p[0]!)).toBe('r0 = *(u16 *)(r6 + 12)');
    expect(prettyInsn(p[1]!)).toBe('w1 += 2');
    expect(prettyInsn(p[2]!)).toBe('if r0 == 2048 goto pc+1');
    expect(prettyInsn(p[3]!)).toBe('r1 = atomic64_fetch_add((u64 *)(r10 - 8), r1)');
    expect(prettyInsn(p[4]!)).toBe('r2 = *(s8 *)(r10 - 1)');
    expect(prettyInsn(p[5]!)).toBe('r3 = (s8)r2');
    expect(pretty(p).split('\n')[0]).toBe('   0: r0 = *(u16 *)(r6 + 12)');
    expect(disassembleInsn(decodeProgram(new Uint8Array([0xff, 0, 0, 0, 0, 0, 0, 0]))[0]!)).toMatch(/^\.raw 0xff/);
  });
});

describe('printers are total', () => {
  it('every well-formed instruction prints in both syntaxes without holes', () => {
    fc.assert(
      fc.property(arbInsn, (i) => {
        for (const s of [prettyInsn(i), disassembleInsn(i)]) expect(s).not.toMatch(/undefined|NaN|\[object/);
      }),
      { seed: 9669, numRuns: 5000 },
    );
  });
});
