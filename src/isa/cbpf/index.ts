/**
 * Classic BPF instruction set: the opcode table and everything derived from it (decode/encode,
 * the tcpdump -d/-dd/-ddd printers, the bpf_asm assembler/disassembler, program text parsing).
 */
export type { CbpfInsn, CbpfProgram } from './types.ts';
export * from './opcodes.ts';
export { decode, encode, decodeProgram, encodeProgram, type Decoded } from './decode.ts';
export { bpfImage, formatD, formatDD, formatDDD, formatDDDLine } from './format.ts';
export { assemble, disassemble, parseAsmNumber } from './asm.ts';
export { parseProgram, detectFormat, type ProgramFormat } from './parse.ts';
