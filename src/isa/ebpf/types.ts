/**
 * eBPF instructions as values: a discriminated union on `kind`, one variant per instruction
 * family, plus `raw` for any encoding the ISA does not define (unknown opcode, or a known
 * opcode with a reserved field set). The union is normalized: fields an encoding does not use
 * are absent, so `decode(encode(x))` equals `x` structurally and two equal instructions are
 * deep-equal. Register numbers are 0..10 (decode keeps 11..15 only inside `raw`).
 *
 * Immediates are stored as signed 32-bit numbers (what the encoding holds); `lddw` keeps its two
 * 32-bit halves (`imm` low, `imm2` high) so no BigInt is needed on load paths.
 */
import type { AluOp, AtomicOp, CallKind, EndOrder, EndWidth, JmpOp, LddwKind, Size } from './opcodes.ts';

/** `dst op= src|imm` for ALU (32-bit, `wide: false`) and ALU64 (`wide: true`). neg has no source. */
export type AluInsn =
  | { kind: 'alu'; op: AluOp; wide: boolean; dst: number; src: number } // register source (X)
  | { kind: 'alu'; op: AluOp; wide: boolean; dst: number; imm: number }; // immediate source (K)

/** Byte swaps: le/be convert host (little-endian) order, bswap swaps unconditionally. */
export interface EndInsn { kind: 'end'; order: EndOrder; width: EndWidth; dst: number }

/** Conditional jump: `if dst op src|imm goto pc+1+off`; `wide: false` is JMP32 (low halves). */
export type JmpInsn =
  | { kind: 'jmp'; op: JmpOp; wide: boolean; dst: number; src: number; off: number }
  | { kind: 'jmp'; op: JmpOp; wide: boolean; dst: number; imm: number; off: number };

/** `goto pc+1+off` (JMP|JA). */
export interface JaInsn { kind: 'ja'; off: number }
/** `gotol pc+1+imm` (JMP32|JA, 32-bit range). */
export interface GotolInsn { kind: 'gotol'; imm: number }
/** Call a helper (imm = helper id), a local function (imm = pc-relative), or a kfunc (imm = BTF id). */
export interface CallInsn { kind: 'call'; call: CallKind; imm: number }
/** Indirect call through a register (JMP|CALL|X, register in dst). tsdump: the register holds a helper id. */
export interface CallxInsn { kind: 'callx'; dst: number }
export interface ExitInsn { kind: 'exit' }

/** 64-bit immediate load (two slots). `imm` = low 32 bits, `imm2` = high 32 bits (signed int32 each). */
export interface LddwInsn { kind: 'lddw'; lddw: LddwKind; dst: number; imm: number; imm2: number }
/** Legacy packet load `r0 = ntoh(*(size *)(skb->data + imm))` (socket filters; r6 = ctx). */
export interface LdAbsInsn { kind: 'ldabs'; size: Size; imm: number }
/** Legacy packet load `r0 = ntoh(*(size *)(skb->data + src + imm))`. */
export interface LdIndInsn { kind: 'ldind'; size: Size; src: number; imm: number }
/** `dst = *(size *)(src + off)`, zero- (`signed: false`) or sign-extending (MEMSX). */
export interface LdxInsn { kind: 'ldx'; size: Size; signed: boolean; dst: number; src: number; off: number }
/** `*(size *)(dst + off) = imm`. */
export interface StInsn { kind: 'st'; size: Size; dst: number; off: number; imm: number }
/** `*(size *)(dst + off) = src`. */
export interface StxInsn { kind: 'stx'; size: Size; dst: number; src: number; off: number }
/** Atomic read-modify-write on `*(size *)(dst + off)` with operand src (cmpxchg also uses r0). */
export interface AtomicInsn { kind: 'atomic'; op: AtomicOp; fetch: boolean; size: 'w' | 'dw'; dst: number; src: number; off: number }

/** Any encoding the ISA does not define; kept bit-exact so nothing is lost in a round trip. */
export interface RawInsn { kind: 'raw'; code: number; dst: number; src: number; off: number; imm: number }

export type EbpfInsn =
  | AluInsn | EndInsn | JmpInsn | JaInsn | GotolInsn | CallInsn | CallxInsn | ExitInsn
  | LddwInsn | LdAbsInsn | LdIndInsn | LdxInsn | StInsn | StxInsn | AtomicInsn | RawInsn;

export type EbpfKind = EbpfInsn['kind'];

/**
 * A program: logical instructions in order (lddw is ONE element although it occupies two
 * slots). Jump offsets and pcs count slots, as in the kernel; use `layout()` from ./codec.ts to
 * map between element indices and slot pcs.
 */
export type EbpfProgram = EbpfInsn[];

/** The wire form of one 8-byte slot (`struct bpf_insn`). */
export interface EbpfSlot { code: number; dst: number; src: number; off: number; imm: number }
