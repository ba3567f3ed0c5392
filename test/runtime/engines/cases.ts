/**
 * THE case table for eBPF engines: each case is a program in assembler syntax, its inputs, and
 * the expected r0 (unsigned 64-bit) or the expected error code. test/runtime/engines/engines.test.ts
 * runs every case on every engine registered in src/runtime/index.ts (ENGINES); an engine may
 * skip a case only by naming it in `skip` with a reason. Expected values were worked out by hand
 * or with exact big-integer arithmetic, independently of the implementation.
 */
export interface EngineCase {
  name: string;
  asm: string;
  /** Caller memory (r1 points to it, r2 = length), as hex. */
  mem?: string;
  /** Packet for LD_ABS/LD_IND, as hex. */
  packet?: string;
  /** Expected r0, or an error code (thrown at load or at run time). */
  expect: bigint | { error: string };
  budget?: number;
  /** Engines that skip this case, with the reason. */
  skip?: Partial<Record<string, string>>;
}

const ETH_IP_TCP =
  '000000000002' + '000000000001' + '0800' + // Ethernet: dst, src, type IPv4
  '45000028' + '00010000' + '4006' + '0000' + 'c0a80101' + 'c0a80102' + // IPv4, proto 6, 192.168.1.1 → .2
  '0050' + '1f90' + '00000000' + '00000000' + '5002' + '2000' + '00000000'; // TCP 80 → 8080

export const CASES: EngineCase[] = [
  // ---- 64-bit arithmetic: the int32-pair corners ------------------------------------------------
  { name: 'mul64 full width', asm: 'lddw %r0, 0x0123456789abcdef\nlddw %r1, 0xfedcba9876543210\nmul %r0, %r1\nexit', expect: 0x2236d88fe5618cf0n },
  { name: 'mul64 -1 * -1', asm: 'mov %r0, -1\nmul %r0, %r0\nexit', expect: 1n },
  { name: 'mul32 wraps and zero-extends', asm: 'lddw %r0, 0xffffffff80000000\nmul32 %r0, 3\nexit', expect: 0x80000000n },
  { name: 'div64 large by small', asm: 'lddw %r0, 0xfedcba9876543210\nmov %r1, 0x12345\ndiv %r0, %r1\nexit', expect: 0xe0004fa01c4dn },
  { name: 'mod64 large by small', asm: 'lddw %r0, 0xfedcba9876543210\nmod %r0, 0x12345\nexit', expect: 0x10a4fn },
  { name: 'div64 by zero is 0', asm: 'lddw %r0, 0xfedcba9876543210\nmov %r1, 0\ndiv %r0, %r1\nexit', expect: 0n },
  { name: 'mod64 by zero keeps dst', asm: 'lddw %r0, 0xfedcba9876543210\nmov %r1, 0\nmod %r0, %r1\nexit', expect: 0xfedcba9876543210n },
  { name: 'mod32 by zero keeps low half, clears high', asm: 'lddw %r0, 0xfedcba9876543210\nmov %r1, 0\nmod32 %r0, %r1\nexit', expect: 0x76543210n },
  { name: 'sdiv64 INT64_MIN / -1 wraps', asm: 'lddw %r0, 0x8000000000000000\nsdiv %r0, -1\nexit', expect: 0x8000000000000000n },
  { name: 'smod64 INT64_MIN % -1 is 0', asm: 'lddw %r0, 0x8000000000000000\nsmod %r0, -1\nexit', expect: 0n },
  { name: 'sdiv32 truncates toward zero', asm: 'mov32 %r0, -7\nsdiv32 %r0, 2\nexit', expect: 0xfffffffdn },
  { name: 'smod32 takes the dividend sign', asm: 'mov32 %r0, -7\nsmod32 %r0, 2\nexit', expect: 0xffffffffn },
  { name: 'add64 carries into the high half', asm: 'mov32 %r0, -1\nadd %r0, 1\nexit', expect: 0x100000000n },
  { name: 'sub64 borrows from the high half', asm: 'lddw %r0, 0x100000000\nsub %r0, 1\nexit', expect: 0xffffffffn },
  { name: 'neg64 of a low-zero value', asm: 'lddw %r0, 0x500000000\nneg %r0\nexit', expect: 0xfffffffb00000000n },
  { name: 'lsh64 by 63', asm: 'mov %r0, 3\nlsh %r0, 63\nexit', expect: 0x8000000000000000n },
  { name: 'lsh64 count is masked to 6 bits', asm: 'mov %r0, 3\nmov %r1, 64\nlsh %r0, %r1\nexit', expect: 3n },
  { name: 'rsh64 across halves', asm: 'lddw %r0, 0xfedcba9876543210\nrsh %r0, 36\nexit', expect: 0xfedcba9n },
  { name: 'arsh64 negative', asm: 'lddw %r0, 0xfedcba9876543210\narsh %r0, 40\nexit', expect: 0xfffffffffffedcban },
  { name: 'arsh32 works on the low half only', asm: 'lddw %r0, 0x1234567880000000\narsh32 %r0, 4\nexit', expect: 0xf8000000n },
  { name: '32-bit ops zero-extend', asm: 'mov %r0, -1\nadd32 %r0, 0\nexit', expect: 0xffffffffn },
  { name: 'mov64 imm sign-extends', asm: 'mov %r0, -2\nexit', expect: 0xfffffffffffffffen },
  { name: 'movsx3264', asm: 'mov32 %r1, 0x80000000\nmovsx3264 %r0, %r1\nexit', expect: 0xffffffff80000000n },
  { name: 'be64 swaps', asm: 'lddw %r0, 0x0102030405060708\nbe64 %r0\nexit', expect: 0x0807060504030201n },
  { name: 'be16 truncates', asm: 'lddw %r0, 0x0102030405060708\nbe16 %r0\nexit', expect: 0x0807n },
  { name: 'le32 truncates', asm: 'lddw %r0, 0x0102030405060708\nle32 %r0\nexit', expect: 0x05060708n },
  // ---- jumps ----------------------------------------------------------------------------------------
  { name: 'jgt64 compares high halves unsigned', asm: 'lddw %r1, 0x8000000000000000\nmov %r0, 1\njgt %r1, 1, +1\nmov %r0, 0\nexit', expect: 1n },
  { name: 'jsgt64 compares high halves signed', asm: 'lddw %r1, 0x8000000000000000\nmov %r0, 1\njsgt %r1, 1, +1\nexit\nmov %r0, 2\nexit', expect: 1n },
  { name: 'jgt32 ignores the high half', asm: 'lddw %r1, 0x100000000\nmov %r0, 1\njgt32 %r1, 0, +1\nexit\nmov %r0, 2\nexit', expect: 1n },
  { name: 'jset64 high bits', asm: 'lddw %r1, 0x100000000\nlddw %r2, 0x300000000\nmov %r0, 0\njset %r1, %r2, +1\nexit\nmov %r0, 7\nexit', expect: 7n },
  { name: 'loop: sum 1..100 with a backward jump', asm: 'mov %r0, 0\nmov %r1, 100\nloop:\nadd %r0, %r1\nsub %r1, 1\njne %r1, 0, loop\nexit', expect: 5050n },
  { name: 'loop: fib(90) in 64-bit', asm: 'mov %r1, 0\nmov %r2, 1\nmov %r3, 90\nl:\nmov %r4, %r2\nadd %r2, %r1\nmov %r1, %r4\nsub %r3, 1\njne %r3, 0, l\nmov %r0, %r1\nexit', expect: 2880067194370816120n },
  { name: 'gotol backward loop', asm: 'mov %r0, 0\nl:\nadd %r0, 1\njeq %r0, 10, +1\nja32 l\nexit', expect: 10n },
  { name: 'infinite loop hits the budget', asm: 'mov %r0, 0\nl:\nadd %r0, 1\nja l\nexit', budget: 10_000, expect: { error: 'EBPF_BUDGET' } },
  // ---- memory ---------------------------------------------------------------------------------------
  { name: 'stack store/load through a derived pointer', asm: 'mov %r1, %r10\nadd %r1, -8\nstdw [%r1], 0x1234\nldxdw %r0, [%r10-8]\nexit', expect: 0x1234n },
  { name: 'pointer difference', asm: 'mov %r1, %r10\nadd %r1, -24\nmov %r0, %r10\nsub %r0, %r1\nexit', expect: 24n },
  { name: 'sign-extending loads', asm: 'sth [%r10-2], -3\nldxsh %r0, [%r10-2]\nexit', expect: 0xfffffffffffffffdn },
  { name: 'caller memory read and written', mem: '0102030405060708', asm: 'ldxw %r0, [%r1+4]\nstxb [%r1], %r0\nldxb %r0, [%r1]\nadd %r0, %r2\nexit', expect: 0x05n + 8n },
  { name: 'atomics on caller memory', mem: '0a00000000000000', asm: 'mov %r2, 5\nlock fetch add [%r1], %r2\nldxdw %r0, [%r1]\nlsh %r0, 8\nor %r0, %r2\nexit', expect: 0x0f0an },
  { name: 'load past the end of memory faults', mem: '01020304', asm: 'ldxw %r0, [%r1+1]\nexit', expect: { error: 'EBPF_RUNTIME_FAULT' } },
  { name: 'store above the stack top faults', asm: 'stdw [%r10], 1\nmov %r0, 0\nexit', expect: { error: 'EBPF_RUNTIME_FAULT' } },
  { name: 'dereferencing a scalar faults', asm: 'mov %r1, 64\nldxb %r0, [%r1]\nexit', expect: { error: 'EBPF_RUNTIME_FAULT' } },
  { name: 'null r1 without memory faults', asm: 'ldxb %r0, [%r1]\nexit', expect: { error: 'EBPF_RUNTIME_FAULT' } },
  // ---- legacy packet loads ---------------------------------------------------------------------------
  { name: 'ldabsh reads network order', packet: ETH_IP_TCP, asm: 'ldabsh 12\nexit', expect: 0x0800n },
  { name: 'ldabsw reads the IPv4 source', packet: ETH_IP_TCP, asm: 'ldabsw 26\nexit', expect: 0xc0a80101n },
  { name: 'ldind with the IP header length', packet: ETH_IP_TCP, asm: 'ldabsb 14\nand %r0, 0xf\nlsh %r0, 2\nmov %r7, %r0\nldindh %r7, 16\nexit', expect: 0x1f90n },
  { name: 'ldabs out of bounds returns 0 from the program', packet: ETH_IP_TCP, asm: 'mov %r0, 99\nldabsw 60\nmov %r0, 1\nexit', expect: 0n },
  { name: 'ldabs out of bounds inside a call returns 0 from the program', packet: '0102', asm: 'call local f\nmov %r0, 5\nexit\nf:\nldabsb 2\nexit', expect: 0n },
  // ---- calls ------------------------------------------------------------------------------------------
  { name: 'callee gets its own stack frame', asm: 'stdw [%r10-8], 11\ncall local f\nldxdw %r0, [%r10-8]\nexit\nf:\nstdw [%r10-8], 22\nexit', expect: 11n },
  { name: 'callee reads the caller stack through a pointer', asm: 'stdw [%r10-8], 33\nmov %r1, %r10\nadd %r1, -8\ncall local f\nexit\nf:\nldxdw %r0, [%r1]\nexit', expect: 33n },
  { name: 'nested calls restore r6-r9', asm: 'mov %r6, 1\ncall local f\nadd %r0, %r6\nexit\nf:\nmov %r6, 10\ncall local g\nadd %r0, %r6\nexit\ng:\nmov %r6, 100\nmov %r0, %r6\nexit', expect: 111n },
  { name: 'unbounded recursion hits the call depth', asm: 'f:\ncall local f\nexit', expect: { error: 'EBPF_CALL_DEPTH' } },
  { name: 'helper 5 unwinds on 0', asm: 'mov %r1, 0\ncall 5\nmov %r0, 9\nexit', expect: 0n },
  { name: 'callx through a register', asm: 'mov %r1, 7\nmov %r3, 5\ncall %r3\nexit', expect: 7n },
  { name: 'unknown helper', asm: 'call 999\nexit', expect: { error: 'EBPF_UNKNOWN_HELPER' } },
  // ---- load-time errors --------------------------------------------------------------------------------
  { name: 'jump out of the program', asm: 'ja +5\nexit', expect: { error: 'EBPF_BAD_JUMP' } },
  { name: 'jump into an lddw', asm: 'ja +1\nlddw %r0, 1\nexit', expect: { error: 'EBPF_BAD_JUMP' } },
  { name: 'last instruction falls through', asm: 'mov %r0, 0', expect: { error: 'EBPF_FALLS_OFF' } },
  { name: 'unresolved map reference', asm: 'lddw %r1, map_fd 3\nmov %r0, 0\nexit', expect: { error: 'EBPF_UNRESOLVED' } },
];
