/**
 * fast-check generators for well-formed `EbpfInsn` values of every kind (and raw slots),
 * derived from the opcode tables so a new opcode is generated without touching this file.
 * Shared by the codec, assembler and disassembler property tests.
 */
import fc from 'fast-check';
import { AluOps, AtomicOps, CallKinds, EndOrders, JmpOps, LddwKinds, Sizes } from '../../../src/isa/ebpf/opcodes.ts';
import type { AluOp, AtomicOp, CallKind, EndOrder, JmpOp, LddwKind, Size } from '../../../src/isa/ebpf/opcodes.ts';
import type { EbpfInsn } from '../../../src/isa/ebpf/types.ts';

const reg = fc.integer({ min: 0, max: 10 });
const i32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const i16 = fc.integer({ min: -0x8000, max: 0x7fff });
const keys = <T extends string>(o: Record<T, unknown>) => fc.constantFrom(...(Object.keys(o) as T[]));

const aluOp = keys<AluOp>(AluOps);
const alu: fc.Arbitrary<EbpfInsn> = fc
  .tuple(aluOp, fc.boolean(), fc.boolean(), reg, reg, i32)
  .map(([op, wide, useReg, dst, src, imm]): EbpfInsn => {
    // Respect the encodings that exist: neg has no register form; movsx only has a register form.
    if (op === 'neg') return { kind: 'alu', op, wide, dst, imm: 0 };
    if (op.startsWith('movsx')) return { kind: 'alu', op: op === 'movsx32' && !wide ? 'movsx16' : op, wide, dst, src };
    return useReg ? { kind: 'alu', op, wide, dst, src } : { kind: 'alu', op, wide, dst, imm };
  });

export const arbInsn: fc.Arbitrary<EbpfInsn> = fc.oneof(
  alu,
  fc.tuple(keys<EndOrder>(EndOrders), fc.constantFrom(16, 32, 64) as fc.Arbitrary<16 | 32 | 64>, reg).map(([order, width, dst]): EbpfInsn => ({ kind: 'end', order, width, dst })),
  fc.tuple(keys<JmpOp>(JmpOps), fc.boolean(), fc.boolean(), reg, reg, i32, i16).map(([op, wide, useReg, dst, src, imm, off]): EbpfInsn =>
    useReg ? { kind: 'jmp', op, wide, dst, src, off } : { kind: 'jmp', op, wide, dst, imm, off }),
  i16.map((off): EbpfInsn => ({ kind: 'ja', off })),
  i32.map((imm): EbpfInsn => ({ kind: 'gotol', imm })),
  fc.tuple(keys<CallKind>(CallKinds), i32).map(([call, imm]): EbpfInsn => ({ kind: 'call', call, imm })),
  reg.map((dst): EbpfInsn => ({ kind: 'callx', dst })),
  fc.constant<EbpfInsn>({ kind: 'exit' }),
  fc.tuple(keys<LddwKind>(LddwKinds), reg, i32, i32).map(([lddw, dst, imm, imm2]): EbpfInsn => ({ kind: 'lddw', lddw, dst, imm, imm2 })),
  fc.tuple(fc.constantFrom<Size>('w', 'h', 'b'), i32).map(([size, imm]): EbpfInsn => ({ kind: 'ldabs', size, imm })),
  fc.tuple(fc.constantFrom<Size>('w', 'h', 'b'), reg, i32).map(([size, src, imm]): EbpfInsn => ({ kind: 'ldind', size, src, imm })),
  fc.tuple(keys<Size>(Sizes), fc.boolean(), reg, reg, i16).map(([size, signed, dst, src, off]): EbpfInsn =>
    ({ kind: 'ldx', size, signed: signed && size !== 'dw', dst, src, off })),
  fc.tuple(keys<Size>(Sizes), reg, i16, i32).map(([size, dst, off, imm]): EbpfInsn => ({ kind: 'st', size, dst, off, imm })),
  fc.tuple(keys<Size>(Sizes), reg, reg, i16).map(([size, dst, src, off]): EbpfInsn => ({ kind: 'stx', size, dst, src, off })),
  fc.tuple(keys<AtomicOp>(AtomicOps), fc.boolean(), fc.constantFrom<'w' | 'dw'>('w', 'dw'), reg, reg, i16).map(([op, fetch, size, dst, src, off]): EbpfInsn =>
    ({ kind: 'atomic', op, fetch: fetch || op === 'xchg' || op === 'cmpxchg', size, dst, src, off })),
);

/** Any 8-byte slot at all (for decode totality and encode∘decode identity). */
export const arbSlotBytes = fc.uint8Array({ minLength: 8, maxLength: 8 });
