/**
 * eBPF encode/decode between the wire form (8-byte little-endian slots) and the `EbpfInsn`
 * union, derived from the tables in ./opcodes.ts: the decoder's lookup maps are built once at
 * module load by walking those tables, so the two directions cannot disagree.
 *
 * Decoding is strict: a known opcode whose reserved fields are not zero (e.g. an `add` with an
 * immediate AND a src register, an `exit` with an offset) decodes to `raw`, exactly like an
 * unknown opcode; the runtimes refuse to run `raw`. This is what the kernel does ("reserved
 * fields must be 0") and what the bpf_conformance negatives check. `encode(raw)` writes the
 * fields back bit-exact, so decode∘encode and encode∘decode are both identities.
 */
import { UserError } from '../../errors.ts';
import {
  AluOps, AtomicOps, ATOMIC_FETCH, CALL_CODE, CallKinds, Cls, END_CODE, EndOrders, EXIT_CODE, JA_CODE, JmpOps,
  LDDW_CODE, LDDW_KIND_OF_SRC, LddwKinds, LEGACY_LOAD_SIZES, MEMSX_SIZES, Mode, NUM_REGS, SIZE_OF_CODE, Sizes, SRC_K, SRC_X,
} from './opcodes.ts';
import type { AluOp, AtomicOp, CallKind, EndOrder, EndWidth, JmpOp } from './opcodes.ts';
import type { EbpfInsn, EbpfProgram, EbpfSlot } from './types.ts';

// ---- lookup maps derived from the tables -------------------------------------------------

/** ALU opcode nibble + off → op (e.g. 0x30/1 → sdiv). */
const aluByCodeOff = new Map<number, AluOp>();
for (const [name, row] of Object.entries(AluOps) as [AluOp, (typeof AluOps)[AluOp]][]) aluByCodeOff.set(row.code * 0x10000 + row.off, name);
const jmpByCode = new Map<number, JmpOp>();
for (const [name, row] of Object.entries(JmpOps) as [JmpOp, (typeof JmpOps)[JmpOp]][]) jmpByCode.set(row.code, name);
const atomicByImm = new Map<number, AtomicOp>();
for (const [name, row] of Object.entries(AtomicOps) as [AtomicOp, (typeof AtomicOps)[AtomicOp]][]) atomicByImm.set(row.imm & ~ATOMIC_FETCH, name);
const callKindBySrc = new Map<number, CallKind>();
for (const [name, src] of Object.entries(CallKinds) as [CallKind, number][]) callKindBySrc.set(src, name);

const isReg = (r: number): boolean => r >= 0 && r < NUM_REGS;
/** True for an ALU op that is valid with this class/source (neg is K-only; movsx is X-only, movsx32 ALU64-only). */
function aluAllowed(op: AluOp, wide: boolean, reg: boolean): boolean {
  if (op === 'neg') return !reg;
  if (op === 'movsx8' || op === 'movsx16') return reg;
  if (op === 'movsx32') return reg && wide;
  return true;
}

// ---- encode ---------------------------------------------------------------------------------

/** The slot(s) of one instruction: two for lddw, one otherwise. */
function encodeSlots(i: EbpfInsn): EbpfSlot[] {
  const s = (code: number, dst = 0, src = 0, off = 0, imm = 0): EbpfSlot => ({ code, dst, src, off, imm });
  switch (i.kind) {
    case 'alu': {
      const row = AluOps[i.op];
      const cls = i.wide ? Cls.ALU64 : Cls.ALU;
      return 'src' in i ? [s(cls | row.code | SRC_X, i.dst, i.src, row.off)] : [s(cls | row.code | SRC_K, i.dst, 0, row.off, i.imm)];
    }
    case 'end': {
      const row = EndOrders[i.order];
      return [s(row.cls | END_CODE | row.src, i.dst, 0, 0, i.width)];
    }
    case 'jmp': {
      const cls = i.wide ? Cls.JMP : Cls.JMP32;
      const code = JmpOps[i.op].code;
      return 'src' in i ? [s(cls | code | SRC_X, i.dst, i.src, i.off)] : [s(cls | code | SRC_K, i.dst, 0, i.off, i.imm)];
    }
    case 'ja': return [s(Cls.JMP | JA_CODE, 0, 0, i.off)];
    case 'gotol': return [s(Cls.JMP32 | JA_CODE, 0, 0, 0, i.imm)];
    case 'call': return [s(Cls.JMP | CALL_CODE, 0, CallKinds[i.call], 0, i.imm)];
    case 'callx': return [s(Cls.JMP | CALL_CODE | SRC_X, i.dst)];
    case 'exit': return [s(Cls.JMP | EXIT_CODE)];
    case 'lddw': return [s(LDDW_CODE, i.dst, LddwKinds[i.lddw], 0, i.imm), s(0, 0, 0, 0, i.imm2)];
    case 'ldabs': return [s(Cls.LD | Mode.ABS | Sizes[i.size].code, 0, 0, 0, i.imm)];
    case 'ldind': return [s(Cls.LD | Mode.IND | Sizes[i.size].code, 0, i.src, 0, i.imm)];
    case 'ldx': return [s(Cls.LDX | (i.signed ? Mode.MEMSX : Mode.MEM) | Sizes[i.size].code, i.dst, i.src, i.off)];
    case 'st': return [s(Cls.ST | Mode.MEM | Sizes[i.size].code, i.dst, 0, i.off, i.imm)];
    case 'stx': return [s(Cls.STX | Mode.MEM | Sizes[i.size].code, i.dst, i.src, i.off)];
    case 'atomic': {
      const imm = AtomicOps[i.op].imm | (i.fetch ? ATOMIC_FETCH : 0);
      return [s(Cls.STX | Mode.ATOMIC | Sizes[i.size].code, i.dst, i.src, i.off, imm)];
    }
    case 'raw': return [s(i.code, i.dst, i.src, i.off, i.imm)];
  }
}

/** Writes slots as little-endian bytes. */
export function slotsToBytes(slots: readonly EbpfSlot[]): Uint8Array {
  const out = new Uint8Array(slots.length * 8);
  const dv = new DataView(out.buffer);
  slots.forEach((s, n) => {
    dv.setUint8(n * 8, s.code & 0xff);
    dv.setUint8(n * 8 + 1, ((s.src & 0xf) << 4) | (s.dst & 0xf));
    dv.setInt16(n * 8 + 2, s.off, true);
    dv.setInt32(n * 8 + 4, s.imm, true);
  });
  return out;
}

export function bytesToSlots(bytes: Uint8Array): EbpfSlot[] {
  if (bytes.length % 8 !== 0) throw new UserError('EBPF_BAD_LENGTH', `eBPF program length ${bytes.length} is not a multiple of 8 bytes`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: EbpfSlot[] = [];
  for (let p = 0; p < bytes.length; p += 8) {
    const regs = bytes[p + 1]!;
    out.push({ code: bytes[p]!, dst: regs & 0xf, src: regs >> 4, off: dv.getInt16(p + 2, true), imm: dv.getInt32(p + 4, true) });
  }
  return out;
}

export function encode(i: EbpfInsn): Uint8Array {
  return slotsToBytes(encodeSlots(i));
}

export function encodeProgram(prog: EbpfProgram): Uint8Array {
  return slotsToBytes(prog.flatMap(encodeSlots));
}

// ---- decode ---------------------------------------------------------------------------------

/**
 * Decodes the instruction at `slots[at]`; returns it and how many slots it used (2 for a
 * well-formed lddw). Never throws: what the ISA does not define comes back as `raw`.
 */
export function decodeAt(slots: readonly EbpfSlot[], at: number): { insn: EbpfInsn; width: 1 | 2 } {
  const s = slots[at]!;
  const raw: EbpfInsn = { kind: 'raw', code: s.code, dst: s.dst, src: s.src, off: s.off, imm: s.imm };
  const one = (insn: EbpfInsn | undefined) => ({ insn: insn ?? raw, width: 1 as const });
  const { code, dst, src, off, imm } = s;
  const cls = code & 0x07;
  switch (cls) {
    case Cls.ALU:
    case Cls.ALU64: {
      const wide = cls === Cls.ALU64;
      const opc = code & 0xf0;
      const reg = (code & SRC_X) !== 0;
      if (!isReg(dst)) return one(undefined);
      if (opc === END_CODE) {
        const order: EndOrder | undefined = wide ? (reg ? undefined : 'bswap') : reg ? 'be' : 'le';
        if (!order || src !== 0 || off !== 0 || (imm !== 16 && imm !== 32 && imm !== 64)) return one(undefined);
        return one({ kind: 'end', order, width: imm as EndWidth, dst });
      }
      const op = aluByCodeOff.get(opc * 0x10000 + (off & 0xffff));
      if (!op || off < 0 || !aluAllowed(op, wide, reg)) return one(undefined);
      if (reg) return one(imm === 0 && isReg(src) ? { kind: 'alu', op, wide, dst, src } : undefined);
      if (src !== 0) return one(undefined);
      if (op === 'neg') return one(imm === 0 ? { kind: 'alu', op, wide, dst, imm: 0 } : undefined);
      return one({ kind: 'alu', op, wide, dst, imm });
    }
    case Cls.JMP:
    case Cls.JMP32: {
      const wide = cls === Cls.JMP;
      const opc = code & 0xf0;
      const reg = (code & SRC_X) !== 0;
      if (opc === JA_CODE) {
        if (reg || dst !== 0 || src !== 0) return one(undefined);
        if (wide) return one(imm === 0 ? { kind: 'ja', off } : undefined);
        return one(off === 0 ? { kind: 'gotol', imm } : undefined);
      }
      if (opc === CALL_CODE) {
        if (!wide || off !== 0) return one(undefined);
        if (reg) return one(src === 0 && imm === 0 && isReg(dst) ? { kind: 'callx', dst } : undefined);
        const call = callKindBySrc.get(src);
        return one(call && dst === 0 ? { kind: 'call', call, imm } : undefined);
      }
      if (opc === EXIT_CODE) return one(wide && !reg && dst === 0 && src === 0 && off === 0 && imm === 0 ? { kind: 'exit' } : undefined);
      const op = jmpByCode.get(opc);
      if (!op || !isReg(dst)) return one(undefined);
      if (reg) return one(imm === 0 && isReg(src) ? { kind: 'jmp', op, wide, dst, src, off } : undefined);
      return one(src === 0 ? { kind: 'jmp', op, wide, dst, imm, off } : undefined);
    }
    case Cls.LD: {
      const mode = code & 0xe0;
      const size = SIZE_OF_CODE[code & 0x18]!;
      if (code === LDDW_CODE) {
        const next = slots[at + 1];
        const lddw = LDDW_KIND_OF_SRC[src];
        if (!next || !lddw || !isReg(dst) || off !== 0 || next.code !== 0 || next.dst !== 0 || next.src !== 0 || next.off !== 0) return one(undefined);
        return { insn: { kind: 'lddw', lddw, dst, imm, imm2: next.imm }, width: 2 };
      }
      if (!LEGACY_LOAD_SIZES.includes(size) || dst !== 0 || off !== 0) return one(undefined);
      if (mode === Mode.ABS) return one(src === 0 ? { kind: 'ldabs', size, imm } : undefined);
      if (mode === Mode.IND) return one(isReg(src) ? { kind: 'ldind', size, src, imm } : undefined);
      return one(undefined);
    }
    case Cls.LDX: {
      const mode = code & 0xe0;
      const size = SIZE_OF_CODE[code & 0x18]!;
      if (imm !== 0 || !isReg(dst) || !isReg(src)) return one(undefined);
      if (mode === Mode.MEM) return one({ kind: 'ldx', size, signed: false, dst, src, off });
      if (mode === Mode.MEMSX && MEMSX_SIZES.includes(size)) return one({ kind: 'ldx', size, signed: true, dst, src, off });
      return one(undefined);
    }
    case Cls.ST: {
      const size = SIZE_OF_CODE[code & 0x18]!;
      if ((code & 0xe0) !== Mode.MEM || src !== 0 || !isReg(dst)) return one(undefined);
      return one({ kind: 'st', size, dst, off, imm });
    }
    case Cls.STX: {
      const mode = code & 0xe0;
      const size = SIZE_OF_CODE[code & 0x18]!;
      if (!isReg(dst) || !isReg(src)) return one(undefined);
      if (mode === Mode.MEM) return one(imm === 0 ? { kind: 'stx', size, dst, src, off } : undefined);
      if (mode === Mode.ATOMIC && (size === 'w' || size === 'dw')) {
        const op = atomicByImm.get(imm & ~ATOMIC_FETCH);
        if (!op || (imm & ~0xff) !== 0) return one(undefined);
        const fetch = (imm & ATOMIC_FETCH) !== 0;
        if ((op === 'xchg' || op === 'cmpxchg') && !fetch) return one(undefined);
        return one({ kind: 'atomic', op, fetch, size, dst, src, off });
      }
      return one(undefined);
    }
  }
  return one(undefined);
}

export function decode(bytes: Uint8Array): EbpfInsn {
  return decodeAt(bytesToSlots(bytes), 0).insn;
}

export function decodeSlots(slots: readonly EbpfSlot[]): EbpfProgram {
  const out: EbpfProgram = [];
  for (let at = 0; at < slots.length; ) {
    const { insn, width } = decodeAt(slots, at);
    out.push(insn);
    at += width;
  }
  return out;
}

export function decodeProgram(bytes: Uint8Array): EbpfProgram {
  return decodeSlots(bytesToSlots(bytes));
}

/** Number of 8-byte slots an instruction occupies. */
function slotWidth(i: EbpfInsn): 1 | 2 {
  return i.kind === 'lddw' ? 2 : 1;
}

/**
 * Maps between element indices and slot pcs. `pcOf[i]` is the slot pc of element i;
 * `indexOfPc[pc]` is the element starting at slot pc, or -1 for the second slot of an lddw
 * (a jump there is invalid). `slots` is the program's length in slots.
 */
export interface Layout { pcOf: Int32Array; indexOfPc: Int32Array; slots: number }

export function layout(prog: EbpfProgram): Layout {
  const pcOf = new Int32Array(prog.length);
  let pc = 0;
  prog.forEach((insn, i) => { pcOf[i] = pc; pc += slotWidth(insn); });
  const indexOfPc = new Int32Array(pc).fill(-1);
  prog.forEach((_, i) => { indexOfPc[pcOf[i]!] = i; });
  return { pcOf, indexOfPc, slots: pc };
}

/** The 64-bit constant of an lddw as a BigInt (for printing and the loader; not for hot paths). */
export function lddwValue(i: { imm: number; imm2: number }): bigint {
  return (BigInt(i.imm2 >>> 0) << 32n) | BigInt(i.imm >>> 0);
}
