/**
 * Small programs on the rules where tsdump's verifier was brought to the kernel's verdicts:
 * alignment (the stack always strict; the context by each hook's is_valid_access rules; the
 * packet and map values free for plain loads and stores, as on x86/arm64), context access sizes
 * (xdp_md whole 32-bit fields only; __sk_buff narrow aligned reads, whole-field writes, the cb[]
 * area at any aligned size), and branch decisions from 32-bit subregister and signed bounds
 * (`if w4 >= 0` is always true, so its fall-through is dead code the verifier must not walk).
 * Dead paths are marked by reading r7, never written: reached, it is an error.
 *
 * The table feeds verifier-parity.test.ts (our verdict must be `expect`) and
 * test/tools/gen-verifier-parity-verdicts.ts, which records the kernel's verdict for the same
 * bytes in test/fixtures/verifier/parity-kernel-verdicts.jsonl (the test compares both).
 */
import { assemble } from '../../src/isa/ebpf/asm.ts';
import { encodeProgram } from '../../src/isa/ebpf/codec.ts';

export type ParityHook = 'xdp' | 'socket_filter' | 'sched_cls';

export interface ParityCase {
  name: string;
  hook: ParityHook;
  asm: string;
  /** 'ok' or the VerifierError's rule (its code is VERIFIER_<RULE>). */
  expect: string;
}

export function parityBytes(c: ParityCase): Uint8Array {
  return encodeProgram(assemble(c.asm));
}

const RET = 'mov %r0, 0\nexit';
const PKT = 'ldxw %r2, [%r1]\nldxw %r3, [%r1+4]\nmov %r4, %r2\nadd %r4, 14\nmov %r0, 2\njgt %r4, %r3, out\n';
/** r4 = an unknown 64-bit value (bpf_ktime_get_ns), r0 = 0. */
const UNKNOWN64 = 'call 5\nmov %r4, %r0\nmov %r0, 0\n';
/** r4 = an unknown 32-bit value (xdp_md.rx_queue_index: the high half is known to be 0), r0 = 0. */
const UNKNOWN32 = 'ldxw %r4, [%r1+16]\nmov %r0, 0\n';
const DEAD = 'exit\nbad:\nmov %r0, %r7\nexit';

export const PARITY_CASES: ParityCase[] = [
  // ---- stack: aligned to the access size, always ----
  { name: 'stack: u64 store at r10-12', hook: 'xdp', asm: `stdw [%r10-12], 1\n${RET}`, expect: 'misaligned' },
  { name: 'stack: u64 store at r10-16', hook: 'xdp', asm: `stdw [%r10-16], 1\n${RET}`, expect: 'ok' },
  { name: 'stack: u32 read at r10-6 of initialised bytes', hook: 'xdp', asm: 'stdw [%r10-8], 0\nldxw %r0, [%r10-6]\nexit', expect: 'misaligned' },
  { name: 'stack: u16 read at r10-6 of initialised bytes', hook: 'xdp', asm: 'stdw [%r10-8], 0\nldxh %r0, [%r10-6]\nexit', expect: 'ok' },
  { name: 'stack: u16 store at r10-3', hook: 'xdp', asm: `sth [%r10-3], 1\n${RET}`, expect: 'misaligned' },
  { name: 'stack: u8 store at r10-3', hook: 'xdp', asm: `stb [%r10-3], 1\n${RET}`, expect: 'ok' },
  { name: 'stack: u16 store through r10-3 at +1', hook: 'xdp', asm: `mov %r2, %r10\nadd %r2, -3\nsth [%r2+1], 1\n${RET}`, expect: 'ok' },
  { name: 'stack: u32 store through r10-3 at +1', hook: 'xdp', asm: `mov %r2, %r10\nadd %r2, -3\nstw [%r2+1], 1\n${RET}`, expect: 'misaligned' },
  { name: 'stack: atomic add32 at r10-6', hook: 'xdp', asm: `stdw [%r10-8], 0\nmov %r1, 1\nlock add32 [%r10-6], %r1\n${RET}`, expect: 'misaligned' },
  { name: 'stack: atomic add32 at r10-4', hook: 'xdp', asm: `stdw [%r10-8], 0\nmov %r1, 1\nlock add32 [%r10-4], %r1\n${RET}`, expect: 'ok' },
  {
    name: 'stack: misaligned u64 read of the caller stack in a subprogram', hook: 'xdp',
    asm: 'stdw [%r10-16], 0\nstdw [%r10-8], 0\nmov %r1, %r10\nadd %r1, -12\ncall local f\nmov %r0, 0\nexit\nf:\nldxdw %r0, [%r1]\nexit',
    expect: 'misaligned',
  },
  // ---- packet: plain accesses may be misaligned ----
  { name: 'xdp packet: u32 read at offset 3', hook: 'xdp', asm: `${PKT}ldxw %r0, [%r2+3]\nand %r0, 1\nout:\nexit`, expect: 'ok' },
  { name: 'xdp packet: u64 read at offset 5', hook: 'xdp', asm: `${PKT}ldxdw %r0, [%r2+5]\nand %r0, 1\nout:\nexit`, expect: 'ok' },
  // ---- context: each hook's access rules ----
  { name: 'xdp ctx: u8 read of ingress_ifindex', hook: 'xdp', asm: 'ldxb %r0, [%r1+12]\nexit', expect: 'ctx-access' },
  { name: 'xdp ctx: u16 read at rx_queue_index+2', hook: 'xdp', asm: 'ldxh %r0, [%r1+18]\nexit', expect: 'ctx-access' },
  { name: 'xdp ctx: u32 read of egress_ifindex (devmap programs only)', hook: 'xdp', asm: 'ldxw %r0, [%r1+20]\nexit', expect: 'ctx-access' },
  { name: 'xdp ctx: u32 read of rx_queue_index', hook: 'xdp', asm: 'ldxw %r0, [%r1+16]\nexit', expect: 'ok' },
  { name: 'socket ctx: u8 read of len+1', hook: 'socket_filter', asm: 'ldxb %r0, [%r1+1]\nexit', expect: 'ok' },
  { name: 'socket ctx: u16 read of len+1', hook: 'socket_filter', asm: 'ldxh %r0, [%r1+1]\nexit', expect: 'ctx-access' },
  { name: 'socket ctx: u16 read of len+2', hook: 'socket_filter', asm: 'ldxh %r0, [%r1+2]\nexit', expect: 'ok' },
  { name: 'socket ctx: u64 read of cb[0..1]', hook: 'socket_filter', asm: 'ldxdw %r0, [%r1+48]\nexit', expect: 'ok' },
  { name: 'socket ctx: u64 read of cb[1..2]', hook: 'socket_filter', asm: 'ldxdw %r0, [%r1+52]\nexit', expect: 'ctx-access' },
  { name: 'socket ctx: u64 store to cb[2..3]', hook: 'socket_filter', asm: `stdw [%r1+56], 1\n${RET}`, expect: 'ok' },
  { name: 'socket ctx: u64 read past cb[4]', hook: 'socket_filter', asm: 'ldxdw %r0, [%r1+64]\nexit', expect: 'ctx-access' },
  { name: 'socket ctx: u8 store into cb[0]+1', hook: 'socket_filter', asm: `stb [%r1+49], 1\n${RET}`, expect: 'ok' },
  { name: 'socket ctx: u16 store into cb[0]+1', hook: 'socket_filter', asm: `sth [%r1+49], 1\n${RET}`, expect: 'ctx-access' },
  { name: 'socket ctx: store to mark', hook: 'socket_filter', asm: `stw [%r1+8], 1\n${RET}`, expect: 'ctx-access' },
  { name: 'tc ctx: u32 store to tc_index', hook: 'sched_cls', asm: `stw [%r1+44], 1\n${RET}`, expect: 'ok' },
  { name: 'tc ctx: u16 store to tc_index', hook: 'sched_cls', asm: `sth [%r1+44], 1\n${RET}`, expect: 'ctx-access' },
  { name: 'tc ctx: u16 read of data', hook: 'sched_cls', asm: 'ldxh %r0, [%r1+76]\nexit', expect: 'ctx-access' },
  { name: 'tc ctx: u8 read of hash+3', hook: 'sched_cls', asm: 'ldxb %r0, [%r1+71]\nexit', expect: 'ok' },
  // ---- branches decided by 32-bit and signed bounds ----
  { name: 'jmp32: w4 >= 0 is always true', hook: 'xdp', asm: `${UNKNOWN64}jge32 %r4, 0, +1\nmov %r0, %r7\nexit`, expect: 'ok' },
  { name: 'jmp32: w4 <= 0xffffffff is always true', hook: 'xdp', asm: `${UNKNOWN64}jle32 %r4, -1, +1\nmov %r0, %r7\nexit`, expect: 'ok' },
  { name: 'jmp32: w4 > 5 is undecided', hook: 'xdp', asm: `${UNKNOWN64}jgt32 %r4, 5, +1\nmov %r0, %r7\nexit`, expect: 'uninit-reg' },
  { name: 'jmp32: w4 <= 10 decides w4 > 20', hook: 'xdp', asm: `${UNKNOWN64}jgt32 %r4, 10, out\njgt32 %r4, 20, bad\nout:\n${DEAD}`, expect: 'ok' },
  { name: 'jmp32: w4 <= 10 does not decide r4 > 20', hook: 'xdp', asm: `${UNKNOWN64}jgt32 %r4, 10, out\njgt %r4, 20, bad\nout:\n${DEAD}`, expect: 'uninit-reg' },
  { name: 'jmp32: w4 <= 10 decides r4 > 20 when the high half is 0', hook: 'xdp', asm: `${UNKNOWN32}jgt32 %r4, 10, out\njgt %r4, 20, bad\nout:\n${DEAD}`, expect: 'ok' },
  { name: 'jmp32: w4 = w4 keeps the 32-bit bound', hook: 'xdp', asm: `${UNKNOWN64}jgt32 %r4, 10, out\nmov32 %r4, %r4\njgt %r4, 10, bad\nout:\n${DEAD}`, expect: 'ok' },
  { name: 'jmp32: w4 == 7 makes w4 + 1 known', hook: 'xdp', asm: `${UNKNOWN64}jne32 %r4, 7, out\nadd32 %r4, 1\njne32 %r4, 8, bad\nout:\n${DEAD}`, expect: 'ok' },
  { name: 'jmp: r4 <= 10 decides w4 > 10', hook: 'xdp', asm: `${UNKNOWN64}jgt %r4, 10, out\njgt32 %r4, 10, bad\nout:\n${DEAD}`, expect: 'ok' },
  { name: 'signed: a value with bit 63 set is never > 0', hook: 'xdp', asm: `${UNKNOWN64}lddw %r3, 0x8000000000000000\nor %r4, %r3\njsgt %r4, 0, bad\n${DEAD}`, expect: 'ok' },
  { name: 'signed: a value with bit 63 set may be > -5', hook: 'xdp', asm: `${UNKNOWN64}lddw %r3, 0x8000000000000000\nor %r4, %r3\njsgt %r4, -5, bad\n${DEAD}`, expect: 'uninit-reg' },
  { name: 'signed jmp32: a value with bit 31 set is < 0', hook: 'xdp', asm: `${UNKNOWN32}or32 %r4, 0x80000000\njslt32 %r4, 0, +1\nmov %r0, %r7\nexit`, expect: 'ok' },
  { name: 'signed jmp32: a byte is never > 255', hook: 'xdp', asm: `${UNKNOWN64}and32 %r4, 255\njsgt32 %r4, 255, bad\n${DEAD}`, expect: 'ok' },
];
