/**
 * The eBPF instruction set (RFC 9669, conformance level v4) written down ONCE.
 *
 * Everything else — encode/decode, the assembler and disassembler, the kernel-style pretty
 * printer, the interpreter and the JITs — is derived from the tables in this file. The
 * technique: every opcode family is a small `as const` table keyed by a mnemonic, and the
 * mnemonic unions (`AluOp`, `JmpOp`, …) are derived from those keys, so a consumer that
 * handles a family with a `Record<AluOp, …>` gets a type error when an opcode is added here
 * and forgotten there.
 *
 * Encoding reminder (RFC 9669 §3): an instruction is 8 bytes little-endian
 *   opcode:8 | dst:4 (low nibble) src:4 (high nibble) | off:16 signed | imm:32 signed,
 * and `lddw` (LD|IMM|DW) is followed by a second slot whose only meaningful field is imm (the
 * upper 32 bits of the constant). The opcode's low 3 bits are the class.
 */

/** Instruction classes (opcode & 0x07). */
export const Cls = { LD: 0x00, LDX: 0x01, ST: 0x02, STX: 0x03, ALU: 0x04, JMP: 0x05, JMP32: 0x06, ALU64: 0x07 } as const;

/** Source bit of ALU/JMP opcodes: K = use imm, X = use the src register. */
export const SRC_K = 0x00;
export const SRC_X = 0x08;

/** Load/store modes (opcode & 0xe0). */
export const Mode = { IMM: 0x00, ABS: 0x20, IND: 0x40, MEM: 0x60, MEMSX: 0x80, ATOMIC: 0xc0 } as const;

/** Access sizes (opcode & 0x18) with their width in bytes and their assembler suffix. */
export const Sizes = {
  w: { code: 0x00, bytes: 4, c: 'u32' },
  h: { code: 0x08, bytes: 2, c: 'u16' },
  b: { code: 0x10, bytes: 1, c: 'u8' },
  dw: { code: 0x18, bytes: 8, c: 'u64' },
} as const;
export type Size = keyof typeof Sizes;
export const SIZE_OF_CODE: Record<number, Size> = { 0x00: 'w', 0x08: 'h', 0x10: 'b', 0x18: 'dw' };

/**
 * ALU operations (opcode & 0xf0 for classes ALU and ALU64). `off` distinguishes the signed
 * variants that share an opcode: sdiv/smod use off=1, movsx uses off=8/16/32 (RFC 9669 §4.1).
 * `unary` ops (neg) take no source; `c` is the C operator used by the kernel-style printer.
 */
export const AluOps = {
  add: { code: 0x00, off: 0, c: '+=' },
  sub: { code: 0x10, off: 0, c: '-=' },
  mul: { code: 0x20, off: 0, c: '*=' },
  div: { code: 0x30, off: 0, c: '/=' },
  sdiv: { code: 0x30, off: 1, c: 's/=' },
  or: { code: 0x40, off: 0, c: '|=' },
  and: { code: 0x50, off: 0, c: '&=' },
  lsh: { code: 0x60, off: 0, c: '<<=' },
  rsh: { code: 0x70, off: 0, c: '>>=' },
  neg: { code: 0x80, off: 0, c: '= -' },
  mod: { code: 0x90, off: 0, c: '%=' },
  smod: { code: 0x90, off: 1, c: 's%=' },
  xor: { code: 0xa0, off: 0, c: '^=' },
  mov: { code: 0xb0, off: 0, c: '=' },
  movsx8: { code: 0xb0, off: 8, c: '= (s8)' },
  movsx16: { code: 0xb0, off: 16, c: '= (s16)' },
  movsx32: { code: 0xb0, off: 32, c: '= (s32)' },
  arsh: { code: 0xc0, off: 0, c: 's>>=' },
} as const;
export type AluOp = keyof typeof AluOps;

/** The byte-swap family (opcode 0xd0): to-le / to-be in class ALU, unconditional bswap in ALU64. */
export const END_CODE = 0xd0;
export const EndOrders = {
  le: { cls: Cls.ALU, src: SRC_K },
  be: { cls: Cls.ALU, src: SRC_X },
  bswap: { cls: Cls.ALU64, src: SRC_K },
} as const;
export type EndOrder = keyof typeof EndOrders;
export type EndWidth = 16 | 32 | 64;

/**
 * Conditional jumps (opcode & 0xf0 for JMP and JMP32). `signed` comparisons read the operands
 * as two's complement; `c` is the C operator for the printer.
 */
export const JmpOps = {
  jeq: { code: 0x10, c: '==', signed: false },
  jgt: { code: 0x20, c: '>', signed: false },
  jge: { code: 0x30, c: '>=', signed: false },
  jset: { code: 0x40, c: '&', signed: false },
  jne: { code: 0x50, c: '!=', signed: false },
  jsgt: { code: 0x60, c: 's>', signed: true },
  jsge: { code: 0x70, c: 's>=', signed: true },
  jlt: { code: 0xa0, c: '<', signed: false },
  jle: { code: 0xb0, c: '<=', signed: false },
  jslt: { code: 0xc0, c: 's<', signed: true },
  jsle: { code: 0xd0, c: 's<=', signed: true },
} as const;
export type JmpOp = keyof typeof JmpOps;
export const JA_CODE = 0x00;
export const CALL_CODE = 0x80;
export const EXIT_CODE = 0x90;

/** `src` values of a CALL instruction (RFC 9669 §4.3.1 and the kernel's BPF_PSEUDO_*_CALL). */
export const CallKinds = { helper: 0, local: 1, kfunc: 2 } as const;
export type CallKind = keyof typeof CallKinds;

/**
 * Atomic operations (mode ATOMIC, sizes w and dw): imm holds the operation; bit 0x01 (FETCH)
 * makes the instruction also return the old value in src. xchg and cmpxchg always fetch.
 */
export const ATOMIC_FETCH = 0x01;
export const AtomicOps = {
  add: { imm: 0x00, c: '+=' },
  or: { imm: 0x40, c: '|=' },
  and: { imm: 0x50, c: '&=' },
  xor: { imm: 0xa0, c: '^=' },
  xchg: { imm: 0xe1, c: 'xchg' },
  cmpxchg: { imm: 0xf1, c: 'cmpxchg' },
} as const;
export type AtomicOp = keyof typeof AtomicOps;

/**
 * `src` values of lddw (RFC 9669 §4.4 and the kernel's BPF_PSEUDO_*): how the loader must
 * interpret the 64-bit immediate. Only `imm64` is a plain constant; the others are relocations
 * the loader (src/loader, the verifier) resolves before a program runs.
 */
export const LddwKinds = {
  imm64: 0, // dst = imm64
  map_fd: 1, // dst = map_by_fd(imm)
  map_value: 2, // dst = map_val(map_by_fd(imm)) + next_imm
  btf_id: 3, // dst = var_addr(imm)
  func: 4, // dst = code_addr(imm)
  map_idx: 5, // dst = map_by_idx(imm)
  map_idx_value: 6, // dst = map_val(map_by_idx(imm)) + next_imm
} as const;
export type LddwKind = keyof typeof LddwKinds;
export const LDDW_KIND_OF_SRC: readonly LddwKind[] = ['imm64', 'map_fd', 'map_value', 'btf_id', 'func', 'map_idx', 'map_idx_value'];
export const LDDW_CODE = Cls.LD | Mode.IMM | Sizes.dw.code; // 0x18

/** Legacy packet loads (LD|ABS, LD|IND) exist for sizes w, h, b only. */
export const LEGACY_LOAD_SIZES: readonly Size[] = ['w', 'h', 'b'];
/** Sign-extending loads (LDX|MEMSX) exist for sizes w, h, b only. */
export const MEMSX_SIZES: readonly Size[] = ['w', 'h', 'b'];

/** Register numbers r0..r10; r10 is the read-only frame pointer. */
export const NUM_REGS = 11;
/** Bytes of stack per frame (RFC 9669 / kernel MAX_BPF_STACK). */
export const STACK_SIZE = 512;
