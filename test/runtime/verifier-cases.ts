/**
 * One table of small XDP programs for the verifier, each with the verdict tsdump's verifier must
 * give (`ok` or the error code). The same table feeds the kernel differential: the generator
 * test/tools/gen-verifier-kernel-verdicts.ts loads every case into the running kernel as an XDP
 * program and records whether the kernel's verifier accepts it, in committed data that
 * verifier-kernel.test.ts compares against. No case uses maps (the kernel oracle has none).
 */
import { assemble } from '../../src/isa/ebpf/asm.ts';
import { encodeProgram, slotsToBytes } from '../../src/isa/ebpf/codec.ts';
import type { EbpfSlot } from '../../src/isa/ebpf/types.ts';

export interface VerifierCase {
  name: string;
  /** uBPF-syntax source, or raw slots for encodings the assembler will not produce. */
  asm?: string;
  slots?: EbpfSlot[];
  /** 'ok' or the VerifierError's rule (its code is VERIFIER_<RULE>). */
  expect: string;
  /** Why the kernel's verdict legitimately differs, when it does. */
  kernelDiffers?: string;
}

const slot = (code: number, dst = 0, src = 0, off = 0, imm = 0): EbpfSlot => ({ code, dst, src, off, imm });
const PKT = 'ldxw %r2, [%r1]\nldxw %r3, [%r1+4]\nmov %r4, %r2\nadd %r4, 14\n';

/** A packet pointer spilled at [r10-8]; the callee writes at (its r10) + {0 or 512} - 8. */
export const FRAME_ESCAPE = `${PKT.replace('add %r4, 14', 'add %r4, 8')}mov %r0, 0
jgt %r4, %r3, out
stxdw [%r10-8], %r2
ldxb %r1, [%r2]
and %r1, 1
lsh %r1, 9
call local f
ldxdw %r2, [%r10-8]
ldxdw %r0, [%r2]
out:
exit
f:
mov %r2, %r10
add %r2, %r1
stxdw [%r2-8], %r3
mov %r0, 0
exit`;
/** The callee reads [caller r10 - 32 + 8·(x & mask)]. */
const CALLER_VAR = (mask: string) =>
  `ldxw %r2, [%r1+12]\nand %r2, ${mask}\nlsh %r2, 3\nstdw [%r10-32], 0\nstdw [%r10-24], 0\nstdw [%r10-16], 0\nstdw [%r10-8], 0\n` +
  'mov %r1, %r10\nadd %r1, -32\ncall local f\nexit\nf:\nadd %r1, %r2\nldxdw %r0, [%r1]\nexit';
/** A stack read at r10 - 16 + (x masked as `mask`). */
const VAR_STACK = (mask: string, load: string) =>
  `stdw [%r10-16], 0\nstdw [%r10-8], 0\nldxw %r2, [%r1+12]\n${mask}\nmov %r3, %r10\nadd %r3, %r2\n${load} %r0, [%r3-16]\nexit`;

export const VERIFIER_CASES: VerifierCase[] = [
  // ---- accepted ----
  { name: 'return a constant', asm: 'mov %r0, 2\nexit', expect: 'ok' },
  { name: 'packet read after a data_end check', asm: `${PKT}mov %r0, 2\njgt %r4, %r3, out\nldxh %r0, [%r2+12]\nand %r0, 1\nout:\nexit`, expect: 'ok' },
  { name: 'packet check written the other way round', asm: `${PKT}mov %r0, 2\njle %r3, %r4, out\nldxb %r0, [%r2+13]\nand %r0, 1\nout:\nexit`, expect: 'ok' },
  { name: 'scalar context fields', asm: 'ldxw %r0, [%r1+12]\nldxw %r2, [%r1+16]\nadd %r0, %r2\nand %r0, 3\nexit', expect: 'ok' },
  { name: 'stack write then read', asm: 'stdw [%r10-8], 7\nldxdw %r0, [%r10-8]\nexit', expect: 'ok' },
  // Helper memory on the stack is checked byte by byte (bounds, initialisation), not as one aligned access.
  { name: 'helper memory: 16 bytes at fp-24 for csum_diff', asm: 'stdw [%r10-24], 1\nstdw [%r10-16], 2\nmov %r1, %r10\nadd %r1, -24\nmov %r2, 16\nmov %r3, %r10\nadd %r3, -24\nmov %r4, 16\nmov %r5, 0\ncall 28\nmov %r0, 2\nexit', expect: 'ok' },
  { name: 'helper memory: 12 bytes at fp-20 for csum_diff', asm: 'stw [%r10-20], 1\nstdw [%r10-16], 2\nmov %r1, %r10\nadd %r1, -20\nmov %r2, 12\nmov %r3, %r10\nadd %r3, -20\nmov %r4, 12\nmov %r5, 0\ncall 28\nmov %r0, 2\nexit', expect: 'ok' },
  { name: 'helper memory partly unwritten', asm: 'stdw [%r10-24], 1\nmov %r1, %r10\nadd %r1, -24\nmov %r2, 16\nmov %r3, %r10\nadd %r3, -24\nmov %r4, 16\nmov %r5, 0\ncall 28\nmov %r0, 2\nexit', expect: 'stack-uninit', kernelDiffers: 'the kernel lets privileged (root) loaders read uninitialised stack (allow_uninit_stack); tsdump keeps the unprivileged read-before-write rule' },
  { name: 'spill and fill the ctx pointer', asm: 'stxdw [%r10-8], %r1\nldxdw %r2, [%r10-8]\nldxw %r0, [%r2+12]\nexit', expect: 'ok' },
  { name: 'counted loop of 10', asm: 'mov %r0, 0\nmov %r1, 0\nl:\nadd %r0, %r1\nadd %r1, 1\njlt %r1, 10, l\nand %r0, 1\nexit', expect: 'ok' },
  { name: 'counted loop of 100000', asm: 'mov %r0, 0\nl:\nadd %r0, 1\njlt %r0, 100000, l\nmov %r0, 2\nexit', expect: 'ok' },
  { name: 'bpf-to-bpf call with a pointer to the caller stack', asm: 'stdw [%r10-8], 5\nmov %r1, %r10\nadd %r1, -8\ncall local f\nexit\nf:\nldxdw %r0, [%r1]\nexit', expect: 'ok' },
  {
    name: 'call chain of 8 frames',
    asm: 'mov %r0, 0\ncall local f1\nexit\n' + Array.from({ length: 7 }, (_, k) => `f${k + 1}:\n${k + 2 <= 7 ? `call local f${k + 2}\n` : ''}mov %r0, ${k}\nexit`).join('\n'),
    expect: 'ok',
  },
  { name: 'helpers without arguments', asm: 'call 7\nmov %r6, %r0\ncall 5\nadd %r0, %r6\nand %r0, 3\nexit', expect: 'ok' },
  { name: 'division and modulo by a register', asm: 'ldxw %r2, [%r1+12]\nmov %r0, 100\ndiv %r0, %r2\nmod %r0, %r2\nexit', expect: 'ok' },
  { name: 'jset and signed compares', asm: 'ldxw %r2, [%r1+12]\nmov %r0, 1\njset %r2, 4, a\njsgt %r2, -3, a\nmov %r0, 2\na:\nexit', expect: 'ok' },
  { name: 'xdp_adjust_head then a fresh packet check', asm: `mov %r6, %r1\nmov %r2, 0\ncall 44\nldxw %r2, [%r6]\nldxw %r3, [%r6+4]\nmov %r4, %r2\nadd %r4, 1\nmov %r0, 2\njgt %r4, %r3, out\nldxb %r0, [%r2]\nand %r0, 1\nout:\nexit`, expect: 'ok' },
  { name: 'atomic add on the stack', asm: 'stdw [%r10-8], 1\nmov %r1, 2\nlock add [%r10-8], %r1\nldxdw %r0, [%r10-8]\nexit', expect: 'ok' },
  { name: 'loop on a masked (bounded) unknown counter', asm: 'ldxw %r2, [%r1+16]\nand %r2, 15\nmov %r0, 0\nl:\njeq %r2, 0, out\nadd %r0, 1\nsub %r2, 1\nja l\nout:\nexit', expect: 'ok' },
  { name: 'range proves a branch dead', asm: 'ldxw %r2, [%r1+16]\nand %r2, 7\njgt %r2, 10, bad\nmov %r0, 0\nexit\nbad:\nmov %r0, %r5\nexit', expect: 'ok' },
  { name: 'range of a 32-bit load proves a branch dead', asm: 'ldxw %r2, [%r1+16]\nlddw %r3, 0x100000000\nmov %r0, 0\njlt %r2, %r3, ok\nmov %r0, %r5\nok:\nexit', expect: 'ok' },
  { name: 'jmp32 range refinement', asm: 'ldxw %r2, [%r1+16]\nrsh %r2, 28\nmov %r0, 0\njlt32 %r2, 16, ok\nmov %r0, %r5\nok:\nexit', expect: 'ok' },
  { name: 'range loop bounded by the branch, not the mask', asm: 'ldxw %r2, [%r1+16]\nmov %r0, 0\nl:\njgt %r2, 20, out\nadd %r2, 1\nadd %r0, 1\nja l\nout:\nexit', expect: 'ok' },
  { name: 'branch on a known constant prunes the dead path', asm: 'mov %r1, 1\njeq %r1, 1, ok\nmov %r0, %r9\nexit\nok:\nmov %r0, 0\nexit', expect: 'ok' },

  // ---- rejected ----
  { name: 'jump to itself', asm: 'mov %r0, 0\nl:\nja l', expect: 'no-exit' },
  { name: 'two frames of 256 bytes', asm: 'stdw [%r10-256], 0\ncall local f\nexit\nf:\nstdw [%r10-256], 0\nmov %r0, 0\nexit', expect: 'ok' },
  { name: 'two frames of 264 and 240 bytes', asm: 'stdw [%r10-264], 0\ncall local f\nexit\nf:\nstdw [%r10-240], 0\nmov %r0, 0\nexit', expect: 'ok' },
  { name: 'two frames of 256 and 264 bytes', asm: 'stdw [%r10-256], 0\ncall local f\nexit\nf:\nstdw [%r10-264], 0\nmov %r0, 0\nexit', expect: 'stack-depth' },
  { name: 'loop whose counter never changes', asm: 'mov %r0, 0\nmov %r1, 0\nl:\nadd %r1, 0\njne %r1, 1, l\nexit', expect: 'infinite-loop' },
  {
    name: 'loop whose state repeats at a join inside the body',
    asm: 'ldxw %r3, [%r1+12]\nmov %r0, 0\nmov %r1, 0\nl:\njeq %r1, 5, out\nmov %r1, 7\njeq %r3, 0, a\nmov %r4, 1\na:\nadd %r1, 1\nja l\nout:\nexit',
    expect: 'infinite-loop',
  },
  { name: 'loop bounded by an unknown value', asm: 'ldxw %r2, [%r1+16]\nmov %r0, 0\nl:\nadd %r0, 1\njlt %r0, %r2, l\nexit', expect: 'unbounded-loop' },
  { name: 'store at r10+0', asm: 'mov %r0, 0\nstb [%r10], 1\nexit', expect: 'stack-bounds' },
  { name: 'store below the 512-byte frame', asm: 'mov %r0, 0\nstdw [%r10-520], 1\nexit', expect: 'stack-bounds' },
  { name: 'read of never-written stack', asm: 'ldxdw %r0, [%r10-8]\nexit', expect: 'stack-uninit', kernelDiffers: 'the kernel lets privileged (root) loaders read uninitialised stack (allow_uninit_stack); tsdump keeps the unprivileged read-before-write rule' },
  { name: 'stack written on one path only', asm: 'ldxw %r2, [%r1+16]\njeq %r2, 0, skip\nstw [%r10-4], 7\nskip:\nldxw %r0, [%r10-4]\nexit', expect: 'stack-uninit', kernelDiffers: 'the kernel lets privileged (root) loaders read uninitialised stack (allow_uninit_stack); tsdump keeps the unprivileged read-before-write rule' },
  { name: 'write to r10', asm: 'mov %r0, 0\nmov %r10, 1\nexit', expect: 'r10-write' },
  { name: 'jump into the middle of an lddw', slots: [slot(0x05, 0, 0, 1), slot(0x18, 0, 0, 0, 5), slot(0, 0, 0, 0, 0), slot(0x95)], expect: 'jump-into-lddw' },
  { name: 'unknown helper', asm: 'call 9999\nexit', expect: 'unknown-helper' },
  // The kernel does not use "ctx is never NULL" to prune a branch; neither do we.
  { name: 'uninitialised read behind a ctx == NULL test', asm: 'mov %r0, 0\njne %r1, 0, ok\nmov %r0, %r5\nok:\nexit', expect: 'uninit-reg' },
  { name: 'uninitialised register read', asm: 'mov %r0, %r2\nexit', expect: 'uninit-reg' },
  { name: 'r0 not set at exit', asm: 'exit', expect: 'uninit-reg' },
  { name: 'register set on one path only', asm: 'ldxw %r2, [%r1+16]\njeq %r2, 0, out\nmov %r3, 1\nout:\nmov %r0, %r3\nexit', expect: 'uninit-reg' },
  { name: 'caller-saved register read after a helper call', asm: 'mov %r0, 0\ncall 7\nmov %r0, %r1\nexit', expect: 'uninit-reg' },
  { name: 'falls off the end', asm: 'mov %r0, 0', expect: 'fall-off-end' },
  {
    name: 'call chain of 9 frames',
    asm: 'mov %r0, 0\ncall local f1\nexit\n' + Array.from({ length: 8 }, (_, k) => `f${k + 1}:\n${k + 2 <= 8 ? `call local f${k + 2}\n` : ''}mov %r0, ${k}\nexit`).join('\n'),
    expect: 'call-depth',
  },
  { name: 'recursion', asm: 'call local f\nexit\nf:\ncall local f\nmov %r0, 0\nexit', expect: 'recursion' },
  { name: 'undefined opcode', slots: [slot(0xff), slot(0x95)], expect: 'invalid-insn' },
  { name: 'exit with a non-zero immediate', slots: [slot(0xb7), slot(0x95, 0, 0, 0, 1)], expect: 'invalid-insn' },
  { name: 'unreachable instruction', asm: 'mov %r0, 0\nexit\nmov %r0, 1\nexit', expect: 'unreachable' },
  { name: 'division by immediate zero', asm: 'mov %r0, 1\ndiv %r0, 0\nexit', expect: 'div-by-zero' },
  { name: '32-bit shift by 32', asm: 'mov %r0, 1\nlsh32 %r0, 32\nexit', expect: 'invalid-shift' },
  { name: 'packet read without a check', asm: 'ldxw %r2, [%r1]\nldxb %r0, [%r2]\nexit', expect: 'pkt-access' },
  { name: 'packet read past the proven range', asm: `${PKT}mov %r0, 2\njgt %r4, %r3, out\nldxh %r0, [%r2+13]\nout:\nexit`, expect: 'pkt-access' },
  { name: 'misaligned context read', asm: 'ldxw %r0, [%r1+2]\nexit', expect: 'ctx-access' },
  { name: 'context read past xdp_md', asm: 'ldxw %r0, [%r1+24]\nexit', expect: 'ctx-access' },
  { name: 'context write', asm: 'stw [%r1+12], 1\nmov %r0, 0\nexit', expect: 'ctx-access' },
  { name: 'returns a pointer', asm: 'mov %r0, %r1\nexit', expect: 'ptr-leak', kernelDiffers: 'the kernel lets privileged XDP programs return a pointer (its low bits become the action); tsdump requires a scalar verdict' },
  { name: '32-bit arithmetic on a pointer', asm: 'add32 %r1, 8\nmov %r0, 0\nexit', expect: 'ptr-arith' },
  { name: 'xor on a pointer', asm: 'xor %r1, 8\nmov %r0, 0\nexit', expect: 'ptr-arith' },
  { name: 'partial fill of a spilled pointer, then dereference', asm: 'stxdw [%r10-8], %r1\nldxw %r2, [%r10-8]\nldxw %r0, [%r2+12]\nexit', expect: 'bad-mem' },
  { name: "callee reads the caller's r6", asm: 'mov %r6, 1\ncall local f\nexit\nf:\nmov %r0, %r6\nexit', expect: 'uninit-reg' },
  { name: 'callee returns a pointer into its own stack', asm: 'call local f\nldxdw %r0, [%r0]\nexit\nf:\nstdw [%r10-8], 1\nmov %r0, %r10\nadd %r0, -8\nexit', expect: 'stack-escape' },
  {
    name: "callee stores a pointer to its stack in the caller's stack",
    asm: 'stdw [%r10-8], 0\nmov %r1, %r10\nadd %r1, -8\ncall local f\nmov %r0, 0\nexit\nf:\nstdw [%r10-8], 0\nmov %r2, %r10\nadd %r2, -8\nstxdw [%r1], %r2\nmov %r0, 0\nexit',
    expect: 'stack-escape',
  },
  // ---- call frames and variable offsets (issue 12: a callee's variable-offset write reached its
  // caller's frame and replaced a spilled packet pointer; the JIT then read past the packet) ----
  { name: "callee's variable-offset write reaches the caller's frame", asm: FRAME_ESCAPE, expect: 'stack-bounds' },
  { name: "callee's variable-offset write stays in its own frame", asm: FRAME_ESCAPE.replace('lsh %r1, 9', 'lsh %r1, 3').replace('[%r2-8]', '[%r2-16]'), expect: 'ok' },
  { name: "variable-offset read through a pointer into the caller's frame, inside it", asm: CALLER_VAR('3'), expect: 'ok' },
  { name: "variable-offset read through a pointer into the caller's frame, past its top", asm: CALLER_VAR('7'), expect: 'stack-bounds' },
  { name: 'pointer + pointer', asm: 'mov %r2, %r10\nadd %r2, %r1\nmov %r0, 0\nexit', expect: 'ptr-arith' },
  { name: 'misaligned variable-offset stack read', asm: VAR_STACK('and %r2, 1', 'ldxdw'), expect: 'misaligned' },
  { name: 'aligned variable-offset stack read', asm: VAR_STACK('and %r2, 1\nlsh %r2, 3', 'ldxdw'), expect: 'ok' },
  { name: 'byte read at a variable stack offset', asm: VAR_STACK('and %r2, 1', 'ldxb'), expect: 'ok' },
  { name: 'packet pointer plus an unbounded scalar', asm: 'mov %r6, %r1\ncall 5\nldxw %r2, [%r6]\nadd %r2, %r0\nmov %r0, 0\nexit', expect: 'ptr-arith' },
  { name: 'packet pointer plus a bounded scalar', asm: 'mov %r6, %r1\ncall 5\nldxw %r2, [%r6]\nand %r0, 255\nadd %r2, %r0\nmov %r0, 0\nexit', expect: 'ok' },
  { name: 'stack pointer minus an unbounded scalar, then a write', asm: 'call 5\nmov %r3, %r10\nsub %r3, %r0\nstb [%r3-1], 0\nmov %r0, 0\nexit', expect: 'ptr-arith' },
  { name: 'packet pointer used after xdp_adjust_head', asm: `${PKT}mov %r6, %r1\nmov %r7, %r2\nmov %r0, 0\njgt %r4, %r3, out\nmov %r1, %r6\nmov %r2, 4\ncall 44\nldxb %r0, [%r7]\nout:\nexit`, expect: 'bad-mem' },
];

/** A case's program as kernel bytes. */
export function caseBytes(c: VerifierCase): Uint8Array {
  return c.slots ? slotsToBytes(c.slots) : encodeProgram(assemble(c.asm!));
}
